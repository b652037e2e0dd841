"""Recurring reservations: dates every N weeks at the same wall-clock time, booked at once."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.booking import series, service
from app.booking.periods import isoformat, parse_moment
from app.errors import Conflict, DomainError
from app.extensions import db
from app.models import Notification, Reservation
from tests.factories_lending import ALL_WEEK

NOW = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)  # Monday 11:00 local


def at(text: str) -> datetime:
    return parse_moment(text)


@pytest.fixture
def hall(app_ctx, make_bookable, lending_people):
    """A room open every day 08-22 that closes on public holidays."""
    return make_bookable("room", owner=lending_people.lender, hours=ALL_WEEK,
                         follows_site_calendar=True, title="Hall", max_advance_days=400)


# ------------------------------------------------------------------ dates ----
@pytest.mark.parametrize(("start", "end", "repeat", "expected"), (
    # every Tuesday 18-20 across the change to summer time on Sunday 2027-03-28
    ("2027-03-16T18:00", "2027-03-16T20:00", series.Repeat(1, count=3), [
        ("2027-03-16T17:00:00+00:00", "2027-03-16T19:00:00+00:00"),
        ("2027-03-23T17:00:00+00:00", "2027-03-23T19:00:00+00:00"),
        ("2027-03-30T16:00:00+00:00", "2027-03-30T18:00:00+00:00"),  # still 18-20 local
    ]),
    # every second Saturday until a day (inclusive)
    ("2027-03-06T10:00", "2027-03-06T12:00", series.Repeat(2, until=date(2027, 4, 3)), [
        ("2027-03-06T09:00:00+00:00", "2027-03-06T11:00:00+00:00"),
        ("2027-03-20T09:00:00+00:00", "2027-03-20T11:00:00+00:00"),
        ("2027-04-03T08:00:00+00:00", "2027-04-03T10:00:00+00:00"),
    ]),
    # whole days (Friday to Sunday) every week, back to winter time on 2027-10-31
    ("2027-10-22", "2027-10-25", series.Repeat(1, count=2), [
        ("2027-10-21T22:00:00+00:00", "2027-10-24T22:00:00+00:00"),
        ("2027-10-28T22:00:00+00:00", "2027-10-31T23:00:00+00:00"),
    ]),
))
def test_dates_keep_the_local_wall_clock(app_ctx, start, end, repeat, expected):
    periods = series.dates(at(start), at(end), repeat)
    assert [(s.astimezone(UTC).isoformat(), e.astimezone(UTC).isoformat())
            for s, e in periods] == expected


@pytest.mark.parametrize(("repeat", "field"), (
    (series.Repeat(0, count=3), "repeat.every_weeks"),       # every 0 weeks
    (series.Repeat(1), "repeat"),                             # neither until nor count
    (series.Repeat(1, until=date(2027, 4, 1), count=2), "repeat"),  # both
    (series.Repeat(1, count=53), "repeat.count"),             # too many dates
    (series.Repeat(1, until=date(2027, 3, 1)), "repeat.until"),  # before the first date
    (series.Repeat(1, until=date(2029, 3, 1)), "repeat.until"),  # more than 52 dates
))
def test_bad_repeat_rules_are_refused_per_field(app_ctx, repeat, field):
    with pytest.raises(DomainError) as caught:
        series.dates(at("2027-03-16T18:00"), at("2027-03-16T20:00"), repeat)
    assert field in caught.value.errors


# ---------------------------------------------------------------- preview ----
def test_preview_shows_free_and_taken_dates_with_reasons(hall, lending_people,
                                                         make_reservation):
    # Mondays 18-20 from 2027-03-15: Easter Monday (03-29) is a public holiday, 04-05 taken
    make_reservation(hall, at("2027-04-05T19:00"), at("2027-04-05T21:00"))
    periods = series.dates(at("2027-03-15T18:00"), at("2027-03-15T20:00"),
                           series.Repeat(1, count=5))
    planned = series.preview(hall, lending_people.requester, periods, now=NOW)
    assert [(p.free, p.reason) for p in planned] == [
        (True, None), (True, None), (False, "closed"), (False, "booked"), (True, None)]
    assert "Ostermontag" in planned[2].message
    assert db.session.query(Reservation).filter_by(requester_id=lending_people.requester.id
                                                   ).count() == 0


# ------------------------------------------------------------------- book ----
def test_booking_a_series_skips_what_is_not_possible(hall, lending_people, make_reservation):
    other = make_reservation(hall, at("2027-04-05T19:00"), at("2027-04-05T21:00"))
    periods = series.dates(at("2027-03-15T18:00"), at("2027-03-15T20:00"),
                           series.Repeat(1, count=5))
    booked = series.book(hall, lending_people.requester, periods, message="Choir", now=NOW)
    db.session.commit()
    assert [isoformat(r.start) for r in booked.items] == [
        "2027-03-15T18:00:00+01:00", "2027-03-22T18:00:00+01:00", "2027-04-12T18:00:00+02:00"]
    assert {r.series_id for r in booked.items} == {booked.series_id}
    assert all(r.status == "confirmed" and r.message == "Choir" for r in booked.items)
    assert [(p.reason, isoformat(p.start)) for p in booked.skipped] == [
        ("closed", "2027-03-29T18:00:00+02:00"), ("booked", "2027-04-05T18:00:00+02:00")]
    assert other.status == "confirmed"
    # one message about the whole series to the borrower and one to the lender
    notes = db.session.query(Notification).filter_by(kind="reservation_events").filter(
        Notification.subject.like("%Hall%"), Notification.body_text.like("%29%")).all()
    assert {n.recipient_id for n in notes} >= {lending_people.requester.id,
                                               lending_people.lender.id}


def test_a_series_with_no_free_date_is_refused(hall, lending_people, make_reservation):
    make_reservation(hall, at("2027-03-16T08:00"), at("2027-03-16T22:00"))
    with pytest.raises(series.SeriesRefused) as caught:
        series.book(hall, lending_people.requester,
                    series.dates(at("2027-03-16T18:00"), at("2027-03-16T20:00"),
                                 series.Repeat(1, count=1)), now=NOW)
    assert caught.value.status == 409
    assert caught.value.extra["skipped"][0]["reason"] == "booked"


def test_series_needing_approval_are_requested(hall, lending_people):
    hall.requires_approval = True
    db.session.commit()
    booked = series.book(hall, lending_people.requester,
                         series.dates(at("2027-03-16T18:00"), at("2027-03-16T20:00"),
                                      series.Repeat(1, count=2)), now=NOW)
    assert [r.status for r in booked.items] == ["requested", "requested"]


# ----------------------------------------------------------------- cancel ----
def test_cancel_the_whole_series_or_one_date(hall, lending_people):
    booked = series.book(hall, lending_people.requester,
                         series.dates(at("2027-03-16T18:00"), at("2027-03-16T20:00"),
                                      series.Repeat(1, count=3)), now=NOW)
    db.session.commit()
    first, second, third = booked.items
    service.cancel(second, lending_people.requester, now=NOW)
    cancelled = series.cancel(booked.series_id, lending_people.requester, now=NOW)
    assert {r.id for r in cancelled} == {first.id, third.id}
    assert {r.status for r in series.reservations_of(booked.series_id)} == {"cancelled"}
    with pytest.raises(Conflict):
        series.cancel(booked.series_id, lending_people.requester, now=NOW)


def test_only_dates_not_begun_are_cancelled_by_the_borrower(hall, lending_people):
    booked = series.book(hall, lending_people.requester,
                         series.dates(at("2027-03-16T18:00"), at("2027-03-16T20:00"),
                                      series.Repeat(1, count=3)), now=NOW)
    later = at("2027-03-24T09:00")
    cancelled = series.cancel(booked.series_id, lending_people.requester, now=later)
    assert [isoformat(r.start)[:10] for r in cancelled] == ["2027-03-30"]


def test_the_lender_cancels_a_series_with_a_reason(hall, lending_people):
    booked = series.book(hall, lending_people.requester,
                         series.dates(at("2027-03-16T18:00"), at("2027-03-16T20:00"),
                                      series.Repeat(1, count=2)), now=NOW)
    with pytest.raises(DomainError):
        series.cancel(booked.series_id, lending_people.lender, "", now=NOW)
    assert len(series.cancel(booked.series_id, lending_people.lender, "Renovation",
                             now=NOW)) == 2


def test_others_do_not_see_a_series(hall, lending_people):
    from app.errors import NotFound

    booked = series.book(hall, lending_people.requester,
                         series.dates(at("2027-03-16T18:00"), at("2027-03-16T20:00"),
                                      series.Repeat(1, count=2)), now=NOW)
    with pytest.raises(NotFound):
        series.cancel(booked.series_id, lending_people.other, now=NOW)
