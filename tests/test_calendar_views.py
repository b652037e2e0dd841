"""What a resource's calendar says about each day and slot (domain level, time passed in)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.feeds.calendar import (
    month_view,
    next_weeks,
    parse_month,
    parse_week,
    week_view,
)

NOW = datetime(2027, 2, 15, 12, 0, tzinfo=UTC)  # well before March 2027


def cell_of(month, day: str):
    wanted = date.fromisoformat(day)
    return next(c for week in month.weeks for c in week if c.day == wanted)


@pytest.mark.parametrize(
    ("scene", "day", "state"),
    (
        ("nothing", "2027-03-02", "free"),  # an ordinary Tuesday, nothing booked
        ("nothing", "2027-03-07", "closed"),  # Sunday: no opening hours
        ("one_day", "2027-03-03", "booked"),  # the only unit booked the whole day
        ("one_day", "2027-03-04", "free"),  # the day after a day booking
        ("two_units_one", "2027-03-03", "partly"),  # one of two units booked
        ("two_units_two", "2027-03-03", "booked"),  # both units booked
        ("requested", "2027-03-03", "booked"),  # a request holds the unit too
        ("cancelled", "2027-03-03", "free"),  # a cancelled one does not
        ("closure", "2027-03-10", "closed"),  # the lender closed it for repair
        ("holiday", "2027-03-26", "holiday"),  # Good Friday (Hesse follows the site calendar)
        ("holiday", "2027-03-25", "free"),  # the Thursday before is an ordinary day
        ("no_site_calendar", "2027-03-26", "free"),  # holidays only for the site calendar
    ),
)
def test_item_month_states(app_ctx, feeds_resource, feeds_reservation, feeds_closure,
                           scene, day, state):
    units = 2 if scene.startswith("two_units") else 1
    resource = feeds_resource(
        "item", units=units, follows_site_calendar=scene == "holiday"
    )
    if scene in ("one_day", "two_units_one", "requested", "cancelled"):
        status = {"requested": "requested", "cancelled": "cancelled"}.get(scene, "confirmed")
        feeds_reservation(resource, "2027-03-03 00:00", "2027-03-04 00:00", status=status)
    if scene == "two_units_two":
        feeds_reservation(resource, "2027-03-03 00:00", "2027-03-04 00:00", units=2)
    if scene == "closure":
        feeds_closure(date(2027, 3, 10), resource=resource, reason="Repair")
    month = month_view(resource, 2027, 3, NOW)
    assert cell_of(month, day).state == state


@pytest.mark.parametrize(
    ("booking", "state"),
    (
        (None, "free"),
        (("2027-03-02 10:00", "2027-03-02 12:00"), "partly"),  # two hours of fourteen
        (("2027-03-02 08:00", "2027-03-02 22:00"), "booked"),  # all opening hours
        (("2027-03-01 20:00", "2027-03-02 09:00"), "partly"),  # reaches in from the day before
    ),
)
def test_room_month_states(app_ctx, feeds_resource, feeds_reservation, booking, state):
    room = feeds_resource("room")
    if booking:
        feeds_reservation(room, *booking)
    assert cell_of(month_view(room, 2027, 3, NOW), "2027-03-02").state == state


def test_closure_and_holiday_reasons_are_given(app_ctx, feeds_resource, feeds_closure):
    resource = feeds_resource("item", follows_site_calendar=True)
    feeds_closure(date(2027, 3, 10), date(2027, 3, 11), resource=resource, reason="Repair")
    month = month_view(resource, 2027, 3, NOW)
    assert cell_of(month, "2027-03-10").reason == "Repair"
    assert cell_of(month, "2027-03-11").reason == "Repair"
    assert cell_of(month, "2027-03-26").reason  # the holiday's name
    assert cell_of(month, "2027-03-07").state == "closed"


def test_town_wide_closure_applies_to_resources_following_the_site_calendar(
    app_ctx, feeds_resource, feeds_closure
):
    follows = feeds_resource("item", follows_site_calendar=True)
    own_calendar = feeds_resource("item", follows_site_calendar=False)
    feeds_closure(date(2027, 3, 9), reason="Stadtfest")
    assert cell_of(month_view(follows, 2027, 3, NOW), "2027-03-09").state == "closed"
    assert cell_of(month_view(own_calendar, 2027, 3, NOW), "2027-03-09").state == "free"


def test_month_grid_starts_on_monday_and_marks_other_months(app_ctx, feeds_resource):
    month = month_view(feeds_resource("item"), 2027, 4, NOW)  # 1 April 2027 is a Thursday
    first_week = month.weeks[0]
    assert first_week[0].day == date(2027, 3, 29)
    assert [c.in_range for c in first_week] == [False, False, False, True, True, True, True]
    assert all(len(week) == 7 for week in month.weeks)
    assert month.previous == "2027-03" and month.next == "2027-05"


def test_free_item_day_links_whole_day(app_ctx, feeds_resource, feeds_local):
    month = month_view(feeds_resource("item"), 2027, 3, NOW)
    cell = cell_of(month, "2027-03-02")
    assert cell.bookable
    assert (cell.start, cell.end) == (feeds_local("2027-03-02 00:00"),
                                      feeds_local("2027-03-03 00:00"))


def test_free_room_day_links_its_opening_hours(app_ctx, feeds_resource, feeds_local):
    room = feeds_resource("room", max_duration_minutes=4 * 60)
    cell = cell_of(month_view(room, 2027, 3, NOW), "2027-03-02")
    # from opening, no longer than the longest allowed booking
    assert (cell.start, cell.end) == (feeds_local("2027-03-02 08:00"),
                                      feeds_local("2027-03-02 12:00"))


def test_partly_booked_room_day_points_to_the_week(app_ctx, feeds_resource, feeds_reservation):
    room = feeds_resource("room")
    feeds_reservation(room, "2027-03-02 10:00", "2027-03-02 12:00")
    cell = cell_of(month_view(room, 2027, 3, NOW), "2027-03-02")
    assert cell.week_link and not cell.bookable


@pytest.mark.parametrize(
    ("fields", "day", "linked"),
    (
        ({}, "2027-02-10", False),  # in the past
        ({}, "2027-02-15", True),  # today
        ({"max_advance_days": 10}, "2027-02-26", False),  # too far ahead
        ({"status": "paused"}, "2027-02-16", False),  # paused offers take no bookings
    ),
)
def test_which_days_link_to_the_reservation_form(app_ctx, feeds_resource, fields, day, linked):
    resource = feeds_resource("item", **fields)
    assert cell_of(month_view(resource, 2027, 2, NOW), day).bookable is linked


def test_space_days_never_link(app_ctx, feeds_resource):
    space = feeds_resource("space", hours={d: [("00:00", "23:59")] for d in range(7)})
    month = month_view(space, 2027, 3, NOW)
    assert not any(c.bookable for week in month.weeks for c in week)


def test_room_week_slots(app_ctx, feeds_resource, feeds_reservation, feeds_local):
    room = feeds_resource("room", units=1)
    feeds_reservation(room, "2027-03-23 10:00", "2027-03-23 11:00")
    week = week_view(room, parse_week("2027-W12"), NOW)
    assert week.monday == date(2027, 3, 22)
    assert [row.minute for row in week.rows][:2] == [8 * 60, 8 * 60 + 30]
    assert len(week.rows) == 28  # 08:00 to 22:00 in half hours
    ten = next(row for row in week.rows if row.minute == 10 * 60)
    tuesday = ten.cells[1]
    assert tuesday.state == "booked" and not tuesday.bookable
    monday = ten.cells[0]
    assert monday.state == "free"
    assert (monday.start, monday.end) == (feeds_local("2027-03-22 10:00"),
                                          feeds_local("2027-03-22 10:30"))


def test_room_week_over_the_change_to_summer_time(app_ctx, feeds_resource, feeds_local):
    room = feeds_resource("room")
    week = week_view(room, parse_week("2027-W12"), NOW)  # Sunday 28 March: clocks go forward
    eight = next(row for row in week.rows if row.minute == 8 * 60)
    saturday, sunday = eight.cells[5], eight.cells[6]
    assert saturday.start == datetime(2027, 3, 27, 7, 0, tzinfo=UTC)  # CET, UTC+1
    assert sunday.start == datetime(2027, 3, 28, 6, 0, tzinfo=UTC)  # CEST, UTC+2
    assert sunday.start == feeds_local("2027-03-28 08:00")


def test_room_week_respects_min_duration_and_lunch_break(app_ctx, feeds_resource):
    room = feeds_resource(
        "room", min_duration_minutes=60, hours={0: [("09:00", "12:00"), ("13:00", "17:00")]}
    )
    week = week_view(room, parse_week("2027-W12"), NOW)
    by_minute = {row.minute: row.cells[0] for row in week.rows}
    assert by_minute[12 * 60].state == "closed"  # the lunch break
    assert by_minute[9 * 60].end - by_minute[9 * 60].start == (
        by_minute[10 * 60].end - by_minute[10 * 60].start
    )
    assert (by_minute[9 * 60].end - by_minute[9 * 60].start).total_seconds() == 3600
    assert week.days[1].state == "closed"  # Tuesday has no hours


@pytest.mark.parametrize(
    ("text", "expected"),
    (
        ("2027-03", (2027, 3)),
        ("2027-12", (2027, 12)),
        (None, (2027, 2)),
        ("", (2027, 2)),
        ("2027-13", None),
        ("2027-00", None),
        ("27-03", None),
        ("march", None),
        ("1999-03", None),
    ),
)
def test_parse_month(text, expected):
    if expected is None:
        with pytest.raises(ValueError):
            parse_month(text, date(2027, 2, 15))
    else:
        assert parse_month(text, date(2027, 2, 15)) == expected


@pytest.mark.parametrize(
    ("text", "monday"),
    (
        ("2027-W12", date(2027, 3, 22)),
        ("2027-w01", date(2027, 1, 4)),
        ("2026-W53", date(2026, 12, 28)),
        ("2027-W54", None),
        ("2027-12", None),
        ("W12", None),
    ),
)
def test_parse_week(text, monday):
    if monday is None:
        with pytest.raises(ValueError):
            parse_week(text)
    else:
        assert parse_week(text) == monday


def test_next_weeks_are_three_weeks_from_this_monday(app_ctx, feeds_resource, feeds_reservation):
    resource = feeds_resource("item")
    feeds_reservation(resource, "2027-03-10 00:00", "2027-03-11 00:00")
    weeks = next_weeks(resource, date(2027, 3, 3), NOW)
    assert len(weeks) == 3 and all(len(w) == 7 for w in weeks)
    assert weeks[0][0].day == date(2027, 3, 1)
    assert weeks[2][6].day == date(2027, 3, 21)
    assert weeks[0][0].past and not weeks[0][2].past  # before "today" (3 March)
    assert weeks[1][2].state == "booked"  # 10 March


def test_a_room_today_links_from_the_next_slot(app_ctx, feeds_resource, feeds_local):
    room = feeds_resource("room")  # 08:00-22:00, 30-minute slots
    now = feeds_local("2027-03-02 10:10")
    cell = cell_of(month_view(room, 2027, 3, now), "2027-03-02")
    assert cell.start == feeds_local("2027-03-02 10:30")
    late = feeds_local("2027-03-02 21:50")
    assert not cell_of(month_view(room, 2027, 3, late), "2027-03-02").bookable
