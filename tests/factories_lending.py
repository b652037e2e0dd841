"""Creator fixtures for the lending features: people in every role, offers, tokens."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest

from app.extensions import db
from app.models import ApiToken, Category, LenderPolicy, Organisation, User

ALL_WEEK = {d: [("08:00", "22:00")] for d in range(7)}
WEEKDAYS = {d: [("09:00", "18:00")] for d in range(6)}


def soon(days: int = 3) -> date:
    return date.today() + timedelta(days=days)


class People(dict):
    """Users by role name: requester, lender, manager, member, other, admin."""

    def __getattr__(self, name: str) -> User:
        return self[name]


@pytest.fixture
def lending_people(quick_user) -> People:
    return People(
        requester=quick_user("requester@example.org", name="Rita Requester"),
        lender=quick_user("lender@example.org", name="Lena Lender"),
        manager=quick_user("manager@example.org", name="Max Manager"),
        other=quick_user("other@example.org", name="Otto Other"),
        admin=quick_user("admin@example.org", admin=True, name="Ada Admin"),
    )


@pytest.fixture
def lending_org(make_org, lending_people) -> Organisation:
    return make_org("Repair Café", managers=(lending_people.manager,))


@pytest.fixture
def make_category(db_session) -> Callable[..., Category]:
    def _make(slug: str = "tools") -> Category:
        category = db.session.query(Category).filter_by(slug=slug).one_or_none()
        if category is None:
            category = Category(slug=slug, name_de=slug.title(), name_en=slug.title())
            db.session.add(category)
            db.session.commit()
        return category

    return _make


@pytest.fixture
def offers(lending_people, lending_org, make_bookable, make_category):
    """A room of a person (lender) and a drill of an organisation (manager)."""
    tools = make_category("tools")
    rooms = make_category("rooms")
    room = make_bookable("room", owner=lending_people.lender, hours=ALL_WEEK,
                         follows_site_calendar=False, title="Meeting room",
                         max_advance_days=400, category=rooms)
    drill = make_bookable("item", org=lending_org, hours=ALL_WEEK, follows_site_calendar=False,
                          title="Drill", max_advance_days=400, category=tools)
    return {"room": room, "drill": drill}


@pytest.fixture
def set_policy(db_session) -> Callable[..., LenderPolicy]:
    """Terms (for a person) and quotas written directly."""

    def _set(owner, *, terms: str | None = None, per_week: int | None = None,
             per_month: int | None = None) -> LenderPolicy:
        if isinstance(owner, Organisation):
            if terms is not None:
                owner.lending_terms = terms
                owner.terms_version = (owner.terms_version or 0) + 1
            policy = db.session.query(LenderPolicy).filter_by(owner_org_id=owner.id).one_or_none()
            policy = policy or LenderPolicy(owner_org_id=owner.id)
        else:
            policy = db.session.query(LenderPolicy).filter_by(owner_user_id=owner.id).one_or_none()
            policy = policy or LenderPolicy(owner_user_id=owner.id)
            if terms is not None:
                policy.terms_text = terms
                policy.terms_version = (policy.terms_version or 0) + 1
        policy.max_days_per_week = per_week
        policy.max_days_per_month = per_month
        db.session.add(policy)
        db.session.commit()
        return policy

    return _set


@pytest.fixture
def api_tokens(client, lending_people):
    """`api(who, method, path, json)` with a personal token for each person of lending_people."""
    tokens = {}
    for name, user in lending_people.items():
        _, tokens[name] = ApiToken.issue(user, "test")
    db.session.commit()

    def _call(who: str | None, method: str, path: str, json=None):
        headers = {"Authorization": f"Bearer {tokens[who]}"} if who else {}
        return client.open(path, method=method, json=json, headers=headers)

    return _call


@pytest.fixture
def as_person(client, auth, lending_people):
    """Log the client in as a role of lending_people (None: stay anonymous)."""

    def _login(who: str | None):
        auth.logout()
        if who is not None:
            response = auth.login(lending_people[who].email)
            assert response.status_code in (302, 303), response.status_code
        return client

    return _login
