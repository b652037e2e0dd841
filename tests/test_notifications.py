"""Messages about reservation events, and delivery that loses nothing when the server fails."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from app.errors import Conflict, NotFound
from app.extensions import db
from app.models import Notification
from app.notifications.events import reservation_event
from app.notifications.outbox import deliver_due, queue, retry_failed

NOW = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)
MIN = timedelta(minutes=1)
SECOND = timedelta(seconds=1)


def rows() -> list[Notification]:
    return list(db.session.scalars(select(Notification).order_by(Notification.id)))


@pytest.fixture
def scene(notif_person, notif_resource, notif_reservation):
    """A lender, a borrower and a confirmed reservation between them."""
    lender = notif_person("lena@example.org", locale="de", name="Lena")
    borrower = notif_person("ben@example.org", locale="en", name="Ben")
    thing = notif_resource(lender, title="Lastenrad")
    reservation = notif_reservation(NOW + 48 * H, NOW + 50 * H, resource=thing, requester=borrower)
    return lender, borrower, reservation


# action (as the booking area names it or in past tense), who acts, who is told, with .ics
EVENTS = [
    ("request", "borrower", {"lender"}, False),  # a new request: the lender decides
    ("requested", "borrower", {"lender"}, False),
    ("reserve", "borrower", {"borrower", "lender"}, True),  # booked at once: own confirmation
    ("confirmed", "borrower", {"borrower", "lender"}, True),
    ("approve", "lender", {"borrower"}, True),
    ("approved", "lender", {"borrower"}, True),
    ("decline", "lender", {"borrower"}, False),
    ("cancel", "borrower", {"lender"}, False),
    ("cancelled", "lender", {"borrower"}, False),
    ("cancelled", "admin", {"borrower", "lender"}, False),  # the office acts: both are told
    ("change", "borrower", {"lender"}, True),
    ("changed", "lender", {"borrower"}, True),
    ("hand_over", "lender", {"borrower"}, False),
    ("return", "lender", {"borrower"}, False),
    ("expire", None, {"borrower", "lender"}, False),  # nobody acted
]


@pytest.mark.parametrize(("action", "actor", "told", "with_ics"), EVENTS)
def test_the_people_concerned_are_told_but_not_the_actor(
    app_ctx, scene, make_user, action, actor, told, with_ics
):
    lender, borrower, reservation = scene
    people = {"lender": lender, "borrower": borrower, "admin": make_user(admin=True), None: None}

    reservation_event(reservation, action, people[actor], None)
    db.session.commit()

    role_of = {person.id: role for role, person in people.items() if person is not None}
    recipients = {role_of[note.recipient_id] for note in rows()}
    assert recipients == told
    assert len(rows()) == len(told)
    assert {note.attachment_name is not None for note in rows()} == {with_ics}
    page = f"http://allmende.test/reservations/{reservation.id}"
    assert all(note.link == page for note in rows())


def test_mails_are_in_each_persons_language_with_the_calendar_file(app_ctx, scene, deliver):
    lender, borrower, reservation = scene

    reservation_event(reservation, "reserve", borrower, None)
    db.session.commit()
    box = deliver()

    (to_ben,) = box.to("ben@example.org")
    (to_lena,) = box.to("lena@example.org")
    assert to_ben["Subject"] == "Confirmed: Lastenrad"
    assert to_lena["Subject"] == "Neue Reservierung: Lastenrad"
    assert "Your reservation of Lastenrad is confirmed." in box.text(to_ben)
    assert "Ben hat Lastenrad reserviert." in box.text(to_lena)
    assert f"http://allmende.test/reservations/{reservation.id}" in box.text(to_ben)
    (attachment,) = list(to_ben.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_filename() == f"reservation-{reservation.id}.ics"
    calendar = Calendar.from_ical(attachment.get_content())
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == reservation.start
    assert event.decoded("dtend") == reservation.end


def test_what_people_typed_is_escaped_in_html(app_ctx, notif_person, notif_resource,
                                              notif_reservation, deliver):
    lender = notif_person(locale="en")
    thing = notif_resource(lender, title="Drill <b>& bits</b>")
    reservation = notif_reservation(NOW + 48 * H, resource=thing,
                                    requester=notif_person(name="<script>x</script>"))

    reservation_event(reservation, "request", reservation.requester, None)
    db.session.commit()
    box = deliver()

    (mail,) = box.to(lender.email)
    html = box.html(mail)
    assert "<script>" not in html and "<b>&" not in html
    assert "&lt;script&gt;" in html
    assert "Drill <b>& bits</b>" in box.text(mail)
    assert mail["Subject"] == "New request: Drill <b>& bits</b>"


def test_every_manager_of_the_owning_org_is_told_except_the_one_who_acted(
    app_ctx, notif_person, notif_resource, notif_reservation, make_org
):
    acting, other = notif_person(), notif_person()
    member = notif_person()
    org = make_org(managers=(acting, other), members=(member,))
    reservation = notif_reservation(NOW + 48 * H, resource=notif_resource(org=org),
                                    status="requested")

    reservation_event(reservation, "approve", acting, None)
    db.session.commit()

    assert {note.recipient_id for note in rows()} == {reservation.requester_id, other.id}


def test_people_who_switched_reservation_messages_off_get_none(app_ctx, scene):
    lender, borrower, reservation = scene
    borrower.notifications_off = ["reservation_events"]
    db.session.commit()

    reservation_event(reservation, "approve", lender, None)
    reservation_event(reservation, "cancel", lender, "Kaputt")
    db.session.commit()

    assert rows() == []


def test_a_decline_reason_reaches_the_requester(app_ctx, scene, deliver):
    lender, borrower, reservation = scene

    reservation_event(reservation, "decline", lender, "The bike is at the repair shop.")
    db.session.commit()

    box = deliver()
    (mail,) = box.to("ben@example.org")
    assert "The bike is at the repair shop." in box.text(mail)
    assert "By: Lena" in box.text(mail)


# ------------------------------------------------------------ delivery ----
@pytest.fixture
def plain_message(app_ctx, notif_person):
    """A message that needs no reservation: the password-reset mail."""
    person = notif_person("paula@example.org", name="Paula")

    def _queue() -> Notification:
        note = queue("reset_password", recipient=person, kind="account", link="/auth/reset/x",
                     due_at=NOW)
        db.session.commit()
        return note

    return _queue


def test_a_refused_message_stays_queued_and_is_retried_within_five_minutes(
    plain_message, smtp_handler, deliver
):
    note = plain_message()
    smtp_handler.refuse = True

    box = deliver(NOW)

    assert box.messages == []
    db.session.refresh(note)
    assert (note.state, note.attempts) == ("queued", 1)
    assert "451" in note.last_error
    assert NOW < note.next_attempt_at <= NOW + 5 * MIN
    assert sum(deliver_due(NOW + 10 * SECOND).values()) == 0  # not yet due again

    smtp_handler.refuse = False
    box = deliver(note.next_attempt_at)

    assert len(box.to("paula@example.org")) == 1
    db.session.refresh(note)
    assert (note.state, note.attempts, note.last_error) == ("sent", 2, None)


def test_retries_back_off_and_end_as_failed_after_the_last_attempt(
    app, plain_message, smtp_handler, deliver
):
    note = plain_message()
    smtp_handler.refuse = True
    delays = []
    moment = NOW
    for _ in range(app.config["MAIL_MAX_ATTEMPTS"]):
        deliver(moment)
        db.session.refresh(note)
        delays.append(note.next_attempt_at - moment)
        moment = note.next_attempt_at

    assert note.state == "failed"
    assert note.attempts == app.config["MAIL_MAX_ATTEMPTS"]
    waits = delays[:-1]
    assert waits[0] <= 5 * MIN
    assert all(later > earlier for earlier, later in zip(waits, waits[1:], strict=False))


def test_a_failed_message_can_be_sent_again(app, plain_message, smtp_handler, deliver):
    note = plain_message()
    note.state, note.attempts, note.last_error = "failed", 8, "451 local error"
    db.session.commit()

    retry_failed(note.id, now=NOW)
    db.session.commit()
    box = deliver(NOW)

    assert len(box.to("paula@example.org")) == 1
    db.session.refresh(note)
    assert (note.state, note.attempts) == ("sent", 1)


def test_only_failed_messages_can_be_retried(plain_message):
    note = plain_message()

    with pytest.raises(Conflict):
        retry_failed(note.id)
    with pytest.raises(NotFound):
        retry_failed(987654)


def test_delivering_again_sends_nothing_twice(plain_message, deliver):
    plain_message()

    first = deliver(NOW)
    deliver(NOW)
    deliver(NOW + 10 * MIN)

    assert len(first.to("paula@example.org")) == 1
