"""Creator fixtures for the account area: make_note(), make_thing(), make_booked()."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from app.db import utcnow
from app.extensions import db
from app.models import Notification, Reservation, ReservationEvent, Resource, User

_counter = itertools.count(1)


@pytest.fixture
def make_note(db_session) -> Callable[..., Notification]:
    """An in-app notification for `recipient` (already sent by mail)."""

    def _make(
        recipient: User,
        subject: str | None = None,
        *,
        link: str | None = "http://allmende.test/reservations/1",
        kind: str = "reservation_events",
        read: bool = False,
        created_at: datetime | None = None,
        due_at: datetime | None = None,
    ) -> Notification:
        n = next(_counter)
        when = created_at or utcnow()
        note = Notification(
            recipient_id=recipient.id,
            to_address=recipient.email,
            locale=recipient.locale or "de",
            kind=kind,
            subject=subject or f"Message {n}",
            body_text=f"Text of message {n}",
            body_html=f"<p>Text of message {n}</p>",
            link=link,
            state="sent",
            created_at=when,
            due_at=due_at or when,
            next_attempt_at=due_at or when,
            sent_at=when,
            read_at=when if read else None,
        )
        db.session.add(note)
        db.session.commit()
        return note

    return _make


@pytest.fixture
def make_thing(db_session) -> Callable[..., Resource]:
    """A thing lent privately by `owner` (no rules needed here)."""

    def _make(owner: User, title: str | None = None, **fields) -> Resource:
        n = next(_counter)
        resource = Resource(
            kind=fields.pop("kind", "item"),
            title=title or f"Thing {n}",
            description="",
            search_text="",
            permitted_uses=[],
            owner_user=owner,
            **fields,
        )
        db.session.add(resource)
        db.session.commit()
        return resource

    return _make


@pytest.fixture
def make_booked(db_session) -> Callable[..., Reservation]:
    """A reservation of `resource` by `requester` in `status`, written directly."""

    def _make(
        resource: Resource,
        requester: User,
        status: str = "confirmed",
        *,
        days_ahead: int = 3,
    ) -> Reservation:
        start = (utcnow() + timedelta(days=days_ahead)).replace(microsecond=0)
        reservation = Reservation(
            resource=resource,
            requester=requester,
            start=start,
            end=start + timedelta(days=1),
            units=1,
            status=status,
            message="Bitte früh",
        )
        reservation.events.append(
            ReservationEvent(action="reserve", from_status=None, to_status=status)
        )
        db.session.add(reservation)
        db.session.commit()
        return reservation

    return _make
