"""The vacant-space exchange: the listing with map, floor plans, inquiries and their threads."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.db import write_transaction
from app.errors import DomainError, Forbidden, NotFound
from app.extensions import db, limiter
from app.models import Inquiry, Membership, Organisation, Resource
from app.models.inquiry import INQUIRY_STATUSES
from app.spaces import labels, service
from app.spaces.forms import (
    AcceptForm,
    AcceptProposalForm,
    DeclineForm,
    FloorPlanForm,
    InquiryForm,
    JoinForm,
    MessageForm,
    ProposeForm,
    RemoveFloorPlanForm,
    SpaceFilterForm,
    WithdrawForm,
)

bp = Blueprint("spaces", __name__)


def person_key() -> str:
    """Rate-limit key: the person, so one account cannot flood the other side."""
    return f"user:{current_user.get_id()}"


def photo_url(photo, size: int = 480) -> str:
    """Where the catalogue serves a photo in the given width."""
    return f"/media/photos/{photo.stem}-{size}.{photo.ext}"


def space_url(space: Resource) -> str:
    return f"/resources/{space.id}"


@bp.app_context_processor
def space_helpers() -> dict:
    """Helpers for any template, e.g. the catalogue's detail page of a space."""
    return {
        "space_interim_until": lambda space: service.interim_use_until(space),
        "use_label": labels.use_label,
        "rent_model_label": labels.rent_model_label,
    }


def visible_space_or_404(space_id: int) -> Resource:
    space = db.session.get(Resource, space_id)
    if space is None or space.kind != "space" or not space.can_see(current_user):
        abort(404)
    return space


# ------------------------------------------------------------- listing ----
@bp.get("/spaces")
def index():
    """Vacant spaces for interim use, with filters, free periods and a map."""
    form = SpaceFilterForm(formdata=request.args, districts=current_app.config["DISTRICTS"])
    valid = form.validate() if request.args else True
    filters = service.SpaceFilters(
        district=form.district.data if not form.district.errors else None,
        area_min=form.area_min.data if not form.area_min.errors else None,
        rent_model=form.rent_model.data or None,
        use=form.use.data or None,
        free_from=form.available_from.data if not form.available_from.errors else None,
        free_to=form.available_to.data if not form.available_to.errors else None,
        ground_floor=bool(form.ground_floor.data),
        step_free=bool(form.step_free.data),
    )
    if form.available_to.errors:
        filters.free_from = filters.free_to = None
    listings = service.find_spaces(current_user, filters)
    markers = [
        map_marker(item)
        for item in listings
        if item.space.lat is not None and item.space.lon is not None
    ]
    map_config = {
        "tiles": current_app.config.get("MAP_TILE_URL") or "",
        "attribution": current_app.config.get("MAP_TILE_ATTRIBUTION") or "",
        "label": _("Map of the vacant spaces"),
        "details": _("Details"),
        "approximate": _("Approximate location"),
    }
    return (
        render_template(
            "spaces/index.html",
            form=form,
            listings=listings,
            markers=markers,
            map_config=map_config,
            filtered=any(request.args.values()),
            today=service.local_today(),
            number=_number,
            photo_url=photo_url,
            space_url=space_url,
            labels=labels,
        ),
        200 if valid else 400,
    )


def map_marker(item: service.SpaceListing) -> dict:
    """A space on the map; a private owner's space only near its district (privacy)."""
    space = item.space
    exact = item.show_address
    return {
        "id": space.id,
        "title": space.title,
        "lat": space.lat if exact else round(space.lat, 2),
        "lon": space.lon if exact else round(space.lon, 2),
        "approximate": not exact,
        "url": space_url(space),
        "district": space.district or "",
        "area": _("%(area)s m²", area=_number(space.area_m2)) if space.area_m2 else "",
    }


def _number(value: float | None) -> str:
    from flask_babel import format_decimal

    return format_decimal(value, "#,##0.#") if value is not None else ""


# ---------------------------------------------------------- floor plan ----
def managed_space_or_abort(space_id: int) -> Resource:
    space = db.session.get(Resource, space_id)
    if space is None or space.kind != "space":
        abort(404)
    if not space.can_manage(current_user):
        abort(403)
    return space


@bp.get("/spaces/<int:space_id>/floor-plan")
@login_required
def floor_plan(space_id: int):
    """The owner's page to upload or remove the floor plan or exposé."""
    space = managed_space_or_abort(space_id)
    return render_template(
        "spaces/floor_plan.html",
        space=space,
        form=FloorPlanForm(),
        remove_form=RemoveFloorPlanForm(),
    )


@bp.post("/spaces/<int:space_id>/floor-plan")
@login_required
def upload_floor_plan(space_id: int):
    """Keep an uploaded PDF as the floor plan or exposé of a space."""
    space = managed_space_or_abort(space_id)
    form = FloorPlanForm()
    remove_form = RemoveFloorPlanForm()
    status = 422
    if form.validate_on_submit():
        try:
            with write_transaction():
                space = managed_space_or_abort(space_id)
                old = service.store_floor_plan(space, current_user, form.file.data.stream)
        except DomainError as error:
            form.file.errors.append(error.errors.get("file") or error.message)
            status = error.status
            space = managed_space_or_abort(space_id)
        else:
            service.delete_floor_plan_file(old)
            flash(_("The floor plan is saved."), "success")
            return redirect(url_for("spaces.floor_plan", space_id=space_id))
    return (
        render_template("spaces/floor_plan.html", space=space, form=form, remove_form=remove_form),
        status,
    )


@bp.post("/spaces/<int:space_id>/floor-plan/remove")
@login_required
def remove_floor_plan(space_id: int):
    """Remove the floor plan of a space."""
    managed_space_or_abort(space_id)
    form = RemoveFloorPlanForm()
    if not form.validate_on_submit():
        abort(400)
    with write_transaction():
        old = service.remove_floor_plan(managed_space_or_abort(space_id), current_user)
    service.delete_floor_plan_file(old)
    flash(_("The floor plan is removed."), "success")
    return redirect(url_for("spaces.floor_plan", space_id=space_id))


@bp.get("/spaces/<int:space_id>/floor-plan.pdf")
def floor_plan_pdf(space_id: int):
    """The floor plan or exposé of a space, for everyone who may see the space."""
    space = visible_space_or_404(space_id)
    if not space.floor_plan_file:
        abort(404)
    response = send_from_directory(
        service.floor_plan_folder(),
        space.floor_plan_file,
        mimetype="application/pdf",
        download_name=f"floor-plan-{space.id}.pdf",
        max_age=300,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# ----------------------------------------------------------- inquiries ----
def member_organisations(user) -> list[Organisation]:
    return list(
        db.session.scalars(
            select(Organisation)
            .join(Membership, Membership.organisation_id == Organisation.id)
            .where(Membership.user_id == user.id)
            .order_by(Organisation.name)
        )
    )


def copy_errors(form, errors: dict[str, str], mapping: dict[str, str]) -> bool:
    """Put a domain refusal's field errors onto the form's fields; True if any landed."""
    landed = False
    for key, message in errors.items():
        name = mapping.get(key, key)
        if name in form:
            form[name].errors = [*form[name].errors, message]
            landed = True
    return landed


PERIOD_FIELDS = {"start": "period_from", "end": "period_until"}


@bp.route("/spaces/<int:space_id>/inquire", methods=["GET", "POST"])
@login_required
@limiter.limit("20/hour", methods=["POST"], key_func=person_key)
def inquire(space_id: int):
    """Ask the owner to use a space: intended use, period, idea, on whose behalf."""
    space = visible_space_or_404(space_id)
    if not space.is_visible_publicly:  # paused, archived or hidden: not on offer
        abort(404)
    if not current_user.is_confirmed:
        flash(_("Please confirm your email address before you send an inquiry."), "warning")
        return redirect(url_for("auth.unconfirmed"))
    if space.can_manage(current_user):
        raise Forbidden(_("You cannot send an inquiry for your own space."))
    organisations = member_organisations(current_user)
    form = InquiryForm(
        organisations=organisations,
        person_name=_("Myself (%(name)s)", name=current_user.display_name),
    )
    status = 200
    if request.method == "GET":
        use = request.args.get("use")
        if use in labels.USE_LABELS:
            form.intended_use.data = use
    if form.validate_on_submit():
        organisation = None
        if form.organisation_id.data:
            organisation = db.session.get(Organisation, form.organisation_id.data)
        try:
            with write_transaction():
                inquiry = service.create_inquiry(
                    visible_space_or_404(space_id),
                    current_user,
                    intended_use=form.intended_use.data,
                    first_day=form.period_from.data,
                    last_day=form.period_until.data,
                    concept=form.concept.data,
                    organisation=organisation,
                )
        except DomainError as error:
            if isinstance(error, NotFound | Forbidden):
                raise
            if not copy_errors(form, error.errors, PERIOD_FIELDS):
                flash(error.message, "error")
            status = error.status
            existing = error.extra.get("inquiry_id")
            if existing:
                return redirect(url_for("spaces.thread", inquiry_id=existing)), 303
        else:
            flash(_("Your inquiry is sent. You will hear from the owner here."), "success")
            return redirect(url_for("spaces.thread", inquiry_id=inquiry.id))
    elif form.errors:
        status = 422
    return (
        render_template("spaces/inquire.html", space=space, form=form),
        status,
    )


@bp.get("/spaces/inquiries")
@login_required
def inquiries():
    """Inquiries one takes part in; the project office sees all of them."""
    status = request.args.get("status")
    query = service.visible_inquiries(current_user)
    if status in INQUIRY_STATUSES:
        query = query.where(Inquiry.status == status)
    items = db.session.scalars(query.order_by(Inquiry.updated_at.desc(), Inquiry.id.desc())).all()
    return render_template(
        "spaces/inquiries.html",
        items=[(item, service.role_of(item, current_user)) for item in items],
        status=status if status in INQUIRY_STATUSES else None,
        statuses=INQUIRY_STATUSES,
        labels=labels,
    )


def thread_forms(inquiry: Inquiry, role: str, **given) -> dict:
    """Every form the person may use in this thread, pre-filled with the current period."""
    period = {"period_from": inquiry.period_from, "period_until": inquiry.period_until}
    forms: dict = {"message_form": given.get("message_form") or MessageForm(prefix="message")}
    if inquiry.is_active and role == "owner":
        forms["accept_form"] = given.get("accept_form") or AcceptForm(prefix="accept", data=period)
        forms["propose_form"] = given.get("propose_form") or ProposeForm(prefix="propose")
        forms["decline_form"] = given.get("decline_form") or DeclineForm(prefix="decline")
    if inquiry.is_active and role == "applicant":
        if inquiry.status == "proposed":
            forms["accept_proposal_form"] = given.get("accept_proposal_form") or (
                AcceptProposalForm(prefix="agree")
            )
        forms["propose_form"] = given.get("propose_form") or ProposeForm(prefix="propose")
        forms["withdraw_form"] = given.get("withdraw_form") or WithdrawForm(prefix="withdraw")
    if role == "mediator" and inquiry.mediator_id != current_user.id:
        forms["join_form"] = JoinForm(prefix="join")
    return forms


def render_thread(inquiry_id: int, status: int = 200, **given):
    inquiry, role = service.inquiry_for(inquiry_id, current_user)
    return (
        render_template(
            "spaces/thread.html",
            inquiry=inquiry,
            role=role,
            managers=service.space_managers(inquiry.space),
            labels=labels,
            space_url=space_url,
            **thread_forms(inquiry, role, **given),
        ),
        status,
    )


@bp.get("/spaces/inquiries/<int:inquiry_id>")
@login_required
def thread(inquiry_id: int):
    """The thread of an inquiry: its history, messages and what one can do next."""
    return render_thread(inquiry_id)


def act(inquiry_id: int, form, form_name: str, do, success: str):
    """Validate a thread form, run one domain step under a lock, flash and redirect."""
    service.inquiry_for(inquiry_id, current_user)  # 404/403 before anything else
    if form.validate_on_submit():
        try:
            with write_transaction():
                inquiry, _role = service.inquiry_for(inquiry_id, current_user, lock=True)
                do(inquiry)
        except (NotFound, Forbidden):
            raise
        except DomainError as error:
            if not copy_errors(form, error.errors, PERIOD_FIELDS):
                flash(error.message, "error")
            return render_thread(inquiry_id, error.status, **{form_name: form})
        flash(success, "success")
        return redirect(url_for("spaces.thread", inquiry_id=inquiry_id))
    return render_thread(inquiry_id, 422, **{form_name: form})


@bp.post("/spaces/inquiries/<int:inquiry_id>/messages")
@login_required
@limiter.limit("30/hour", key_func=person_key)
def post_message(inquiry_id: int):
    """Write in the thread; the other side gets it by mail."""
    form = MessageForm(prefix="message")
    return act(
        inquiry_id,
        form,
        "message_form",
        lambda inquiry: service.post_message(inquiry, current_user, form.body.data),
        _("Your message is sent."),
    )


@bp.post("/spaces/inquiries/<int:inquiry_id>/propose")
@login_required
def propose(inquiry_id: int):
    """Propose another period."""
    form = ProposeForm(prefix="propose")
    return act(
        inquiry_id,
        form,
        "propose_form",
        lambda inquiry: service.propose_period(
            inquiry, current_user, form.period_from.data, form.period_until.data, form.body.data
        ),
        _("Your proposal is sent."),
    )


@bp.post("/spaces/inquiries/<int:inquiry_id>/accept")
@login_required
def accept(inquiry_id: int):
    """The owner accepts a period and so books the space for it."""
    form = AcceptForm(prefix="accept")
    return act(
        inquiry_id,
        form,
        "accept_form",
        lambda inquiry: service.accept(
            inquiry, current_user, form.period_from.data, form.period_until.data, form.body.data
        ),
        _("The period is agreed and the space is booked for it."),
    )


@bp.post("/spaces/inquiries/<int:inquiry_id>/agree")
@login_required
def agree(inquiry_id: int):
    """The applicant accepts the period the owner proposed."""
    form = AcceptProposalForm(prefix="agree")
    return act(
        inquiry_id,
        form,
        "accept_proposal_form",
        lambda inquiry: service.accept(inquiry, current_user, body=form.body.data),
        _("The period is agreed and the space is booked for it."),
    )


@bp.post("/spaces/inquiries/<int:inquiry_id>/decline")
@login_required
def decline(inquiry_id: int):
    """The owner declines with a reason."""
    form = DeclineForm(prefix="decline")
    return act(
        inquiry_id,
        form,
        "decline_form",
        lambda inquiry: service.decline(inquiry, current_user, form.reason.data),
        _("The inquiry is declined."),
    )


@bp.post("/spaces/inquiries/<int:inquiry_id>/withdraw")
@login_required
def withdraw(inquiry_id: int):
    """The applicant withdraws the inquiry."""
    form = WithdrawForm(prefix="withdraw")
    return act(
        inquiry_id,
        form,
        "withdraw_form",
        lambda inquiry: service.withdraw(inquiry, current_user, form.reason.data or ""),
        _("Your inquiry is withdrawn."),
    )


@bp.post("/spaces/inquiries/<int:inquiry_id>/mediate")
@login_required
def mediate(inquiry_id: int):
    """The project office joins the thread as mediator."""
    form = JoinForm(prefix="join")
    return act(
        inquiry_id,
        form,
        "join_form",
        lambda inquiry: service.join_as_mediator(inquiry, current_user),
        _("You take part in this inquiry as mediator."),
    )
