"""When a resource is open, closed and busy: opening hours in local time, DST days included."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from app.booking.availability import (
    busy_by_resource,
    busy_periods,
    closed_days,
    day_closure,
    day_period,
    open_periods,
    opening_intervals,
)
from app.extensions import db
from app.models import Closure, OpeningHours


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


ALL_DAY = {d: [("00:00", "23:59")] for d in range(7)}


@pytest.mark.parametrize(
    ("hours", "day", "expected"),
    (
        # an ordinary winter Monday, CET = UTC+1
        ({0: [("09:00", "18:00")]}, "2027-03-22", [("2027-03-22 08:00", "2027-03-22 17:00")]),
        # two intervals with a lunch break
        ({0: [("09:00", "12:00"), ("14:00", "18:00")]}, "2027-03-22",
         [("2027-03-22 08:00", "2027-03-22 11:00"), ("2027-03-22 13:00", "2027-03-22 17:00")]),
        # touching intervals are one period
        ({0: [("09:00", "12:00"), ("12:00", "18:00")]}, "2027-03-22",
         [("2027-03-22 08:00", "2027-03-22 17:00")]),
        # no hours on that weekday
        ({0: [("09:00", "18:00")]}, "2027-03-23", []),
        # an ordinary summer Monday, CEST = UTC+2
        ({0: [("09:00", "18:00")]}, "2027-04-05", [("2027-04-05 07:00", "2027-04-05 16:00")]),
        # spring forward (Sun 28 Mar 2027): 08-22 local is 06-20 UTC, already summer time
        ({6: [("08:00", "22:00")]}, "2027-03-28", [("2027-03-28 06:00", "2027-03-28 20:00")]),
        # spring forward: the whole day lasts 23 hours
        ({6: [("00:00", "23:59")]}, "2027-03-28", [("2027-03-27 23:00", "2027-03-28 22:00")]),
        # spring forward: 02:00 does not exist; 02:00-04:00 lasts one real hour (03:00-04:00)
        ({6: [("02:00", "04:00")]}, "2027-03-28", [("2027-03-28 01:00", "2027-03-28 02:00")]),
        # fall back (Sun 31 Oct 2027): 08-22 local is 07-21 UTC, already winter time
        ({6: [("08:00", "22:00")]}, "2027-10-31", [("2027-10-31 07:00", "2027-10-31 21:00")]),
        # fall back: the whole day lasts 25 hours
        ({6: [("00:00", "23:59")]}, "2027-10-31", [("2027-10-30 22:00", "2027-10-31 23:00")]),
        # fall back: 01:00-03:00 contains the repeated hour, so lasts three real hours
        ({6: [("01:00", "03:00")]}, "2027-10-31", [("2027-10-30 23:00", "2027-10-31 02:00")]),
    ),
)
def test_opening_intervals_in_local_time(app_ctx, make_bookable, hours, day, expected):
    resource = make_bookable("room", hours=hours, follows_site_calendar=False)
    got = opening_intervals(resource, date.fromisoformat(day))
    assert got == [(utc(a), utc(b)) for a, b in expected]


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    (
        ("2027-03-22", "2027-03-22", ("2027-03-21 23:00", "2027-03-22 23:00")),  # one winter day
        ("2027-03-27", "2027-03-28", ("2027-03-26 23:00", "2027-03-28 22:00")),  # 47 h over DST
        ("2027-10-31", "2027-10-31", ("2027-10-30 22:00", "2027-10-31 23:00")),  # a 25 h day
        ("2027-07-01", "2027-07-03", ("2027-06-30 22:00", "2027-07-03 22:00")),  # summer days
    ),
)
def test_day_period_is_local_midnight_to_midnight(app_ctx, first, last, expected):
    got = day_period(date.fromisoformat(first), date.fromisoformat(last))
    assert got == (utc(expected[0]), utc(expected[1]))


def test_closures_and_holidays(app_ctx, make_bookable, make_org):
    org = make_org()
    shared = make_bookable("item", org=org, hours=ALL_DAY)
    private = make_bookable("item", hours=ALL_DAY, follows_site_calendar=False)
    db.session.add_all(
        [
            Closure(resource_id=shared.id, start_date=date(2027, 4, 5), end_date=date(2027, 4, 6),
                    reason="Repair"),
            Closure(organisation_id=org.id, start_date=date(2027, 4, 6),
                    end_date=date(2027, 4, 8), reason="Summer break"),
            Closure(start_date=date(2027, 4, 12), end_date=date(2027, 4, 12),
                    reason="Town festival"),
        ]
    )
    db.session.commit()

    # | resource | day        | closed because                                   |
    cases = [
        (shared, "2027-03-26", "Karfreitag"),       # public holiday in Hesse
        (shared, "2027-05-27", "Fronleichnam"),     # a Hesse-only holiday
        (shared, "2027-04-05", "Repair"),           # its own closure
        (shared, "2027-04-06", "Repair"),           # own closure wins over the organisation's
        (shared, "2027-04-08", "Summer break"),     # the organisation's closure
        (shared, "2027-04-12", "Town festival"),    # town-wide closure
        (shared, "2027-04-13", None),               # open
        (private, "2027-03-26", None),              # does not follow the site calendar
        (private, "2027-04-12", None),              # ... so no town-wide closure either
    ]
    for resource, day, reason in cases:
        assert day_closure(resource, date.fromisoformat(day)) == reason, (resource, day)
    assert opening_intervals(shared, date(2027, 3, 26)) == []
    days = closed_days(shared, date(2027, 4, 1), date(2027, 4, 12))
    assert sorted(days) == [date(2027, 4, d) for d in (5, 6, 7, 8, 12)]


def test_organisation_hours_apply_unless_own(app_ctx, make_bookable, make_org):
    org = make_org()
    db.session.add(OpeningHours(organisation_id=org.id, weekday=2, opens=time(15),
                                closes=time(19)))
    db.session.commit()
    inherits = make_bookable("item", org=org, hours={0: [("09:00", "10:00")]}, own_hours=False)
    own = make_bookable("item", org=org, hours={0: [("09:00", "10:00")]})
    wednesday, monday = date(2027, 4, 7), date(2027, 4, 5)
    assert opening_intervals(inherits, wednesday) == [
        (utc("2027-04-07 13:00"), utc("2027-04-07 17:00"))
    ]
    assert opening_intervals(inherits, monday) == []
    assert opening_intervals(own, wednesday) == []
    assert opening_intervals(own, date(2027, 4, 12)) == [
        (utc("2027-04-12 07:00"), utc("2027-04-12 08:00"))
    ]
    week = open_periods(inherits, date(2027, 4, 5), date(2027, 4, 11))
    assert [d for d, periods in week.items() if periods] == [wednesday]


def test_busy_periods_count_units_at_every_instant(app_ctx, make_bookable, make_reservation):
    tables = make_bookable("item", units=10)
    other = make_bookable("item")
    make_reservation(tables, utc("2027-05-03 08:00"), utc("2027-05-03 12:00"), units=3)
    make_reservation(tables, utc("2027-05-03 10:00"), utc("2027-05-03 14:00"), units=4)
    make_reservation(tables, utc("2027-05-03 09:00"), utc("2027-05-03 11:00"), units=5,
                     status="cancelled")
    make_reservation(other, utc("2027-05-03 09:00"), utc("2027-05-03 11:00"), status="requested")

    window = (utc("2027-05-03 00:00"), utc("2027-05-04 00:00"))
    assert busy_periods(tables, *window) == [
        (utc("2027-05-03 08:00"), utc("2027-05-03 10:00"), 3),
        (utc("2027-05-03 10:00"), utc("2027-05-03 12:00"), 7),
        (utc("2027-05-03 12:00"), utc("2027-05-03 14:00"), 4),
    ]
    # clipped to the window
    assert busy_periods(tables, utc("2027-05-03 11:00"), utc("2027-05-03 13:00")) == [
        (utc("2027-05-03 11:00"), utc("2027-05-03 12:00"), 7),
        (utc("2027-05-03 12:00"), utc("2027-05-03 13:00"), 4),
    ]
    both = busy_by_resource([tables.id, other.id, 999999], *window)
    assert both[other.id] == [(utc("2027-05-03 09:00"), utc("2027-05-03 11:00"), 1)]
    assert both[999999] == []
    assert len(both[tables.id]) == 3


def test_an_overdue_handover_stays_busy(app_ctx, make_bookable, make_reservation):
    drill = make_bookable("item")
    make_reservation(drill, utc("2027-05-03 08:00"), utc("2027-05-04 08:00"),
                     status="handed_over")
    now = utc("2027-05-06 12:00")
    window = (utc("2027-05-06 00:00"), utc("2027-05-08 00:00"))
    assert busy_periods(drill, *window, now=now) == [(*window, 1)]
    # before its end it is busy only for its own period
    early = utc("2027-05-03 12:00")
    assert busy_periods(drill, *window, now=early) == []
