"""Organisations: the directory, public profiles, members and invitations."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.db import utcnow, write_transaction
from app.errors import DomainError
from app.extensions import db, limiter
from app.orgs import service
from app.orgs.forms import ButtonForm, DirectoryForm, InviteForm, OrgForm, RoleForm

bp = Blueprint("orgs", __name__, url_prefix="/orgs")

PER_PAGE = 20


@bp.context_processor
def labels() -> dict:
    return {
        "kind_label": service.kind_label,
        "field_label": service.field_label,
        "looking_for_label": service.looking_for_label,
        "role_label": service.role_label,
        "local_day": service.local_day,
    }


def actor():
    """The logged-in person, or None."""
    return current_user._get_current_object() if current_user.is_authenticated else None


def invite_address() -> str:
    """Rate-limit key: the invited address, so one address cannot be flooded."""
    return "invite-email:" + (request.form.get("email") or "").strip().lower()


def invite_person() -> str:
    """Rate-limit key: the person sending invitations."""
    return f"invite-user:{current_user.get_id()}"


def show_errors(form, error: DomainError) -> None:
    """Put a domain refusal next to the fields it names, or at the top."""
    placed = False
    for name, messages in (error.errors or {}).items():
        if name in form:
            form[name].errors = list(form[name].errors) + list(messages)
            placed = True
    if not placed:
        flash(error.message, "error")


def org_or_404(slug: str):
    return service.get_by_slug(slug)


def require_editor(org) -> None:
    if not service.can_edit(org, actor()):
        abort(403)


# --------------------------------------------------------------- directory ----
@bp.get("")
def index():
    """The directory of every organisation, with search and filters kept in the URL."""
    form = DirectoryForm(request.args)
    valid = form.validate()
    page = request.args.get("page", 1, type=int)
    if page < 1:
        abort(404)
    query = service.directory_query(
        q=form.q.data if valid else None,
        kind=form.kind.data if valid else None,
        field=form.field.data if valid else None,
        district=form.district.data if valid else None,
    )
    pagination = db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)
    if page > 1 and not pagination.items:
        abort(404)
    filters = {
        key: value
        for key, value in (
            ("q", form.q.data),
            ("kind", form.kind.data),
            ("field", form.field.data),
            ("district", form.district.data),
        )
        if valid and value
    }

    def page_url(number: int) -> str:
        return url_for("orgs.index") + "?" + urlencode({**filters, "page": number})

    status = 200 if valid else 400
    return (
        render_template(
            "orgs/index.html",
            form=form,
            pagination=pagination,
            filtered=bool(filters),
            page_url=page_url,
        ),
        status,
    )


# ----------------------------------------------------------------- profile ----
@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    """Register an organisation; the person creating it becomes its manager."""
    if not current_user.is_confirmed:
        flash(_("Please confirm your email address first."), "error")
        return redirect(url_for("auth.unconfirmed"))
    form = OrgForm()
    if request.method == "GET":
        form.kind.data = "initiative"
    if form.validate_on_submit():
        try:
            with write_transaction():
                org = service.create_org(actor(), form.profile())
                slug = org.slug
        except DomainError as error:
            show_errors(form, error)
        else:
            flash(_("The organisation is registered. You are its manager."), "success")
            return redirect(url_for("orgs.show", slug=slug))
    status = 422 if form.errors else 200
    return render_template("orgs/form.html", form=form, org=None), status


@bp.get("/<slug>")
def show(slug: str):
    """The public page of an organisation: profile, contact, what it offers and looks for."""
    org = org_or_404(slug)
    viewer = actor()
    return render_template(
        "orgs/show.html",
        org=org,
        resources=service.public_resources(org, viewer),
        members_count=len(org.memberships),
        role=org.role_of(viewer),
        can_edit=service.can_edit(org, viewer),
        can_see_members=service.can_see_members(org, viewer),
    )


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str):
    """Edit the profile (managers and administrators)."""
    org = org_or_404(slug)
    require_editor(org)
    form = OrgForm(obj=org)
    if form.validate_on_submit():
        try:
            with write_transaction():
                service.update_org(org, actor(), form.profile())
        except DomainError as error:
            show_errors(form, error)
        else:
            flash(_("The profile is saved."), "success")
            return redirect(url_for("orgs.show", slug=org.slug))
    status = 422 if form.errors else 200
    return render_template("orgs/form.html", form=form, org=org), status


# ----------------------------------------------------------------- members ----
def render_members(org, invite_form=None, status: int = 200):
    viewer = actor()
    editor = service.can_edit(org, viewer)
    return (
        render_template(
            "orgs/members.html",
            org=org,
            memberships=service.memberships(org),
            invitations=service.pending_invitations(org) if editor else [],
            can_edit=editor,
            role=org.role_of(viewer),
            invite_form=invite_form or InviteForm(),
            role_form=RoleForm(),
            now=utcnow(),
        ),
        status,
    )


@bp.get("/<slug>/members")
@login_required
def members(slug: str):
    """Members and their roles (for members); managers also invite and manage here."""
    org = org_or_404(slug)
    if not service.can_see_members(org, actor()):
        abort(403)
    return render_members(org)


@bp.post("/<slug>/invitations")
@login_required
@limiter.limit("20/hour", key_func=invite_person)
@limiter.limit("5/day", key_func=invite_address)
def invite(slug: str):
    """Invite someone by email address, as member or manager."""
    org = org_or_404(slug)
    require_editor(org)
    form = InviteForm()
    if not form.validate_on_submit():
        return render_members(org, form, 422)
    try:
        with write_transaction():
            invitation, token = service.invite(org, actor(), form.email.data, form.role.data)
            service.send_invitation(invitation, token, actor())
            address = invitation.email
    except DomainError as error:
        show_errors(form, error)
        return render_members(org, form, error.status)
    flash(_("The invitation to %(email)s is on its way.", email=address), "success")
    return redirect(url_for("orgs.members", slug=org.slug))


@bp.post("/<slug>/invitations/<int:invitation_id>/revoke")
@login_required
def revoke(slug: str, invitation_id: int):
    """Withdraw a pending invitation."""
    org = org_or_404(slug)
    require_editor(org)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        with write_transaction():
            service.revoke_invitation(org, actor(), invitation_id)
    except service.OrgError as error:
        flash(error.message, "error")
    else:
        flash(_("The invitation was withdrawn."), "success")
    return redirect(url_for("orgs.members", slug=org.slug))


@bp.post("/<slug>/members/<int:membership_id>/role")
@login_required
def change_role(slug: str, membership_id: int):
    """Change a member's role."""
    org = org_or_404(slug)
    require_editor(org)
    form = RoleForm()
    if not form.validate_on_submit():
        flash(_("Please choose a role."), "error")
        return redirect(url_for("orgs.members", slug=org.slug))
    try:
        with write_transaction():
            membership = service.change_role(org, actor(), membership_id, form.role.data)
            name = membership.user.display_name
    except service.OrgError as error:
        flash(error.message, "error")
    else:
        flash(
            _("%(name)s is now: %(role)s.", name=name, role=service.role_label(form.role.data)),
            "success",
        )
    return redirect(url_for("orgs.members", slug=org.slug))


@bp.post("/<slug>/members/<int:membership_id>/remove")
@login_required
def remove_member(slug: str, membership_id: int):
    """Remove a person from the organisation."""
    org = org_or_404(slug)
    require_editor(org)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        with write_transaction():
            service.remove_member(org, actor(), membership_id)
    except service.OrgError as error:
        flash(error.message, "error")
    else:
        flash(_("The person was removed from the organisation."), "success")
    return redirect(url_for("orgs.members", slug=org.slug))


@bp.post("/<slug>/leave")
@login_required
def leave(slug: str):
    """Leave an organisation."""
    org = org_or_404(slug)
    if not ButtonForm().validate_on_submit():
        abort(400)
    if not org.is_member(actor()):
        abort(403)
    try:
        with write_transaction():
            service.leave(org, actor())
    except service.OrgError as error:
        flash(error.message, "error")
        return redirect(url_for("orgs.show", slug=org.slug))
    flash(_("You have left %(name)s.", name=org.name), "success")
    return redirect(url_for("orgs.show", slug=org.slug))


# ------------------------------------------------------------- invitations ----
def no_referrer(response):
    # The token is in the address: don't pass it on to other sites.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/invitations/<token>")
def invitation(token: str):
    """An invitation: accept or decline when logged in, else log in or register first."""
    invitation = service.find_invitation(token)
    problem = None
    try:
        service.check_usable(invitation)
    except DomainError as error:
        problem = error
    viewer = actor()
    path = service.invitation_path(token)
    body = render_template(
        "orgs/invitation.html",
        invitation=invitation,
        org=invitation.organisation,
        problem=problem,
        viewer=viewer,
        addressed=service.addressed_to(invitation, viewer),
        already_member=invitation.organisation.is_member(viewer),
        accept_url=path + "/accept",
        decline_url=path + "/decline",
        login_url=url_for("auth.login", next=path),
        register_url=url_for("auth.register", email=invitation.email, invitation=path),
    )
    return no_referrer(make_response(body, problem.status if problem else 200))


@bp.post("/invitations/<token>/accept")
@login_required
def accept(token: str):
    """Accept an invitation addressed to the logged-in person."""
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        with write_transaction():
            membership = service.accept_invitation(token, actor())
            slug, name = membership.organisation.slug, membership.organisation.name
    except service.InvitationGone as error:
        flash(error.message, "error")
        return redirect(url_for("orgs.invitation", token=token))
    flash(_("Welcome to %(name)s!", name=name), "success")
    return redirect(url_for("orgs.show", slug=slug))


@bp.post("/invitations/<token>/decline")
@login_required
def decline(token: str):
    """Decline an invitation addressed to the logged-in person."""
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        with write_transaction():
            service.decline_invitation(token, actor())
    except service.InvitationGone as error:
        flash(error.message, "error")
        return redirect(url_for("orgs.invitation", token=token))
    flash(_("You have declined the invitation."), "info")
    return redirect(url_for("orgs.index"))
