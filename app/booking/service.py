"""The reservation lifecycle: who may do what, in which state, under the resource's lock.

    requested --approve--> confirmed --hand_over--> handed_over --return--> returned
        |                      |
        +--decline--> declined +--cancel--> cancelled
        +--cancel---> cancelled
        +--expire---> expired

Every function takes the acting user, checks the state table below, records a
ReservationEvent (actor, from, to, note), calls
`app.notifications.events.reservation_event(reservation, action, actor, note)` and
flushes; the caller commits (views and the API wrap each call in `write_transaction()`).

Actions passed to reservation_event: "reserve" (new, confirmed at once), "request"
(new, waiting for approval), "approve", "decline", "cancel", "change", "hand_over",
"return", "expire".
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from app.booking import quotas, terms, waitlist
from app.booking.conflicts import fits, lock_reservation, lock_resource
from app.booking.periods import whole_days
from app.booking.rules import PERIOD_REASONS, Overbooked, Refused, check_period, check_shape
from app.booking.suggestions import free_periods
from app.db import utcnow
from app.errors import Conflict, DomainError, Forbidden
from app.extensions import db
from app.models import Reservation, ReservationEvent, Resource, User
from app.notifications import events

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

REQUESTER, LENDER, ADMIN, SYSTEM = "requester", "lender", "admin", "system"


@dataclass(frozen=True)
class Transition:
    sources: tuple[str, ...]
    target: str | None  # None: the status stays (a change)
    roles: tuple[str, ...]


# The state table: which action, from which states, to which state, by whom.
TRANSITIONS: dict[str, Transition] = {
    "approve": Transition(("requested",), "confirmed", (LENDER,)),
    "decline": Transition(("requested",), "declined", (LENDER,)),
    # the requester until the start; the lender (or the office) with a reason
    "cancel": Transition(("requested", "confirmed"), "cancelled", (REQUESTER, LENDER, ADMIN)),
    # handed_over: only the end may move (extend or shorten the loan)
    "change": Transition(("requested", "confirmed", "handed_over"), None, (REQUESTER, LENDER)),
    "hand_over": Transition(("confirmed",), "handed_over", (LENDER,)),
    "return": Transition(("handed_over",), "returned", (LENDER,)),
    "expire": Transition(("requested",), "expired", (SYSTEM,)),
}


# ------------------------------------------------------------------ roles ----
def roles_of(reservation: Reservation, user: User | None) -> set[str]:
    """requester / lender / admin, as far as they apply to this person."""
    if user is None:
        return {SYSTEM}
    roles: set[str] = set()
    if not getattr(user, "is_authenticated", False):
        return roles
    if reservation.requester_id is not None and reservation.requester_id == user.id:
        roles.add(REQUESTER)
    if reservation.resource.can_manage(user):
        roles.add(LENDER)
    if getattr(user, "is_admin", False):
        roles.add(ADMIN)
    return roles


def can_view(reservation: Reservation, user: User | None) -> bool:
    """Its two sides and the office see a reservation."""
    return bool(roles_of(reservation, user) - {SYSTEM}) if user is not None else False


def allowed_actions(
    reservation: Reservation, user: User | None, now: datetime | None = None
) -> list[str]:
    """Which actions this person may take on the reservation now (for buttons and links)."""
    now = now or utcnow()
    roles = roles_of(reservation, user)
    found = []
    for action, transition in TRANSITIONS.items():
        if action == "expire" or reservation.status not in transition.sources:
            continue
        if not roles & set(transition.roles):
            continue
        try:
            _check_extra(action, reservation, roles, now, reason="-")
        except DomainError:
            continue
        found.append(action)
    return found


def _check_extra(action: str, reservation: Reservation, roles: set[str], now: datetime,
                 reason: str | None) -> None:
    """The rules of an action beyond the state table."""
    lender_side = roles & {LENDER, ADMIN}
    if action == "cancel":
        if not lender_side and reservation.start <= now:
            raise Conflict(_("It has already begun; please contact the lender."))
        if lender_side and REQUESTER not in roles and not (reason or "").strip():
            raise _reason_missing()
    elif action == "decline" and not (reason or "").strip():
        raise _reason_missing()
    elif action in ("hand_over", "return") and not reservation.resource.handover_required:
        raise Conflict(_("Handover and return are not recorded for this."))
    elif action == "change" and not lender_side and reservation.status != "handed_over" and (
        reservation.start <= now
    ):
        raise Conflict(_("It has already begun; please contact the lender."))


def _reason_missing() -> DomainError:
    message = _("Please give a reason.")
    return DomainError(message, errors={"reason": message})


def _authorise(action: str, reservation: Reservation, actor: User | None, now: datetime,
               reason: str | None = None) -> set[str]:
    transition = TRANSITIONS[action]
    roles = roles_of(reservation, actor)
    if not roles & set(transition.roles):
        raise Forbidden(_("You are not allowed to do this."))
    if reservation.status not in transition.sources:
        raise Conflict(
            _("Not possible: the reservation is %(status)s.",
              status=status_label(reservation.status)),
            status_now=reservation.status,
        )
    _check_extra(action, reservation, roles, now, reason)
    return roles


def status_label(status: str) -> str:
    return {
        "requested": _("requested"),
        "confirmed": _("confirmed"),
        "handed_over": _("handed over"),
        "returned": _("returned"),
        "declined": _("declined"),
        "cancelled": _("cancelled"),
        "expired": _("expired"),
    }.get(status, status)


def _record(reservation: Reservation, action: str, actor: User | None, from_status: str | None,
            note: str | None, now: datetime, *, notify: bool = True) -> None:
    reservation.events.append(
        ReservationEvent(
            actor_id=actor.id if actor is not None else None,
            action=action,
            from_status=from_status,
            to_status=reservation.status,
            note=note or None,
            at=now,
        )
    )
    db.session.flush()
    if notify:
        events.reservation_event(reservation, action, actor, note or None)
    if action in ("cancel", "decline", "expire"):
        # whoever waits for this period hears that it is free again
        waitlist.notify_freed(reservation, now=now)


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))


# ---------------------------------------------------------------- reserve ----
def _check_requester(user: User) -> None:
    if not user.is_active:
        raise Forbidden(_("This account cannot make reservations."))
    if not user.is_confirmed:
        raise Forbidden(
            _("Please confirm your email address first."), reason="unconfirmed",
        )


def _check_reservable(resource: Resource, requester: User) -> None:
    if resource.kind == "space":
        raise Refused(
            "space",
            _("Vacant spaces are not reserved directly: please send an inquiry."),
        )
    if not resource.is_visible_publicly:
        raise Refused("unavailable", _("This cannot be reserved at the moment."))
    if not resource.can_see(requester):
        raise Forbidden(_("You are not allowed to do this."))


def _refuse_with_suggestions(error: Refused, resource: Resource, start: datetime, end: datetime,
                             units: int, now: datetime, exclude_id: int | None = None) -> Refused:
    if error.reason in PERIOD_REASONS:
        error.suggest(
            free_periods(resource, start, end, units=units, exclude_id=exclude_id, now=now)
        )
    return error


def reserve(
    resource: Resource,
    requester: User,
    start: datetime,
    end: datetime,
    *,
    units: int = 1,
    message: str = "",
    accept_terms: bool = False,
    confirm_min_age: bool = False,
    notify: bool = True,
    now: datetime | None = None,
) -> Reservation:
    """Reserve an item or room: confirmed, or requested when approval is needed.

    Refusals raise Refused (422, with the reason and free periods that would fit) or
    Overbooked (409). Call inside write_transaction(): the resource stays locked
    from the check to the insert. The lender's quota (app.booking.quotas) is checked
    with the rules; then the lender's terms must be accepted (accept_terms records it)
    and a minimum age confirmed (app.booking.terms). notify=False: no message (a
    series tells about all its dates at once).
    """
    now = now or utcnow()
    _check_requester(requester)
    _check_reservable(resource, requester)
    resource = lock_resource(resource.id)
    try:
        check_period(resource, start, end, units, now=now, requester=requester)
        quotas.check_quota(resource, requester, start, end, now=now)
        if not fits(resource, start, end, units, now=now):
            raise Overbooked()
    except Refused as error:
        raise _refuse_with_suggestions(error, resource, start, end, units, now) from None
    terms.check_requirements(resource, requester, accept_terms=accept_terms,
                             confirm_min_age=confirm_min_age, now=now)
    needs_approval = resource.requires_approval and not resource.can_manage(requester)
    reservation = Reservation(
        resource=resource,
        requester=requester,
        start=start,
        end=end,
        units=units,
        message=(message or "").strip(),
        status="requested" if needs_approval else "confirmed",
    )
    if not needs_approval:
        reservation.decided_at = now
        if resource.handover_required:
            reservation.handover_code = _new_code()
    db.session.add(reservation)
    _record(reservation, "request" if needs_approval else "reserve", requester, None,
            reservation.message, now, notify=notify)
    return reservation


def book_space(
    space: Resource,
    applicant: User,
    start: datetime,
    end: datetime,
    actor: User,
    message: str = "",
    *,
    now: datetime | None = None,
) -> Reservation:
    """Book a vacant space for an accepted inquiry: whole days within its availability.

    Same lock and overlap check as reserve(); the item and room rules do not apply.
    """
    now = now or utcnow()
    if space.kind != "space":
        raise DomainError(_("Only vacant spaces are booked this way."))
    space = lock_resource(space.id)
    days = whole_days(start, end)
    if days is None or end <= start:
        raise Refused("alignment", _("Spaces are booked by whole days: please choose days."))
    if space.available_from and days[0] < space.available_from:
        raise Refused("too_soon", _("The space is available only from %(day)s.",
                                    day=space.available_from.isoformat()))
    if space.available_until and days[1] > space.available_until:
        raise Refused("too_far", _("The space is available only until %(day)s.",
                                   day=space.available_until.isoformat()))
    if not fits(space, start, end, 1, now=now):
        raise Overbooked(_("The space is already booked then."))
    reservation = Reservation(
        resource=space,
        requester=applicant,
        start=start,
        end=end,
        units=1,
        message=(message or "").strip(),
        status="confirmed",
        decided_at=now,
    )
    db.session.add(reservation)
    _record(reservation, "reserve", actor, None, reservation.message, now)
    return reservation


# ------------------------------------------------------------ transitions ----
def approve(reservation: Reservation, actor: User, *, note: str = "",
            now: datetime | None = None) -> Reservation:
    """The lender accepts a request; it is checked again, since times may have passed."""
    now = now or utcnow()
    reservation = lock_reservation(reservation.id)
    _authorise("approve", reservation, actor, now)
    lock_resource(reservation.resource_id)
    if not fits(reservation.resource, reservation.start, reservation.end, reservation.units,
                exclude_id=reservation.id, now=now):
        raise Overbooked()
    reservation.status = "confirmed"
    reservation.decided_at = now
    if reservation.resource.handover_required and not reservation.handover_code:
        reservation.handover_code = _new_code()
    _record(reservation, "approve", actor, "requested", note, now)
    return reservation


def decline(reservation: Reservation, actor: User, reason: str, *,
            now: datetime | None = None) -> Reservation:
    """The lender refuses a request, saying why."""
    now = now or utcnow()
    reservation = lock_reservation(reservation.id)
    _authorise("decline", reservation, actor, now, reason)
    reservation.status = "declined"
    reservation.decided_at = now
    reservation.decline_reason = reason.strip()
    _record(reservation, "decline", actor, "requested", reservation.decline_reason, now)
    return reservation


def cancel(reservation: Reservation, actor: User, reason: str = "", *,
           notify: bool = True, now: datetime | None = None) -> Reservation:
    """The requester cancels until the start; the lender (or the office) with a reason.

    notify=False: no message (a series tells about all its cancelled dates at once).
    """
    now = now or utcnow()
    reservation = lock_reservation(reservation.id)
    _authorise("cancel", reservation, actor, now, reason)
    before = reservation.status
    reservation.status = "cancelled"
    reservation.cancel_reason = (reason or "").strip() or None
    _record(reservation, "cancel", actor, before, reservation.cancel_reason, now,
            notify=notify)
    return reservation


def change(
    reservation: Reservation,
    actor: User,
    start: datetime,
    end: datetime,
    *,
    units: int | None = None,
    now: datetime | None = None,
) -> Reservation:
    """Move, shorten or extend a reservation through the same checks as a new one.

    A loan that is handed over keeps its start. When the requester changes a confirmed
    reservation of something that needs approval, it waits for approval again.
    SEQUENCE (for calendars) is raised whenever the times change.
    """
    now = now or utcnow()
    reservation = lock_reservation(reservation.id)
    roles = _authorise("change", reservation, actor, now)
    units = reservation.units if units is None else units
    resource = lock_resource(reservation.resource_id)
    started = reservation.start <= now
    if reservation.status == "handed_over" and start != reservation.start:
        raise Refused("malformed", _("The start of a loan that is handed over cannot move."))
    lender_side = bool(roles & {LENDER, ADMIN})
    if (
        reservation.status == "handed_over"
        and not lender_side
        and resource.requires_approval
    ):
        raise Forbidden(_("Please ask the lender to extend it."))
    keep_start = started and start == reservation.start
    try:
        if keep_start:
            check_shape(resource, start, end, units)
            if end <= now:
                raise Refused("too_soon", _("Too soon: that time has already passed."))
        check_period(resource, start, end, units, now=now, requester=reservation.requester,
                     exclude_id=reservation.id, keep_start=keep_start)
        quotas.check_quota(resource, reservation.requester, start, end, now=now,
                           exclude_id=reservation.id)
        if not fits(resource, start, end, units, exclude_id=reservation.id, now=now):
            raise Overbooked()
    except Refused as error:
        raise _refuse_with_suggestions(error, resource, start, end, units, now,
                                       exclude_id=reservation.id) from None
    before_status = reservation.status
    note = _("Was %(start)s – %(end)s.", start=_short(reservation.start),
             end=_short(reservation.end))
    if start != reservation.start or end != reservation.end:
        reservation.sequence += 1
    reservation.start, reservation.end, reservation.units = start, end, units
    if before_status == "confirmed" and resource.requires_approval and not lender_side:
        reservation.status = "requested"
        reservation.decided_at = None
    _record(reservation, "change", actor, before_status, note, now)
    return reservation


def _short(moment: datetime) -> str:
    from app.booking.periods import to_local

    return to_local(moment).strftime("%Y-%m-%d %H:%M")


def hand_over(
    reservation: Reservation,
    actor: User,
    *,
    deposit_taken_cents: int | None = None,
    fee_paid_cents: int | None = None,
    note: str = "",
    briefing_given: bool = False,
    now: datetime | None = None,
) -> Reservation:
    """The lender records the handover (deposit taken, fee paid, briefing given if needed)."""
    now = now or utcnow()
    reservation = lock_reservation(reservation.id)
    _authorise("hand_over", reservation, actor, now)
    _check_cents(deposit_taken_cents=deposit_taken_cents, fee_paid_cents=fee_paid_cents)
    terms.check_briefing(reservation.resource, briefing_given)
    note = terms.briefing_note(reservation.resource, briefing_given, note)
    reservation.status = "handed_over"
    reservation.handed_over_at = now
    reservation.deposit_taken_cents = deposit_taken_cents
    reservation.fee_paid_cents = fee_paid_cents
    _record(reservation, "hand_over", actor, "confirmed", note, now)
    return reservation


def record_return(
    reservation: Reservation,
    actor: User,
    *,
    condition: str = "",
    deposit_returned_cents: int | None = None,
    now: datetime | None = None,
) -> Reservation:
    """The lender records the return (condition note, deposit returned)."""
    now = now or utcnow()
    reservation = lock_reservation(reservation.id)
    _authorise("return", reservation, actor, now)
    _check_cents(deposit_returned_cents=deposit_returned_cents)
    reservation.status = "returned"
    reservation.returned_at = now
    reservation.return_condition = (condition or "").strip() or None
    reservation.deposit_returned_cents = deposit_returned_cents
    _record(reservation, "return", actor, "handed_over", reservation.return_condition, now)
    return reservation


return_ = record_return


def expire(reservation: Reservation, *, now: datetime | None = None) -> Reservation:
    """A request nobody answered in time lapses (run by the scheduler, no actor)."""
    now = now or utcnow()
    reservation = lock_reservation(reservation.id)
    _authorise("expire", reservation, None, now)
    reservation.status = "expired"
    _record(reservation, "expire", None, "requested", None, now)
    return reservation


def decline_open_requests_of(user: User, actor: User, reason: str, *,
                             now: datetime | None = None) -> int:
    """The office declines every open request of a person (e.g. when blocking them)."""
    now = now or utcnow()
    if not getattr(actor, "is_admin", False):
        raise Forbidden(_("You are not allowed to do this."))
    ids = db.session.scalars(
        sa.select(Reservation.id).where(
            Reservation.requester_id == user.id, Reservation.status == "requested"
        )
    ).all()
    for reservation_id in ids:
        reservation = lock_reservation(reservation_id)
        if reservation.status != "requested":
            continue
        reservation.status = "declined"
        reservation.decided_at = now
        reservation.decline_reason = (reason or "").strip() or None
        _record(reservation, "decline", actor, "requested", reservation.decline_reason, now)
    return len(ids)


def _check_cents(**amounts: int | None) -> None:
    errors = {name: _("Please enter an amount of 0 or more.")
              for name, value in amounts.items() if value is not None and value < 0}
    if errors:
        raise DomainError(_("Please enter an amount of 0 or more."), errors=errors)


def expiry_due(reservation: Reservation, hours: int) -> datetime:
    """When an unanswered request lapses: `hours` after it was made, or at its start."""
    return min(reservation.created_at + timedelta(hours=hours), reservation.start)

