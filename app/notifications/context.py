"""Who a reservation concerns, and what its messages show about it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app

from app.models import Reservation, Resource, User
from app.notifications import wording


def site_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def lenders_of(resource: Resource) -> list[User]:
    """The owner user, or the managers of the owning organisation."""
    if resource.owner_user_id is not None:
        return [resource.owner_user] if resource.owner_user is not None else []
    if resource.owner_org is not None:
        return sorted(resource.owner_org.managers, key=lambda user: user.id)
    return []


def can_receive(user: User | None, kind: str) -> bool:
    """An existing account that has not switched this kind of message off."""
    return user is not None and user.deleted_at is None and user.wants(kind)


def requester_name(reservation: Reservation) -> str:
    if reservation.requester is not None:
        return reservation.requester.display_name
    return reservation.guest_name or ""


def is_local_midnight(moment, zone: ZoneInfo) -> bool:
    local = moment.astimezone(zone)
    return (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0)


def period_context(reservation: Reservation) -> dict[str, Any]:
    """Local days and times of a period, so templates can say it the way people do.

    A booking of whole days A..B is stored as [A 00:00, B+1 00:00); it reads "A – B".
    """
    zone = site_zone()
    start_local = reservation.start.astimezone(zone)
    end_local = reservation.end.astimezone(zone)
    whole_days = is_local_midnight(reservation.start, zone) and is_local_midnight(
        reservation.end, zone
    )
    last_day: date = (end_local - timedelta(microseconds=1)).date()
    return {
        "whole_days": whole_days,
        "first_day": start_local.date(),
        "last_day": last_day,
        "end_day": end_local.date(),
        "same_day": start_local.date() == end_local.date(),
        "start": reservation.start,
        "end": reservation.end,
    }


def reservation_context(reservation: Reservation) -> dict[str, Any]:
    """What every reservation message may show."""
    resource = reservation.resource
    return {
        "reservation": reservation,
        "resource": resource,
        "title": resource.title,
        "requester_name": requester_name(reservation),
        "lender_name": resource.owner_name,
        "period": period_context(reservation),
        "texts": wording,
    }


def reservation_link(reservation: Reservation) -> str:
    return f"/reservations/{reservation.id}"
