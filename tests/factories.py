"""Creator fixtures with sensible defaults: make_user(), make_org() ..."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import time

import pytest
from werkzeug.security import generate_password_hash

from app.db import utcnow
from app.extensions import db
from app.models import Membership, OpeningHours, Organisation, Resource, User

PASSWORD = "correct horse"
_counter = itertools.count(1)


def new_user(
    email: str | None = None,
    *,
    name: str | None = None,
    password: str = PASSWORD,
    confirmed: bool = True,
    admin: bool = False,
    locale: str | None = "de",
) -> User:
    """A person added to the session (not committed); the other factories build on this."""
    n = next(_counter)
    user = User(
        email=(email or f"person{n}@example.org").lower(),
        display_name=name or f"Person {n}",
        locale=locale,
        is_admin=admin,
        confirmed_at=utcnow() if confirmed else None,
        notifications_off=[],
    )
    # A cheap hash keeps the suite fast; logins check it like any other.
    user.password_hash = generate_password_hash(password, method="pbkdf2:sha256:1")
    db.session.add(user)
    return user


def add_opening_hours(resource: Resource, hours: dict[int, list[tuple[str, str]]]) -> None:
    """Weekly hours {weekday (0 = Monday): [("09:00", "18:00"), ...]} onto a resource."""
    for weekday, intervals in hours.items():
        for opens, closes in intervals:
            resource.opening_hours.append(
                OpeningHours(
                    weekday=weekday,
                    opens=time.fromisoformat(opens),
                    closes=time.fromisoformat(closes),
                )
            )


@pytest.fixture
def make_user(db_session) -> Callable[..., User]:
    """make_user(email=None, *, name, password, confirmed, admin, locale): see new_user."""

    def _make(*args, **kwargs) -> User:
        user = new_user(*args, **kwargs)
        db.session.commit()
        return user

    return _make


@pytest.fixture
def make_org(db_session) -> Callable[..., Organisation]:
    def _make(
        name: str | None = None,
        *,
        kind: str = "initiative",
        managers: tuple[User, ...] = (),
        members: tuple[User, ...] = (),
        district: str | None = "Kernstadt",
    ) -> Organisation:
        n = next(_counter)
        org = Organisation(
            name=name or f"Initiative {n}",
            slug=f"initiative-{n}",
            kind=kind,
            description="",
            district=district,
            fields=[],
            looking_for=[],
        )
        db.session.add(org)
        for user in managers:
            db.session.add(Membership(organisation=org, user=user, role="manager"))
        for user in members:
            db.session.add(Membership(organisation=org, user=user, role="member"))
        db.session.commit()
        return org

    return _make
