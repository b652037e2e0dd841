"""The person's own account: profile, email, password, notifications, tokens, data, deletion."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app.account import service
from app.account.forms import (
    ButtonForm,
    ConfirmForm,
    DeleteForm,
    EmailForm,
    NotificationSettingsForm,
    PasswordForm,
    ProfileForm,
    TokenForm,
)
from app.auth.routes import too_often
from app.db import write_transaction
from app.errors import DomainError
from app.extensions import limiter, login_manager
from app.models import User
from app.models.user import NOTIFICATION_KINDS

bp = Blueprint("account", __name__, url_prefix="/account")

# Everything here needs a logged-in person, except following the link mailed to a new address.
PUBLIC_ENDPOINTS = {"account.confirm_email"}


class BadInput(DomainError):
    status = 400
    code = "bad_request"


@bp.before_request
def require_login():
    if request.endpoint in PUBLIC_ENDPOINTS or current_user.is_authenticated:
        return None
    return login_manager.unauthorized()


def me() -> User:
    return current_user._get_current_object()


def user_key() -> str:
    """Rate-limit key: the logged-in person."""
    return f"user:{current_user.get_id()}"


def relogin(user: User) -> None:
    """Keep this session after the session version was raised (other sessions end)."""
    remember = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
    login_user(user, remember=remember)


def no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


# ------------------------------------------------------------------ profile ----
@bp.route("", methods=["GET", "POST"])
def index():
    """Account overview: profile form, links to the other settings, the calendar link."""
    user = me()
    form = ProfileForm(obj=user)
    if request.method == "GET" and user.locale not in service.LOCALES:
        form.locale.data = current_app.config["DEFAULT_LOCALE"]
    if form.validate_on_submit():
        try:
            with write_transaction():
                service.update_profile(
                    user,
                    display_name=form.display_name.data,
                    phone=form.phone.data,
                    locale=form.locale.data,
                )
        except DomainError as error:
            form.display_name.errors.append(error.message)
        else:
            flash(_("Your profile is saved."), "success")
            return redirect(url_for("account.index"))
    status = 422 if form.errors else 200
    feed_url = current_app.config["SITE_URL"] + service.feed_path(user)
    return (
        render_template("account/index.html", form=form, feed_url=feed_url, button=ButtonForm()),
        status,
    )


@bp.post("/feed/renew")
def renew_feed():
    """Give the private calendar feed a new address; the old one stops working."""
    if ButtonForm().validate_on_submit():
        with write_transaction():
            service.renew_feed_token(me())
        flash(_("Your calendar link is renewed. The old link no longer works."), "success")
    return redirect(url_for("account.index") + "#feed")


# ----------------------------------------------------------------- password ----
@bp.route("/password", methods=["GET", "POST"])
def password():
    """Change the password; other sessions end, this one stays."""
    form = PasswordForm()
    if form.validate_on_submit():
        user = me()
        try:
            with write_transaction():
                service.change_password(user, form.current_password.data, form.password.data)
        except service.WrongPassword as error:
            form.current_password.errors.append(error.message)
        except DomainError as error:
            form.password.errors.append(error.message)
        else:
            relogin(user)
            flash(
                _("Your new password is saved. You were logged out on your other devices."),
                "success",
            )
            return redirect(url_for("account.index"))
    return render_template("account/password.html", form=form), 422 if form.errors else 200


# -------------------------------------------------------------------- email ----
@bp.route("/email", methods=["GET", "POST"])
@limiter.limit("5/hour", methods=["POST"], key_func=user_key, error_message=too_often)
def email():
    """Ask to change the email address: a link goes to the new address."""
    form = EmailForm()
    if form.validate_on_submit():
        try:
            with write_transaction():
                service.request_email_change(me(), form.email.data, form.password.data)
        except service.WrongPassword as error:
            form.password.errors.append(error.message)
        except DomainError as error:
            form.email.errors.append(error.message)
            return render_template("account/email.html", form=form), error.status
        else:
            flash(
                _(
                    "We have sent a link to %(email)s. Your address changes when you open it.",
                    email=service.auth_service.normalise_email(form.email.data),
                ),
                "success",
            )
            return redirect(url_for("account.index"))
    return render_template("account/email.html", form=form), 422 if form.errors else 200


@bp.route("/email/confirm/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    """Show the new address with a button (GET), and make it the person's (POST)."""
    form = ConfirmForm()
    try:
        _user, new_email = service.peek_email_change(token)
    except DomainError as error:
        flash(error.message, "error")
        return render_template("account/email_confirm.html", form=None, new_email=None), 400
    if form.validate_on_submit():
        # Who is logged in here, read before the change ends the person's sessions.
        viewer_id = current_user.id if current_user.is_authenticated else None
        try:
            with write_transaction():
                user = service.confirm_email_change(token)
        except DomainError as error:
            flash(error.message, "error")
            status = 409 if error.status == 409 else 400
            return render_template("account/email_confirm.html", form=None, new_email=None), status
        flash(_("Your email address is now %(email)s.", email=new_email), "success")
        if viewer_id == user.id:
            relogin(user)
            return redirect(url_for("account.index"))
        if viewer_id is not None:
            return redirect(url_for("main.index"))
        return redirect(url_for("auth.login"))
    return render_template("account/email_confirm.html", form=form, new_email=new_email)


# ------------------------------------------------------------ notifications ----
@bp.route("/notifications/settings", methods=["GET", "POST"])
def notification_settings():
    """Choose which kinds of messages to receive."""
    user = me()
    form = NotificationSettingsForm()
    if request.method == "GET":
        for kind in NOTIFICATION_KINDS:
            getattr(form, kind).data = user.wants(kind)
    if form.validate_on_submit():
        wanted = [kind for kind in NOTIFICATION_KINDS if getattr(form, kind).data]
        with write_transaction():
            service.set_notification_preferences(user, wanted)
        flash(_("Your notification settings are saved."), "success")
        return redirect(url_for("account.notification_settings"))
    return render_template("account/notification_settings.html", form=form)


def page_argument() -> int:
    raw = request.args.get("page", "1")
    if not raw.isdigit() or int(raw) < 1 or int(raw) > 100_000:
        raise BadInput(_("The page number must be a positive whole number."))
    return int(raw)


@bp.get("/notifications")
def notifications():
    """The person's in-app notifications, newest first, unread marked."""
    result = service.notifications_page(me(), page_argument())
    return render_template(
        "account/notifications.html",
        result=result,
        button=ButtonForm(),
        target=service.notification_target,
    )


@bp.post("/notifications/read-all")
def notifications_read_all():
    """Mark every notification read."""
    if ButtonForm().validate_on_submit():
        with write_transaction():
            count = service.mark_all_read(me())
        flash(_("Marked as read: %(n)s", n=count), "success")
    return redirect(url_for("account.notifications"))


@bp.post("/notifications/<int:note_id>/open")
def open_notification(note_id: int):
    """Mark one notification read and go where it leads."""
    if not ButtonForm().validate_on_submit():
        raise BadInput(_("The form had expired. Please try again."))
    with write_transaction():
        note = service.open_notification(me(), note_id)
        target = service.notification_target(note)
    return redirect(target or url_for("account.notifications"))


# ------------------------------------------------------------------- tokens ----
@bp.route("/tokens", methods=["GET", "POST"])
def tokens():
    """Personal API tokens: create (shown once), list, revoke."""
    user = me()
    form = TokenForm()
    plain = None
    status = 200
    if form.validate_on_submit():
        try:
            with write_transaction():
                token, plain = service.issue_token(user, form.name.data)
        except DomainError as error:
            form.name.errors.append(error.message)
        else:
            status = 201
            form = TokenForm(formdata=None)
            flash(_("Your token “%(name)s” is created.", name=token.name), "success")
    if form.errors:
        status = 422
    page = render_template(
        "account/tokens.html",
        form=form,
        plain=plain,
        tokens=service.active_tokens(user),
        button=ButtonForm(),
    )
    return no_store(Response(page, status=status))


@bp.post("/tokens/<int:token_id>/revoke")
def revoke_token(token_id: int):
    """Revoke one of one's own tokens."""
    if not ButtonForm().validate_on_submit():
        raise BadInput(_("The form had expired. Please try again."))
    with write_transaction():
        token = service.revoke_token(me(), token_id)
        name = token.name
    flash(_("The token “%(name)s” is revoked.", name=name), "success")
    return redirect(url_for("account.tokens"))


# --------------------------------------------------------------- your data ----
@bp.get("/export")
def export():
    """Download everything stored about the person as JSON."""
    user = me()
    data = service.export_data(user)
    body = json.dumps(data, ensure_ascii=False, indent=2)
    response = Response(body, mimetype="application/json")
    stamp = data["exported_at"][:10]
    response.headers["Content-Disposition"] = f'attachment; filename="allmende-data-{stamp}.json"'
    return no_store(response)


@bp.route("/delete", methods=["GET", "POST"])
def delete():
    """Delete the account (confirmed with the password): anonymised, history kept."""
    user = me()
    form = DeleteForm()
    status = 200
    if form.validate_on_submit():
        try:
            with write_transaction():
                service.delete_account(user, form.password.data)
        except service.WrongPassword as error:
            form.password.errors.append(error.message)
        except DomainError as error:
            flash(error.message, "error")
            status = error.status
        else:
            logout_user()
            keep_locale = session.get("locale") or user.locale
            session.clear()
            if keep_locale:
                session["locale"] = keep_locale
            flash(_("Your account is deleted. Thank you for sharing with us."), "success")
            return redirect(url_for("main.index"))
    if form.errors:
        status = 422
    preview = service.deletion_preview(user)
    return render_template("account/delete.html", form=form, preview=preview), status
