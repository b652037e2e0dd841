"""Quotas: at most N days a week or a month per person with one lender."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.booking import quotas
from app.booking.periods import parse_moment
from app.booking.rules import Refused
from app.errors import DomainError, Forbidden

NOW = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)


def at(text: str) -> datetime:
    return parse_moment(text)


@pytest.fixture
def scene(app_ctx, offers, lending_people, lending_org, make_bookable, make_reservation,
          set_policy):
    """The organisation lends the drill and a saw; 3 days a week, 5 a month."""
    drill = offers["drill"]
    saw = make_bookable("item", org=lending_org, title="Saw", max_advance_days=400)
    set_policy(lending_org, per_week=3, per_month=5)

    def booked(resource, first, end, status="confirmed", requester=None):
        return make_reservation(resource, at(first), at(end), status=status,
                                requester=requester or lending_people.requester)

    return drill, saw, booked


# Week of Monday 2027-03-08; the person has the saw on Tue 9th and Wed 10th.
@pytest.mark.parametrize(("start", "end", "allowed"), (
    ("2027-03-11", "2027-03-12", True),    # Thu: 3 days that week
    ("2027-03-11", "2027-03-13", False),   # Thu+Fri: 4 days that week
    ("2027-03-10", "2027-03-11", True),    # Wed again: the day counts once
    ("2027-03-14", "2027-03-16", True),    # Sun (3rd day) + Mon of the next week
    ("2027-03-15", "2027-03-19", False),   # Mon..Thu of the next week: 4 days
))
def test_days_a_week(scene, lending_people, start, end, allowed):
    drill, saw, booked = scene
    booked(saw, "2027-03-09", "2027-03-11")
    check = lambda: quotas.check_quota(drill, lending_people.requester, at(start), at(end),  # noqa: E731
                                       now=NOW)
    if allowed:
        check()
    else:
        with pytest.raises(Refused) as caught:
            check()
        assert caught.value.reason == "quota"
        assert "3 days a week" in caught.value.message or "3 Tage" in caught.value.message


def test_days_a_month_and_what_counts(scene, lending_people, quick_user):
    drill, saw, booked = scene
    booked(saw, "2027-03-01", "2027-03-03")                   # 2 days, week 1
    booked(saw, "2027-03-08", "2027-03-09", status="returned")  # 1 day, week 2
    booked(saw, "2027-03-15", "2027-03-16", status="cancelled")  # does not count
    booked(saw, "2027-03-22", "2027-03-23", requester=quick_user())  # someone else's
    quotas.check_quota(drill, lending_people.requester, at("2027-03-17"), at("2027-03-19"),
                       now=NOW)  # 5 days in March
    with pytest.raises(Refused) as caught:
        quotas.check_quota(drill, lending_people.requester, at("2027-03-17"),
                           at("2027-03-20"), now=NOW)  # 6 days in March
    assert caught.value.reason == "quota"
    quotas.check_quota(drill, lending_people.requester, at("2027-04-01"), at("2027-04-04"),
                       now=NOW)  # April is a new month


def test_other_lenders_and_the_lender_themself_are_not_counted(scene, lending_people,
                                                             offers):
    drill, saw, booked = scene
    booked(offers["room"], "2027-03-09", "2027-03-12")  # the person lender's room
    quotas.check_quota(drill, lending_people.requester, at("2027-03-09"), at("2027-03-12"),
                       now=NOW)
    quotas.check_quota(drill, lending_people.manager, at("2027-03-08"), at("2027-03-15"),
                       now=NOW)


def test_a_room_booking_counts_its_day(scene, lending_people, set_policy, offers):
    room = offers["room"]
    set_policy(lending_people.lender, per_week=1)
    quotas.check_quota(room, lending_people.requester, at("2027-03-09T10:00"),
                       at("2027-03-09T12:00"), now=NOW)
    _, _, booked = scene
    booked(room, "2027-03-09T10:00", "2027-03-09T12:00")
    quotas.check_quota(room, lending_people.requester, at("2027-03-09T14:00"),
                       at("2027-03-09T15:00"), now=NOW)  # same day
    with pytest.raises(Refused):
        quotas.check_quota(room, lending_people.requester, at("2027-03-10T14:00"),
                           at("2027-03-10T15:00"), now=NOW)


@pytest.mark.parametrize(("actor", "allowed"), (
    ("manager", True), ("requester", False), ("admin", False), ("lender", False)))
def test_who_sets_an_organisations_quota(scene, lending_people, lending_org, actor, allowed):
    if allowed:
        policy = quotas.set_quota(lending_org, lending_people[actor], per_week=2, per_month=0)
        assert (policy.max_days_per_week, policy.max_days_per_month) == (2, None)
    else:
        with pytest.raises(Forbidden):
            quotas.set_quota(lending_org, lending_people[actor], per_week=2, per_month=None)


def test_quota_values_are_checked(scene, lending_people):
    with pytest.raises(DomainError) as caught:
        quotas.set_quota(lending_people.lender, lending_people.lender, per_week=8,
                         per_month=40)
    assert set(caught.value.errors) == {"per_week", "per_month"}
