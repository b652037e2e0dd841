"""Creator fixtures for organisations: a group with its people, and invitations."""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from werkzeug.security import generate_password_hash

from app.db import utcnow
from app.extensions import db
from app.models import Invitation, Organisation, Resource, User
from app.models.user import hash_token
from tests.factories import PASSWORD, new_user


@dataclass
class OrgPeople:
    """One organisation and everyone a permission table needs."""

    org: Organisation
    manager: User
    member: User
    other: User
    admin: User

    def person(self, who: str) -> User | None:
        return None if who == "anonymous" else getattr(self, who)


@functools.cache
def password_hash() -> str:
    """The factories' password, hashed once per session (hashing is slow on purpose)."""
    return generate_password_hash(PASSWORD)


def quick_user(email: str, name: str, *, admin: bool = False) -> User:
    return new_user(email, name=name, admin=admin)


@pytest.fixture
def org_people(db_session, make_org) -> OrgPeople:
    manager = quick_user("manager@example.org", "Mia Manager")
    member = quick_user("member@example.org", "Max Member")
    other = quick_user("other@example.org", "Olga Other")
    admin = quick_user("admin@example.org", "Office Admin", admin=True)
    db.session.commit()
    org = make_org("Repair-Café Nord", managers=(manager,), members=(member,))
    return OrgPeople(org=org, manager=manager, member=member, other=other, admin=admin)


@pytest.fixture
def make_invitation(db_session) -> Callable[..., tuple[Invitation, str]]:
    def _make(
        org: Organisation,
        email: str,
        *,
        role: str = "member",
        invited_by: User | None = None,
        expires_in: timedelta = timedelta(days=14),
    ) -> tuple[Invitation, str]:
        token = secrets.token_urlsafe(32)
        invitation = Invitation(
            organisation=org,
            email=email.lower(),
            role=role,
            token_hash=hash_token(token),
            invited_by_id=invited_by.id if invited_by else None,
            expires_at=utcnow() + expires_in,
        )
        db.session.add(invitation)
        db.session.commit()
        return invitation, token

    return _make


@pytest.fixture
def make_org_resource(db_session) -> Callable[..., Resource]:
    def _make(org: Organisation, title: str = "Akkuschrauber", **values) -> Resource:
        resource = Resource(kind="item", owner_org_id=org.id, title=title, **values)
        db.session.add(resource)
        db.session.commit()
        return resource

    return _make
