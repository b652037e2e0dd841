"""Creator fixtures for calendars, feeds and the lender's desk (all prefixed `feeds_`).

Times are written as site-local wall-clock strings ("2027-03-01 10:00") or aware datetimes;
`feeds_local` turns such a string into aware UTC.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.extensions import db
from app.models import Closure, Organisation, Reservation, Resource, User
from tests.factories import add_opening_hours

ZONE = ZoneInfo("Europe/Berlin")
_counter = itertools.count(1)

# Weekly hours: weekday (0 = Monday) -> [("09:00", "18:00"), ...]
ITEM_HOURS = {d: [("09:00", "18:00")] for d in range(6)}
ROOM_HOURS = {d: [("08:00", "22:00")] for d in range(7)}


def local(text: str | datetime | date) -> datetime:
    """'2027-03-01 10:00' (site-local) or a date (local midnight) as aware UTC."""
    if isinstance(text, datetime):
        return text.astimezone(UTC) if text.tzinfo else text.replace(tzinfo=ZONE).astimezone(UTC)
    if isinstance(text, date):
        return datetime.combine(text, time(0), tzinfo=ZONE).astimezone(UTC)
    value = datetime.fromisoformat(text)
    return value.replace(tzinfo=ZONE).astimezone(UTC)


@pytest.fixture
def feeds_local() -> Callable[[str | datetime | date], datetime]:
    return local


@pytest.fixture
def feeds_resource(db_session, make_user) -> Callable[..., Resource]:
    """A resource with opening hours; items by whole days, rooms in 30-minute slots."""

    def _make(
        kind: str = "item",
        *,
        owner: User | None = None,
        org: Organisation | None = None,
        hours: dict[int, list[tuple[str, str]]] | None = None,
        **fields,
    ) -> Resource:
        n = next(_counter)
        defaults = {
            "title": f"Feeds {kind} {n}",
            "description": "",
            "search_text": "",
            "permitted_uses": [],
            "granularity": "slot" if kind == "room" else "day",
            "slot_minutes": 30,
            "max_advance_days": 3650,
            "handover_required": kind == "item",
            "follows_site_calendar": False,
            "district": "Kernstadt",
        }
        defaults.update(fields)
        resource = Resource(
            kind=kind,
            owner_user=None if org is not None else (owner or make_user()),
            owner_org=org,
            **defaults,
        )
        weekly = hours if hours is not None else (ROOM_HOURS if kind == "room" else ITEM_HOURS)
        add_opening_hours(resource, weekly)
        db.session.add(resource)
        db.session.commit()
        return resource

    return _make


@pytest.fixture
def feeds_reservation(db_session, make_user) -> Callable[..., Reservation]:
    """A reservation written directly (no rules checked); times as local strings or datetimes."""

    def _make(
        resource: Resource,
        start: str | datetime | date,
        end: str | datetime | date,
        *,
        requester: User | None = None,
        status: str = "confirmed",
        units: int = 1,
        created_at: datetime | None = None,
        **fields,
    ) -> Reservation:
        reservation = Reservation(
            resource=resource,
            requester=requester if requester is not None or "guest_name" in fields
            else make_user(),
            start=local(start),
            end=local(end),
            units=units,
            status=status,
            message=fields.pop("message", ""),
            **fields,
        )
        if created_at is not None:
            reservation.created_at = created_at
        db.session.add(reservation)
        db.session.commit()
        return reservation

    return _make


@pytest.fixture
def feeds_closure(db_session) -> Callable[..., Closure]:
    """A closure of a resource, of an organisation, or (neither given) of the whole town."""

    def _make(
        first: date,
        last: date | None = None,
        *,
        resource: Resource | None = None,
        org: Organisation | None = None,
        reason: str = "Repair",
    ) -> Closure:
        closure = Closure(
            resource_id=resource.id if resource else None,
            organisation_id=org.id if org else None,
            start_date=first,
            end_date=last or first,
            reason=reason,
        )
        db.session.add(closure)
        db.session.commit()
        return closure

    return _make


def next_monday(weeks_ahead: int = 2, today: date | None = None) -> date:
    """A Monday some weeks after today (real today: route tests look at the future)."""
    today = today or datetime.now(ZONE).date()
    return today - timedelta(days=today.weekday()) + timedelta(days=7 * weeks_ahead)


class QueryCounter:
    """Counts the SQL statements the engine runs while active (savepoints left out)."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def feeds_count_queries(app, db_session):
    """count(fn) -> number of statements fn ran, with an empty identity map as in production."""
    import sqlalchemy as sa

    with app.app_context():
        engine = db.engine

    def _count(fn) -> int:
        db_session.expunge_all()
        counter = QueryCounter()
        sa.event.listen(engine, "before_cursor_execute", counter)
        try:
            fn()
        finally:
            sa.event.remove(engine, "before_cursor_execute", counter)
        return counter.count

    return _count
