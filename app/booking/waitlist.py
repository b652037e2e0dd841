"""Waiting lists: be told when a taken period of a resource frees up.

A person whose wished period is taken asks to be told. When a reservation that held
it is cancelled, declined or expires (`notify_freed`, called by the booking service),
every waiting person whose period is now free is told, in the order they asked, with
a link to the reservation form filled in with their period. The period is not held
for them: whoever reserves first gets it. An entry lapses when its period is over.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

import sqlalchemy as sa
from flask_babel import gettext as _

from app.booking.conflicts import fits
from app.booking.periods import isoformat
from app.booking.rules import Refused, check_open, check_shape
from app.db import utcnow, write_transaction
from app.errors import DomainError, Forbidden, NotFound
from app.extensions import db
from app.models import Reservation, Resource, User, WaitlistEntry
from app.notifications import outbox, wording
from app.notifications.context import period_context

MAX_WAITING_PER_PERSON = 20


def reserve_link(entry: WaitlistEntry) -> str:
    """The reservation form of the resource, filled in with the entry's period."""
    query = urlencode({"start": isoformat(entry.start), "end": isoformat(entry.end)})
    return f"/resources/{entry.resource_id}/reserve?{query}"


def is_free(resource: Resource, start: datetime, end: datetime, units: int,
            now: datetime) -> bool:
    """Open (no closure, opening hours) and with enough units free for the whole period."""
    try:
        check_shape(resource, start, end, units)
        check_open(resource, start, end)
    except Refused:
        return False
    return fits(resource, start, end, units, now=now)


def join(
    resource: Resource,
    user: User,
    start: datetime,
    end: datetime,
    *,
    units: int = 1,
    now: datetime | None = None,
) -> WaitlistEntry:
    """Put the person on the waiting list for a taken period (the same period twice: once)."""
    now = now or utcnow()
    if not user.is_active or not user.is_confirmed:
        raise Forbidden(_("Please confirm your email address first."))
    if resource.kind not in ("item", "room") or not resource.is_visible_publicly:
        raise DomainError(_("There is no waiting list for this."))
    if not resource.can_see(user):
        raise NotFound(_("There is no such offer, or it is not available to you."))
    if end <= now:
        raise DomainError(_("This period is already over."), errors={"end": _("In the past.")})
    check_shape(resource, start, end, units)
    existing = db.session.scalar(
        sa.select(WaitlistEntry).where(
            WaitlistEntry.resource_id == resource.id,
            WaitlistEntry.user_id == user.id,
            WaitlistEntry.status == "waiting",
            WaitlistEntry.start == start,
            WaitlistEntry.end == end,
        )
    )
    if existing is not None:
        return existing
    if is_free(resource, start, end, units, now):
        raise DomainError(_("This period is free: you can reserve it now."), reason="free")
    waiting = db.session.scalar(
        sa.select(sa.func.count(WaitlistEntry.id)).where(
            WaitlistEntry.user_id == user.id,
            WaitlistEntry.status == "waiting",
            WaitlistEntry.end > now,
        )
    ) or 0
    if waiting >= MAX_WAITING_PER_PERSON:
        raise DomainError(
            _("You are on %(n)s waiting lists already; please leave one first.", n=waiting)
        )
    entry = WaitlistEntry(resource_id=resource.id, user_id=user.id, start=start, end=end,
                          units=units, status="waiting", created_at=now)
    db.session.add(entry)
    db.session.flush()
    return entry


def withdraw(entry: WaitlistEntry, user: User) -> None:
    """The person leaves the waiting list."""
    if entry.user_id != user.id:
        raise Forbidden(_("You are not allowed to do this."))
    if entry.status == "waiting":
        entry.status = "withdrawn"
        db.session.flush()


def entries_of(user: User, *, now: datetime | None = None) -> list[WaitlistEntry]:
    """The person's live waiting-list entries, soonest first."""
    now = now or utcnow()
    return list(db.session.scalars(
        sa.select(WaitlistEntry)
        .where(WaitlistEntry.user_id == user.id, WaitlistEntry.status == "waiting",
               WaitlistEntry.end > now)
        .options(sa.orm.joinedload(WaitlistEntry.resource))
        .order_by(WaitlistEntry.start, WaitlistEntry.id)
    ))


def waiting_count(resource: Resource, *, now: datetime | None = None) -> int:
    now = now or utcnow()
    return db.session.scalar(
        sa.select(sa.func.count(WaitlistEntry.id)).where(
            WaitlistEntry.resource_id == resource.id, WaitlistEntry.status == "waiting",
            WaitlistEntry.end > now)
    ) or 0


def notify_freed(reservation: Reservation, *, now: datetime | None = None) -> int:
    """Tell the waiting people whose period this reservation freed; returns how many.

    Call after the reservation stopped holding its units (cancelled, declined,
    expired), inside the same transaction; the people are told in the order they
    asked. Entries whose period is still taken (by someone else) keep waiting.
    """
    now = now or utcnow()
    if reservation.holds_units:
        return 0
    entries = db.session.scalars(
        sa.select(WaitlistEntry)
        .where(
            WaitlistEntry.resource_id == reservation.resource_id,
            WaitlistEntry.status == "waiting",
            WaitlistEntry.start < reservation.end,
            WaitlistEntry.end > reservation.start,
            WaitlistEntry.end > now,
        )
        .options(sa.orm.joinedload(WaitlistEntry.user))
        .order_by(WaitlistEntry.created_at, WaitlistEntry.id)
    ).unique().all()
    resource = reservation.resource
    told = 0
    for entry in entries:
        if not is_free(resource, entry.start, entry.end, entry.units, now):
            continue
        entry.status = "notified"
        entry.notified_at = now
        # Concurrent frees may find the same entry: the dedup key writes one message.
        if entry.user.deleted_at is None:
            outbox.queue(
                "lending_waitlist_free",
                recipient=entry.user,
                kind="reservation_events",
                link=reserve_link(entry),
                dedup_key=f"waitlist_free:{entry.id}",
                related=("resource", resource.id),
                send_mail=entry.user.wants("reservation_events"),
                title=resource.title,
                period=period_context(entry),
                units=entry.units,
                texts=wording,
            )
        told += 1
    db.session.flush()
    return told


def expire_entries(now: datetime | None = None) -> int:
    """Entries whose period is over lapse; returns how many (the caller commits)."""
    now = now or utcnow()
    result = db.session.execute(
        sa.update(WaitlistEntry)
        .where(WaitlistEntry.status == "waiting", WaitlistEntry.end <= now)
        .values(status="expired")
    )
    return result.rowcount or 0


def sweep(now: datetime) -> int:
    """The scheduler's rule: let lapsed entries expire, in its own write transaction."""
    with write_transaction():
        return expire_entries(now)
