"""When a resource is open, closed or busy.

Opening hours are local wall-clock times (site time zone, Europe/Berlin by default);
everything returned here is aware UTC. A booking of whole days A..B is the period
[A 00:00, B+1 00:00) local time, see `day_period`.

Holding reservations (requested, confirmed, handed_over) make a resource busy; a
handed_over reservation that is past its end holds its units until it is returned,
so it counts as busy up to the end of whatever window is asked about.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
import sqlalchemy as sa
from flask import current_app, has_app_context

from app.db import utcnow
from app.extensions import db
from app.models import Closure, OpeningHours, Reservation, Resource
from app.models.reservation import HOLDING_STATUSES

Period = tuple[datetime, datetime]
Busy = tuple[datetime, datetime, int]

# A closing time this late means "until midnight" (a time column cannot hold 24:00).
END_OF_DAY = time(23, 59)


# ------------------------------------------------------------------ time ----
def site_zone() -> ZoneInfo:
    """The site's time zone (config TIMEZONE)."""
    name = current_app.config.get("TIMEZONE", "Europe/Berlin") if has_app_context() else None
    return ZoneInfo(name or "Europe/Berlin")


def local_datetime(day: date, at: time) -> datetime:
    """Wall-clock time `at` on `day` in the site zone, as aware UTC.

    On the spring-forward day a time inside the gap (02:30) is read with the offset
    before the change, i.e. lands one hour later in real time (03:30); on the
    fall-back day an ambiguous time means its first occurrence (summer time).
    """
    zone = site_zone()
    if at >= END_OF_DAY:
        return local_midnight(day + timedelta(days=1))
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def local_midnight(day: date) -> datetime:
    """Local 00:00 of `day` as aware UTC."""
    return datetime.combine(day, time(0), tzinfo=site_zone()).astimezone(UTC)


def local_date(moment: datetime) -> date:
    """The local calendar day an aware instant falls on."""
    return moment.astimezone(site_zone()).date()


def day_period(first: date, last: date | None = None) -> Period:
    """Whole days first..last (inclusive) as [first 00:00, last+1 00:00) local, in UTC."""
    last = last or first
    return local_midnight(first), local_midnight(last + timedelta(days=1))


def days_of(start: datetime, end: datetime) -> list[date]:
    """The local days a period touches (an end at midnight does not touch the next day)."""
    first = local_date(start)
    last = local_date(end - timedelta(microseconds=1))
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


# --------------------------------------------------------- opening hours ----
def hours_owner(resource: Resource) -> tuple[str, int]:
    """Whose weekly hours apply: ("resource", id) or ("organisation", id)."""
    if not resource.own_hours and resource.owner_org_id is not None:
        return "organisation", resource.owner_org_id
    return "resource", resource.id


def weekly_hours(resource: Resource) -> dict[int, list[tuple[time, time]]]:
    """The weekly hours that apply to a resource: weekday (0 = Monday) -> sorted intervals."""
    owner, owner_id = hours_owner(resource)
    column = OpeningHours.resource_id if owner == "resource" else OpeningHours.organisation_id
    rows = db.session.execute(
        sa.select(OpeningHours.weekday, OpeningHours.opens, OpeningHours.closes)
        .where(column == owner_id)
        .order_by(OpeningHours.weekday, OpeningHours.opens)
    ).all()
    week: dict[int, list[tuple[time, time]]] = defaultdict(list)
    for weekday, opens, closes in rows:
        week[weekday].append((opens, closes))
    return dict(week)


# --------------------------------------------------------------- closures ----
@lru_cache(maxsize=64)
def _holidays(region: str, year: int, language: str) -> dict[date, str]:
    return dict(
        holidays.country_holidays("DE", subdiv=region, years=year, language=language).items()
    )


def _holiday_language() -> str:
    try:
        from flask_babel import get_locale

        return "en_US" if str(get_locale() or "de") == "en" else "de"
    except (RuntimeError, KeyError):
        return "de"


def public_holidays(first: date, last: date) -> dict[date, str]:
    """Public holidays of the configured state (config HOLIDAY_REGION) between two days."""
    region = current_app.config.get("HOLIDAY_REGION", "HE") if has_app_context() else "HE"
    language = _holiday_language()
    found: dict[date, str] = {}
    for year in range(first.year, last.year + 1):
        for day, name in _holidays(region, year, language).items():
            if first <= day <= last:
                found[day] = name
    return found


def closed_days(resource: Resource, first: date, last: date) -> dict[date, str]:
    """Every closed day between first and last (inclusive) with its reason, in one query.

    A resource is closed by its own closures, by those of its owning organisation,
    and (when it follows the site calendar) by town-wide closures and public holidays.
    Where several apply, the resource's own reason wins, then the organisation's,
    then the town's, then the holiday's name.
    """
    owners = [Closure.resource_id == resource.id]
    if resource.owner_org_id is not None:
        owners.append(Closure.organisation_id == resource.owner_org_id)
    if resource.follows_site_calendar:
        owners.append(sa.and_(Closure.resource_id.is_(None), Closure.organisation_id.is_(None)))
    rows = db.session.execute(
        sa.select(Closure.start_date, Closure.end_date, Closure.reason, Closure.resource_id,
                  Closure.organisation_id)
        .where(sa.or_(*owners), Closure.start_date <= last, Closure.end_date >= first)
    ).all()

    def rank(row) -> int:
        return 0 if row.resource_id is not None else 1 if row.organisation_id is not None else 2

    result: dict[date, str] = {}
    if resource.follows_site_calendar:
        result.update(public_holidays(first, last))
    for row in sorted(rows, key=rank, reverse=True):  # best rank written last
        day = max(row.start_date, first)
        while day <= min(row.end_date, last):
            result[day] = row.reason or _default_reason()
            day += timedelta(days=1)
    return result


def _default_reason() -> str:
    from flask_babel import gettext as _

    return _("Closed")


def day_closure(resource: Resource, day: date) -> str | None:
    """Why the resource is closed on `day` (closure reason, holiday name), or None."""
    return closed_days(resource, day, day).get(day)


def intervals_on(week: dict[int, list[tuple[time, time]]], day: date) -> list[Period]:
    """The weekly intervals of `day`'s weekday as aware UTC periods, touching ones merged."""
    periods = [
        (local_datetime(day, opens), local_datetime(day, closes))
        for opens, closes in week.get(day.weekday(), [])
    ]
    return merge(p for p in periods if p[0] < p[1])


def opening_intervals(resource: Resource, day: date) -> list[Period]:
    """When the resource is open on `day` (aware UTC); empty when it is closed that day."""
    if day_closure(resource, day) is not None:
        return []
    return intervals_on(weekly_hours(resource), day)


def open_periods(resource: Resource, first: date, last: date) -> dict[date, list[Period]]:
    """opening_intervals for every day first..last, with two queries in all."""
    week = weekly_hours(resource)
    closed = closed_days(resource, first, last)
    result: dict[date, list[Period]] = {}
    day = first
    while day <= last:
        result[day] = [] if day in closed else intervals_on(week, day)
        day += timedelta(days=1)
    return result


def merge(periods: Iterable[Period]) -> list[Period]:
    """Sorted periods with overlapping and touching ones joined."""
    merged: list[Period] = []
    for start, end in sorted(periods):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


# ------------------------------------------------------------------ busy ----
def holding_overlap(start: datetime, end: datetime, now: datetime | None = None):
    """SQL condition: a holding reservation that overlaps [start, end).

    A handed_over reservation past its end still overlaps anything after its start,
    because its units are held until it is returned.
    """
    now = now or utcnow()
    return sa.and_(
        Reservation.status.in_(HOLDING_STATUSES),
        Reservation.start < end,
        sa.or_(
            Reservation.end > start,
            sa.and_(Reservation.status == "handed_over", Reservation.end <= now),
        ),
    )


def effective_end(status: str, end: datetime, window_end: datetime, now: datetime) -> datetime:
    """How long a reservation holds its units, seen from a window ending at window_end."""
    if status == "handed_over" and end <= now:
        return max(end, window_end)
    return end


def profile(items: Iterable[Busy], start: datetime, end: datetime) -> list[Busy]:
    """Units held at every instant of [start, end), as (from, to, units) steps (sweep).

    Steps with no units are left out; adjacent steps with the same count are joined.
    """
    changes: dict[datetime, int] = defaultdict(int)
    for s, e, units in items:
        s, e = max(s, start), min(e, end)
        if s < e:
            changes[s] += units
            changes[e] -= units
    steps: list[Busy] = []
    held = 0
    points = sorted(changes)
    for here, following in zip(points, points[1:], strict=False):
        held += changes[here]
        if held <= 0:
            continue
        if steps and steps[-1][1] == here and steps[-1][2] == held:
            steps[-1] = (steps[-1][0], following, held)
        else:
            steps.append((here, following, held))
    return steps


def peak(items: Iterable[Busy], start: datetime, end: datetime) -> int:
    """The most units held at any one instant of [start, end)."""
    return max((units for _, _, units in profile(items, start, end)), default=0)


def busy_by_resource(
    resource_ids: Iterable[int], start: datetime, end: datetime, *, now: datetime | None = None
) -> dict[int, list[Busy]]:
    """busy_periods for many resources at once, in one query; every id gets a list."""
    ids = list(dict.fromkeys(resource_ids))
    result: dict[int, list[Busy]] = {rid: [] for rid in ids}
    if not ids:
        return result
    now = now or utcnow()
    rows = db.session.execute(
        sa.select(Reservation.resource_id, Reservation.start, Reservation.end,
                  Reservation.units, Reservation.status)
        .where(Reservation.resource_id.in_(ids), holding_overlap(start, end, now))
    ).all()
    raw: dict[int, list[Busy]] = defaultdict(list)
    for row in rows:
        raw[row.resource_id].append(
            (row.start, effective_end(row.status, row.end, end, now), row.units)
        )
    for rid, items in raw.items():
        result[rid] = profile(items, start, end)
    return result


def busy_periods(
    resource: Resource, start: datetime, end: datetime, *, now: datetime | None = None
) -> list[Busy]:
    """Units held by holding reservations during [start, end): (from, to, units) steps.

    The steps are clipped to the window and never overlap each other, so a step whose
    units reach resource.units means fully booked then.
    """
    return busy_by_resource([resource.id], start, end, now=now)[resource.id]
