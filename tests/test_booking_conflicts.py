"""No overbooking: the overlap cases, units counted at every instant, buffers.

Times are site-local on Tuesday 2 March 2027; "now" is Monday 1 March, 11:00.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.booking import service
from app.booking.periods import parse_moment
from app.booking.rules import Refused

NOW = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)


def at(hhmm: str, day: str = "2027-03-02") -> datetime:
    return parse_moment(f"{day}T{hhmm}")


def attempt(resource, start, end, quick_user, units=1) -> str:
    try:
        service.reserve(resource, quick_user(), start, end, units=units, now=NOW)
    except Refused as error:
        return error.reason
    return "ok"


# An existing confirmed reservation 10:00-12:00 of a room with one unit.
@pytest.mark.parametrize(
    ("start", "end", "expected"),
    (
        ("08:00", "10:00", "ok"),      # touching before: allowed
        ("12:00", "14:00", "ok"),      # touching after: allowed
        ("10:30", "11:30", "booked"),  # inside
        ("09:00", "13:00", "booked"),  # around
        ("10:00", "12:00", "booked"),  # equal
        ("09:00", "10:30", "booked"),  # overlapping its start
        ("11:30", "13:00", "booked"),  # overlapping its end
    ),
)
def test_overlap_cases(app_ctx, make_bookable, make_reservation, quick_user, start, end,
                       expected):
    room = make_bookable("room")
    make_reservation(room, at("10:00"), at("12:00"))
    assert attempt(room, at(start), at(end), quick_user) == expected


# Which existing reservations block 10:00-12:00 on 2 March.
@pytest.mark.parametrize(
    ("status", "start", "end", "expected"),
    (
        ("requested", "2027-03-02T10:00", "2027-03-02T12:00", "booked"),
        ("confirmed", "2027-03-02T10:00", "2027-03-02T12:00", "booked"),
        ("handed_over", "2027-03-02T10:00", "2027-03-02T12:00", "booked"),
        ("cancelled", "2027-03-02T10:00", "2027-03-02T12:00", "ok"),
        ("declined", "2027-03-02T10:00", "2027-03-02T12:00", "ok"),
        ("expired", "2027-03-02T10:00", "2027-03-02T12:00", "ok"),
        ("returned", "2027-02-26T10:00", "2027-02-26T12:00", "ok"),
        # handed over last week and not returned yet: still holds the unit
        ("handed_over", "2027-02-22T10:00", "2027-02-23T10:00", "booked"),
        # confirmed last week, past: holds nothing any more
        ("confirmed", "2027-02-22T10:00", "2027-02-23T10:00", "ok"),
    ),
)
def test_which_statuses_block(app_ctx, make_bookable, make_reservation, quick_user, status,
                              start, end, expected):
    room = make_bookable("room")
    make_reservation(room, parse_moment(start), parse_moment(end), status=status)
    assert attempt(room, at("10:00"), at("12:00"), quick_user) == expected


# Units are counted at every instant (a sweep), not per overlapping reservation.
@pytest.mark.parametrize(
    ("units", "existing", "wish", "expected"),
    (
        # 3 tables; 2 held 10-12 and 1 held 12-14: 1 more 11-13 peaks at 3
        (3, [("10:00", "12:00", 2), ("12:00", "14:00", 1)], ("11:00", "13:00", 1), "ok"),
        (3, [("10:00", "12:00", 2), ("12:00", "14:00", 1)], ("11:00", "13:00", 2), "booked"),
        # 2 tables; one held 10-11 and one 11-12 never overlap each other: 1 more fits
        (2, [("10:00", "11:00", 1), ("11:00", "12:00", 1)], ("10:00", "12:00", 1), "ok"),
        (2, [("10:00", "11:00", 1), ("10:30", "12:00", 1)], ("10:00", "12:00", 1), "booked"),
        # the last free unit
        (10, [("08:00", "20:00", 9)], ("10:00", "12:00", 1), "ok"),
        (10, [("08:00", "20:00", 9)], ("10:00", "12:00", 2), "booked"),
    ),
)
def test_units_at_every_instant(app_ctx, make_bookable, make_reservation, quick_user, units,
                                existing, wish, expected):
    room = make_bookable("room", units=units)
    for start, end, held in existing:
        make_reservation(room, at(start), at(end), units=held)
    assert attempt(room, at(wish[0]), at(wish[1]), quick_user, units=wish[2]) == expected


# A 30-minute buffer between bookings around an existing 10:00-12:00.
@pytest.mark.parametrize(
    ("start", "end", "expected"),
    (
        ("12:00", "13:00", "booked"),  # no time to clean up
        ("12:30", "13:30", "ok"),      # exactly the buffer
        ("08:30", "09:30", "ok"),      # exactly the buffer before
        ("09:00", "10:00", "booked"),  # too close before
    ),
)
def test_buffer(app_ctx, make_bookable, make_reservation, quick_user, start, end, expected):
    room = make_bookable("room", buffer_minutes=30)
    make_reservation(room, at("10:00"), at("12:00"))
    assert attempt(room, at(start), at(end), quick_user) == expected


def test_change_is_checked_against_others_but_not_itself(app_ctx, make_bookable,
                                                         make_reservation, quick_user):
    room = make_bookable("room")
    person = quick_user()
    mine = service.reserve(room, person, at("10:00"), at("11:00"), now=NOW)
    make_reservation(room, at("12:00"), at("13:00"))
    service.change(mine, person, at("10:00"), at("12:00"), now=NOW)  # extend into its own slot
    assert (mine.start, mine.end, mine.sequence) == (at("10:00"), at("12:00"), 1)
    with pytest.raises(Refused) as refused:
        service.change(mine, person, at("10:00"), at("12:30"), now=NOW)
    assert refused.value.reason == "booked"
    assert mine.end == at("12:00")
