"""Booking rules and their defaults per kind, so that a new offer is bookable at once."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import format_date
from flask_babel import gettext as _

from app.booking.availability import (
    day_closure,
    days_of,
    local_date,
    merge,
    open_periods,
    opening_intervals,
)
from app.booking.periods import duration_text, isoformat, minutes_between, on_slot, whole_days
from app.errors import DomainError
from app.extensions import db
from app.models import OpeningHours, Reservation, Resource, User
from app.models.reservation import HOLDING_STATUSES

# kind -> (rule fields, weekdays open, opens, closes)
DEFAULTS: dict[str, tuple[dict, range, time, time]] = {
    # Things: whole days, picked up and brought back Monday to Saturday 09-18.
    "item": (
        {"granularity": "day", "slot_minutes": 30, "min_duration_minutes": None,
         "max_duration_minutes": 14 * 24 * 60, "min_lead_minutes": 0, "max_advance_days": 90,
         "buffer_minutes": 0},
        range(0, 6), time(9), time(18),
    ),
    # Rooms: 30-minute slots every day 08-22, at most 8 hours at a time.
    "room": (
        {"granularity": "slot", "slot_minutes": 30, "min_duration_minutes": 30,
         "max_duration_minutes": 8 * 60, "min_lead_minutes": 0, "max_advance_days": 180,
         "buffer_minutes": 0, "handover_required": False},
        range(0, 7), time(8), time(22),
    ),
    # Spaces: whole days, booked only by accepting an inquiry.
    "space": (
        {"granularity": "day", "slot_minutes": 30, "min_duration_minutes": None,
         "max_duration_minutes": None, "min_lead_minutes": 0, "max_advance_days": 730,
         "buffer_minutes": 0, "handover_required": False},
        range(0, 7), time(0), time(23, 59),
    ),
}


def apply_defaults(resource: Resource) -> None:
    """Give a new resource the rules and opening hours that make it bookable at once.

    Rules are set for the resource's kind; opening hours are added only when the
    resource has none of its own yet (the caller flushes or commits).
    """
    fields, weekdays, opens, closes = DEFAULTS.get(resource.kind, DEFAULTS["item"])
    for name, value in fields.items():
        setattr(resource, name, value)
    has_hours = bool(resource.opening_hours)
    if not has_hours and resource.id is not None:
        has_hours = (
            db.session.query(OpeningHours.id).filter_by(resource_id=resource.id).first()
            is not None
        )
    if not has_hours:
        for weekday in weekdays:
            resource.opening_hours.append(
                OpeningHours(weekday=weekday, opens=opens, closes=closes)
            )


# ----------------------------------------------------------------- checks ----
# Reasons a period is refused; all but "limit", "units" and "malformed" come with
# suggestions of free periods that would fit.
PERIOD_REASONS = ("closed", "too_short", "too_long", "too_soon", "too_far", "alignment", "booked")


class Refused(DomainError):
    """A reservation that breaks a rule; says why (reason) and may suggest other periods."""

    status = 422
    code = "refused"

    def __init__(self, reason: str, message: str, *, errors: dict | None = None) -> None:
        super().__init__(message, errors=errors, reason=reason)
        self.reason = reason
        self.suggestions: list[tuple[datetime, datetime]] = []
        if reason in PERIOD_REASONS:
            self.extra["suggestions"] = []

    def suggest(self, periods: list[tuple[datetime, datetime]]) -> Refused:
        """Attach free periods that would fit (shown as links, sent in problem+json)."""
        self.suggestions = list(periods)
        self.extra["suggestions"] = [
            {"start": isoformat(start), "end": isoformat(end)} for start, end in self.suggestions
        ]
        return self


class Overbooked(Refused):
    """Too few units free at some instant of the period."""

    status = 409
    code = "conflict"

    def __init__(self, message: str | None = None) -> None:
        super().__init__("booked", message or _("Already booked then."))


def period_minutes(resource: Resource, start: datetime, end: datetime) -> int:
    """How long a period counts for the duration rules (whole days count 24 h each)."""
    days = whole_days(start, end)
    if resource.granularity == "day" and days is not None:
        return ((days[1] - days[0]).days + 1) * 24 * 60
    return minutes_between(start, end)


def min_minutes(resource: Resource) -> int:
    if resource.min_duration_minutes:
        return resource.min_duration_minutes
    return 24 * 60 if resource.granularity == "day" else resource.slot_minutes


def check_shape(resource: Resource, start: datetime, end: datetime, units: int) -> None:
    """Whole days or slot steps, and no more units than exist."""
    if end <= start:
        raise Refused("malformed", _("The end must come after the start."),
                      errors={"end": _("The end must come after the start.")})
    if units < 1 or units > resource.units:
        message = _("Please choose between 1 and %(n)s units.", n=resource.units)
        raise Refused("units", message, errors={"units": message})
    if resource.granularity == "day":
        if whole_days(start, end) is None:
            raise Refused("alignment", _("This is lent by whole days: please choose days."))
    elif not (on_slot(start, resource.slot_minutes) and on_slot(end, resource.slot_minutes)):
        raise Refused(
            "alignment",
            _("Please choose times in steps of %(n)s minutes.", n=resource.slot_minutes),
        )


def check_timing(
    resource: Resource, start: datetime, end: datetime, *, now: datetime, keep_start: bool = False
) -> None:
    """Lead time, max advance and duration (keep_start: the start is not being changed)."""
    earliest = now + timedelta(minutes=resource.min_lead_minutes or 0)
    if not keep_start:
        if resource.granularity == "day":
            first = local_date(start)
            hours = opening_intervals(resource, first)
            too_soon = first < local_date(earliest) or (
                first == local_date(earliest) and bool(hours) and hours[-1][1] <= earliest
            )
        else:
            too_soon = start < earliest
        if too_soon:
            if resource.min_lead_minutes:
                raise Refused(
                    "too_soon",
                    _("Too soon: please reserve at least %(lead)s in advance.",
                      lead=duration_text(resource.min_lead_minutes)),
                )
            raise Refused("too_soon", _("Too soon: that time has already passed."))
        if local_date(start) > local_date(now) + timedelta(days=resource.max_advance_days):
            raise Refused(
                "too_far",
                _("Too far ahead: reservations open %(n)s days in advance.",
                  n=resource.max_advance_days),
            )
    length = period_minutes(resource, start, end)
    if length < min_minutes(resource):
        raise Refused(
            "too_short", _("Too short: at least %(d)s.", d=duration_text(min_minutes(resource)))
        )
    if resource.max_duration_minutes and length > resource.max_duration_minutes:
        raise Refused(
            "too_long",
            _("Too long: at most %(d)s.", d=duration_text(resource.max_duration_minutes)),
        )


def check_open(resource: Resource, start: datetime, end: datetime) -> None:
    """Items by day: pickup and return day open. Slots: open for the whole period."""
    if resource.granularity == "day":
        first, last = whole_days(start, end) or (local_date(start), local_date(end))
        for day in dict.fromkeys((first, last)):
            reason = day_closure(resource, day)
            label = format_date(day, "full")
            if reason:
                raise Refused(
                    "closed", _("Closed on %(day)s: %(reason)s.", day=label, reason=reason)
                )
            if not opening_intervals(resource, day):
                raise Refused(
                    "closed",
                    _("Closed on %(day)s: no pickup or return that day.", day=label),
                )
        return
    days = days_of(start, end)
    schedule = open_periods(resource, days[0], days[-1])
    for day in days:
        reason = day_closure(resource, day) if not schedule[day] else None
        if reason:
            label = format_date(day, "full")
            raise Refused("closed", _("Closed on %(day)s: %(reason)s.", day=label, reason=reason))
    periods = merge(p for day in days for p in schedule[day])
    if not any(opens <= start and end <= closes for opens, closes in periods):
        raise Refused(
            "closed", _("Closed then: the whole period must lie within the opening hours.")
        )


def active_count(
    resource: Resource, requester: User, *, now: datetime, exclude_id: int | None = None
) -> int:
    """Holding reservations of this person for this resource that have not ended."""
    query = sa.select(sa.func.count(Reservation.id)).where(
        Reservation.resource_id == resource.id,
        Reservation.requester_id == requester.id,
        Reservation.status.in_(HOLDING_STATUSES),
        sa.or_(Reservation.end > now, Reservation.status == "handed_over"),
    )
    if exclude_id is not None:
        query = query.where(Reservation.id != exclude_id)
    return db.session.scalar(query) or 0


def check_limit(
    resource: Resource, requester: User | None, *, now: datetime, exclude_id: int | None = None
) -> None:
    limit = resource.max_active_per_person
    if not limit or requester is None:
        return
    if active_count(resource, requester, now=now, exclude_id=exclude_id) >= limit:
        raise Refused(
            "limit",
            _("Limit per person reached: at most %(n)s active reservations of this at a time.",
              n=limit),
        )


def check_period(
    resource: Resource,
    start: datetime,
    end: datetime,
    units: int = 1,
    *,
    now: datetime,
    requester: User | None = None,
    exclude_id: int | None = None,
    keep_start: bool = False,
) -> None:
    """Every booking rule of an item or room except overlap; raises Refused with the reason."""
    check_shape(resource, start, end, units)
    check_timing(resource, start, end, now=now, keep_start=keep_start)
    check_open(resource, start, end)
    check_limit(resource, requester, now=now, exclude_id=exclude_id)
