"""Messages on a reservation: between its two sides, mailed without sharing addresses."""

from __future__ import annotations

import pytest

from app.booking import messages
from app.booking.periods import parse_moment
from app.errors import DomainError, Forbidden
from app.extensions import db
from app.models import Notification


@pytest.fixture
def booking(app_ctx, offers, lending_people, make_reservation):
    return make_reservation(offers["drill"], parse_moment("2027-03-09"),
                            parse_moment("2027-03-10"), requester=lending_people.requester)


@pytest.mark.parametrize(("author", "allowed", "told"), (
    ("requester", True, ["manager"]),   # the organisation's managers
    ("manager", True, ["requester"]),
    ("admin", False, []),               # the office sees, but does not write
    ("other", False, []),
    ("lender", False, []),
))
def test_who_writes_and_who_is_told(booking, lending_people, author, allowed, told):
    if not allowed:
        with pytest.raises(Forbidden):
            messages.post(booking, lending_people[author], "Hello")
        return
    messages.post(booking, lending_people[author], "Can I pick it up at 9?")
    db.session.commit()
    mails = db.session.query(Notification).filter_by(kind="messages").all()
    assert sorted(m.recipient_id for m in mails) == sorted(lending_people[t].id for t in told)
    for mail in mails:
        assert "Can I pick it up at 9?" in mail.body_text
        assert lending_people[author].email not in mail.body_text + mail.body_html
        assert mail.link.endswith(f"/reservations/{booking.id}#messages")
    assert [m.body for m in messages.thread(booking)] == ["Can I pick it up at 9?"]


@pytest.mark.parametrize("body", ("", "   ", "x" * 2001))
def test_empty_or_long_messages_are_refused(booking, lending_people, body):
    with pytest.raises(DomainError) as caught:
        messages.post(booking, lending_people.requester, body)
    assert "body" in caught.value.errors


def test_a_person_who_switched_messages_off_keeps_them_in_the_app(booking, lending_people):
    lending_people.requester.notifications_off = ["messages"]
    db.session.commit()
    messages.post(booking, lending_people.manager, "Ready")
    note = db.session.query(Notification).filter_by(
        recipient_id=lending_people.requester.id).one()
    assert note.send_mail is False
