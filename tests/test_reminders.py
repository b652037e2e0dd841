"""The reminder sweep: what is due is written once, sent once, and never for the wrong state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Notification, Reservation
from app.notifications.jobs import run_once, sweep

# A Monday, 10:00 in Witzenhausen (CET).
NOW = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)
DAY = timedelta(days=1)


def rows(kind: str | None = None) -> list[Notification]:
    query = select(Notification).order_by(Notification.id)
    if kind:
        query = query.where(Notification.kind == kind)
    return list(db.session.scalars(query))


def who(reservation: Reservation, note: Notification) -> str:
    if note.recipient_id == reservation.requester_id:
        return "requester"
    return "lender"


# status, start (h from now), end (h from now), requested (h from now), expected (kind, person)
CASES = [
    ("confirmed", 23, 25, -48, {("reminder_start", "requester")}),  # starts within 24 h
    ("confirmed", 0.5, 2, -1, {("reminder_start", "requester")}),  # booked late: still reminded
    ("confirmed", 25, 27, -48, set()),  # starts later than 24 h from now
    ("confirmed", -1, 2, -48, set()),  # has begun: too late for "starts soon"
    ("cancelled", 23, 25, -48, set()),  # cancelled: never reminded
    ("requested", 23, 25, -2, set()),  # not confirmed (and too young to remind the lender)
    ("handed_over", -20, 2, -48, {("reminder_return", "requester")}),  # due back within 3 h
    ("handed_over", -20, 4, -48, set()),  # due back later
    ("handed_over", -48, -1, -72, {("overdue", "requester"), ("overdue", "lender")}),  # overdue
    ("returned", -48, -1, -72, set()),  # returned in time: nothing
    ("confirmed", -48, -1, -72, set()),  # past and never handed over: not "overdue"
    ("requested", 100, 102, -25, {("request_pending", "lender")}),  # unanswered for 24 h
    ("requested", 100, 102, -23, set()),  # unanswered for less than 24 h
    # unanswered for 72 h: expired, and both sides are told
    ("requested", 100, 102, -73,
     {("reservation_events", "requester"), ("reservation_events", "lender")}),
    # its start has come before 72 h: expired too
    ("requested", -0.5, 2, -2,
     {("reservation_events", "requester"), ("reservation_events", "lender")}),
]


@pytest.mark.parametrize(("status", "start", "end", "requested", "expected"), CASES)
def test_sweep_writes_what_is_due_once(
    app_ctx, notif_reservation, status, start, end, requested, expected
):
    reservation = notif_reservation(
        NOW + start * H, NOW + end * H, status=status, created_at=NOW + requested * H
    )

    first = sweep(NOW)
    second = sweep(NOW)

    assert "errors" not in first and "errors" not in second
    written = {(note.kind, who(reservation, note)) for note in rows()}
    assert written == expected
    assert len(rows()) == len(expected)  # one each, although the sweep ran twice
    assert sum(second.values()) == 0


@pytest.mark.parametrize(("start", "requested"), [(100, -73), (-0.5, -2)])
def test_unanswered_requests_expire_with_history(app_ctx, notif_reservation, start, requested):
    reservation = notif_reservation(
        NOW + start * H, NOW + (start + 2) * H, status="requested", created_at=NOW + requested * H
    )

    assert sweep(NOW)["expired"] == 1

    db.session.refresh(reservation)
    assert reservation.status == "expired"
    last = reservation.events[-1]
    assert (last.from_status, last.to_status, last.actor_id) == ("requested", "expired", None)
    assert sweep(NOW)["expired"] == 0


def test_each_reminder_arrives_once_in_the_recipients_language(
    app_ctx, notif_person, notif_reservation, deliver
):
    german = notif_person("anna@example.org", locale="de", name="Anna")
    english = notif_person("ben@example.org", locale="en", name="Ben")
    notif_reservation(NOW + 5 * H, requester=german)
    notif_reservation(NOW + 6 * H, requester=english)

    sweep(NOW)
    sweep(NOW)
    box = deliver(NOW)
    sweep(NOW)
    deliver(NOW + H)

    assert len(box.to("anna@example.org")) == 1
    assert len(box.to("ben@example.org")) == 1
    anna, ben = box.to("anna@example.org")[0], box.to("ben@example.org")[0]
    assert anna["Subject"].startswith("Erinnerung")
    assert "Lastenrad" in anna["Subject"]
    assert ben["Subject"].startswith("Reminder")
    assert "Hallo Anna" in box.text(anna)
    assert "Hello Ben" in box.text(ben)
    assert "http://allmende.test/reservations/" in box.text(anna)
    assert 'href="http://allmende.test/reservations/' in box.html(ben)


def test_a_changed_start_gets_a_new_reminder_and_the_old_one_is_skipped(
    app_ctx, notif_reservation, deliver
):
    reservation = notif_reservation(NOW + 5 * H)
    sweep(NOW)
    reservation.start = NOW + 8 * H
    reservation.end = NOW + 9 * H
    db.session.commit()

    sweep(NOW)
    box = deliver(NOW)

    assert [note.state for note in rows("reminder_start")] == ["skipped", "sent"]
    assert len(box.to(reservation.requester.email)) == 1


@pytest.mark.parametrize("status", ["cancelled", "declined", "requested"])
def test_a_reminder_queued_before_a_cancellation_is_not_sent(
    app_ctx, notif_reservation, deliver, status
):
    reservation = notif_reservation(NOW + 5 * H)
    sweep(NOW)
    reservation.status = status
    db.session.commit()

    box = deliver(NOW)

    assert box.to(reservation.requester.email) == []
    (note,) = rows("reminder_start")
    assert note.state == "skipped"
    assert status in note.last_error


def test_kinds_switched_off_are_not_written_or_sent(
    app_ctx, notif_person, notif_reservation, deliver
):
    quiet = notif_person(off=["reminder_start"])
    notif_reservation(NOW + 5 * H, requester=quiet)
    changes_mind = notif_person()
    notif_reservation(NOW + 5 * H, requester=changes_mind)

    sweep(NOW)
    changes_mind.notifications_off = ["reminder_start"]
    db.session.commit()
    box = deliver(NOW)

    assert [note.recipient_id for note in rows()] == [changes_mind.id]
    assert rows()[0].state == "skipped"
    assert box.messages == []


def test_overdue_notices_come_daily_and_stop_after_three(
    app_ctx, notif_reservation, deliver
):
    reservation = notif_reservation(NOW - 2 * DAY, NOW, status="handed_over")

    for day in range(6):
        sweep(NOW + day * DAY + H)
        sweep(NOW + day * DAY + 2 * H)
    box = deliver(NOW + 7 * DAY)

    assert len(box.to(reservation.requester.email)) == 3
    assert len(box.to(reservation.resource.owner_user.email)) == 3


def test_after_downtime_only_the_current_overdue_notice_is_sent(app_ctx, notif_reservation):
    notif_reservation(NOW - 2 * DAY, NOW, status="handed_over")

    sweep(NOW + 5 * DAY)
    sweep(NOW + 6 * DAY)

    assert {note.dedup_key.split(":")[-2] for note in rows("overdue")} == {"3"}
    assert len(rows("overdue")) == 2  # borrower and lender


def test_a_returned_thing_gets_no_queued_overdue_notice(app_ctx, notif_reservation, deliver):
    reservation = notif_reservation(NOW - 2 * DAY, NOW, status="handed_over")
    sweep(NOW + H)
    reservation.status = "returned"
    db.session.commit()

    box = deliver(NOW + H)

    assert box.messages == []
    assert {note.state for note in rows("overdue")} == {"skipped"}


def test_request_reminder_goes_to_every_manager_of_the_owning_org(
    app_ctx, notif_person, notif_resource, notif_reservation, make_org, deliver
):
    first, second = notif_person(locale="en"), notif_person()
    org = make_org(managers=(first, second), members=(notif_person(),))
    thing = notif_resource(org=org, title="Festzelt")
    notif_reservation(NOW + 5 * DAY, resource=thing, status="requested", created_at=NOW - 30 * H)

    sweep(NOW)
    sweep(NOW)
    box = deliver(NOW)

    assert sorted(note.recipient_id for note in rows("request_pending")) == [first.id, second.id]
    (mail,) = box.to(first.email)
    assert mail["Subject"] == "Waiting for your answer: Festzelt"
    assert "approve or decline" in box.text(mail)


# -------------------------------------------------------------- digest ----
LOCAL_17 = datetime(2030, 3, 4, 16, 0, tzinfo=UTC)  # 17:00 in Witzenhausen
TOMORROW_10 = datetime(2030, 3, 5, 9, 0, tzinfo=UTC)


def test_lenders_get_one_digest_of_tomorrows_handovers_and_returns(
    app_ctx, notif_person, notif_resource, notif_reservation, deliver
):
    lender = notif_person("lena@example.org", locale="en", name="Lena")
    drill = notif_resource(lender, title="Bohrmaschine")
    bike = notif_resource(lender, title="Lastenrad")
    notif_reservation(TOMORROW_10, TOMORROW_10 + 2 * DAY, resource=drill)  # handover tomorrow
    notif_reservation(TOMORROW_10 - 3 * DAY, TOMORROW_10 + 6 * H, resource=bike,
                      status="handed_over")  # return tomorrow
    notif_reservation(TOMORROW_10 + DAY, resource=bike)  # the day after: not in it

    assert sweep(LOCAL_17 - H)["lender_digest"] == 0  # before 17:00 nothing is due
    assert sweep(LOCAL_17)["lender_digest"] == 1
    assert sweep(LOCAL_17 + 3 * H)["lender_digest"] == 0
    box = deliver(LOCAL_17)

    (mail,) = box.to("lena@example.org")
    assert mail["Subject"] == "Your handovers and returns on Tuesday, March 5, 2030"
    text = box.text(mail)
    handovers, returns = text.split("Returns")
    assert "Bohrmaschine" in handovers and "Lastenrad" not in handovers
    assert "Lastenrad" in returns


def test_no_digest_without_anything_tomorrow_or_when_switched_off(
    app_ctx, notif_person, notif_resource, notif_reservation
):
    idle = notif_person()
    notif_resource(idle)
    quiet = notif_person(off=["lender_digest"])
    notif_reservation(TOMORROW_10, resource=notif_resource(quiet))

    assert sweep(LOCAL_17)["lender_digest"] == 0


# -------------------------------------------------------------- run-once ----
def test_run_once_sweeps_then_delivers_and_says_what_it_did(
    app_ctx, notif_reservation, mailbox
):
    reservation = notif_reservation(NOW + 5 * H)

    lines = run_once(NOW)

    assert lines[0].startswith("sweep 2030-03-04T09:00:00+00:00: ")
    assert "reminder_start=1" in lines[0]
    assert lines[1] == "delivery: sent=1 retry=0 failed=0 skipped=0"
    assert len(mailbox.to(reservation.requester.email)) == 1
    assert "nothing due" in run_once(NOW)[0]


def test_reminders_run_once_command_takes_a_local_time(runner, notif_reservation, mailbox):
    reservation = notif_reservation(NOW + 5 * H)

    result = runner.invoke(args=["reminders", "run-once", "--at", "2030-03-04T10:00"])

    assert result.exit_code == 0, result.output
    assert "sweep 2030-03-04T09:00:00+00:00" in result.output
    assert "sent=1" in result.output
    assert len(mailbox.to(reservation.requester.email)) == 1


def test_reminders_run_once_refuses_a_malformed_time(runner):
    result = runner.invoke(args=["reminders", "run-once", "--at", "next tuesday"])

    assert result.exit_code != 0
    assert "not an ISO-8601 time" in result.output
