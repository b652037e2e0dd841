"""A year of past reservations over the demo offers, so that the figures have a story to tell.

Runs after the people and catalogue seeds and looks their resources and people up in the
database. Realistic by season (garden tools and cargo bikes in summer, rooms in winter,
party sets in summer and December), mostly returned, some declined, cancelled or expired,
never overbooked, inside opening hours. Written by bulk insert; the first event of every
history reservation carries `MARK`, so a second run finds it and adds nothing.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from app.db import write_transaction
from app.extensions import db
from app.models import (
    Category,
    Membership,
    OpeningHours,
    Reservation,
    ReservationEvent,
    Resource,
    User,
)
from app.models.reservation import HOLDING_STATUSES

MARK = "Beispieldaten: Verlauf des letzten Jahres"
DAYS = 365
DEFAULT_HOURS = {weekday: [(time(9), time(18))] for weekday in range(6)}

# Relative demand per month (January first).
SEASONS = {
    "garden": (0.2, 0.3, 0.8, 1.6, 1.9, 1.8, 1.6, 1.5, 1.4, 1.1, 0.5, 0.2),
    "mobility": (0.4, 0.5, 0.8, 1.2, 1.6, 1.8, 1.8, 1.7, 1.4, 1.0, 0.6, 0.4),
    "kitchen-party": (0.4, 0.4, 0.6, 0.9, 1.4, 1.8, 1.8, 1.7, 1.2, 0.8, 0.8, 1.6),
    "leisure-sport": (0.5, 0.5, 0.7, 1.0, 1.4, 1.8, 2.0, 1.9, 1.2, 0.8, 0.5, 0.6),
    "item": (0.8, 0.8, 1.0, 1.2, 1.2, 1.1, 1.0, 1.0, 1.1, 1.1, 0.9, 1.0),
    "room": (1.4, 1.4, 1.3, 1.1, 0.9, 0.7, 0.5, 0.5, 1.0, 1.2, 1.4, 1.2),
}
# Chance of a reservation starting on an open day, in the average month.
DAILY_RATE = {"item": 0.10, "room": 0.22}
LENGTH_WEIGHTS = {1: 5, 2: 3, 3: 2, 4: 1, 7: 1}  # loan length in days
DECLINE_REASONS = (
    "Leider ist das Gerät an diesem Tag in Reparatur.",
    "Der Raum ist an diesem Abend schon intern vergeben.",
    "Wir verleihen das nur an Mitglieder.",
)
CANCEL_REASONS = (
    "Hat sich erledigt, danke!",
    "Termin verschoben.",
    "Ich habe mir das Gerät im Freundeskreis geliehen.",
    "",
)
MESSAGES = (
    "Hallo, ich würde das gerne ausleihen. Danke!",
    "Für unser Nachbarschaftsfest.",
    "Brauche es für die Gartenarbeit am Wochenende.",
    "",
    "",
)


@dataclass
class Plan:
    """The rows to insert: reservations and, per reservation, its events."""

    reservations: list[dict] = field(default_factory=list)
    events: list[list[dict]] = field(default_factory=list)


def run() -> list[str]:
    """Add a year of past reservations once; a second run adds nothing."""
    with write_transaction():
        done = db.session.scalar(
            sa.select(ReservationEvent.id).where(ReservationEvent.note == MARK).limit(1)
        )
        if done:
            return ["history: the demo history exists already"]
        resources = db.session.scalars(
            sa.select(Resource)
            .where(Resource.status == "active", Resource.hidden_at.is_(None))
            .order_by(Resource.id)
        ).all()
        if not resources:
            return ["no resources to build history on"]
        people = db.session.scalars(
            sa.select(User)
            .where(
                User.is_admin.is_(False),
                User.blocked_at.is_(None),
                User.deleted_at.is_(None),
                User.confirmed_at.is_not(None),
            )
            .order_by(User.id)
        ).all()
        if not people:
            return ["history: no people to build history on"]
        zone = ZoneInfo(current_app.config["TIMEZONE"])
        today = datetime.now(zone).date()
        plan = build_plan(resources, people, today, zone)
        count = insert(plan)
    return [f"history: added {count} past reservations over {len(resources)} offers"]


def insert(plan: Plan) -> int:
    """Bulk insert the reservations, then their events with the new ids."""
    if not plan.reservations:
        return 0
    ids = db.session.scalars(
        sa.insert(Reservation).returning(Reservation.id, sort_by_parameter_order=True),
        plan.reservations,
    ).all()
    events = [
        {**event, "reservation_id": reservation_id}
        for reservation_id, rows in zip(ids, plan.events, strict=True)
        for event in rows
    ]
    if events:
        db.session.execute(sa.insert(ReservationEvent), events)
    return len(ids)


# ------------------------------------------------------------------ plan ----
def weekly_hours(resources: list[Resource]) -> dict[int, dict[int, list[tuple[time, time]]]]:
    """Per resource the weekly hours that apply to it (own, or its organisation's)."""
    rows = db.session.execute(
        sa.select(
            OpeningHours.resource_id,
            OpeningHours.organisation_id,
            OpeningHours.weekday,
            OpeningHours.opens,
            OpeningHours.closes,
        ).order_by(OpeningHours.weekday, OpeningHours.opens)
    ).all()
    by_resource: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    by_org: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    for resource_id, org_id, weekday, opens, closes in rows:
        target = by_resource[resource_id] if resource_id else by_org[org_id]
        target[weekday].append((opens, closes))
    out = {}
    for resource in resources:
        if not resource.own_hours and resource.owner_org_id in by_org:
            week = by_org[resource.owner_org_id]
        else:
            week = by_resource.get(resource.id)
        out[resource.id] = dict(week) if week else DEFAULT_HOURS
    return out


def lenders(resources: list[Resource]) -> dict[int, list[int]]:
    """Who acts for the lender of each resource: its owner or its organisation's managers."""
    managers: dict[int, list[int]] = defaultdict(list)
    for org_id, user_id in db.session.execute(
        sa.select(Membership.organisation_id, Membership.user_id)
        .where(Membership.role == "manager")
        .order_by(Membership.id)
    ):
        managers[org_id].append(user_id)
    return {
        r.id: [r.owner_user_id] if r.owner_user_id else managers.get(r.owner_org_id, [])
        for r in resources
    }


def existing_holds(since: datetime) -> dict[int, list[tuple[datetime, datetime, int]]]:
    """Reservations that hold units already (other seeds), so history never overbooks."""
    holds: dict[int, list] = defaultdict(list)
    for resource_id, start, end, units in db.session.execute(
        sa.select(Reservation.resource_id, Reservation.start, Reservation.end, Reservation.units)
        .where(Reservation.status.in_(("returned", *HOLDING_STATUSES)), Reservation.end > since)
    ):
        holds[resource_id].append((start, end, units))
    return holds


def build_plan(resources: list[Resource], people: list[User], today: date,
               zone: ZoneInfo) -> Plan:
    rng = random.Random(4711)  # the same history on every machine
    first_day = today - timedelta(days=DAYS)
    hours = weekly_hours(resources)
    acting = lenders(resources)
    holds = existing_holds(local(first_day, time(), zone))
    slugs = dict(db.session.execute(sa.select(Category.id, Category.slug)).all())
    # A few people borrow a lot, most now and then.
    weights = [1 + 6 * rng.random() ** 3 for _ in people]
    plan = Plan()
    now = datetime.now(UTC)
    for resource in resources:
        excluded = set(acting[resource.id]) | {resource.owner_user_id}
        borrowers = [(p, w) for p, w in zip(people, weights, strict=True) if p.id not in excluded]
        if not borrowers:
            continue
        if resource.kind == "space":
            periods = space_periods(rng, first_day, today)
        else:
            season = SEASONS.get(slugs.get(resource.category_id), SEASONS.get(resource.kind))
            periods = loan_periods(rng, resource, hours[resource.id], season or SEASONS["item"],
                                   first_day, today)
        for first, last_or_start, end_time in periods:
            start, end = to_utc(first, last_or_start, end_time, resource, zone)
            if end > now:
                continue
            requester = rng.choices([p for p, _w in borrowers], [w for _p, w in borrowers])[0]
            units = pick_units(rng, resource)
            status = pick_status(rng, resource)
            held = status in ("returned", "confirmed")
            if held and not fits(holds[resource.id], start, end, units, resource.units):
                status = "cancelled"
            if status in ("returned", "confirmed"):
                holds[resource.id].append((start, end, units))
            lender_id = rng.choice(acting[resource.id]) if acting[resource.id] else None
            row, events = reservation_rows(rng, resource, requester.id, lender_id, start, end,
                                           units, status, zone)
            plan.reservations.append(row)
            plan.events.append(events)
    return plan


def local(day: date, at: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def to_utc(first: date, last: date | time, end_time: time | None, resource: Resource,
           zone: ZoneInfo) -> tuple[datetime, datetime]:
    """Whole days [first 00:00, last+1 00:00) local, or one slot on `first`."""
    if end_time is None:
        return local(first, time(), zone), local(last + timedelta(days=1), time(), zone)
    return local(first, last, zone), local(first, end_time, zone)


def loan_periods(rng: random.Random, resource: Resource, week: dict, season: tuple,
                 first_day: date, today: date):
    """(first day, last day, None) for day loans, (day, start time, end time) for slots."""
    slots = resource.kind == "room" or resource.granularity == "slot"
    rate = DAILY_RATE["room" if slots else "item"]
    day = first_day
    while day < today:
        intervals = week.get(day.weekday())
        if intervals and rng.random() < rate * season[day.month - 1]:
            if slots:
                opens, closes = rng.choice(intervals)
                span = closes.hour - opens.hour
                length = min(rng.choice((1, 2, 2, 3)), span)
                if length >= 1:
                    begin = opens.hour + rng.randrange(0, span - length + 1)
                    yield day, time(begin, opens.minute), time(begin + length, opens.minute)
            else:
                length = rng.choices(list(LENGTH_WEIGHTS), list(LENGTH_WEIGHTS.values()))[0]
                last = day + timedelta(days=length - 1)
                # The return day must be open too: move it to the next open day.
                for _ in range(7):
                    if week.get(last.weekday()):
                        break
                    last += timedelta(days=1)
                if last < today:
                    yield day, last, None
                    day = last  # one loan at a time keeps the history plausible
        day += timedelta(days=1)


def space_periods(rng: random.Random, first_day: date, today: date):
    """Two or three interim uses of one to four weeks, spread over the year."""
    uses = rng.choice((2, 2, 3))
    block = DAYS // uses
    for index in range(uses):
        start = first_day + timedelta(days=index * block + rng.randrange(0, max(block - 30, 1)))
        last = start + timedelta(days=rng.choice((6, 13, 20, 27)))
        if last < today:
            yield start, last, None


def pick_units(rng: random.Random, resource: Resource) -> int:
    if resource.units <= 1:
        return 1
    return rng.choice([1, 2, min(4, resource.units), resource.units])


def pick_status(rng: random.Random, resource: Resource) -> str:
    done = "returned" if resource.kind == "item" and resource.handover_required else "confirmed"
    if resource.requires_approval:
        statuses, weights = (done, "cancelled", "declined", "expired"), (76, 10, 9, 5)
    else:
        statuses, weights = (done, "cancelled"), (86, 14)
    return rng.choices(statuses, weights)[0]


def fits(holds: list, start: datetime, end: datetime, units: int, capacity: int) -> bool:
    # Conservative: every hold that overlaps counts, even if they do not overlap each other.
    used = sum(u for s, e, u in holds if s < end and e > start)
    return used + units <= capacity


def reservation_rows(rng: random.Random, resource: Resource, requester_id: int,
                     lender_id: int | None, start: datetime, end: datetime, units: int,
                     status: str, zone: ZoneInfo) -> tuple[dict, list[dict]]:
    created = start - timedelta(days=rng.randint(1, 14), hours=rng.randint(0, 10))
    decided = created + timedelta(hours=rng.randint(1, 30))
    decided = min(decided, start - timedelta(minutes=30))
    row = {
        "resource_id": resource.id,
        "requester_id": requester_id,
        "start": start,
        "end": end,
        "units": units,
        "status": status,
        "message": rng.choice(MESSAGES),
        "created_at": created,
        "updated_at": created,
    }

    def event(action: str, at: datetime, before: str | None, after: str, actor: int | None,
              note: str | None = None) -> dict:
        return {"actor_id": actor, "action": action, "from_status": before,
                "to_status": after, "note": note, "at": at}

    events = []
    if resource.requires_approval:
        events.append(event("request", created, None, "requested", requester_id, MARK))
        if status == "expired":
            events.append(event("expire", min(created + timedelta(hours=72), start), "requested",
                                "expired", None))
            row["updated_at"] = events[-1]["at"]
            return row, events
        if status == "declined":
            reason = rng.choice(DECLINE_REASONS)
            row.update(decided_at=decided, decline_reason=reason, updated_at=decided)
            events.append(event("decline", decided, "requested", "declined", lender_id, reason))
            return row, events
        row["decided_at"] = decided
        events.append(event("approve", decided, "requested", "confirmed", lender_id))
    else:
        events.append(event("reserve", created, None, "confirmed", requester_id, MARK))
    if status == "cancelled":
        reason = rng.choice(CANCEL_REASONS)
        at = min(decided + timedelta(days=1), start - timedelta(hours=2))
        row.update(cancel_reason=reason or None, updated_at=at)
        events.append(event("cancel", at, "confirmed", "cancelled", requester_id, reason))
        return row, events
    if status == "returned":
        handed = start.astimezone(zone).replace(hour=10).astimezone(UTC)
        back = (end - timedelta(days=1)).astimezone(zone).replace(hour=17).astimezone(UTC)
        back = max(back, handed + timedelta(hours=1))
        row.update(handed_over_at=handed, returned_at=back, updated_at=back)
        events.append(event("hand_over", handed, "confirmed", "handed_over", lender_id))
        events.append(event("return", back, "handed_over", "returned", lender_id))
    return row, events
