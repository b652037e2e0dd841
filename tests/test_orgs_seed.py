"""Demo people and organisations: every kind, an admin who can log in, idempotent."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.models import Membership, Organisation, User
from app.seed import people


def test_seed_people_is_idempotent(app_ctx):
    first = people.run()
    assert any("office@allmende.example" in line and "allmende-demo" in line for line in first)
    counts = (
        db.session.scalar(select(func.count(User.id))),
        db.session.scalar(select(func.count(Organisation.id))),
        db.session.scalar(select(func.count(Membership.id))),
    )
    second = people.run()
    assert counts == (
        db.session.scalar(select(func.count(User.id))),
        db.session.scalar(select(func.count(Organisation.id))),
        db.session.scalar(select(func.count(Membership.id))),
    )
    assert not any("created" in line for line in second)

    orgs = {o.slug: o for o in db.session.scalars(select(Organisation))}
    assert set(people.SLUGS.values()) <= set(orgs)
    assert {o.kind for o in orgs.values()} >= {
        "initiative",
        "business",
        "property_owner",
        "public_body",
    }
    public_body = orgs[people.SLUGS["office"]]
    assert public_body.verified_at is not None
    assert orgs[people.SLUGS["repair"]].name == "Repair-Café Witzenhausen"
    assert "repair" in orgs[people.SLUGS["repair"]].fields
    for key, slug in people.SLUGS.items():
        manager = db.session.scalar(select(User).where(User.email == people.EMAILS[key]))
        assert orgs[slug].is_manager(manager), slug

    office = db.session.scalar(select(User).where(User.email == people.EMAILS["office"]))
    assert office.is_admin and office.check_password("allmende-demo")
    assert all(
        db.session.scalar(select(User).where(User.email == email)).is_confirmed
        for email in people.EMAILS.values()
    )
