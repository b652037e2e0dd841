"""Creator fixtures for the catalogue: make_resource(), make_category().

    resource = make_resource()                                  # a public, active item
    room = make_resource(kind="room", org=org, capacity=20)     # an organisation's room
    hidden = make_resource(visibility="members", org=org, status="paused")
    with_photos = make_resource(photos=2)                       # photo rows (no files)

`owner` (a User) or `org` (an Organisation) chooses the owner (default: a new person);
`category` takes a Category or a slug (created if missing); every other keyword is a
Resource column. The booking defaults of the kind are applied first
(app.booking.rules.apply_defaults), then the keywords, so keywords win.
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask import has_app_context

from app.extensions import db
from app.models import Category, Organisation, Photo, Resource, User
from tests.factories import new_user

_counter = itertools.count(1)


@pytest.fixture
def make_category(db_session) -> Callable[..., Category]:
    def _make(
        slug: str | None = None, *, name_de: str | None = None, name_en: str | None = None
    ) -> Category:
        n = next(_counter)
        slug = slug or f"category-{n}"
        category = db.session.scalar(sa.select(Category).where(Category.slug == slug))
        if category is None:
            category = Category(
                slug=slug,
                name_de=name_de or slug.replace("-", " ").title(),
                name_en=name_en or slug.replace("-", " ").title(),
                position=n,
            )
            db.session.add(category)
            db.session.commit()
        return category

    return _make


def new_owner() -> User:
    """A new confirmed person (password "correct horse", cheaply hashed: scrypt is slow)."""
    n = next(_counter)
    return new_user(f"lender{n}@example.org", name=f"Lender {n}")


@pytest.fixture
def make_resource(app, db_session, make_category) -> Callable[..., Resource]:
    def _make(
        *,
        kind: str = "item",
        owner: User | None = None,
        org: Organisation | None = None,
        category: Category | str | None = None,
        photos: int = 0,
        **overrides,
    ) -> Resource:
        from app.booking.rules import apply_defaults

        n = next(_counter)
        if isinstance(category, str):
            category = make_category(category)
        defaults = {
            "item": {},
            "room": {"capacity": 10},
            "space": {"area_m2": 50.0, "rent_model": "free"},
        }
        resource = Resource(
            kind=kind,
            title=overrides.pop("title", f"Resource {n}"),
            description=overrides.pop("description", ""),
            owner_user=None if org is not None else (owner or new_owner()),
            owner_org=org,
            category=category,
            district=overrides.pop("district", "Kernstadt"),
            visibility="public",
            status="active",
            units=1,
            fee_cents=0,
            deposit_cents=0,
            permitted_uses=[],
            **defaults.get(kind, {}),
        )
        context = None if has_app_context() else app.app_context()
        if context is not None:
            context.push()
        try:
            apply_defaults(resource)
            for name, value in overrides.items():
                if not hasattr(Resource, name):
                    raise TypeError(f"Resource has no column {name!r}")
                setattr(resource, name, value)
            for position in range(photos):
                resource.photos.append(
                    Photo(
                        stem=secrets.token_hex(16),
                        ext="jpg",
                        alt_text=f"Photo {position + 1}",
                        position=position,
                        width=1280,
                        height=960,
                    )
                )
            db.session.add(resource)
            db.session.commit()
        finally:
            if context is not None:
                context.pop()
        return resource

    return _make
