"""Register, confirm, log in, log out, reset a forgotten password."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import service
from app.auth.forms import LoginForm, RegisterForm, ResendForm, ResetForm, ResetRequestForm
from app.db import utcnow, write_transaction
from app.errors import DomainError
from app.extensions import db, limiter
from app.notifications import outbox
from app.security import safe_next

bp = Blueprint("auth", __name__, url_prefix="/auth")


def form_email() -> str:
    """Rate-limit key: the address typed into the form, so one address cannot be flooded."""
    return "email:" + (request.form.get("email") or "").strip().lower()


def too_often() -> str:
    """The message of a 429 page, in the person's language (not the limit's own wording)."""
    return _("You have tried this too often. Please wait a moment and try again.")


def failed_login(response) -> bool:
    # Only failed attempts count: a successful login redirects.
    return request.method == "POST" and response.status_code != 302


def send_confirmation(user) -> None:
    token = service.make_token(user, "confirm")
    outbox.queue(
        "confirm_email",
        recipient=user,
        kind="account",
        link=url_for("auth.confirm", token=token),
        reason="account",
    )


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("10/hour", methods=["POST"], error_message=too_often)
@limiter.limit("3/hour", methods=["POST"], key_func=form_email, error_message=too_often)
def register():
    """Create an account; a confirmation link is mailed."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegisterForm()
    invitation = request.args.get("invitation")
    if request.method == "GET" and request.args.get("email"):
        form.email.data = request.args["email"]
    if form.validate_on_submit():
        try:
            with write_transaction():
                user = service.create_user(
                    form.email.data,
                    form.password.data,
                    form.display_name.data,
                    locale=session.get("locale")
                    or request.accept_languages.best_match(["de", "en"]),
                )
                send_confirmation(user)
        except DomainError as error:
            form.email.errors.append(error.message)
        else:
            login_user(user)
            flash(_("Welcome! We have sent you a link to confirm your email address."), "success")
            if invitation and safe_next(invitation):
                return redirect(invitation)
            return redirect(url_for("auth.unconfirmed"))
    return render_template("auth/register.html", form=form), 422 if form.errors else 200


@bp.get("/confirm/<token>")
def confirm(token: str):
    """Show the button that confirms an address (no state change on GET)."""
    return render_template("auth/confirm.html", token=token, form=ResendForm())


@bp.post("/confirm/<token>")
def confirm_post(token: str):
    """Confirm the address the link was sent to."""
    try:
        with write_transaction():
            user, _data = service.read_token(token, "confirm", max_age=7 * 24 * 3600)
            service.confirm_email(user)
    except DomainError as error:
        flash(error.message, "error")
        return render_template("auth/confirm.html", token=None, form=ResendForm()), 400
    flash(_("Thank you, your email address is confirmed."), "success")
    return redirect(
        url_for("main.index") if current_user.is_authenticated else url_for("auth.login")
    )


@bp.route("/unconfirmed", methods=["GET", "POST"])
@login_required
@limiter.limit(
    "3/hour",
    methods=["POST"],
    key_func=lambda: f"user:{current_user.get_id()}",
    error_message=too_often,
)
def unconfirmed():
    """Ask to confirm the address, and send the link again on request."""
    form = ResendForm()
    if current_user.is_confirmed:
        return redirect(url_for("main.index"))
    if form.validate_on_submit():
        with write_transaction():
            send_confirmation(current_user)
        flash(_("We have sent the link again."), "success")
        return redirect(url_for("auth.unconfirmed"))
    return render_template("auth/unconfirmed.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    "10/minute;50/hour", methods=["POST"], deduct_when=failed_login, error_message=too_often
)
def login():
    """Log in with email and password."""
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        user = service.find_user(form.email.data)
        if user is not None and user.check_password(form.password.data):
            if not user.is_active:
                form.email.errors.append(_("This account is blocked. Please contact the office."))
            else:
                # A fresh session on login: nothing from before carries over.
                keep_locale = session.get("locale")
                session.clear()
                if keep_locale:
                    session["locale"] = keep_locale
                login_user(user, remember=form.remember.data)
                with write_transaction():
                    db.session.get(type(user), user.id).last_login_at = utcnow()
                flash(_("You are logged in."), "success")
                return redirect(safe_next(form.next.data) or url_for("main.index"))
        else:
            form.password.errors.append(_("Email address or password is wrong."))
    status = 401 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout():
    """Log out (POST only, with CSRF)."""
    logout_user()
    keep_locale = session.get("locale")
    session.clear()
    if keep_locale:
        session["locale"] = keep_locale
    flash(_("You are logged out."), "info")
    return redirect(url_for("main.index"))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit("10/hour", methods=["POST"], error_message=too_often)
@limiter.limit("3/hour", methods=["POST"], key_func=form_email, error_message=too_often)
def reset_request():
    """Ask for a link to set a new password."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        user = service.find_user(form.email.data)
        if user is not None and user.is_active:
            with write_transaction():
                token = service.make_token(user, "reset")
                outbox.queue(
                    "reset_password",
                    recipient=user,
                    kind="account",
                    link=url_for("auth.reset", token=token),
                    reason="account",
                )
        # The same answer whether or not the address has an account.
        flash(_("If an account exists for this address, we have sent a link to it."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    """Set a new password with a mailed, expiring, single-use link."""
    try:
        service.read_token(token, "reset", max_age=3600 * 2)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("auth.reset_request"))
    form = ResetForm()
    if form.validate_on_submit():
        try:
            with write_transaction():
                user, _data = service.read_token(token, "reset", max_age=3600 * 2)
                service.reset_password(user, form.password.data)
                service.confirm_email(user)  # the link proved the address
        except DomainError as error:
            flash(error.message, "error")
            return redirect(url_for("auth.reset_request"))
        logout_user()
        flash(_("Your new password is saved. Please log in."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form), 422 if form.errors else 200
