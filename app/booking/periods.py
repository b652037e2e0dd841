"""Reading and writing periods: ISO input in site-local time, slots, whole days, durations."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _

from app.booking.availability import local_date, local_midnight, site_zone


def parse_moment(text: str) -> datetime:
    """An ISO 8601 date or date-time as aware UTC.

    A date means local midnight; a date-time without offset is site-local time.
    Raises ValueError for anything else.
    """
    text = (text or "").strip()
    if not text:
        raise ValueError("empty")
    if len(text) == 10:
        return local_midnight(date.fromisoformat(text))
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=site_zone())
    return moment.astimezone(UTC)


def parse_period(start: str, end: str) -> tuple[datetime, datetime]:
    """Two ISO values as a period; ValueError unless the end comes after the start."""
    begin, finish = parse_moment(start), parse_moment(end)
    if finish <= begin:
        raise ValueError("end before start")
    return begin, finish


def isoformat(moment: datetime) -> str:
    """ISO 8601 in site-local time with its offset (2027-03-01T09:00:00+01:00)."""
    return moment.astimezone(site_zone()).isoformat()


def to_local(moment: datetime) -> datetime:
    return moment.astimezone(site_zone())


def is_midnight(moment: datetime) -> bool:
    local = to_local(moment)
    return local.time() == time(0)


def whole_days(start: datetime, end: datetime) -> tuple[date, date] | None:
    """(first, last) day when the period is whole local days, else None."""
    if not (is_midnight(start) and is_midnight(end)):
        return None
    return local_date(start), local_date(end) - timedelta(days=1)


def on_slot(moment: datetime, slot_minutes: int) -> bool:
    """Whether a moment falls on a slot boundary of the local wall clock."""
    local = to_local(moment)
    minutes = local.hour * 60 + local.minute
    return local.second == 0 and local.microsecond == 0 and minutes % slot_minutes == 0


def minutes_between(start: datetime, end: datetime) -> int:
    return int((end - start).total_seconds() // 60)


def duration_text(minutes: int) -> str:
    """A duration in words: whole days, else hours, else minutes."""
    if minutes % (24 * 60) == 0:
        days = minutes // (24 * 60)
        return _("1 day") if days == 1 else _("%(n)s days", n=days)
    if minutes % 60 == 0:
        hours = minutes // 60
        return _("1 hour") if hours == 1 else _("%(n)s hours", n=hours)
    return _("%(n)s minutes", n=minutes)


def slot_times(slot_minutes: int, first: time = time(0), last: time = time(23, 59)) -> list[str]:
    """Wall-clock times HH:MM in slot steps, for time pickers."""
    step = max(5, slot_minutes)
    times = []
    minutes = first.hour * 60 + first.minute
    end = last.hour * 60 + last.minute
    while minutes <= end and minutes < 24 * 60:
        times.append(f"{minutes // 60:02d}:{minutes % 60:02d}")
        minutes += step
    return times
