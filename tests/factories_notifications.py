"""Creator fixtures for the notifications area: people, things and reservations in a state."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from app.db import utcnow
from app.extensions import db
from app.models import Organisation, Reservation, Resource, User

_counter = itertools.count(1)


def new_person(email: str | None = None, *, locale: str | None = "de", name: str | None = None,
               off: list[str] | None = None) -> User:
    """A confirmed account (added to the session, not committed)."""
    n = next(_counter)
    person = User(
        email=(email or f"notify{n}@example.org").lower(),
        display_name=name or f"Nutzer {n}",
        locale=locale,
        confirmed_at=utcnow(),
        notifications_off=list(off or []),
    )
    db.session.add(person)
    return person


def new_resource(owner: User | None = None, *, org: Organisation | None = None,
                 title: str = "Lastenrad", kind: str = "item", **fields) -> Resource:
    """A thing owned by a person or an organisation (added to the session)."""
    resource = Resource(
        kind=kind,
        title=title,
        description="",
        search_text=title.lower(),
        permitted_uses=[],
        owner_user=owner if org is None else None,
        owner_org=org,
        **fields,
    )
    db.session.add(resource)
    return resource


def new_reservation(resource: Resource, requester: User | None, start: datetime,
                    end: datetime | None = None, *, status: str = "confirmed",
                    created_at: datetime | None = None, **fields) -> Reservation:
    """A reservation written directly in a given state (no rules checked)."""
    reservation = Reservation(
        resource=resource,
        requester=requester,
        start=start,
        end=end or start + timedelta(hours=2),
        status=status,
        message="",
        created_at=created_at or utcnow(),
        **fields,
    )
    db.session.add(reservation)
    return reservation


@pytest.fixture
def notif_person(db_session) -> Callable[..., User]:
    def _make(email: str | None = None, **kwargs) -> User:
        person = new_person(email, **kwargs)
        db.session.commit()
        return person

    return _make


@pytest.fixture
def notif_resource(db_session, notif_person) -> Callable[..., Resource]:
    def _make(owner: User | None = None, **kwargs) -> Resource:
        if owner is None and kwargs.get("org") is None:
            owner = notif_person(name="Leihgeberin")
        resource = new_resource(owner, **kwargs)
        db.session.commit()
        return resource

    return _make


@pytest.fixture
def notif_reservation(db_session, notif_person, notif_resource) -> Callable[..., Reservation]:
    """make(start, end=None, status=..., requester=..., resource=..., created_at=...)."""

    def _make(start: datetime, end: datetime | None = None, *, resource: Resource | None = None,
              requester: User | None = None, **kwargs) -> Reservation:
        reservation = new_reservation(
            resource or notif_resource(),
            requester if requester is not None else notif_person(name="Ausleiher"),
            start,
            end,
            **kwargs,
        )
        db.session.commit()
        return reservation

    return _make
