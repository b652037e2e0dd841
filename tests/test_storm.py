"""Many people at once want the last free unit: exactly one gets it, on SQLite and PostgreSQL.

The app is served on a real port with its own database (tests/served.py); 32 threads post
to /api/v1/reservations at the same moment with their own tokens.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from datetime import date, time, timedelta

import pytest
import sqlalchemy as sa

from app.booking.availability import local_datetime
from app.booking.rules import apply_defaults
from app.db import utcnow
from app.extensions import db
from app.models import ApiToken, OpeningHours, Reservation, Resource, User

PEOPLE = 32
DAY = date.today() + timedelta(days=4)


def post(url: str, token: str, body: dict) -> int:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def seed_last_unit(tokens: list[str], ids: dict) -> None:
    """Three tables of which two are taken 10-12; one token per person."""
    lender = User(email="lender@example.org", display_name="Lender",
                  confirmed_at=utcnow(), notifications_off=[])
    db.session.add(lender)
    tables = Resource(kind="room", title="Tables", description="", search_text="",
                      permitted_uses=[], owner_user=lender, units=3,
                      follows_site_calendar=False)
    for weekday in range(7):
        tables.opening_hours.append(OpeningHours(weekday=weekday, opens=time(8),
                                                 closes=time(22)))
    apply_defaults(tables)
    db.session.add(tables)
    start, end = local_datetime(DAY, time(10)), local_datetime(DAY, time(12))
    db.session.add(Reservation(resource=tables, requester=lender, start=start, end=end,
                               units=2, status="confirmed"))
    for n in range(PEOPLE):
        person = User(email=f"storm{n}@example.org", display_name=f"Storm {n}",
                      confirmed_at=utcnow(), notifications_off=[])
        token, plain = ApiToken.issue(person, "storm")
        # Recently used, so the requests below only read their token.
        token.last_used_at = utcnow()
        tokens.append(plain)
    db.session.flush()
    ids["tables"] = tables.id


@pytest.mark.storm
def test_only_one_gets_the_last_unit(served_app):
    tokens: list[str] = []
    ids: dict = {}
    served = served_app(seed=lambda: seed_last_unit(tokens, ids), RATELIMIT_ENABLED=False)
    body = {"resource_id": ids["tables"], "start": f"{DAY}T10:30", "end": f"{DAY}T11:30"}
    url = served.url + "/api/v1/reservations"

    barrier = threading.Barrier(PEOPLE)
    results: list[int] = []
    lock = threading.Lock()

    def one(token: str) -> None:
        barrier.wait()
        status = post(url, token, body)
        with lock:
            results.append(status)

    threads = [threading.Thread(target=one, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert len(results) == PEOPLE
    assert sorted(results) == [201] + [409] * (PEOPLE - 1), results
    with served.context():
        held = db.session.execute(
            sa.select(Reservation.units).where(Reservation.resource_id == ids["tables"])
        ).scalars().all()
    assert sorted(held) == [1, 2]  # the two taken before, and exactly one new


@pytest.mark.storm
def test_a_storm_of_different_periods_never_overbooks(served_app):
    """Overlapping wishes of different lengths: at no instant more than 3 tables held."""
    tokens: list[str] = []
    ids: dict = {}
    served = served_app(seed=lambda: seed_last_unit(tokens, ids), RATELIMIT_ENABLED=False)
    url = served.url + "/api/v1/reservations"
    hours = ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30", "12:00", "12:30", "13:00"]
    wishes = [
        {"resource_id": ids["tables"], "start": f"{DAY}T{hours[n % 6]}",
         "end": f"{DAY}T{hours[n % 6 + 2 + n % 2]}", "units": 1 + n % 2}
        for n in range(PEOPLE)
    ]
    barrier = threading.Barrier(PEOPLE)
    results: list[int] = []
    lock = threading.Lock()

    def one(token: str, wish: dict) -> None:
        barrier.wait()
        status = post(url, token, wish)
        with lock:
            results.append(status)

    threads = [threading.Thread(target=one, args=pair) for pair in zip(tokens, wishes,
                                                                          strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert set(results) <= {201, 409}, results
    assert 201 in results
    with served.context():
        rows = db.session.execute(
            sa.select(Reservation.start, Reservation.end, Reservation.units)
            .where(Reservation.resource_id == ids["tables"])
        ).all()
    assert len(rows) == results.count(201) + 1
    points = sorted({p for row in rows for p in (row.start, row.end)})
    for instant in points:
        held = sum(r.units for r in rows if r.start <= instant < r.end)
        assert held <= 3, (instant, rows)
