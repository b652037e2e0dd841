"""Messages about reservation events: who hears of a transition, in their language."""

from __future__ import annotations

import inspect
import logging
from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale

from app.models import Reservation, User
from app.notifications import outbox
from app.notifications.context import (
    can_receive,
    lenders_of,
    reservation_context,
    reservation_link,
)

log = logging.getLogger(__name__)

ACTIONS = (
    "requested",
    "confirmed",
    "approved",
    "declined",
    "cancelled",
    "changed",
    "handed_over",
    "returned",
    "expired",
)
# The booking area names actions by their verb; both spellings are understood.
ALIASES = {
    "reserve": "confirmed",
    "request": "requested",
    "approve": "approved",
    "decline": "declined",
    "cancel": "cancelled",
    "change": "changed",
    "hand_over": "handed_over",
    "handover": "handed_over",
    "return": "returned",
    "expire": "expired",
}
# Messages that confirm a period carry it as an .ics file for the person's calendar.
WITH_CALENDAR_FILE = ("confirmed", "approved", "changed")
CALENDAR_STATUSES = ("confirmed", "handed_over")


def concerned(reservation: Reservation) -> list[tuple[User, str]]:
    """The requester and the lenders, each once, with the role they read the message in."""
    people: list[tuple[User, str]] = []
    if reservation.requester is not None:
        people.append((reservation.requester, "requester"))
    seen = {reservation.requester_id}
    for person in lenders_of(reservation.resource):
        if person.id not in seen:
            seen.add(person.id)
            people.append((person, "lender"))
    return people


def reservation_event(reservation, action: str, actor=None, note: str | None = None) -> None:
    """Tell the people concerned that `action` happened to `reservation` (caller commits).

    The actor is not told about their own action, except that a requester whose
    booking is confirmed at once still gets the confirmation with its calendar file.
    """
    action = ALIASES.get(action, action)
    if action not in ACTIONS:
        log.warning("no message for reservation action %r", action)
        return
    actor_id = getattr(actor, "id", None)
    with_calendar = action in WITH_CALENDAR_FILE and reservation.status in CALENDAR_STATUSES
    context = reservation_context(reservation)
    # "By" names who acted, unless it is the requester asking or booking for themself.
    actor_name = actor.display_name if actor is not None else None
    if action in ("requested", "confirmed") and actor_id == reservation.requester_id:
        actor_name = None
    for person, role in concerned(reservation):
        own_confirmation = action == "confirmed" and role == "requester"
        if person.id == actor_id and not own_confirmation:
            continue
        if not can_receive(person, "reservation_events"):
            continue
        attachment = None
        if with_calendar:
            attachment = calendar_attachment(reservation, person if role == "lender" else None)
        outbox.queue(
            "reservation_event",
            recipient=person,
            kind="reservation_events",
            link=reservation_link(reservation),
            related=("reservation", reservation.id),
            # An expiry is found by the sweep; its key keeps a second sweep quiet.
            dedup_key=f"reservation_expired:{reservation.id}:{person.id}"
            if action == "expired"
            else None,
            attachment=attachment,
            action=action,
            role=role,
            actor_name=actor_name if person.id != actor_id else None,
            note=note,
            **context,
        )


def calendar_attachment(
    reservation: Reservation, viewer: User | None = None
) -> tuple[str, str, str]:
    """The reservation as an .ics file, in the viewer's language where it has words.

    The calendar area's file when it exists (naming the borrower for a lender
    `viewer`), else a minimal one of our own.
    """
    try:
        from app.feeds.ical import reservation_ics
    except ImportError:
        reservation_ics = minimal_ics
    locale = (viewer.locale if viewer is not None else None) or (
        reservation.requester.locale if reservation.requester is not None else None
    )
    with force_locale(locale or current_app.config["DEFAULT_LOCALE"]):
        if "viewer" in inspect.signature(reservation_ics).parameters:
            data = reservation_ics(reservation, viewer=viewer)
        else:
            data = reservation_ics(reservation)
    if isinstance(data, bytes):
        data = data.decode("utf-8")
    return (f"reservation-{reservation.id}.ics", "text/calendar", data)


def minimal_ics(reservation: Reservation, viewer: User | None = None) -> str:
    """One VEVENT with the period, the title and a link back (used until feeds has its own)."""
    from icalendar import Calendar, Event

    site_url = current_app.config["SITE_URL"]
    host = urlsplit(site_url).hostname or "localhost"
    calendar = Calendar()
    calendar.add("prodid", f"-//{current_app.config['SITE_NAME']}//Allmende//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"reservation-{reservation.id}@{host}")
    event.add("dtstamp", datetime.now(UTC))
    event.add("dtstart", reservation.start)
    event.add("dtend", reservation.end)
    event.add("sequence", reservation.sequence or 0)
    event.add("summary", reservation.resource.title)
    event.add("url", site_url + reservation_link(reservation))
    event.add("status", "CONFIRMED" if reservation.status in CALENDAR_STATUSES else "CANCELLED")
    calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")
