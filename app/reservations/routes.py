"""Reserving, my reservations, deciding on them, and the availability settings of lenders."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from app.booking import service, settings
from app.booking.availability import (
    day_period,
    local_date,
    local_datetime,
    local_midnight,
    weekly_hours,
)
from app.booking.periods import isoformat, parse_moment, slot_times, to_local, whole_days
from app.booking.rules import Refused
from app.db import utcnow, write_transaction
from app.errors import Conflict, DomainError, Forbidden
from app.extensions import db
from app.models import Reservation, Resource
from app.reservations.forms import (
    ApproveForm,
    CalendarForm,
    ClosureForm,
    DayReserveForm,
    DeclineForm,
    DeleteForm,
    HandOverForm,
    HoursForm,
    OrgRulesForm,
    ReasonForm,
    ReturnForm,
    RulesForm,
    SlotReserveForm,
)

bp = Blueprint("reservations", __name__)


# ---------------------------------------------------------------- helpers ----
@bp.app_template_global()
def reservation_status_label(status: str) -> str:
    """A reservation's status in words."""
    return service.status_label(status)


@bp.app_template_global()
def reservation_period(start: datetime, end: datetime) -> str:
    """A period in words: whole days as first – last day, else date and times."""
    from flask_babel import format_date, format_datetime, format_time

    days = whole_days(start, end)
    if days is not None:
        first, last = days
        if first == last:
            return format_date(first, "full")
        return f"{format_date(first, 'full')} – {format_date(last, 'full')}"
    if local_date(start) == local_date(end - timedelta(microseconds=1)):
        day = format_date(local_date(start), "full")
        return f"{day}, {format_time(start, 'short')} – {format_time(end, 'short')}"
    return f"{format_datetime(start, 'medium')} – {format_datetime(end, 'medium')}"


@bp.app_template_global()
def availability_hint_label(state: str) -> str:
    """Today's free/busy hint in words (see app.booking.search.today_hints)."""
    from app.booking.search import hint_label

    return hint_label(state)


def visible_resource(resource_id: int) -> Resource:
    resource = db.session.get(Resource, resource_id)
    if resource is None or not resource.can_see(current_user):
        abort(404)
    return resource


def viewable_reservation(reservation_id: int) -> Reservation:
    reservation = db.session.get(Reservation, reservation_id)
    if reservation is None or not service.can_view(reservation, current_user):
        abort(404)
    return reservation


def end_time_label(moment: datetime) -> str:
    local = to_local(moment)
    return "24:00" if local.time() == time(0) else local.strftime("%H:%M")


def time_choices(resource: Resource) -> tuple[list[str], list[str]]:
    """Start and end times in slot steps, from the earliest opening to the latest closing."""
    week = weekly_hours(resource)
    intervals = [interval for day in week.values() for interval in day]
    first = min((opens for opens, _ in intervals), default=time(0))
    last = max((closes for _, closes in intervals), default=time(23, 59))
    times = slot_times(resource.slot_minutes, first, last)
    ends = times[1:]
    if last >= time(23, 59) or not ends:
        ends = [*ends, "24:00"]
    return times[:-1] if len(times) > 1 else times, ends


def reserve_form(resource: Resource, reservation: Reservation | None = None):
    """The form for the resource's granularity, prefilled from ?start&end or a reservation."""
    if resource.granularity == "day":
        form = DayReserveForm()
    else:
        form = SlotReserveForm()
        starts, ends = time_choices(resource)
        form.start_time.choices = [SelectChoice(t) for t in starts]
        form.end_time.choices = [SelectChoice(t) for t in ends]
    if request.method == "GET":
        start = end = None
        if reservation is not None:
            start, end = reservation.start, reservation.end
            form.units.data = reservation.units
        try:
            if request.args.get("start"):
                start = parse_moment(request.args["start"])
                end = parse_moment(request.args["end"]) if request.args.get("end") else None
        except ValueError:
            pass
        if start is not None:
            prefill(form, start, end)
    return form


def prefill(form, start: datetime, end: datetime | None) -> None:
    """Fill a day form (pickup and return days) or a slot form (a day, two times) with a period."""
    if "pickup" in form:
        form.pickup.data = local_date(start)
        last = local_date(end - timedelta(microseconds=1)) if end and end > start else None
        form.return_day.data = last or local_date(start)
        return
    form.day.data = local_date(start)
    label = to_local(start).strftime("%H:%M")
    if label in {choice.value for choice in form.start_time.choices}:
        form.start_time.data = label
    if end is not None and end > start:
        label = end_time_label(end)
        if label in {choice.value for choice in form.end_time.choices}:
            form.end_time.data = label


def form_period(form) -> tuple[datetime, datetime]:
    """The (first) period a day or slot form asks for; ValueError with a message if it makes
    no sense. Day forms have pickup and return days, slot forms a day with two times."""
    if "pickup" in form:
        if form.return_day.data < form.pickup.data:
            raise ValueError(_("The return day must not be before the pickup day."))
        return day_period(form.pickup.data, form.return_day.data)
    day: date = form.day.data
    start = local_datetime(day, time.fromisoformat(form.start_time.data))
    if form.end_time.data == "24:00":
        end = local_midnight(day + timedelta(days=1))
    else:
        end = local_datetime(day, time.fromisoformat(form.end_time.data))
    if end <= start:
        raise ValueError(_("The end must come after the start."))
    return start, end


def suggestion_links(
    resource: Resource, refusal: Refused | None, reservation: Reservation | None = None
) -> list[tuple[str, str]]:
    """Each suggested free period as (label, link to the prefilled form)."""
    if refusal is None:
        return []
    links = []
    for start, end in refusal.suggestions:
        period = {"start": isoformat(start), "end": isoformat(end)}
        if reservation is not None:
            link = url_for(".change", reservation_id=reservation.id, **period)
        else:
            link = url_for(".new", resource_id=resource.id, **period)
        links.append((reservation_period(start, end), link))
    return links


# ----------------------------------------------------------------- reserve ----
@bp.route("/resources/<int:resource_id>/reserve", methods=["GET", "POST"])
@login_required
def new(resource_id: int):
    """Reserve a thing or a room; the answer comes at once."""
    resource = visible_resource(resource_id)
    if resource.kind == "space":
        return render_template("reservations/space.html", resource=resource), (
            422 if request.method == "POST" else 200
        )
    if not current_user.is_confirmed:
        return render_template("reservations/unconfirmed.html", resource=resource), (
            403 if request.method == "POST" else 200
        )
    form = reserve_form(resource)
    refusal: Refused | None = None
    status = 200
    if request.method == "POST":
        status = 422
    if form.validate_on_submit():
        try:
            start, end = form_period(form)
        except ValueError as error:
            form.form_errors.append(str(error))
        else:
            try:
                with write_transaction():
                    reservation = service.reserve(
                        resource, current_user, start, end,
                        units=form.units.data or 1, message=form.message.data or "",
                        accept_terms=bool(form.accept_terms.data),
                        confirm_min_age=bool(form.confirm_min_age.data),
                    )
                    reservation_id, state = reservation.id, reservation.status
            except Refused as error:
                refusal, status = error, error.status
            except DomainError as error:
                form.form_errors.append(error.message)
                status = error.status
            else:
                if state == "requested":
                    flash(_("Your request has been sent. The lender will answer soon."), "success")
                else:
                    flash(_("Reserved. Your reservation is confirmed."), "success")
                return redirect(url_for(".detail", reservation_id=reservation_id))
    return render_template(
        "reservations/new.html",
        resource=resource,
        form=form,
        refusal=refusal,
        suggestions=suggestion_links(resource, refusal),
    ), status


# ------------------------------------------------------------ my bookings ----
def lender_filter(user):
    """Reservations of resources this person manages (own or as an organisation's manager)."""
    from app.models import Membership

    managed_orgs = sa.select(Membership.organisation_id).where(
        Membership.user_id == user.id, Membership.role == "manager"
    )
    return Reservation.resource_id.in_(
        sa.select(Resource.id).where(
            sa.or_(Resource.owner_user_id == user.id, Resource.owner_org_id.in_(managed_orgs))
        )
    )


def group(reservations: list[Reservation], now: datetime) -> dict[str, list[Reservation]]:
    groups: dict[str, list[Reservation]] = {"requested": [], "upcoming": [], "past": []}
    for reservation in reservations:
        if reservation.status == "requested" and reservation.end > now:
            groups["requested"].append(reservation)
        elif reservation.status == "handed_over" or (
            reservation.status == "confirmed" and reservation.end > now
        ):
            groups["upcoming"].append(reservation)
        else:
            groups["past"].append(reservation)
    groups["past"].sort(key=lambda r: r.start, reverse=True)
    groups["past"] = groups["past"][:50]
    return groups


@bp.get("/reservations")
@login_required
def index():
    """My reservations: requested, upcoming, past (or, as a lender, those of my offers)."""
    role = "lender" if request.args.get("role") == "lender" else "mine"
    condition = (
        lender_filter(current_user) if role == "lender"
        else Reservation.requester_id == current_user.id
    )
    reservations = db.session.scalars(
        sa.select(Reservation)
        .where(condition)
        .options(sa.orm.joinedload(Reservation.resource), sa.orm.joinedload(Reservation.requester))
        .order_by(Reservation.start)
        .limit(500)
    ).all()
    now = utcnow()
    return render_template(
        "reservations/index.html", groups=group(list(reservations), now), role=role, now=now
    )


@bp.get("/reservations/<int:reservation_id>")
@login_required
def detail(reservation_id: int):
    """One reservation: what, when, its status, what I may do, and its history."""
    reservation = viewable_reservation(reservation_id)
    now = utcnow()
    roles = service.roles_of(reservation, current_user)
    shared = reservation.status in ("confirmed", "handed_over", "returned")
    return render_template(
        "reservations/detail.html",
        reservation=reservation,
        resource=reservation.resource,
        actions=service.allowed_actions(reservation, current_user, now),
        is_requester="requester" in roles,
        is_lender="lender" in roles,
        show_address=shared or "lender" in roles,
        overdue=reservation.is_overdue(now),
        forms={
            "approve": ApproveForm(prefix="approve"),
            "decline": DeclineForm(prefix="decline"),
            "cancel": ReasonForm(prefix="cancel"),
            "hand_over": HandOverForm(prefix="hand_over"),
            "return": ReturnForm(prefix="return"),
        },
    )


ACTIONS = {"approve": "approve", "decline": "decline", "cancel": "cancel",
           "handover": "hand_over", "return": "return"}


@bp.post("/reservations/<int:reservation_id>/<any(approve,decline,cancel,handover,return):verb>")
@login_required
def act(reservation_id: int, verb: str) -> Response:
    """Approve, decline, cancel, hand over or take back a reservation."""
    reservation = viewable_reservation(reservation_id)
    action = ACTIONS[verb]
    form_class = {"approve": ApproveForm, "decline": DeclineForm, "cancel": ReasonForm,
                  "hand_over": HandOverForm, "return": ReturnForm}[action]
    form = form_class(prefix=action)
    back = redirect(url_for(".detail", reservation_id=reservation.id))
    if not form.validate_on_submit():
        if action == "decline" and not form.errors.keys() - {"reason"}:
            flash(_("Please give a reason."), "error")
        else:
            flash(_("Please check your input."), "error")
        return back
    try:
        with write_transaction():
            run_action(action, reservation, form)
    except Forbidden:
        raise
    except (Conflict, DomainError) as error:
        flash(error.message, "error")
        return back
    flash(
        {
            "approve": _("Approved. The requester has been told."),
            "decline": _("Declined. The requester has been told."),
            "cancel": _("Cancelled."),
            "hand_over": _("Handover recorded."),
            "return": _("Return recorded."),
        }[action],
        "success",
    )
    return back


def run_action(action: str, reservation: Reservation, form) -> None:
    if action == "approve":
        service.approve(reservation, current_user)
    elif action == "decline":
        service.decline(reservation, current_user, form.reason.data or "")
    elif action == "cancel":
        service.cancel(reservation, current_user, form.reason.data or "")
    elif action == "hand_over":
        service.hand_over(reservation, current_user,
                          deposit_taken_cents=form.deposit_taken.cents,
                          fee_paid_cents=form.fee_paid.cents, note=form.note.data or "",
                          briefing_given=bool(form.briefing_given.data))
    else:
        service.record_return(reservation, current_user, condition=form.condition.data or "",
                              deposit_returned_cents=form.deposit_returned.cents)


@bp.route("/reservations/<int:reservation_id>/change", methods=["GET", "POST"])
@login_required
def change(reservation_id: int):
    """Move, shorten or extend a reservation (checked like a new one)."""
    reservation = viewable_reservation(reservation_id)
    if "change" not in service.allowed_actions(reservation, current_user):
        abort(403)
    resource = reservation.resource
    form = reserve_form(resource, reservation)
    form.submit.label.text = _("Save change")
    refusal: Refused | None = None
    status = 422 if request.method == "POST" else 200
    if form.validate_on_submit():
        try:
            start, end = form_period(form)
        except ValueError as error:
            form.form_errors.append(str(error))
        else:
            if reservation.status == "handed_over":
                start = reservation.start
            try:
                with write_transaction():
                    service.change(reservation, current_user, start, end,
                                   units=form.units.data or reservation.units)
            except Refused as error:
                refusal, status = error, error.status
            except Forbidden:
                raise
            except DomainError as error:
                form.form_errors.append(error.message)
                status = error.status
            else:
                flash(_("Your change has been saved."), "success")
                return redirect(url_for(".detail", reservation_id=reservation.id))
    return render_template(
        "reservations/new.html",
        resource=resource,
        form=form,
        refusal=refusal,
        suggestions=suggestion_links(resource, refusal, reservation),
        reservation=reservation,
    ), status


# --------------------------------------------------- availability settings ----
UNIT_MINUTES = {"minutes": 1, "hours": 60, "days": 24 * 60}


def managed_owner(resource_id: int | None = None, slug: str | None = None):
    """The resource or organisation, if the current person manages it (404 / 403 otherwise)."""
    from app.models import Organisation

    if resource_id is not None:
        owner = db.session.get(Resource, resource_id)
        if owner is None or not owner.can_see(current_user):
            abort(404)
    else:
        owner = db.session.scalar(sa.select(Organisation).where(Organisation.slug == slug))
        if owner is None:
            abort(404)
    if not settings.may_manage(owner, current_user):
        abort(403)
    return owner


def hours_form(owner) -> HoursForm:
    if request.method == "POST":
        return HoursForm(prefix="hours")
    week = settings.weekly_rows(owner)
    data = {"days": [
        {"intervals": [{"opens": o, "closes": c} for o, c in week[day]]
         + [{"opens": None, "closes": None}] * (3 - len(week[day][:3]))}
        for day in range(7)
    ]}
    return HoursForm(prefix="hours", data=data)


def rules_form(resource: Resource | None, org_form: bool = False):
    form_class = OrgRulesForm if org_form else RulesForm
    if request.method == "POST" or resource is None:
        return form_class(prefix="rules")
    low, high = resource.min_duration_minutes, resource.max_duration_minutes
    values = [v for v in (low, high) if v]
    unit = next((u for u in ("days", "hours") if all(v % UNIT_MINUTES[u] == 0 for v in values)),
                "minutes")
    if not values:
        unit = "days" if resource.granularity == "day" else "hours"
    return form_class(prefix="rules", data={
        "granularity": resource.granularity,
        "slot_minutes": resource.slot_minutes,
        "min_duration": low // UNIT_MINUTES[unit] if low else None,
        "max_duration": high // UNIT_MINUTES[unit] if high else None,
        "duration_unit": unit,
        "min_lead_hours": (resource.min_lead_minutes or 0) // 60,
        "max_advance_days": resource.max_advance_days,
        "buffer_minutes": resource.buffer_minutes,
        "requires_approval": resource.requires_approval,
        "max_active_per_person": resource.max_active_per_person,
        "handover_required": resource.handover_required,
    })


def rules_from(form) -> dict:
    factor = UNIT_MINUTES.get(form.duration_unit.data, 1)
    return {
        "granularity": form.granularity.data,
        "slot_minutes": form.slot_minutes.data,
        "min_duration_minutes": form.min_duration.data * factor if form.min_duration.data else None,
        "max_duration_minutes": form.max_duration.data * factor if form.max_duration.data else None,
        "min_lead_minutes": (form.min_lead_hours.data or 0) * 60,
        "max_advance_days": form.max_advance_days.data,
        "buffer_minutes": form.buffer_minutes.data or 0,
        "requires_approval": bool(form.requires_approval.data),
        "max_active_per_person": form.max_active_per_person.data or None,
        "handover_required": bool(form.handover_required.data),
    }


def week_from(form: HoursForm) -> dict:
    week: dict[int, list] = {}
    for day, entry in enumerate(form.days.entries):
        week[day] = []
        for interval in entry.intervals.entries:
            opens, closes = interval.opens.data, interval.closes.data
            if opens is None and closes is None:
                continue
            if opens is None or closes is None:
                raise DomainError(_("Please check the opening hours."),
                                  errors={f"day-{day}": _("Please give both times.")})
            week[day].append((opens, closes))
    return week


def place_errors(form, error: DomainError, aliases: dict | None = None) -> None:
    placed = False
    for key, message in (error.errors or {}).items():
        name = (aliases or {}).get(key, key)
        if name in form:
            form[name].errors = [*form[name].errors, message]
            placed = True
    if not placed:
        form.form_errors.append(error.message)


def settings_page(owner, *, forms: dict, status: int = 200, hour_errors: dict | None = None):
    from babel.dates import get_day_names

    from app.models import Organisation
    from app.templating import current_locale

    is_org = isinstance(owner, Organisation)
    resources = []
    if is_org:
        resources = db.session.scalars(
            sa.select(Resource).where(Resource.owner_org_id == owner.id).order_by(Resource.title)
        ).all()
    return render_template(
        "reservations/availability.html",
        owner=owner,
        is_org=is_org,
        resources=resources,
        day_names=get_day_names("wide", locale=current_locale()),
        closures=settings.closures_of(owner, from_day=local_date(utcnow())),
        hour_errors=hour_errors or {},
        delete_form=DeleteForm(),
        **forms,
    ), status


def default_forms(owner, is_org: bool) -> dict:
    forms = {"hours_form": hours_form(owner), "closure_form": ClosureForm(prefix="closure")}
    if is_org:
        forms["rules_form"] = rules_form(None, org_form=True)
    else:
        forms["rules_form"] = rules_form(owner)
        forms["calendar_form"] = CalendarForm(prefix="calendar", data={
            "own_hours": owner.own_hours,
            "follows_site_calendar": owner.follows_site_calendar,
        }) if request.method == "GET" else CalendarForm(prefix="calendar")
    return forms


def settings_url(owner) -> str:
    if isinstance(owner, Resource):
        return url_for(".resource_availability", resource_id=owner.id)
    return url_for(".org_availability", slug=owner.slug)


@bp.get("/resources/<int:resource_id>/availability")
@login_required
def resource_availability(resource_id: int):
    """Opening hours, closures and booking rules of one resource (its managers only)."""
    owner = managed_owner(resource_id=resource_id)
    return settings_page(owner, forms=default_forms(owner, False))


@bp.get("/orgs/<slug>/availability")
@login_required
def org_availability(slug: str):
    """Opening hours, closures and rules for all of an organisation's resources (managers)."""
    owner = managed_owner(slug=slug)
    return settings_page(owner, forms=default_forms(owner, True))


@bp.post("/resources/<int:resource_id>/availability/<any(hours,rules,calendar,closures):part>")
@bp.post("/orgs/<slug>/availability/<any(hours,rules,closures):part>")
@login_required
def save_availability(part: str, resource_id: int | None = None, slug: str | None = None):
    """Save one part of the availability settings."""
    owner = managed_owner(resource_id=resource_id, slug=slug)
    is_org = resource_id is None
    forms = default_forms(owner, is_org)
    form = forms[{"hours": "hours_form", "rules": "rules_form", "calendar": "calendar_form",
                  "closures": "closure_form"}[part]]
    hour_errors: dict = {}
    if form.validate_on_submit():
        try:
            with write_transaction():
                message = save_part(part, owner, form)
        except Forbidden:
            raise
        except DomainError as error:
            if part == "hours":
                hour_errors = {int(k.split("-")[1]): v for k, v in error.errors.items()
                               if k.startswith("day-")}
                if not hour_errors:
                    form.form_errors.append(error.message)
            else:
                place_errors(form, error, {"max_duration": "max_duration",
                                           "min_duration": "min_duration"})
        else:
            flash(message, "success")
            return redirect(settings_url(owner))
    return settings_page(owner, forms=forms, status=422, hour_errors=hour_errors)


def save_part(part: str, owner, form) -> str:
    if part == "hours":
        settings.set_weekly_hours(owner, current_user, week_from(form))
        return _("Opening hours saved.")
    if part == "calendar":
        settings.set_calendar_options(owner, current_user, own_hours=bool(form.own_hours.data),
                                      follows_site_calendar=bool(form.follows_site_calendar.data))
        return _("Saved.")
    if part == "rules":
        if isinstance(owner, Resource):
            settings.set_rules(owner, current_user, rules_from(form))
            return _("Booking rules saved.")
        count = settings.set_rules_for_org(owner, current_user, form.kind.data, rules_from(form))
        return _("Booking rules applied to %(n)s offers.", n=count)
    settings.add_closure(owner, current_user, form.start_date.data, form.end_date.data,
                         form.reason.data, is_repair=bool(form.is_repair.data))
    return _("Closure added.")


@bp.post("/resources/<int:resource_id>/availability/closures/<int:closure_id>/delete")
@bp.post("/orgs/<slug>/availability/closures/<int:closure_id>/delete")
@login_required
def delete_closure(closure_id: int, resource_id: int | None = None, slug: str | None = None):
    """Remove a closure."""
    owner = managed_owner(resource_id=resource_id, slug=slug)
    if DeleteForm().validate_on_submit():
        try:
            with write_transaction():
                settings.remove_closure(owner, current_user, closure_id)
        except Forbidden:
            raise
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("Closure removed."), "success")
    return redirect(settings_url(owner))


from app.reservations import lending_routes  # noqa: E402, F401  (series, waiting lists, codes ...)
