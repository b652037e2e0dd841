"""Finding free things: restrict a resource query to a window, and today's hint per resource."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import gettext as _
from sqlalchemy import Select

from app.booking.availability import (
    END_OF_DAY,
    busy_by_resource,
    day_period,
    intervals_on,
    local_date,
    public_holidays,
)
from app.booking.periods import to_local
from app.db import UTCDateTime, utcnow
from app.extensions import db
from app.models import Closure, OpeningHours, Reservation, Resource
from app.models.reservation import HOLDING_STATUSES


def _at(moment: datetime):
    return sa.literal(moment, UTCDateTime())


def _holds_at(reservation, instant, now: datetime):
    """SQL: a holding reservation that holds its units at `instant`."""
    return sa.and_(
        reservation.status.in_(HOLDING_STATUSES),
        reservation.start <= instant,
        sa.or_(
            reservation.end > instant,
            sa.and_(reservation.status == "handed_over", reservation.end <= _at(now)),
        ),
    )


def _fully_booked(start: datetime, end: datetime, now: datetime):
    """SQL, correlated to Resource: at some instant of [start, end) no unit is free.

    The most units are held at the window's start or where a reservation begins inside
    it, so those instants are the only ones to count at (an exact sweep, in SQL).
    """
    first = so.aliased(Reservation)
    other = so.aliased(Reservation)
    instant = sa.case((first.start > _at(start), first.start), else_=_at(start))
    held = (
        sa.select(sa.func.coalesce(sa.func.sum(other.units), 0))
        .where(other.resource_id == first.resource_id, _holds_at(other, instant, now))
        .scalar_subquery()
    )
    return sa.exists().where(
        first.resource_id == Resource.id,
        first.status.in_(HOLDING_STATUSES),
        first.start < _at(end),
        sa.or_(first.end > _at(start),
               sa.and_(first.status == "handed_over", first.end <= _at(now))),
        held >= Resource.units,
    )


def _hours_apply():
    """SQL, correlated to Resource and OpeningHours: these hours are the resource's."""
    return sa.or_(
        sa.and_(
            sa.or_(Resource.own_hours.is_(True), Resource.owner_org_id.is_(None)),
            OpeningHours.resource_id == Resource.id,
        ),
        sa.and_(
            Resource.own_hours.is_(False),
            Resource.owner_org_id.is_not(None),
            OpeningHours.organisation_id == Resource.owner_org_id,
        ),
    )


def _open_on(day: date, opens_by: time | None = None, closes_after: time | None = None):
    """SQL: the resource has hours on day's weekday (covering the given times, if any)."""
    conditions = [_hours_apply(), OpeningHours.weekday == day.weekday()]
    if opens_by is not None:
        conditions.append(OpeningHours.opens <= sa.literal(opens_by, sa.Time()))
    if closes_after is not None:
        if closes_after >= END_OF_DAY:
            conditions.append(OpeningHours.closes >= sa.literal(END_OF_DAY, sa.Time()))
        else:
            conditions.append(OpeningHours.closes >= sa.literal(closes_after, sa.Time()))
    return sa.exists().where(*conditions)


def _closed_between(first: date, last: date):
    """SQL: a closure of the resource, its organisation or the town touches first..last."""
    return sa.exists().where(
        Closure.start_date <= last,
        Closure.end_date >= first,
        sa.or_(
            Closure.resource_id == Resource.id,
            sa.and_(Resource.owner_org_id.is_not(None),
                    Closure.organisation_id == Resource.owner_org_id),
            sa.and_(Closure.resource_id.is_(None), Closure.organisation_id.is_(None),
                    Resource.follows_site_calendar.is_(True)),
        ),
    )


def restrict_to_available(
    query: Select, start: datetime, end: datetime, *, now: datetime | None = None
) -> Select:
    """Only resources with at least one unit free for the whole window, open to pick up/return.

    Things lent by the day must be open (hours, no closure, no holiday when they follow
    the site calendar) on the first and the last day; rooms booked in slots must be open
    throughout a window with times (a window of whole days counts like days); spaces
    must be available (available_from/until) for every day. One SQL statement: no loop
    over resources. Buffers between bookings are not considered here.
    """
    if end <= start:
        return query.where(sa.false())
    now = now or utcnow()
    first, last = local_date(start), local_date(end - timedelta(microseconds=1))
    local_start, local_end = to_local(start), to_local(end)
    whole_days = local_start.time() == time(0) and local_end.time() == time(0)
    holidays = public_holidays(first, last)

    # by day: pickup and return days open
    day_open = sa.and_(
        _open_on(first),
        _open_on(last),
        sa.not_(_closed_between(first, first)),
        sa.not_(_closed_between(last, last)),
    )
    if first in holidays or last in holidays:
        day_open = sa.and_(day_open, Resource.follows_site_calendar.is_(False))

    # in slots with times: open from the start to the end, no closure in between
    if whole_days:
        slot_open = day_open
    else:
        end_time = END_OF_DAY if local_end.time() == time(0) else local_end.time()
        if first == last:
            slot_hours = _open_on(first, local_start.time(), end_time)
        else:
            slot_hours = sa.and_(_open_on(first, local_start.time(), END_OF_DAY),
                                 _open_on(last, time(0), end_time))
        slot_open = sa.and_(slot_hours, sa.not_(_closed_between(first, last)))
        if any(first <= day <= last for day in holidays):
            slot_open = sa.and_(slot_open, Resource.follows_site_calendar.is_(False))

    space_open = sa.and_(
        sa.or_(Resource.available_from.is_(None), Resource.available_from <= first),
        sa.or_(Resource.available_until.is_(None), Resource.available_until >= last),
    )
    open_for_it = sa.case(
        (Resource.kind == "space", space_open),
        (Resource.granularity == "slot", slot_open),
        else_=day_open,
    )
    return query.where(open_for_it, sa.not_(_fully_booked(start, end, now)))


# ------------------------------------------------------------ today hints ----
HINTS = ("free", "partly", "booked", "closed")


def hint_label(state: str) -> str:
    """Today's hint in words (the CSS class is status-<state>)."""
    return {
        "free": _("free today"),
        "partly": _("partly booked today"),
        "booked": _("booked today"),
        "closed": _("closed today"),
    }.get(state, "")


def today_hints(
    resource_ids: Iterable[int], *, now: datetime | None = None
) -> dict[int, str]:
    """For a list page: "free", "partly", "booked" or "closed" today, per resource.

    A fixed number of queries (resources, hours, closures, reservations), none per row.
    """
    ids = list(dict.fromkeys(resource_ids))
    if not ids:
        return {}
    now = now or utcnow()
    today = local_date(now)
    rows = db.session.execute(
        sa.select(Resource.id, Resource.kind, Resource.units, Resource.own_hours,
                  Resource.owner_org_id, Resource.follows_site_calendar,
                  Resource.available_from, Resource.available_until)
        .where(Resource.id.in_(ids))
    ).all()
    org_ids = {r.owner_org_id for r in rows if r.owner_org_id and not r.own_hours}
    hours: dict[tuple[str, int], dict[int, list]] = defaultdict(lambda: defaultdict(list))
    for h in db.session.execute(
        sa.select(OpeningHours.resource_id, OpeningHours.organisation_id, OpeningHours.weekday,
                  OpeningHours.opens, OpeningHours.closes)
        .where(
            OpeningHours.weekday == today.weekday(),
            sa.or_(OpeningHours.resource_id.in_(ids),
                   OpeningHours.organisation_id.in_(org_ids or [-1])),
        )
        .order_by(OpeningHours.opens)
    ):
        key = ("resource", h.resource_id) if h.resource_id else ("organisation", h.organisation_id)
        hours[key][h.weekday].append((h.opens, h.closes))
    closures = db.session.execute(
        sa.select(Closure.resource_id, Closure.organisation_id).where(
            Closure.start_date <= today, Closure.end_date >= today,
            sa.or_(Closure.resource_id.in_(ids),
                   Closure.organisation_id.in_({r.owner_org_id for r in rows
                                                if r.owner_org_id} or [-1]),
                   sa.and_(Closure.resource_id.is_(None), Closure.organisation_id.is_(None))),
        )
    ).all()
    closed_resources = {c.resource_id for c in closures if c.resource_id}
    closed_orgs = {c.organisation_id for c in closures if c.organisation_id}
    town_closed = any(c.resource_id is None and c.organisation_id is None for c in closures)
    holiday = bool(public_holidays(today, today))
    day_start, day_end = day_period(today)
    busy = busy_by_resource(ids, day_start, day_end, now=now)

    result: dict[int, str] = {}
    for r in rows:
        if r.kind == "space":
            out_of_range = (r.available_from and today < r.available_from) or (
                r.available_until and today > r.available_until)
            result[r.id] = "closed" if out_of_range else (
                "booked" if any(u >= r.units for _, _, u in busy[r.id]) else "free")
            continue
        if (r.id in closed_resources or (r.owner_org_id in closed_orgs)
                or (r.follows_site_calendar and (town_closed or holiday))):
            result[r.id] = "closed"
            continue
        key = ("organisation", r.owner_org_id) if (r.owner_org_id and not r.own_hours) else (
            "resource", r.id)
        opening = intervals_on(hours.get(key, {}), today)
        if not opening:
            result[r.id] = "closed"
            continue
        result[r.id] = _hint(opening, busy[r.id], r.units)
    return result


def _hint(opening: list[tuple[datetime, datetime]], steps, units: int) -> str:
    open_seconds = sum((e - s).total_seconds() for s, e in opening)
    full = 0.0
    for s, e in opening:
        for bs, be, held in steps:
            if held >= units:
                overlap = (min(e, be) - max(s, bs)).total_seconds()
                full += max(0.0, overlap)
    if full <= 0:
        return "free"
    return "booked" if full >= open_seconds else "partly"
