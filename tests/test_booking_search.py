"""Finding free things: the availability filter in SQL and today's hint per resource.

"now" is Monday 1 March 2027, 11:00 local; times in the tables are local.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from app.booking.periods import parse_moment
from app.booking.search import restrict_to_available, today_hints
from app.extensions import db
from app.models import Closure, Resource

NOW = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)
AROUND_THE_CLOCK = {d: [("00:00", "23:59")] for d in range(7)}


@pytest.fixture
def town(app_ctx, make_bookable, make_reservation, make_org):
    """Named resources in known states."""
    org = make_org()
    at = parse_moment
    things = {
        "drill": make_bookable("item"),                       # Mon-Sat 09-18
        "taken": make_bookable("item"),                       # booked on Tue 2 March
        "repair": make_bookable("item"),                      # closed on Tue 2 March
        "out": make_bookable("item"),                         # handed over, overdue
        "tables": make_bookable("item", units=3),             # 2 of 3 held on 2 March
        "org_item": make_bookable("item", org=org, own_hours=False),  # org hours: Wed only
        "room": make_bookable("room"),                        # every day 08-22
        "hall": make_bookable("room", units=2),               # two halves
        "always": make_bookable("item", hours=AROUND_THE_CLOCK, follows_site_calendar=False),
        "space": make_bookable("space", available_from=date(2027, 3, 10)),
    }
    from datetime import time

    from app.models import OpeningHours

    db.session.add(OpeningHours(organisation_id=org.id, weekday=2, opens=time(10),
                                closes=time(12)))
    make_reservation(things["taken"], at("2027-03-02"), at("2027-03-03"))
    db.session.add(Closure(resource_id=things["repair"].id, start_date=date(2027, 3, 2),
                           end_date=date(2027, 3, 2), reason="Repair"))
    make_reservation(things["out"], at("2027-02-20"), at("2027-02-22"), status="handed_over")
    make_reservation(things["tables"], at("2027-03-02"), at("2027-03-03"), units=2)
    make_reservation(things["room"], at("2027-03-02T11:00"), at("2027-03-02T12:00"))
    make_reservation(things["hall"], at("2027-03-02T10:00"), at("2027-03-02T12:00"))
    make_reservation(things["hall"], at("2027-03-02T12:00"), at("2027-03-02T14:00"))
    make_reservation(things["hall"], at("2027-03-02T13:00"), at("2027-03-02T15:00"))
    db.session.commit()
    return things


def free(town, start: str, end: str) -> set[str]:
    names = {r.id: name for name, r in town.items()}
    query = restrict_to_available(sa.select(Resource.id), parse_moment(start), parse_moment(end),
                                  now=NOW)
    return {names[i] for i in db.session.scalars(query)}


EVERYTHING = {"drill", "taken", "repair", "out", "tables", "org_item", "room", "hall", "always",
              "space"}


@pytest.mark.parametrize(
    ("start", "end", "not_free"),
    (
        # all of Tuesday 2 March: taken, closed, overdue; org hours only on Wednesdays;
        # the hall is busy at some time, the room too; the space opens on the 10th
        ("2027-03-02", "2027-03-03",
         {"taken", "repair", "out", "org_item", "room", "hall", "space"}),
        # Wednesday: the organisation's hours apply
        ("2027-03-03", "2027-03-04", {"out", "space"}),
        # Sunday: things are picked up Mon-Sat only
        ("2027-03-07", "2027-03-08",
         {"drill", "taken", "repair", "out", "tables", "org_item", "space"}),
        # Good Friday: closed for those that follow the site calendar
        ("2027-03-26", "2027-03-27", EVERYTHING - {"always", "space"}),  # spaces: no hours
        # Mon-Tue: picked up Monday, returned Tuesday
        ("2027-03-01", "2027-03-03",
         {"taken", "repair", "out", "org_item", "room", "hall", "space"}),
        # a room window with times: 09:00-11:00 on Tuesday, items need whole days
        ("2027-03-02T09:00", "2027-03-02T11:00",
         {"taken", "repair", "out", "org_item", "space"}),
        # 07:00-09:00: rooms open at 8; things by the day only need the day open
        ("2027-03-02T07:00", "2027-03-02T09:00",
         {"taken", "repair", "out", "org_item", "room", "hall", "space"}),
        # 11:00-12:00: the room is booked; the hall has one half free
        ("2027-03-02T11:00", "2027-03-02T12:00",
         {"taken", "repair", "out", "org_item", "room", "space"}),
        # 12:00-14:00: both halves held at 13:00 (a sweep, not a count of reservations)
        ("2027-03-02T12:00", "2027-03-02T14:00",
         {"taken", "repair", "out", "org_item", "hall", "space"}),
        # the space from the 10th to the 12th
        ("2027-03-10", "2027-03-13", {"out", "org_item"}),
    ),
)
def test_restrict_to_available(town, start, end, not_free):
    assert free(town, start, end) == EVERYTHING - not_free


def test_empty_window_finds_nothing(town):
    assert free(town, "2027-03-03", "2027-03-03") == set()


def test_today_hints(town, make_reservation, app_ctx):
    at = parse_moment
    tuesday = datetime(2027, 3, 2, 9, 0, tzinfo=UTC)
    make_reservation(town["drill"], at("2027-03-02T08:00"), at("2027-03-02T13:00"))
    hints = today_hints([r.id for r in town.values()], now=tuesday)
    names = {r.id: name for name, r in town.items()}
    named = {names[i]: hint for i, hint in hints.items()}
    assert named == {
        "drill": "partly",      # busy until 13:00, open until 18:00
        "taken": "booked",
        "repair": "closed",
        "out": "booked",        # not back yet
        "tables": "free",       # one of three still free
        "org_item": "closed",   # the organisation opens on Wednesdays
        "room": "partly",
        "hall": "partly",
        "always": "free",
        "space": "closed",      # available from the 10th
    }
    assert today_hints([]) == {}
