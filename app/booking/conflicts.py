"""No overbooking: lock the resource, then count the units held at every instant.

Call these inside `app.db.write_transaction()`: on SQLite that transaction began with
BEGIN IMMEDIATE (one writer at a time), on PostgreSQL `lock_resource` takes a row lock
(SELECT ... FOR UPDATE) that the next writer for the same resource waits for. Either
way the check and the insert that follows it see the same reservations.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from app.booking.availability import Busy, effective_end, holding_overlap, profile
from app.db import utcnow
from app.errors import NotFound
from app.extensions import db
from app.models import Reservation, Resource


def lock_resource(resource_id: int) -> Resource:
    """The resource, re-read under a lock held until the transaction ends."""
    resource = db.session.execute(
        sa.select(Resource)
        .where(Resource.id == resource_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if resource is None:
        raise NotFound("No such resource.")
    return resource


def lock_reservation(reservation_id: int) -> Reservation:
    """The reservation, re-read under a row lock (so two decisions cannot cross)."""
    reservation = db.session.execute(
        sa.select(Reservation)
        .where(Reservation.id == reservation_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if reservation is None:
        raise NotFound("No such reservation.")
    return reservation


def holding_items(
    resource_id: int,
    start: datetime,
    end: datetime,
    *,
    exclude_id: int | None = None,
    now: datetime | None = None,
) -> list[Busy]:
    """(start, end, units) of every holding reservation overlapping [start, end)."""
    now = now or utcnow()
    query = sa.select(
        Reservation.start, Reservation.end, Reservation.units, Reservation.status
    ).where(Reservation.resource_id == resource_id, holding_overlap(start, end, now))
    if exclude_id is not None:
        query = query.where(Reservation.id != exclude_id)
    return [
        (row.start, effective_end(row.status, row.end, end, now), row.units)
        for row in db.session.execute(query)
    ]


def units_held(
    resource: Resource,
    start: datetime,
    end: datetime,
    *,
    exclude_id: int | None = None,
    now: datetime | None = None,
) -> int:
    """The most units other reservations hold at any instant near [start, end).

    "Near" widens the period by the resource's buffer on both sides, so a booking
    never starts or ends closer than the buffer to another one on the same unit.
    """
    buffer = timedelta(minutes=resource.buffer_minutes or 0)
    lo, hi = start - buffer, end + buffer
    steps = profile(holding_items(resource.id, lo, hi, exclude_id=exclude_id, now=now), lo, hi)
    return max((units for _, _, units in steps), default=0)


def fits(
    resource: Resource,
    start: datetime,
    end: datetime,
    units: int = 1,
    *,
    exclude_id: int | None = None,
    now: datetime | None = None,
) -> bool:
    """Whether `units` more fit into [start, end) at every instant (buffers included)."""
    return units_held(resource, start, end, exclude_id=exclude_id, now=now) + units <= (
        resource.units
    )
