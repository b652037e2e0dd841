"""Waiting lists: told in order when a taken period frees up; entries lapse with their period."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.booking import service, waitlist
from app.booking.periods import parse_moment
from app.errors import DomainError
from app.extensions import db
from app.models import Closure, Notification, WaitlistEntry
from tests.factories_lending import ALL_WEEK

NOW = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)


def at(text: str) -> datetime:
    return parse_moment(text)


@pytest.fixture
def scene(app_ctx, make_bookable, make_reservation, lending_people, quick_user):
    room = make_bookable("room", owner=lending_people.lender, hours=ALL_WEEK,
                         follows_site_calendar=False, title="Studio", max_advance_days=400)
    taken = make_reservation(room, at("2027-03-10T10:00"), at("2027-03-10T12:00"),
                             requester=lending_people.other)
    return room, taken


def waiting_mails(user) -> list[Notification]:
    return db.session.query(Notification).filter(
        Notification.recipient_id == user.id,
        Notification.dedup_key.like("waitlist_free:%")).order_by(Notification.id).all()


def test_joining_needs_a_taken_period(scene, lending_people):
    room, _ = scene
    with pytest.raises(DomainError) as caught:
        waitlist.join(room, lending_people.requester, at("2027-03-10T14:00"),
                      at("2027-03-10T15:00"), now=NOW)
    assert caught.value.extra["reason"] == "free"
    entry = waitlist.join(room, lending_people.requester, at("2027-03-10T11:00"),
                          at("2027-03-10T12:00"), now=NOW)
    again = waitlist.join(room, lending_people.requester, at("2027-03-10T11:00"),
                          at("2027-03-10T12:00"), now=NOW)
    assert entry.id == again.id and entry.status == "waiting"


@pytest.mark.parametrize("how", ("cancel", "decline", "expire"))
def test_waiting_people_are_told_in_order_when_it_frees_up(scene, lending_people, quick_user,
                                                          make_reservation, how):
    room, taken = scene
    if how != "cancel":
        taken.status = "requested"
        db.session.commit()
    first, second = lending_people.requester, quick_user(name="Second")
    entries = [waitlist.join(room, person, at("2027-03-10T10:00"), at("2027-03-10T11:00"),
                             now=NOW) for person in (first, second)]
    if how == "cancel":
        service.cancel(taken, lending_people.other, now=NOW)
    elif how == "decline":
        service.decline(taken, lending_people.lender, "Sorry", now=NOW)
    else:
        service.expire(taken, now=NOW)
    db.session.commit()  # the booking service told the waiting people
    assert [e.status for e in entries] == ["notified", "notified"]
    mine, theirs = waiting_mails(first), waiting_mails(second)
    assert len(mine) == 1 and len(theirs) == 1 and mine[0].id < theirs[0].id
    assert f"/resources/{room.id}/reserve?start=2027-03-10T10" in mine[0].link
    assert "Studio" in mine[0].subject
    # a second notice for the same freeing writes nothing new
    assert waitlist.notify_freed(taken, now=NOW) == 0


def test_entries_whose_period_is_still_taken_keep_waiting(scene, lending_people,
                                                          make_reservation):
    room, taken = scene
    make_reservation(room, at("2027-03-10T11:00"), at("2027-03-10T13:00"))
    entry = waitlist.join(room, lending_people.requester, at("2027-03-10T10:00"),
                          at("2027-03-10T12:00"), now=NOW)
    service.cancel(taken, lending_people.other, now=NOW)
    assert waitlist.notify_freed(taken, now=NOW) == 0
    assert entry.status == "waiting"


def test_a_period_closed_meanwhile_is_not_announced(scene, lending_people):
    room, taken = scene
    entry = waitlist.join(room, lending_people.requester, at("2027-03-10T10:00"),
                          at("2027-03-10T11:00"), now=NOW)
    db.session.add(Closure(resource_id=room.id, start_date=date(2027, 3, 10),
                           end_date=date(2027, 3, 10), reason="repair", is_repair=True))
    service.cancel(taken, lending_people.other, now=NOW)
    assert waitlist.notify_freed(taken, now=NOW) == 0 and entry.status == "waiting"


def test_entries_lapse_with_their_period(scene, lending_people):
    room, taken = scene
    entry = waitlist.join(room, lending_people.requester, at("2027-03-10T10:00"),
                          at("2027-03-10T11:00"), now=NOW)
    assert waitlist.expire_entries(at("2027-03-10T10:59")) == 0
    assert waitlist.expire_entries(at("2027-03-10T11:00")) == 1
    db.session.refresh(entry)
    assert entry.status == "expired"
    service.cancel(taken, lending_people.lender, "Moved", now=NOW)
    assert waitlist.notify_freed(taken, now=at("2027-03-10T11:30")) == 0


def test_withdrawn_entries_are_not_told(scene, lending_people):
    room, taken = scene
    entry = waitlist.join(room, lending_people.requester, at("2027-03-10T10:00"),
                          at("2027-03-10T11:00"), now=NOW)
    with pytest.raises(DomainError):
        waitlist.withdraw(entry, lending_people.other)
    waitlist.withdraw(entry, lending_people.requester)
    service.cancel(taken, lending_people.other, now=NOW)
    assert waitlist.notify_freed(taken, now=NOW) == 0
    assert db.session.get(WaitlistEntry, entry.id).status == "withdrawn"
