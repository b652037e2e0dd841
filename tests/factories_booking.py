"""Creator fixtures for the booking area: make_bookable(), make_reservation()."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime

import pytest

from app.booking.rules import apply_defaults
from app.extensions import db
from app.models import Organisation, Reservation, ReservationEvent, Resource, User
from tests.factories import add_opening_hours

_counter = itertools.count(1)


@pytest.fixture
def quick_user(db_session, make_user) -> Callable[..., User]:
    """Like make_user (its cheap password hash), named and numbered as bookers."""

    def _make(email: str | None = None, *, admin: bool = False, confirmed: bool = True,
              name: str | None = None) -> User:
        n = next(_counter)
        return make_user(email or f"booker{n}@example.org", name=name or f"Booker {n}",
                         admin=admin, confirmed=confirmed)

    return _make


@pytest.fixture
def make_bookable(db_session, quick_user) -> Callable[..., Resource]:
    """A resource with the default rules of its kind; `hours` replaces the default hours.

    hours: {weekday: [("09:00", "18:00"), ...]}; rules and other columns as keywords.
    """

    def _make(
        kind: str = "item",
        *,
        owner: User | None = None,
        org: Organisation | None = None,
        hours: dict[int, list[tuple[str, str]]] | None = None,
        **fields,
    ) -> Resource:
        n = next(_counter)
        resource = Resource(
            kind=kind,
            title=fields.pop("title", f"Bookable {kind} {n}"),
            description="",
            search_text="",
            permitted_uses=[],
            owner_user=None if org is not None else (owner or quick_user()),
            owner_org=org,
        )
        if hours is not None:
            add_opening_hours(resource, hours)
        apply_defaults(resource)
        for name, value in fields.items():
            setattr(resource, name, value)
        db.session.add(resource)
        db.session.commit()
        return resource

    return _make


@pytest.fixture
def make_reservation(db_session, quick_user) -> Callable[..., Reservation]:
    """A reservation written directly (no rules checked), for setting the scene."""

    def _make(
        resource: Resource,
        start: datetime,
        end: datetime,
        *,
        requester: User | None = None,
        units: int = 1,
        status: str = "confirmed",
        **fields,
    ) -> Reservation:
        reservation = Reservation(
            resource=resource,
            requester=requester or quick_user(),
            start=start,
            end=end,
            units=units,
            status=status,
            message=fields.pop("message", ""),
            **fields,
        )
        reservation.events.append(
            ReservationEvent(action="reserve", from_status=None, to_status=status)
        )
        db.session.add(reservation)
        db.session.commit()
        return reservation

    return _make
