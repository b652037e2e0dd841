"""The booking rules of items and rooms, and the overlap check, as case tables.

Times in the tables are site-local (Europe/Berlin); "now" is Monday 1 March 2027, 11:00.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.booking import service
from app.booking.periods import parse_moment
from app.booking.rules import Refused
from app.models import Resource

NOW = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)  # 11:00 local


def attempt(resource: Resource, requester, start: str, end: str, units: int = 1) -> str:
    """'ok' or the reason of the refusal."""
    try:
        service.reserve(resource, requester, parse_moment(start), parse_moment(end),
                        units=units, now=NOW)
    except Refused as error:
        return error.reason
    return "ok"


# Items: lent by whole days, picked up and returned Mon-Sat 09-18, at most 14 days,
# up to 90 days ahead. A date as end means midnight, so 02 -> 03 is all of 2 March.
@pytest.mark.parametrize(
    ("start", "end", "units", "expected"),
    (
        ("2027-03-02", "2027-03-03", 1, "ok"),         # Tuesday
        ("2027-03-01", "2027-03-02", 1, "ok"),         # today: still open until 18:00
        ("2027-02-28", "2027-03-01", 1, "too_soon"),   # yesterday
        ("2027-03-06", "2027-03-09", 1, "ok"),         # Sat to Mon: the Sunday in between is fine
        ("2027-03-07", "2027-03-08", 1, "closed"),     # pick up on a Sunday
        ("2027-03-06", "2027-03-08", 1, "closed"),     # bring back on a Sunday
        ("2027-03-26", "2027-03-27", 1, "closed"),     # Good Friday
        ("2027-03-25", "2027-03-27", 1, "closed"),     # return on Good Friday
        ("2027-03-27", "2027-03-31", 1, "ok"),         # over the spring DST change (Sat-Tue)
        ("2027-03-02", "2027-03-16", 1, "ok"),         # exactly 14 days
        ("2027-03-02", "2027-03-17", 1, "too_long"),   # 15 days
        ("2027-05-29", "2027-05-30", 1, "ok"),         # 89 days ahead
        ("2027-06-01", "2027-06-02", 1, "too_far"),    # 92 days ahead
        ("2027-03-02T10:00", "2027-03-03", 1, "alignment"),  # not whole days
        ("2027-03-02", "2027-03-03", 2, "units"),      # there is only one
        ("2027-03-03", "2027-03-02", 1, "malformed"),  # end before start
    ),
)
def test_item_rules(app_ctx, make_bookable, quick_user, start, end, units, expected):
    item = make_bookable("item")
    assert attempt(item, quick_user(), start, end, units) == expected


# Rooms: 30-minute slots, open every day 08-22, 30 min to 8 h (real time).
@pytest.mark.parametrize(
    ("start", "end", "expected"),
    (
        ("2027-03-02T10:00", "2027-03-02T12:00", "ok"),
        ("2027-03-02T08:00", "2027-03-02T22:00", "too_long"),   # 14 h
        ("2027-03-02T08:00", "2027-03-02T16:00", "ok"),         # exactly 8 h
        ("2027-03-02T07:30", "2027-03-02T09:00", "closed"),     # opens at 8
        ("2027-03-02T21:00", "2027-03-02T22:30", "closed"),     # closes at 22
        ("2027-03-02T10:00", "2027-03-02T10:15", "alignment"),  # not a slot boundary
        ("2027-03-02T10:00", "2027-03-02T10:00", "malformed"),  # empty
        ("2027-03-01T10:30", "2027-03-01T11:30", "too_soon"),   # began half an hour ago
        ("2027-03-01T11:00", "2027-03-01T12:00", "ok"),         # begins now
        ("2027-03-26T10:00", "2027-03-26T12:00", "closed"),     # Good Friday
        ("2027-03-28T08:00", "2027-03-28T10:00", "ok"),         # the spring DST Sunday
        ("2027-03-02T21:00", "2027-03-03T01:00", "closed"),     # overnight
        ("2027-03-02T10:00+01:00", "2027-03-02T11:00+01:00", "ok"),  # with offset
        ("2027-03-02T09:00Z", "2027-03-02T10:00Z", "ok"),       # UTC = 10-11 local
    ),
)
def test_room_rules(app_ctx, make_bookable, quick_user, start, end, expected):
    room = make_bookable("room", max_advance_days=365)
    assert attempt(room, quick_user(), start, end) == expected


# A room open around the clock, on the days the clocks change: durations are real time.
@pytest.mark.parametrize(
    ("start", "end", "expected"),
    (
        ("2027-03-28T00:00", "2027-03-28T09:00", "ok"),         # 9 wall-clock h = 8 real h
        ("2027-03-28T00:00", "2027-03-28T10:00", "too_long"),   # 9 real h
        ("2027-03-28T02:00", "2027-03-28T03:00", "malformed"),  # 02:00 does not exist: 0 h
        ("2027-10-31T00:00", "2027-10-31T08:00", "too_long"),   # 8 wall-clock h = 9 real h
        ("2027-10-31T00:00", "2027-10-31T07:00", "ok"),         # 8 real h
        ("2027-10-31T01:00", "2027-10-31T03:00", "ok"),         # 3 real h over the change
    ),
)
def test_room_rules_on_dst_days(app_ctx, make_bookable, quick_user, start, end, expected):
    hours = {d: [("00:00", "23:59")] for d in range(7)}
    room = make_bookable("room", hours=hours, max_advance_days=365, follows_site_calendar=False,
                         min_duration_minutes=60)
    assert attempt(room, quick_user(), start, end) == expected


@pytest.mark.parametrize(
    ("rules", "start", "end", "expected"),
    (
        ({"min_lead_minutes": 24 * 60}, "2027-03-02T10:00", "2027-03-02T11:00", "too_soon"),
        ({"min_lead_minutes": 24 * 60}, "2027-03-02T11:00", "2027-03-02T12:00", "ok"),
        ({"max_advance_days": 7}, "2027-03-08T10:00", "2027-03-08T11:00", "ok"),
        ({"max_advance_days": 7}, "2027-03-09T10:00", "2027-03-09T11:00", "too_far"),
        ({"min_duration_minutes": 120}, "2027-03-02T10:00", "2027-03-02T11:00", "too_short"),
        ({"slot_minutes": 60}, "2027-03-02T10:30", "2027-03-02T11:30", "alignment"),
    ),
)
def test_room_rules_set_by_the_lender(app_ctx, make_bookable, quick_user, rules, start, end,
                                      expected):
    room = make_bookable("room", **rules)
    assert attempt(room, quick_user(), start, end) == expected


def test_item_lead_time_counts_opening_hours(app_ctx, make_bookable, quick_user):
    item = make_bookable("item")
    late = datetime(2027, 3, 1, 17, 30, tzinfo=UTC)  # 18:30 local: closed for today
    with pytest.raises(Refused) as refused:
        service.reserve(item, quick_user(), parse_moment("2027-03-01"),
                        parse_moment("2027-03-02"), now=late)
    assert refused.value.reason == "too_soon"


def test_limit_per_person(app_ctx, make_bookable, quick_user):
    room = make_bookable("room", max_active_per_person=1)
    person, other = quick_user(), quick_user()
    assert attempt(room, person, "2027-03-02T10:00", "2027-03-02T11:00") == "ok"
    assert attempt(room, person, "2027-03-03T10:00", "2027-03-03T11:00") == "limit"
    assert attempt(room, other, "2027-03-03T10:00", "2027-03-03T11:00") == "ok"


def test_refusal_says_why_and_suggests_free_periods(app_ctx, make_bookable, quick_user):
    room = make_bookable("room")
    assert attempt(room, quick_user(), "2027-03-02T10:00", "2027-03-02T12:00") == "ok"
    with pytest.raises(Refused) as refused:
        service.reserve(room, quick_user(), parse_moment("2027-03-02T11:00"),
                        parse_moment("2027-03-02T12:00"), now=NOW)
    error = refused.value
    assert error.status == 409 and error.reason == "booked"
    assert error.suggestions[0] == (parse_moment("2027-03-02T12:00"),
                                    parse_moment("2027-03-02T13:00"))
    assert error.extra["suggestions"][0] == {
        "start": "2027-03-02T12:00:00+01:00", "end": "2027-03-02T13:00:00+01:00"
    }
    # too long: suggestions as long as allowed
    with pytest.raises(Refused) as refused:
        service.reserve(room, quick_user(), parse_moment("2027-03-03T08:00"),
                        parse_moment("2027-03-03T20:00"), now=NOW)
    assert refused.value.reason == "too_long"
    assert refused.value.suggestions[0] == (parse_moment("2027-03-03T08:00"),
                                            parse_moment("2027-03-03T16:00"))


def test_item_suggestions_skip_closed_and_booked_days(app_ctx, make_bookable, quick_user):
    item = make_bookable("item")
    assert attempt(item, quick_user(), "2027-03-24", "2027-03-25") == "ok"  # Wednesday
    with pytest.raises(Refused) as refused:
        service.reserve(item, quick_user(), parse_moment("2027-03-24"),
                        parse_moment("2027-03-25"), now=NOW)
    # Thu 25, (Good Friday 26 closed), Sat 27, (Sun 28, Easter Monday 29 closed), Tue 30
    assert [s for s, _ in refused.value.suggestions] == [
        parse_moment(d) for d in ("2027-03-25", "2027-03-27", "2027-03-30")
    ]


def test_spaces_are_not_reserved_directly(app_ctx, make_bookable, quick_user):
    space = make_bookable("space")
    assert attempt(space, quick_user(), "2027-03-02", "2027-03-03") == "space"
