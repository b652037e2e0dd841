"""Creator fixtures for the vacant-space exchange: spaces, interim uses, inquiries."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date, timedelta

import pytest

from app.booking.availability import day_period
from app.booking.rules import apply_defaults
from app.db import utcnow
from app.extensions import db
from app.models import (
    Inquiry,
    InquiryEvent,
    Organisation,
    Reservation,
    Resource,
    User,
)

_counter = itertools.count(1)


def today() -> date:
    """Today in the site's time zone (Europe/Berlin in the tests)."""
    from zoneinfo import ZoneInfo

    return utcnow().astimezone(ZoneInfo("Europe/Berlin")).date()


def in_days(n: int) -> date:
    return today() + timedelta(days=n)


@pytest.fixture
def make_person(db_session, make_user) -> Callable[..., User]:
    """Like make_user (same default password, cheap hash), numbered as space people."""

    def _make(
        email: str | None = None,
        *,
        name: str | None = None,
        confirmed: bool = True,
        admin: bool = False,
        locale: str | None = "de",
    ) -> User:
        n = next(_counter)
        return make_user(email or f"space-person{n}@example.org", name=name or f"Person {n}",
                         confirmed=confirmed, admin=admin, locale=locale)

    return _make


@pytest.fixture
def make_space(app, db_session, make_person) -> Callable[..., Resource]:
    """An active public space owned by a person (or `org`), free from today for a year."""

    def _make(*, owner: User | None = None, org: Organisation | None = None, **fields) -> Resource:
        n = next(_counter)
        space = Resource(
            kind="space",
            title=fields.pop("title", f"Ladenlokal {n}"),
            description=fields.pop("description", "Ein leeres Ladenlokal."),
            search_text="",
            owner_user=None if org is not None else (owner or make_person()),
            owner_org=org,
            district=fields.pop("district", "Kernstadt"),
            address=fields.pop("address", f"Steinstraße {n}"),
            area_m2=fields.pop("area_m2", 60.0),
            floor=fields.pop("floor", 0),
            step_free=fields.pop("step_free", True),
            shop_window=fields.pop("shop_window", True),
            rent_model=fields.pop("rent_model", "utilities"),
            permitted_uses=fields.pop("permitted_uses", ["popup_shop", "exhibition"]),
            available_from=fields.pop("available_from", None),
            available_until=fields.pop("available_until", in_days(365)),
            visibility=fields.pop("visibility", "public"),
            status=fields.pop("status", "active"),
        )
        with app.app_context():
            apply_defaults(space)
        for name, value in fields.items():
            setattr(space, name, value)
        db.session.add(space)
        db.session.commit()
        return space

    return _make


@pytest.fixture
def make_interim_use(app, db_session, make_person) -> Callable[..., Reservation]:
    """A reservation of whole days first..last written directly (no rules), e.g. a use."""

    def _make(
        space: Resource,
        first: date,
        last: date,
        *,
        requester: User | None = None,
        status: str = "confirmed",
    ) -> Reservation:
        with app.app_context():
            start, end = day_period(first, last)
        reservation = Reservation(
            resource=space,
            requester=requester or make_person(),
            start=start,
            end=end,
            units=1,
            status=status,
        )
        db.session.add(reservation)
        db.session.commit()
        return reservation

    return _make


@pytest.fixture
def make_inquiry(app, db_session, make_person) -> Callable[..., Inquiry]:
    """An inquiry row in a given state, without mails (for setting the scene)."""

    def _make(
        space: Resource,
        *,
        applicant: User | None = None,
        status: str = "open",
        first: date | None = None,
        last: date | None = None,
        intended_use: str = "popup_shop",
        concept: str = "Ein Laden für Upcycling-Mode aus der Region.",
        awaiting_since=None,
        **fields,
    ) -> Inquiry:
        first = first or in_days(10)
        last = last or first + timedelta(days=13)
        applicant = applicant or make_person()
        now = utcnow()
        inquiry = Inquiry(
            space=space,
            applicant=applicant,
            intended_use=intended_use,
            concept=concept,
            wished_from=first,
            wished_until=last,
            period_from=first,
            period_until=last,
            status=status,
            awaiting_owner_since=(awaiting_since or now) if status == "open" else None,
            **fields,
        )
        inquiry.events.append(
            InquiryEvent(
                actor=applicant,
                role="applicant",
                action="created",
                to_status="open",
                period_from=first,
                period_until=last,
                at=now,
            )
        )
        db.session.add(inquiry)
        db.session.commit()
        return inquiry

    return _make
