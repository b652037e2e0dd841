"""Counter loans: the lender records a loan for a walk-in visitor without an account.

The reservation has no requester, only a guest name and (optionally) a way to reach
them, so a lending shop's walk-ins are in the same calendar and block online requests.
It goes through the same lock and overlap check as every reservation, and through the
opening hours, closures and duration rules; a loan that starts now skips the lead time.
Some days after the return (config GUEST_DATA_RETENTION_DAYS, 30 by default) the
guest's data is removed by the scheduler's sweep (`anonymise_guests`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from app.booking.availability import local_date
from app.booking.conflicts import fits, lock_resource
from app.booking.rules import Overbooked, Refused, check_open, check_shape, check_timing
from app.booking.service import CODE_ALPHABET
from app.booking.suggestions import free_periods
from app.db import utcnow, write_transaction
from app.errors import DomainError, Forbidden
from app.extensions import db
from app.models import Reservation, ReservationEvent, Resource, User

DEFAULT_RETENTION_DAYS = 30
NAME_MAX, CONTACT_MAX = 120, 200


def _new_code() -> str:
    import secrets

    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))


def _event(reservation: Reservation, actor: User, action: str, from_status: str | None,
           note: str | None, now: datetime) -> None:
    reservation.events.append(ReservationEvent(
        actor_id=actor.id, action=action, from_status=from_status,
        to_status=reservation.status, note=note or None, at=now,
    ))


def lend_to_guest(
    resource: Resource,
    actor: User,
    start: datetime,
    end: datetime,
    *,
    guest_name: str,
    guest_contact: str = "",
    units: int = 1,
    note: str = "",
    hand_over_now: bool = False,
    now: datetime | None = None,
) -> Reservation:
    """Record a loan to a guest: confirmed, or handed over at once when it starts now.

    Only the resource's lenders may do this. Call inside write_transaction().
    """
    now = now or utcnow()
    if not resource.can_manage(actor):
        raise Forbidden(_("You are not allowed to do this."))
    if resource.kind not in ("item", "room"):
        raise DomainError(_("Vacant spaces are not lent at the counter."))
    errors: dict[str, str] = {}
    name = (guest_name or "").strip()
    contact = (guest_contact or "").strip()
    if not name:
        errors["guest_name"] = _("Please give the borrower's name.")
    elif len(name) > NAME_MAX:
        errors["guest_name"] = _("Please write at most %(n)s characters.", n=NAME_MAX)
    if len(contact) > CONTACT_MAX:
        errors["guest_contact"] = _("Please write at most %(n)s characters.", n=CONTACT_MAX)
    if errors:
        raise DomainError(_("Please check your input."), errors=errors)
    resource = lock_resource(resource.id)
    try:
        check_shape(resource, start, end, units)
        check_timing(resource, start, end, now=now, keep_start=start <= now)
        if end <= now:
            raise Refused("too_soon", _("Too soon: that time has already passed."))
        check_open(resource, start, end)
        if not fits(resource, start, end, units, now=now):
            raise Overbooked()
    except Refused as error:
        if error.reason in ("closed", "too_short", "too_long", "too_far", "booked"):
            error.suggest(free_periods(resource, start, end, units=units, now=now))
        raise
    reservation = Reservation(
        resource=resource, requester=None, guest_name=name, guest_contact=contact or None,
        start=start, end=end, units=units, message=(note or "").strip(),
        status="confirmed", decided_at=now,
    )
    if resource.handover_required:
        reservation.handover_code = _new_code()
    db.session.add(reservation)
    _event(reservation, actor, "counter_loan", None, reservation.message, now)
    if hand_over_now and resource.handover_required and local_date(start) <= local_date(now):
        reservation.status = "handed_over"
        reservation.handed_over_at = now
        _event(reservation, actor, "hand_over", "confirmed", None, now)
    db.session.flush()
    return reservation


def retention_days() -> int:
    return int(current_app.config.get("GUEST_DATA_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


def anonymise_guests(now: datetime | None = None, *, days: int | None = None) -> int:
    """Remove guests' names, contacts and notes some days after their loan ended.

    Returned loans count from the return; cancelled, declined or expired ones and
    confirmed ones that were never handed over count from their end. A loan that is
    still out keeps its data. Returns how many reservations were anonymised.
    """
    now = now or utcnow()
    cutoff = now - timedelta(days=retention_days() if days is None else days)
    has_guest_data = sa.or_(Reservation.guest_name.is_not(None),
                            Reservation.guest_contact.is_not(None))
    finished = sa.or_(
        sa.and_(Reservation.status == "returned", Reservation.returned_at <= cutoff),
        sa.and_(Reservation.status.in_(("cancelled", "declined", "expired", "confirmed")),
                Reservation.end <= cutoff),
    )
    ids = list(db.session.scalars(
        sa.select(Reservation.id).where(Reservation.requester_id.is_(None), has_guest_data,
                                        finished)
    ))
    if not ids:
        return 0
    db.session.execute(
        sa.update(Reservation).where(Reservation.id.in_(ids))
        .values(guest_name=None, guest_contact=None, message="")
    )
    db.session.execute(
        sa.update(ReservationEvent)
        .where(ReservationEvent.reservation_id.in_(ids), ReservationEvent.note.is_not(None))
        .values(note=None)
    )
    return len(ids)


def sweep(now: datetime) -> int:
    """The scheduler's rule: anonymise guests whose time is up, in its own write transaction."""
    with write_transaction():
        return anonymise_guests(now)
