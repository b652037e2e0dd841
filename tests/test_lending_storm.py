"""A quota spans several resources: one person's concurrent requests for different things
of the same lender cannot all slip under it (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from datetime import date, time, timedelta

import pytest
import sqlalchemy as sa

from app.booking.rules import apply_defaults
from app.db import utcnow
from app.extensions import db
from app.models import (
    ApiToken,
    LenderPolicy,
    Membership,
    OpeningHours,
    Organisation,
    Reservation,
    Resource,
    User,
)

THINGS = 8
MONDAY = date.today() + timedelta(days=14 - date.today().weekday())


def post(url: str, token: str, body: dict) -> int:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def seed(tokens: list[str], ids: dict) -> None:
    """An organisation lends 8 things, at most 2 days a week to one person."""
    manager = User(email="manager@example.org", display_name="Manager",
                   confirmed_at=utcnow(), notifications_off=[])
    person = User(email="person@example.org", display_name="Person",
                  confirmed_at=utcnow(), notifications_off=[])
    org = Organisation(name="Werkstatt", slug="werkstatt", fields=[], looking_for=[])
    db.session.add_all([manager, person, org])
    db.session.add(Membership(organisation=org, user=manager, role="manager"))
    db.session.flush()
    db.session.add(LenderPolicy(owner_org_id=org.id, max_days_per_week=2))
    ids["things"] = []
    for n in range(THINGS):
        thing = Resource(kind="item", title=f"Thing {n}", description="", search_text="",
                         permitted_uses=[], owner_org=org, follows_site_calendar=False)
        for weekday in range(7):
            thing.opening_hours.append(OpeningHours(weekday=weekday, opens=time(8),
                                                    closes=time(20)))
        apply_defaults(thing)
        db.session.add(thing)
        db.session.flush()
        ids["things"].append(thing.id)
    token, plain = ApiToken.issue(person, "storm")
    token.last_used_at = utcnow()
    tokens.append(plain)
    ids["person"] = person


@pytest.mark.storm
def test_concurrent_requests_of_one_person_respect_the_quota(served_app):
    tokens: list[str] = []
    ids: dict = {}
    served = served_app(seed=lambda: seed(tokens, ids), RATELIMIT_ENABLED=False)
    url = served.url + "/api/v1/reservations"
    # each thing on its own day of the same week (Monday .. Sunday, and Monday again)
    wishes = [{"resource_id": thing, "start": (MONDAY + timedelta(days=n % 7)).isoformat(),
               "end": (MONDAY + timedelta(days=n % 7 + 1)).isoformat()}
              for n, thing in enumerate(ids["things"])]
    barrier = threading.Barrier(THINGS)
    results: list[int] = []
    lock = threading.Lock()

    def one(wish: dict) -> None:
        barrier.wait()
        status = post(url, tokens[0], wish)
        with lock:
            results.append(status)

    threads = [threading.Thread(target=one, args=(wish,)) for wish in wishes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert set(results) <= {201, 422}, results
    with served.context():
        rows = db.session.execute(
            sa.select(Reservation.start, Reservation.end)
            .where(Reservation.status != "cancelled")
        ).all()
    assert len(rows) == results.count(201)
    assert len(rows) >= 1 and len({r.start for r in rows}) <= 2, rows
