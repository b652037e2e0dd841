"""Creators for the network tests: a room and a reservation in it, made directly."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from app.extensions import db
from app.models import Reservation, Resource, User


@pytest.fixture
def net_room(db_session) -> Callable[..., Resource]:
    def _make(
        owner: User, *, title: str = "Saal im Bürgerhaus", kind: str = "room", **fields
    ) -> Resource:
        room = Resource(
            kind=kind,
            owner_user=owner,
            title=title,
            description="",
            search_text="",
            district=fields.pop("district", "Kernstadt"),
            granularity="slot" if kind == "room" else "day",
            permitted_uses=[],
            **fields,
        )
        db.session.add(room)
        db.session.commit()
        return room

    return _make


@pytest.fixture
def net_booking(db_session) -> Callable[..., Reservation]:
    def _make(
        resource: Resource,
        requester: User,
        start: datetime,
        end: datetime,
        *,
        status: str = "confirmed",
        series_id: str | None = None,
    ) -> Reservation:
        reservation = Reservation(
            resource=resource,
            requester=requester,
            start=start,
            end=end,
            units=1,
            status=status,
            series_id=series_id,
        )
        db.session.add(reservation)
        db.session.commit()
        return reservation

    return _make
