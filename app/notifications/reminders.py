"""What the sweep finds due: reminders, overdue notices, expiring requests and lender digests.

Nothing here is remembered in memory. Every message the rules want to exist has a
dedup key naming the reservation, the kind and the occasion (the start or end time
it was computed from), and the outbox refuses a key twice: so a second sweep, a
second scheduler or a restart after a crash writes nothing twice, and a reservation
whose time changed gets a new reminder under a new key. Due work is read with
indexed queries in batches; each batch is rendered outside any write transaction
and then written in one short write transaction of its own.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from app.db import write_transaction
from app.errors import DomainError
from app.extensions import db
from app.models import (
    Membership,
    Notification,
    Organisation,
    Reservation,
    ReservationEvent,
    Resource,
    User,
)
from app.models.user import NOTIFICATION_KINDS
from app.notifications import outbox
from app.notifications.context import (
    can_receive,
    lenders_of,
    period_context,
    requester_name,
    reservation_context,
    reservation_link,
    site_zone,
)

log = logging.getLogger(__name__)

BATCH_SIZE = 500


# ------------------------------------------------------------------ keys ----
def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def start_key(reservation: Reservation) -> str:
    return f"reminder_start:{reservation.id}:{stamp(reservation.start)}"


def return_key(reservation: Reservation) -> str:
    return f"reminder_return:{reservation.id}:{stamp(reservation.end)}"


def overdue_prefix(reservation: Reservation) -> str:
    return f"overdue:{reservation.id}:{stamp(reservation.end)}:"


def request_prefix(reservation: Reservation) -> str:
    return f"request_pending:{reservation.id}:"


def digest_key(user_id: int, day: date) -> str:
    return f"lender_digest:{user_id}:{day.isoformat()}"


# ---------------------------------------------------------- the messages ----
@dataclass
class Planned:
    """A message a rule wants to exist; rendered only when its key is new."""

    key: str
    template: str
    kind: str
    recipient: User
    link: str
    related: tuple[str, int] | None = None
    context: dict[str, Any] = field(default_factory=dict)


def write_planned(planned: list[Planned], now: datetime) -> int:
    """Render the planned messages whose keys are new, then queue them in one short write.

    Rendering happens before the write transaction, so a sweep does not hold
    SQLite's write lock while it renders; the keys are checked again inside it.
    """
    taken = outbox.existing_keys([p.key for p in planned])
    notes = [
        outbox.prepare(
            p.template,
            recipient=p.recipient,
            kind=p.kind,
            link=p.link,
            dedup_key=p.key,
            related=p.related,
            due_at=now,
            **p.context,
        )
        for p in planned
        if p.key not in taken
    ]
    if not notes:
        return 0
    with write_transaction():
        return outbox.queue_prepared(notes)


def _with_people(stmt: sa.Select) -> sa.Select:
    """Load requester, resource and lenders of a batch in a few queries, not one per row."""
    resource = selectinload(Reservation.resource)
    return stmt.options(
        selectinload(Reservation.requester),
        resource.selectinload(Resource.owner_user),
        resource.selectinload(Resource.owner_org)
        .selectinload(Organisation.memberships)
        .selectinload(Membership.user),
    )


def due_batches(
    conditions: list,
    order: sa.orm.InstrumentedAttribute,
    key: Callable[[Any], str] | None = None,
) -> Iterator[list[Reservation]]:
    """The reservations matching `conditions`, batch by batch, loaded with their people.

    First a light indexed query of ids and times, keyset-paginated on (order, id), so
    it follows the (status, start) index and stays correct when the caller changes
    rows; with `key`, rows whose message the outbox already holds are dropped with
    one more query; only the rest are loaded whole. So a sweep that finds everything
    done reads little and renders nothing. Reads run in plain (deferred) transactions;
    the caller writes each batch in its own write transaction.
    """
    after: tuple[Any, int] | None = None
    light = sa.select(Reservation.id, Reservation.start, Reservation.end).where(*conditions)
    try:
        while True:
            query = light
            if after is not None:
                query = query.where(
                    sa.tuple_(order, Reservation.id)
                    > sa.tuple_(sa.literal(after[0], order.type), sa.literal(after[1]))
                )
            rows = db.session.execute(
                query.order_by(order, Reservation.id).limit(BATCH_SIZE)
            ).all()
            if not rows:
                return
            after = (getattr(rows[-1], order.key), rows[-1].id)
            if key is not None:
                keys = {row.id: key(row) for row in rows}
                taken = outbox.existing_keys(list(keys.values()))
                rows = [row for row in rows if keys[row.id] not in taken]
            if not rows:
                continue
            yield list(
                db.session.scalars(
                    _with_people(
                        sa.select(Reservation)
                        .where(Reservation.id.in_([row.id for row in rows]))
                        .order_by(order, Reservation.id)
                    )
                )
            )
    finally:
        db.session.commit()  # end the last read transaction (SQLite keeps its snapshot)


def _hours(name: str) -> timedelta:
    return timedelta(hours=current_app.config[name])


# ------------------------------------------------------------ the rules ----
def remind_start(now: datetime) -> int:
    """Confirmed reservations starting within REMINDER_BEFORE_START_HOURS: tell the requester."""
    horizon = now + _hours("REMINDER_BEFORE_START_HOURS")
    conditions = [
        Reservation.status == "confirmed",
        Reservation.start > now,
        Reservation.start <= horizon,
    ]

    def plan(batch: list[Reservation]) -> int:
        planned = [
            Planned(
                key=start_key(r),
                template="reminder_start",
                kind="reminder_start",
                recipient=r.requester,
                link=reservation_link(r),
                related=("reservation", r.id),
                context=reservation_context(r),
            )
            for r in batch
            if can_receive(r.requester, "reminder_start")
        ]
        return write_planned(planned, now)

    return sum(plan(batch) for batch in due_batches(conditions, Reservation.start, start_key))


def remind_return(now: datetime) -> int:
    """Handed-over things due back within RETURN_REMINDER_HOURS: tell the borrower."""
    horizon = now + _hours("RETURN_REMINDER_HOURS")
    conditions = [
        Reservation.status == "handed_over",
        Reservation.end > now,
        Reservation.end <= horizon,
    ]

    def plan(batch: list[Reservation]) -> int:
        planned = [
            Planned(
                key=return_key(r),
                template="reminder_return",
                kind="reminder_return",
                recipient=r.requester,
                link=reservation_link(r),
                related=("reservation", r.id),
                context=reservation_context(r),
            )
            for r in batch
            if can_receive(r.requester, "reminder_return")
        ]
        return write_planned(planned, now)

    return sum(plan(batch) for batch in due_batches(conditions, Reservation.start, return_key))


def notice_number(reservation: Reservation, now: datetime, most: int) -> int:
    """The first notice is due at the end, then one a day, never more than `most`."""
    return min(most, (now - reservation.end) // timedelta(days=1) + 1)


def notify_overdue(now: datetime) -> int:
    """Handed-over things past their end: tell borrower and lender, daily, a few times.

    After downtime only the notice due now is written, not the ones missed.
    """
    most = current_app.config["OVERDUE_MAX_NOTICES"]
    if most < 1:
        return 0
    conditions = [Reservation.status == "handed_over", Reservation.end <= now]

    def plan(batch: list[Reservation]) -> int:
        planned = []
        for r in batch:
            number = notice_number(r, now, most)
            people = [(r.requester, "borrower")] + [(u, "lender") for u in lenders_of(r.resource)]
            seen: set[int] = set()
            for person, role in people:
                if not can_receive(person, "overdue") or person.id in seen:
                    continue
                seen.add(person.id)
                planned.append(
                    Planned(
                        key=f"{overdue_prefix(r)}{number}:{person.id}",
                        template="reminder_overdue",
                        kind="overdue",
                        recipient=person,
                        link=reservation_link(r),
                        related=("reservation", r.id),
                        context={**reservation_context(r), "role": role, "number": number},
                    )
                )
        return write_planned(planned, now)

    return sum(plan(batch) for batch in due_batches(conditions, Reservation.start))


def remind_pending_requests(now: datetime) -> int:
    """Requests unanswered for REQUEST_REMINDER_HOURS: remind the lenders, once."""
    conditions = [
        Reservation.status == "requested",
        Reservation.start > now,
        Reservation.created_at <= now - _hours("REQUEST_REMINDER_HOURS"),
        Reservation.created_at > now - _hours("REQUEST_EXPIRY_HOURS"),
    ]

    def plan(batch: list[Reservation]) -> int:
        planned = []
        for r in batch:
            expires_at = min(r.start, r.created_at + _hours("REQUEST_EXPIRY_HOURS"))
            expires_day = expires_at.astimezone(site_zone()).date()
            for person in lenders_of(r.resource):
                if person.id == r.requester_id or not can_receive(person, "request_pending"):
                    continue
                planned.append(
                    Planned(
                        key=f"{request_prefix(r)}{person.id}",
                        template="reminder_request",
                        kind="request_pending",
                        recipient=person,
                        link=reservation_link(r),
                        related=("reservation", r.id),
                        context={
                            **reservation_context(r),
                            "expires_at": expires_at,
                            "expires_day": expires_day,
                        },
                    )
                )
        return write_planned(planned, now)

    return sum(plan(batch) for batch in due_batches(conditions, Reservation.start))


def expire_requests(now: datetime) -> int:
    """Requests unanswered for REQUEST_EXPIRY_HOURS, or whose start has come, expire."""
    conditions = [
        Reservation.status == "requested",
        sa.or_(
            Reservation.start <= now,
            Reservation.created_at <= now - _hours("REQUEST_EXPIRY_HOURS"),
        ),
    ]

    expired = 0
    for batch in due_batches(conditions, Reservation.start):
        with write_transaction():
            expired += sum(1 for r in batch if expire_request(r, now))
    return expired


def _booking_expire() -> Callable | None:
    """The booking area's `expire`, when it has one (it records and announces the event)."""
    try:
        from app.booking import service
    except ImportError:
        return None
    return getattr(service, "expire", None)


def expire_request(reservation: Reservation, now: datetime) -> bool:
    """Set one request to expired with its history entry, and tell the people concerned."""
    from app.notifications.events import reservation_event

    if reservation.status != "requested":
        return False  # answered or withdrawn since the batch was read
    expire = _booking_expire()
    try:
        with db.session.begin_nested():
            if expire is not None:
                params = inspect.signature(expire).parameters
                if "now" in params:
                    expire(reservation, now=now)
                else:
                    expire(reservation)
            else:
                previous = reservation.status
                reservation.status = "expired"
                db.session.add(
                    ReservationEvent(
                        reservation=reservation,
                        actor_id=None,
                        action="expired",
                        from_status=previous,
                        to_status="expired",
                        at=now,
                    )
                )
            db.session.flush()
    except DomainError as error:
        log.warning("reservation %s not expired: %s", reservation.id, error.message)
        return False
    # The booking area announces its transitions itself; the dedup keys of the
    # expiry notice make this second call write nothing in that case.
    reservation_event(reservation, "expired", None, None)
    return True


# ---------------------------------------------------------- the digest ----
def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), site_zone()).astimezone(UTC)


def lender_digests(now: datetime) -> int:
    """From LENDER_DIGEST_HOUR on, each lender gets tomorrow's handovers and returns, once."""
    local_now = now.astimezone(site_zone())
    if local_now.hour < current_app.config["LENDER_DIGEST_HOUR"]:
        return 0
    day = local_now.date() + timedelta(days=1)
    begin, end = local_midnight(day), local_midnight(day + timedelta(days=1))
    handovers = db.session.scalars(
        _with_people(
            sa.select(Reservation)
            .join(Reservation.resource)
            .where(
                Reservation.status == "confirmed",
                Reservation.start >= begin,
                Reservation.start < end,
                Resource.handover_required.is_(True),
            )
            .order_by(Reservation.start, Reservation.id)
        )
    ).all()
    returns = db.session.scalars(
        _with_people(
            sa.select(Reservation)
            .join(Reservation.resource)
            .where(
                Reservation.status.in_(("confirmed", "handed_over")),
                Reservation.end > begin,
                Reservation.end <= end,
                Resource.handover_required.is_(True),
            )
            .order_by(Reservation.end, Reservation.id)
        )
    ).all()
    by_lender: dict[int, dict[str, Any]] = {}

    def collect(reservations: Iterable[Reservation], slot: str) -> None:
        for r in reservations:
            for person in lenders_of(r.resource):
                entry = by_lender.setdefault(
                    person.id, {"person": person, "handovers": [], "returns": []}
                )
                entry[slot].append(
                    {
                        "title": r.resource.title,
                        "name": requester_name(r),
                        "period": period_context(r),
                        "link": outbox.absolute_url(reservation_link(r)),
                    }
                )

    collect(handovers, "handovers")
    collect(returns, "returns")
    planned = [
        Planned(
            key=digest_key(entry["person"].id, day),
            template="reminder_digest",
            kind="lender_digest",
            recipient=entry["person"],
            link="/manage",
            context={"day": day, "handovers": entry["handovers"], "returns": entry["returns"]},
        )
        for entry in by_lender.values()
        if can_receive(entry["person"], "lender_digest")
    ]
    written = 0
    for i in range(0, len(planned), BATCH_SIZE):
        written += write_planned(planned[i : i + BATCH_SIZE], now)
    return written


def send_lender_digests(now: datetime) -> int:
    try:
        return lender_digests(now)
    finally:
        db.session.commit()  # end the read transaction


def remind_unanswered_inquiries(now: datetime) -> int:
    """The spaces area's reminder of inquiries left unanswered, when that area has one."""
    try:
        from app.spaces.service import remind_unanswered
    except ImportError:
        return 0
    with write_transaction():
        return remind_unanswered(now)


# ------------------------------------------------- checks at delivery ----
# kind -> (statuses the reservation must still have, key prefix it must still match)
STILL_DUE: dict[str, tuple[tuple[str, ...], Callable[[Reservation], str]]] = {
    "reminder_start": (("confirmed",), start_key),
    "reminder_return": (("handed_over",), return_key),
    "overdue": (("handed_over",), overdue_prefix),
    "request_pending": (("requested",), request_prefix),
}


def stale_reason(note: Notification, now: datetime) -> str | None:
    """Why a queued message should no longer be sent, or None to send it.

    Checked by the deliverer just before sending: the recipient may have switched
    the kind off, and a reminder's reservation may have been cancelled or moved.
    """
    if note.recipient_id is not None:
        person = db.session.get(User, note.recipient_id)
        if person is None or person.deleted_at is not None:
            return "recipient no longer has an account"
        if note.kind in NOTIFICATION_KINDS and not person.wants(note.kind):
            return f"recipient switched off {note.kind}"
    rule = STILL_DUE.get(note.kind)
    if rule is None or note.related_type != "reservation" or note.related_id is None:
        return None
    reservation = db.session.get(Reservation, note.related_id)
    if reservation is None:
        return "reservation deleted"
    statuses, key = rule
    if reservation.status not in statuses:
        return f"reservation is {reservation.status} now"
    if not (note.dedup_key or "").startswith(key(reservation)):
        return "reservation period changed"
    return None
