"""The next free periods that would fit, offered when a period is refused."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from app.booking.availability import (
    Busy,
    Period,
    day_period,
    local_date,
    local_datetime,
    merge,
    open_periods,
    profile,
)
from app.booking.conflicts import holding_items
from app.booking.periods import to_local
from app.booking.rules import min_minutes
from app.db import utcnow
from app.models import Resource

# How far past the wished start we look, at most (besides the resource's max advance).
SEARCH_DAYS = 60


def _peak(steps: list[Busy], lo: datetime, hi: datetime) -> int:
    return max((units for s, e, units in steps if s < hi and e > lo), default=0)


def _fitting_length(resource: Resource, minutes: int) -> int:
    """The wished length moved into the resource's min/max and rounded up to its steps."""
    step = 24 * 60 if resource.granularity == "day" else resource.slot_minutes
    minutes = max(minutes, min_minutes(resource))
    if resource.max_duration_minutes:
        minutes = min(minutes, resource.max_duration_minutes)
    minutes = max(step, -(-minutes // step) * step)
    if resource.max_duration_minutes and minutes > resource.max_duration_minutes:
        minutes -= step
    return max(step, minutes)


def free_periods(
    resource: Resource,
    wished_start: datetime,
    wished_end: datetime,
    *,
    units: int = 1,
    count: int = 3,
    exclude_id: int | None = None,
    now: datetime | None = None,
) -> list[Period]:
    """Up to `count` free periods as long as the wish (within the rules), from its start on.

    They obey opening hours, closures, lead time, max advance and buffers; they do not
    overlap each other. Two queries for hours and closures, one for reservations.
    """
    now = now or utcnow()
    if units > resource.units:
        return []
    minutes = _fitting_length(resource, int((wished_end - wished_start).total_seconds() // 60))
    earliest = max(wished_start, now + timedelta(minutes=resource.min_lead_minutes or 0))
    first_day = local_date(earliest)
    if first_day > local_date(now) + timedelta(days=resource.max_advance_days):
        earliest, first_day = now, local_date(now)
    last_day = min(
        first_day + timedelta(days=SEARCH_DAYS),
        local_date(now) + timedelta(days=resource.max_advance_days),
    )
    if last_day < first_day:
        return []
    length_days = -(-minutes // (24 * 60))
    schedule = open_periods(resource, first_day, last_day + timedelta(days=length_days))
    buffer = timedelta(minutes=resource.buffer_minutes or 0)
    lo, hi = day_period(first_day, last_day + timedelta(days=length_days + 1))
    lo, hi = lo - buffer, hi + buffer
    steps = profile(holding_items(resource.id, lo, hi, exclude_id=exclude_id, now=now), lo, hi)

    def free(start: datetime, end: datetime) -> bool:
        return _peak(steps, start - buffer, end + buffer) + units <= resource.units

    if resource.granularity == "day":
        return _free_days(schedule, first_day, last_day, length_days, earliest, free, count)
    return _free_slots(resource, schedule, earliest, minutes, last_day, free, count)


def _free_days(schedule, first_day: date, last_day: date, length: int, earliest: datetime,
               free, count: int) -> list[Period]:
    found: list[Period] = []
    day = first_day
    while day <= last_day and len(found) < count:
        back = day + timedelta(days=length - 1)
        pickup_hours = schedule.get(day) or []
        open_to_pick_up = bool(pickup_hours) and pickup_hours[-1][1] > earliest
        if open_to_pick_up and schedule.get(back):
            period = day_period(day, back)
            if free(*period):
                found.append(period)
                day = back + timedelta(days=1)
                continue
        day += timedelta(days=1)
    return found


def _free_slots(resource: Resource, schedule, earliest: datetime, minutes: int, last_day: date,
                free, count: int) -> list[Period]:
    step = timedelta(minutes=resource.slot_minutes)
    length = timedelta(minutes=minutes)
    found: list[Period] = []
    for opens, closes in merge(p for periods in schedule.values() for p in periods):
        start = _first_slot_at_or_after(max(opens, earliest), resource.slot_minutes)
        while start + length <= closes and len(found) < count:
            if local_date(start) > last_day:
                return found
            if free(start, start + length):
                found.append((start, start + length))
                start += length
            else:
                start += step
        if len(found) >= count:
            break
    return found


def _first_slot_at_or_after(moment: datetime, slot_minutes: int) -> datetime:
    """The first local slot boundary not before `moment`."""
    local = to_local(moment)
    minutes = local.hour * 60 + local.minute + (1 if local.second or local.microsecond else 0)
    rounded = -(-minutes // slot_minutes) * slot_minutes
    day = local.date()
    if rounded >= 24 * 60:
        day += timedelta(days=1)
        rounded = 0
    return local_datetime(day, time(rounded // 60, rounded % 60))
