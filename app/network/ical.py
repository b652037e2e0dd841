"""The public events feed as iCalendar."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app
from icalendar import Calendar, Event

from app.models import PublicEvent


def events_calendar(events: list[PublicEvent], name: str) -> bytes:
    config = current_app.config
    zone = ZoneInfo(config["TIMEZONE"])
    host = urlsplit(config["SITE_URL"]).hostname or "allmende"
    calendar = Calendar()
    calendar.add("prodid", "-//Allmende//Public events//DE")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", config["TIMEZONE"])
    now = datetime.now(UTC)
    for item in events:
        reservation = item.reservation
        resource = reservation.resource
        entry = Event()
        entry.add("uid", f"event-{item.id}@{host}")
        entry.add("dtstamp", now)
        entry.add("dtstart", reservation.start.astimezone(zone))
        entry.add("dtend", reservation.end.astimezone(zone))
        entry.add("sequence", reservation.sequence)
        entry.add("summary", item.title)
        if item.description:
            entry.add("description", item.description)
        place = resource.title + (f", {resource.district}" if resource.district else "")
        entry.add("location", place)
        entry.add("url", f"{config['SITE_URL']}/events/{item.id}")
        entry.add("status", "CONFIRMED")
        calendar.add_component(entry)
    calendar.add_missing_timezones()
    return calendar.to_ical()
