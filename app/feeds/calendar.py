"""What a resource's calendar shows: the state of each day (month) or slot (week).

States are `free`, `partly` (some units or some of the opening hours taken), `booked`,
`closed` and `holiday`. Nothing here says who booked. Each view costs three queries
(weekly hours, closures, busy periods), however many reservations there are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import format_time
from flask_babel import gettext as _

from app.booking.availability import (
    Busy,
    Period,
    busy_periods,
    closed_days,
    intervals_on,
    local_date,
    local_datetime,
    local_midnight,
    public_holidays,
    site_zone,
    weekly_hours,
)
from app.db import utcnow
from app.models import Resource

STATES = ("free", "partly", "booked", "closed", "holiday")
MINUTES_PER_DAY = 24 * 60


def state_label(state: str) -> str:
    """The word shown with a state's colour (colour alone never carries the meaning)."""
    return {
        "free": _("free"),
        "partly": _("partly booked"),
        "booked": _("booked"),
        "closed": _("closed"),
        "holiday": _("holiday"),
        "past": _("past"),
    }[state]


@dataclass
class Cell:
    """One day of a month view or one slot of a week view."""

    day: date
    state: str
    reason: str | None = None
    in_range: bool = True  # False for the leading/trailing days of other months
    past: bool = False
    start: datetime | None = None  # the period a reserve link fills in (aware UTC)
    end: datetime | None = None
    week_link: bool = False  # partly booked slot resource: choose a slot in the week view

    @property
    def label(self) -> str:
        return state_label(self.state)

    @property
    def bookable(self) -> bool:
        return self.start is not None and self.end is not None


@dataclass
class Month:
    year: int
    month: int
    weeks: list[list[Cell]]
    first: date
    last: date

    @property
    def previous(self) -> str:
        return (self.first - timedelta(days=1)).strftime("%Y-%m")

    @property
    def next(self) -> str:
        return (self.last + timedelta(days=1)).strftime("%Y-%m")

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass
class SlotRow:
    minute: int  # wall-clock minutes after midnight
    cells: list[Cell] = field(default_factory=list)

    @property
    def wall_time(self) -> time:
        return time(self.minute // 60, self.minute % 60)

    @property
    def label(self) -> str:
        """The wall-clock time in the person's locale (09:30 or 9:30 AM)."""
        return format_time(self.wall_time, "short", rebase=False)


@dataclass
class Week:
    monday: date
    days: list[Cell]  # the state of each whole day, for the column headers
    rows: list[SlotRow]
    step: int

    @property
    def key(self) -> str:
        return iso_week_key(self.monday)

    @property
    def previous(self) -> str:
        return iso_week_key(self.monday - timedelta(days=7))

    @property
    def next(self) -> str:
        return iso_week_key(self.monday + timedelta(days=7))

    @property
    def number(self) -> int:
        return self.monday.isocalendar().week


def iso_week_key(day: date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year:04d}-W{week:02d}"


def parse_month(text: str | None, today: date) -> tuple[int, int]:
    """`2027-03` -> (2027, 3); None -> this month. ValueError for anything else."""
    if not text:
        return today.year, today.month
    year_text, _sep, month_text = text.partition("-")
    if not (len(year_text) == 4 and year_text.isdigit() and month_text.isdigit()):
        raise ValueError(text)
    year, month = int(year_text), int(month_text)
    if not (1 <= month <= 12 and 2000 <= year <= 2199):
        raise ValueError(text)
    return year, month


def parse_week(text: str) -> date:
    """`2027-W12` -> the Monday of that ISO week. ValueError for anything else."""
    year_text, sep, week_text = text.upper().partition("-W")
    if not (sep and len(year_text) == 4 and year_text.isdigit() and week_text.isdigit()):
        raise ValueError(text)
    year = int(year_text)
    if not 2000 <= year <= 2199:
        raise ValueError(text)
    return date.fromisocalendar(year, int(week_text), 1)


def has_week_view(resource: Resource) -> bool:
    """Rooms (and items lent in slots) have a week view with time slots."""
    return resource.kind != "space" and (resource.kind == "room" or resource.granularity == "slot")


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


# ------------------------------------------------------------- day states ----
def covered(steps: list[Busy], start: datetime, end: datetime, units: int) -> timedelta:
    """How much of [start, end) the steps holding at least `units` units cover."""
    total = timedelta(0)
    for s, e, held in steps:
        if held >= units and s < end and e > start:
            total += min(e, end) - max(s, start)
    return total


def touches(steps: list[Busy], start: datetime, end: datetime) -> bool:
    return any(s < end and e > start for s, e, _held in steps)


def busy_state(steps: list[Busy], periods: list[Period], units: int) -> str:
    """free, partly or booked for a set of open periods."""
    if not any(touches(steps, s, e) for s, e in periods):
        return "free"
    if all(covered(steps, s, e, units) >= e - s for s, e in periods):
        return "booked"
    return "partly"


class DayPlan:
    """Opening hours, closures, holidays and busy steps of a resource for a run of days."""

    def __init__(self, resource: Resource, first: date, last: date, now: datetime) -> None:
        self.resource = resource
        self.now = now
        self.today = local_date(now)
        self.week = weekly_hours(resource)
        self.closed = closed_days(resource, first, last)
        self.holidays = public_holidays(first, last) if resource.follows_site_calendar else {}
        self.steps = busy_periods(
            resource, local_midnight(first), local_midnight(last + timedelta(days=1)), now=now
        )
        self.linkable = resource.is_bookable_kind and resource.is_visible_publicly
        self.last_bookable = self.today + timedelta(days=resource.max_advance_days or 0)

    def closure(self, day: date) -> tuple[str, str] | None:
        """(state, reason) when the resource is closed all day."""
        if day in self.closed:
            reason = self.closed[day]
            if self.holidays.get(day) == reason:
                return "holiday", reason
            return "closed", reason
        if not self.week.get(day.weekday()):
            return "closed", _("No opening hours")
        return None

    def periods(self, day: date) -> list[Period]:
        return [] if day in self.closed else intervals_on(self.week, day)

    def may_link(self, day: date) -> bool:
        return self.linkable and self.today <= day <= self.last_bookable

    def day_cell(self, day: date, in_range: bool = True) -> Cell:
        cell = Cell(day=day, state="closed", in_range=in_range, past=day < self.today)
        closure = self.closure(day)
        periods = self.periods(day)
        if closure is not None or not periods:
            cell.state, cell.reason = closure or ("closed", _("No opening hours"))
            return cell
        cell.state = busy_state(self.steps, periods, self.resource.units)
        if cell.state == "booked" or not self.may_link(day):
            return cell
        if has_week_view(self.resource):
            upcoming = self.upcoming(periods)
            if cell.state == "partly":
                cell.week_link = True
            elif upcoming:
                cell.start, cell.end = self.first_period(upcoming)
        else:
            cell.start, cell.end = local_midnight(day), local_midnight(day + timedelta(days=1))
        return cell

    def upcoming(self, periods: list[Period]) -> list[Period]:
        """The opening periods still ahead, starting at the next slot boundary from now."""
        step = timedelta(minutes=self.resource.slot_minutes or 30)
        result = []
        for start, end in periods:
            if start < self.now:
                start += step * -(-(self.now - start) // step)  # round up to a whole slot
            if start < end:
                result.append((start, end))
        return result

    def first_period(self, periods: list[Period]) -> Period:
        """The first opening interval of a day, no longer than the longest allowed booking."""
        start, end = periods[0]
        longest = self.resource.max_duration_minutes
        if longest:
            end = min(end, start + timedelta(minutes=longest))
        return start, end


# ------------------------------------------------------------------ views ----
def month_view(resource: Resource, year: int, month: int, now: datetime) -> Month:
    """A month as weeks of days (Monday first), padded with the neighbouring months' days."""
    first = date(year, month, 1)
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    grid_start = monday_of(first)
    grid_end = monday_of(last) + timedelta(days=6)
    plan = DayPlan(resource, grid_start, grid_end, now)
    days = [grid_start + timedelta(days=n) for n in range((grid_end - grid_start).days + 1)]
    cells = [plan.day_cell(day, in_range=day.month == month) for day in days]
    weeks = [cells[n : n + 7] for n in range(0, len(cells), 7)]
    return Month(year=year, month=month, weeks=weeks, first=first, last=last)


def next_weeks(resource: Resource, today: date, now: datetime | None = None) -> list[list[Cell]]:
    """The current week and the two after it, Monday first (for the detail page)."""
    now = now or utcnow()
    start = monday_of(today)
    end = start + timedelta(days=20)
    plan = DayPlan(resource, start, end, now)
    plan.today = today
    return [[plan.day_cell(start + timedelta(days=7 * w + n)) for n in range(7)] for w in range(3)]


def slot_step(resource: Resource) -> int:
    """Minutes per row of the week view: the resource's slot, at least a quarter hour."""
    return max(resource.slot_minutes or 30, 15)


def week_view(resource: Resource, monday: date, now: datetime) -> Week:
    """A week of time slots: rows from the earliest opening to the latest closing time."""
    sunday = monday + timedelta(days=6)
    plan = DayPlan(resource, monday, sunday, now)
    days = [monday + timedelta(days=n) for n in range(7)]
    headers = [plan.day_cell(day) for day in days]
    step = slot_step(resource)
    minutes = [
        (to_minutes(opens), to_minutes(closes))
        for day in days
        for opens, closes in plan.week.get(day.weekday(), [])
    ]
    rows: list[SlotRow] = []
    if minutes:
        first = min(m[0] for m in minutes)
        last = max(m[1] for m in minutes)
        for minute in range(first, last, step):
            row = SlotRow(minute=minute)
            for day, header in zip(days, headers, strict=True):
                row.cells.append(slot_cell(plan, day, header, minute, step))
            rows.append(row)
    return Week(monday=monday, days=headers, rows=rows, step=step)


def to_minutes(value: time) -> int:
    if value >= time(23, 59):
        return MINUTES_PER_DAY
    return value.hour * 60 + value.minute


def at_minute(day: date, minute: int) -> datetime:
    if minute >= MINUTES_PER_DAY:
        return local_midnight(day + timedelta(days=1))
    return local_datetime(day, time(minute // 60, minute % 60))


def slot_cell(plan: DayPlan, day: date, header: Cell, minute: int, step: int) -> Cell:
    start, end = at_minute(day, minute), at_minute(day, min(minute + step, MINUTES_PER_DAY))
    cell = Cell(day=day, state="closed", past=start < plan.now, start=None, end=None)
    if header.state in ("closed", "holiday"):
        cell.state, cell.reason = header.state, header.reason
        return cell
    periods = plan.periods(day)
    if start >= end or not any(s <= start and end <= e for s, e in periods):
        cell.reason = _("outside opening hours")
        return cell
    cell.state = busy_state(plan.steps, [(start, end)], plan.resource.units)
    if cell.state != "booked" and not cell.past and plan.may_link(day):
        length = max(step, plan.resource.min_duration_minutes or 0)
        cell.start, cell.end = start, start + timedelta(minutes=length)
    return cell


def local_param(moment: datetime, whole_day: bool) -> str:
    """A reserve link's query value: a date for whole days, else local time without offset."""
    local = moment.astimezone(site_zone())
    if whole_day:
        return local.date().isoformat()
    return local.strftime("%Y-%m-%dT%H:%M")
