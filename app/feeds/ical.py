"""iCalendar (RFC 5545) for reservations: one reservation, a person's feed, a public busy feed.

Times are written in the site time zone with a VTIMEZONE generated from zoneinfo; whole-day
bookings are DATE values. UIDs are stable (`reservation-<id>@<host>`), so a calendar that
subscribed to a feed updates an event instead of duplicating it, and SEQUENCE follows
Reservation.sequence. Public feeds use their own UIDs (`busy-<id>@<host>`) and carry no
personal data at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from icalendar import Calendar, Event, Timezone

from app.booking.availability import site_zone
from app.db import utcnow
from app.models import Reservation

# iCalendar STATUS of each reservation status.
EVENT_STATUS = {
    "requested": "TENTATIVE",
    "confirmed": "CONFIRMED",
    "handed_over": "CONFIRMED",
    "returned": "CONFIRMED",
    "declined": "CANCELLED",
    "cancelled": "CANCELLED",
    "expired": "CANCELLED",
}
# Statuses after which a private lender's full address may be shown.
ADDRESS_STATUSES = ("confirmed", "handed_over", "returned")
FEED_REFRESH = timedelta(hours=1)


def site_host() -> str:
    """The host name of SITE_URL, used on the right of every UID."""
    return urlsplit(current_app.config["SITE_URL"]).hostname or "localhost"


def site_url(path: str) -> str:
    return current_app.config["SITE_URL"].rstrip("/") + path


def reservation_uid(reservation: Reservation) -> str:
    return f"reservation-{reservation.id}@{site_host()}"


def busy_uid(reservation: Reservation) -> str:
    return f"busy-{reservation.id}@{site_host()}"


def status_label(status: str) -> str:
    labels = {
        "requested": _("requested"),
        "confirmed": _("confirmed"),
        "handed_over": _("handed over"),
        "returned": _("returned"),
        "declined": _("declined"),
        "cancelled": _("cancelled"),
        "expired": _("expired"),
    }
    return labels.get(status, status)


def is_whole_days(reservation: Reservation) -> bool:
    """Day bookings ([A 00:00, B+1 00:00) local) are written as DATE values."""
    resource = reservation.resource
    if resource is None or (resource.granularity != "day" and resource.kind != "space"):
        return False
    zone = site_zone()
    return all(
        moment.astimezone(zone).time() == time(0) for moment in (reservation.start, reservation.end)
    )


def event_period(reservation: Reservation) -> tuple[date | datetime, date | datetime]:
    """DTSTART/DTEND values: dates for whole days, else date-times in the site zone."""
    zone = site_zone()
    start, end = reservation.start.astimezone(zone), reservation.end.astimezone(zone)
    if is_whole_days(reservation):
        return start.date(), end.date()
    return start, end


def visible_location(reservation: Reservation) -> str | None:
    """Where to go: a private lender's address only once the reservation is confirmed."""
    resource = reservation.resource
    if resource is None:
        return None
    private_lender = resource.owner_user_id is not None
    if resource.address and (not private_lender or reservation.status in ADDRESS_STATUSES):
        parts = [resource.address]
        if resource.district and resource.district not in resource.address:
            parts.append(resource.district)
        return ", ".join(parts)
    return resource.district or None


def borrower_name(reservation: Reservation) -> str:
    if reservation.requester is not None:
        return reservation.requester.display_name
    return reservation.guest_name or _("Guest")


def stamp_of(reservation: Reservation) -> datetime:
    """DTSTAMP: the last change of the reservation, in UTC (now when not yet saved)."""
    return (reservation.updated_at or utcnow()).astimezone(UTC)


def private_event(reservation: Reservation, viewer=None) -> Event:
    """The full event for the requester or the resource's managers."""
    start, end = event_period(reservation)
    resource = reservation.resource
    title = resource.title if resource is not None else _("Reservation")
    lender_view = viewer is not None and reservation.requester_id != viewer.id
    summary = title
    lines = [_("Status: %(status)s", status=status_label(reservation.status))]
    if reservation.units > 1:
        lines.append(_("Units: %(n)s", n=reservation.units))
    if lender_view:
        name = borrower_name(reservation)
        summary = _("%(title)s: %(name)s", title=title, name=name)
        lines.append(_("Borrower: %(name)s", name=name))
    if reservation.status == "declined" and reservation.decline_reason:
        lines.append(_("Reason: %(reason)s", reason=reservation.decline_reason))
    if reservation.status == "cancelled" and reservation.cancel_reason:
        lines.append(_("Reason: %(reason)s", reason=reservation.cancel_reason))
    url = site_url(f"/reservations/{reservation.id}")
    lines.append(url)
    event = Event.new(
        uid=reservation_uid(reservation),
        stamp=stamp_of(reservation),
        start=start,
        end=end,
        summary=summary,
        description="\n".join(lines),
        location=visible_location(reservation),
        sequence=reservation.sequence or 0,
        status=EVENT_STATUS.get(reservation.status, "CONFIRMED"),
        url=url,
    )
    if reservation.created_at is not None:
        event.add("CREATED", reservation.created_at.astimezone(UTC))
    if reservation.updated_at is not None:
        event.add("LAST-MODIFIED", reservation.updated_at.astimezone(UTC))
    event.add("CLASS", "PRIVATE")
    event.add("TRANSP", "TRANSPARENT" if event.status == "CANCELLED" else "OPAQUE")
    return event


def busy_event(reservation: Reservation) -> Event:
    """A public busy block: when, and nothing about who or why."""
    start, end = event_period(reservation)
    event = Event.new(
        uid=busy_uid(reservation),
        stamp=stamp_of(reservation),
        start=start,
        end=end,
        summary=_("Booked"),
        sequence=reservation.sequence or 0,
        status="TENTATIVE" if reservation.status == "requested" else "CONFIRMED",
    )
    event.add("CLASS", "PUBLIC")
    event.add("TRANSP", "OPAQUE")
    return event


@lru_cache(maxsize=32)
def _timezone_ical(tzid: str, first_year: int, last_year: int) -> bytes:
    """A VTIMEZONE for the years in use (generating one takes a moment, so it is cached)."""
    component = Timezone.from_tzid(
        tzid, first_date=date(first_year, 1, 1), last_date=date(last_year + 1, 1, 1)
    )
    return component.to_ical()


def add_timezones(calendar: Calendar, events: list[Event]) -> None:
    """A VTIMEZONE for every TZID used, covering the years of the events."""
    years = [
        value.year
        for event in events
        for value in (event.start, event.end)
        if isinstance(value, datetime)
    ]
    if not years:
        return
    for position, tzid in enumerate(sorted(calendar.get_missing_tzids())):
        component = Timezone.from_ical(_timezone_ical(tzid, min(years) - 1, max(years) + 1))
        calendar.subcomponents.insert(position, component)


def new_calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("PRODID", f"-//Allmende//{current_app.config['SITE_NAME']}//DE")
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", "PUBLISH")
    calendar.calendar_name = name
    calendar.add("X-WR-TIMEZONE", site_zone().key)
    return calendar


def serialize(calendar: Calendar, events: list[Event]) -> bytes:
    for event in events:
        calendar.add_component(event)
    add_timezones(calendar, events)
    return calendar.to_ical()


def reservation_ics(reservation: Reservation, *, viewer=None) -> bytes:
    """One reservation as an .ics file (for the reservation page and mail attachments).

    With `viewer` a lender (not the requester), the event names the borrower.
    """
    title = reservation.resource.title if reservation.resource else _("Reservation")
    calendar = new_calendar(title)
    return serialize(calendar, [private_event(reservation, viewer)])


def calendar_ics(
    reservations: Iterable[Reservation], name: str, public: bool, *, viewer=None
) -> bytes:
    """A subscribable feed. Public: busy blocks of holding reservations only.

    Private feeds show every reservation given (cancelled ones as STATUS:CANCELLED, so a
    subscribed calendar removes them); with `viewer`, reservations of other people (the
    viewer lends the resource) name the borrower.
    """
    calendar = new_calendar(name)
    calendar.refresh_interval = FEED_REFRESH
    calendar.add("X-PUBLISHED-TTL", FEED_REFRESH)
    if public:
        events = [busy_event(r) for r in reservations if r.holds_units]
    else:
        events = [private_event(r, viewer) for r in reservations]
    return serialize(calendar, events)
