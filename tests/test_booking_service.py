"""The reservation lifecycle: each transition only by the right person in the right state."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.booking import service
from app.booking.periods import parse_moment
from app.booking.rules import Refused
from app.errors import Conflict, DomainError, Forbidden
from app.extensions import db

NOW = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)  # Monday 11:00 local


@pytest.fixture
def scene(app_ctx, quick_user, make_org, make_bookable, make_reservation, monkeypatch):
    """An organisation's drill, its manager, a requester, someone else, an admin."""
    people = {
        "manager": quick_user(name="Manager"),
        "requester": quick_user(name="Requester"),
        "other": quick_user(name="Other"),
        "admin": quick_user(name="Admin", admin=True),
    }
    org = make_org(managers=(people["manager"],))
    drill = make_bookable("item", org=org, title="Drill")
    told: list[tuple] = []
    monkeypatch.setattr(
        "app.notifications.events.reservation_event",
        lambda reservation, action, actor=None, note=None: told.append(
            (reservation.id, action, actor, note)
        ),
    )

    def reservation(status: str, start="2027-03-02", end="2027-03-03", **fields):
        return make_reservation(drill, parse_moment(start), parse_moment(end),
                                requester=people["requester"], status=status, **fields)

    return people, drill, reservation, told


def run(action: str, reservation, actor, note: str = "a reason"):
    if action == "approve":
        return service.approve(reservation, actor, now=NOW)
    if action == "decline":
        return service.decline(reservation, actor, note, now=NOW)
    if action == "cancel":
        return service.cancel(reservation, actor, note, now=NOW)
    if action == "hand_over":
        return service.hand_over(reservation, actor, deposit_taken_cents=2000, fee_paid_cents=0,
                                 now=NOW)
    if action == "return":
        return service.record_return(reservation, actor, condition="fine",
                                     deposit_returned_cents=2000, now=NOW)
    if action == "expire":
        return service.expire(reservation, now=NOW)
    raise AssertionError(action)


# | action    | from        | by        | result                         |
STATE_TABLE = (
    ("approve", "requested", "manager", "confirmed"),
    ("approve", "requested", "requester", 403),
    ("approve", "requested", "other", 403),
    ("approve", "requested", "admin", 403),          # the office does not lend
    ("approve", "confirmed", "manager", 409),
    ("approve", "cancelled", "manager", 409),
    ("decline", "requested", "manager", "declined"),
    ("decline", "requested", "requester", 403),
    ("decline", "confirmed", "manager", 409),
    ("cancel", "requested", "requester", "cancelled"),
    ("cancel", "confirmed", "requester", "cancelled"),
    ("cancel", "confirmed", "manager", "cancelled"),  # with a reason
    ("cancel", "confirmed", "admin", "cancelled"),    # the office mediates, with a reason
    ("cancel", "confirmed", "other", 403),
    ("cancel", "handed_over", "requester", 409),
    ("cancel", "handed_over", "manager", 409),
    ("cancel", "declined", "requester", 409),
    ("hand_over", "confirmed", "manager", "handed_over"),
    ("hand_over", "confirmed", "requester", 403),
    ("hand_over", "requested", "manager", 409),
    ("hand_over", "returned", "manager", 409),
    ("return", "handed_over", "manager", "returned"),
    ("return", "handed_over", "requester", 403),
    ("return", "handed_over", "admin", 403),
    ("return", "confirmed", "manager", 409),
    ("expire", "requested", None, "expired"),
    ("expire", "confirmed", None, 409),
)


@pytest.mark.parametrize(("action", "status", "who", "expected"), STATE_TABLE)
def test_state_table(scene, action, status, who, expected):
    people, _, reservation, told = scene
    booking = reservation(status)
    actor = people[who] if who else None
    if isinstance(expected, int):
        error = {403: Forbidden, 409: Conflict}[expected]
        with pytest.raises(error):
            run(action, booking, actor)
        assert booking.status == status
        assert told == []
        return
    run(action, booking, actor)
    db.session.commit()
    assert booking.status == expected
    event = booking.events[-1]
    assert (event.action, event.from_status, event.to_status) == (action, status, expected)
    assert event.actor_id == (actor.id if actor else None)
    assert told == [(booking.id, action, actor, event.note)]


def test_allowed_actions_follow_the_table(scene):
    people, _, reservation, _ = scene
    requested = reservation("requested")
    assert service.allowed_actions(requested, people["manager"], NOW) == [
        "approve", "decline", "cancel", "change"
    ]
    assert service.allowed_actions(requested, people["requester"], NOW) == ["cancel", "change"]
    assert service.allowed_actions(requested, people["other"], NOW) == []
    assert service.allowed_actions(requested, people["admin"], NOW) == ["cancel"]
    handed = reservation("handed_over", "2027-02-22", "2027-02-24")
    assert service.allowed_actions(handed, people["manager"], NOW) == ["change", "return"]
    assert service.allowed_actions(handed, people["requester"], NOW) == ["change"]


@pytest.mark.parametrize(
    ("action", "who", "note", "error"),
    (
        ("decline", "manager", "", DomainError),   # the lender says why
        ("cancel", "manager", " ", DomainError),   # ... also when cancelling
        ("cancel", "admin", "", DomainError),
    ),
)
def test_reasons_are_required(scene, action, who, note, error):
    people, _, reservation, _ = scene
    booking = reservation("requested")
    with pytest.raises(error) as raised:
        run(action, booking, people[who], note)
    assert "reason" in raised.value.errors


def test_requester_cancels_only_until_the_start(scene):
    people, _, reservation, _ = scene
    started = reservation("confirmed", "2027-03-01", "2027-03-03")
    with pytest.raises(Conflict):
        service.cancel(started, people["requester"], now=NOW)
    service.cancel(started, people["manager"], "broken", now=NOW)
    assert started.status == "cancelled" and started.cancel_reason == "broken"


def test_handover_and_return_record_money_and_condition(scene):
    people, _, reservation, _ = scene
    booking = reservation("confirmed")
    run("hand_over", booking, people["manager"])
    run("return", booking, people["manager"])
    assert (booking.deposit_taken_cents, booking.fee_paid_cents) == (2000, 0)
    assert (booking.return_condition, booking.deposit_returned_cents) == ("fine", 2000)
    assert booking.handed_over_at == NOW and booking.returned_at == NOW
    with pytest.raises(DomainError):
        service.hand_over(reservation("confirmed"), people["manager"], deposit_taken_cents=-1,
                          now=NOW)


def test_rooms_without_handover_skip_it(scene, make_bookable, make_reservation):
    people, *_ = scene
    room = make_bookable("room", owner=people["manager"])
    booking = make_reservation(room, parse_moment("2027-03-02T10:00"),
                               parse_moment("2027-03-02T11:00"))
    with pytest.raises(Conflict):
        service.hand_over(booking, people["manager"], now=NOW)


def test_reserve_confirms_or_asks_for_approval(scene, make_bookable):
    people, drill, _, told = scene
    confirmed = service.reserve(drill, people["requester"], parse_moment("2027-03-02"),
                                parse_moment("2027-03-03"), message=" hi ", now=NOW)
    assert confirmed.status == "confirmed" and confirmed.message == "hi"
    assert confirmed.handover_code and len(confirmed.handover_code) == 6
    drill.requires_approval = True
    asked = service.reserve(drill, people["other"], parse_moment("2027-03-04"),
                            parse_moment("2027-03-05"), now=NOW)
    assert asked.status == "requested" and asked.handover_code is None
    own = service.reserve(drill, people["manager"], parse_moment("2027-03-08"),
                          parse_moment("2027-03-09"), now=NOW)
    assert own.status == "confirmed"  # a manager needs no approval from themself
    assert [a for _, a, _, _ in told] == ["reserve", "request", "reserve"]
    service.approve(asked, people["manager"], now=NOW)
    assert asked.handover_code


def test_unconfirmed_and_blocked_people_cannot_reserve(scene, quick_user):
    _, drill, _, _ = scene
    with pytest.raises(Forbidden) as raised:
        service.reserve(drill, quick_user(confirmed=False), parse_moment("2027-03-02"),
                        parse_moment("2027-03-03"), now=NOW)
    assert raised.value.extra["reason"] == "unconfirmed"
    blocked = quick_user()
    blocked.blocked_at = NOW
    with pytest.raises(Forbidden):
        service.reserve(drill, blocked, parse_moment("2027-03-02"), parse_moment("2027-03-03"),
                        now=NOW)


def test_members_only_and_paused_resources(scene, make_bookable):
    people, drill, _, _ = scene
    drill.visibility = "members"
    with pytest.raises(Forbidden):
        service.reserve(drill, people["other"], parse_moment("2027-03-02"),
                        parse_moment("2027-03-03"), now=NOW)
    drill.visibility = "public"
    drill.status = "paused"
    with pytest.raises(Refused) as refused:
        service.reserve(drill, people["other"], parse_moment("2027-03-02"),
                        parse_moment("2027-03-03"), now=NOW)
    assert refused.value.reason == "unavailable"


def test_change_raises_sequence_and_may_need_approval_again(scene):
    people, drill, reservation, told = scene
    drill.requires_approval = True
    booking = reservation("confirmed", "2027-03-02", "2027-03-03")
    service.change(booking, people["requester"], parse_moment("2027-03-02"),
                   parse_moment("2027-03-04"), now=NOW)
    assert (booking.status, booking.sequence) == ("requested", 1)
    assert booking.events[-1].from_status == "confirmed"
    service.approve(booking, people["manager"], now=NOW)
    service.change(booking, people["manager"], parse_moment("2027-03-03"),
                   parse_moment("2027-03-04"), now=NOW)
    assert (booking.status, booking.sequence) == ("confirmed", 2)  # the lender's change stays
    with pytest.raises(Forbidden):
        service.change(booking, people["other"], parse_moment("2027-03-03"),
                       parse_moment("2027-03-05"), now=NOW)


def test_extending_a_loan_keeps_its_start(scene):
    people, _, reservation, _ = scene
    loan = reservation("handed_over", "2027-02-26", "2027-03-02")
    service.change(loan, people["requester"], loan.start, parse_moment("2027-03-04"), now=NOW)
    assert loan.end == parse_moment("2027-03-04") and loan.status == "handed_over"
    with pytest.raises(Refused):
        service.change(loan, people["requester"], parse_moment("2027-03-01"),
                       parse_moment("2027-03-05"), now=NOW)


def test_book_space_within_its_availability(scene, make_bookable):
    people, *_ = scene
    space = make_bookable("space", owner=people["manager"], available_from=date(2027, 4, 1),
                          available_until=date(2027, 6, 30))
    booking = service.book_space(space, people["requester"], parse_moment("2027-04-01"),
                                 parse_moment("2027-05-01"), people["manager"], "pop-up shop",
                                 now=NOW)
    assert booking.status == "confirmed" and booking.requester == people["requester"]
    cases = [
        ("2027-04-20", "2027-05-10", "booked"),     # overlaps the first
        ("2027-03-20", "2027-04-01", "too_soon"),   # before available_from
        ("2027-06-20", "2027-07-02", "too_far"),    # after available_until
        ("2027-05-01T10:00", "2027-05-02", "alignment"),
        ("2027-05-01", "2027-07-01", "ok"),         # up to and including 30 June
    ]
    for start, end, expected in cases:
        try:
            service.book_space(space, people["other"], parse_moment(start), parse_moment(end),
                               people["manager"], now=NOW)
            result = "ok"
        except Refused as error:
            result = error.reason
        assert result == expected, (start, end)


def test_decline_open_requests_of_a_person(scene):
    people, _, reservation, told = scene
    open_one = reservation("requested")
    kept = reservation("confirmed", "2027-03-04", "2027-03-05")
    with pytest.raises(Forbidden):
        service.decline_open_requests_of(people["requester"], people["manager"], "spam")
    assert service.decline_open_requests_of(people["requester"], people["admin"], "spam",
                                            now=NOW) == 1
    assert open_one.status == "declined" and open_one.decline_reason == "spam"
    assert kept.status == "confirmed"
