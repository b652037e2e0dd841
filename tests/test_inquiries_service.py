"""Inquiry rules: who may do what in which state, agreed periods book the space, reminders."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.errors import Conflict, DomainError, Forbidden, NotFound
from app.extensions import db
from app.models import Notification, Reservation
from app.spaces import service
from tests.factories_spaces import in_days


@pytest.fixture
def scene(app_ctx, make_person, make_space):
    owner = make_person("owner@example.org", name="Olga Owner")
    applicant = make_person("applicant@example.org", name="Anton Applicant")
    admin = make_person("office@example.org", name="Office", admin=True)
    other = make_person("other@example.org")
    space = make_space(owner=owner, available_until=in_days(200))
    return {"owner": owner, "applicant": applicant, "admin": admin, "other": other, "space": space}


def new_inquiry(scene, **overrides):
    values = {
        "intended_use": "workshop",
        "first_day": in_days(10),
        "last_day": in_days(20),
        "concept": "Eine offene Fahrradwerkstatt.",
    }
    values.update(overrides)
    inquiry = service.create_inquiry(scene["space"], scene["applicant"], **values)
    db.session.commit()
    return inquiry


# ------------------------------------------------------------- creating ----
@pytest.mark.parametrize(
    ("overrides", "field"),
    (
        ({"intended_use": "casino"}, "intended_use"),  # not a known use
        ({"concept": "   "}, "concept"),  # an idea is required
        ({"concept": "x" * 4001}, "concept"),  # too long
        ({"first_day": in_days(-1), "last_day": in_days(3)}, "start"),  # begins in the past
        ({"first_day": in_days(9), "last_day": in_days(8)}, "end"),  # ends before it begins
        ({"first_day": in_days(190), "last_day": in_days(210)}, "end"),  # past available_until
    ),
)
def test_an_inquiry_needs_a_use_an_idea_and_a_period_inside_availability(
    scene, overrides, field
):
    with pytest.raises(DomainError) as refused:
        new_inquiry(scene, **overrides)
    assert field in refused.value.errors
    assert refused.value.status == 422


def test_the_space_must_be_available_from_its_first_day(scene):
    scene["space"].available_from = in_days(30)
    with pytest.raises(DomainError) as refused:
        new_inquiry(scene)
    assert "start" in refused.value.errors


@pytest.mark.parametrize(
    ("who", "error"),
    (
        ("owner", Forbidden),  # one's own space
        ("unconfirmed", Forbidden),  # email not confirmed
    ),
)
def test_who_may_not_send_an_inquiry(scene, make_person, who, error):
    person = scene["owner"] if who == "owner" else make_person(confirmed=False)
    with pytest.raises(error):
        service.create_inquiry(
            scene["space"], person, intended_use="event", first_day=in_days(5),
            last_day=in_days(6), concept="Fest",
        )


@pytest.mark.parametrize(
    "change",
    (
        {"kind": "room"},  # not a space
        {"status": "paused"},  # not offered now
        {"hidden_at": "now"},  # hidden by the office
    ),
)
def test_only_offered_spaces_take_inquiries(scene, change):
    from app.db import utcnow

    for name, value in change.items():
        setattr(scene["space"], name, utcnow() if value == "now" else value)
    with pytest.raises(NotFound):
        new_inquiry(scene)


def test_organisation_must_be_ones_own(scene, make_org):
    foreign = make_org("Fremder Verein")
    with pytest.raises(DomainError) as refused:
        new_inquiry(scene, organisation=foreign)
    assert "organisation_id" in refused.value.errors
    mine = make_org("Eigener Verein", members=(scene["applicant"],))
    assert new_inquiry(scene, organisation=mine).organisation_id == mine.id


def test_a_second_open_inquiry_for_the_same_space_is_refused(scene):
    first = new_inquiry(scene)
    with pytest.raises(Conflict) as refused:
        new_inquiry(scene)
    assert refused.value.extra["inquiry_id"] == first.id


def test_a_new_inquiry_tells_the_owner_and_records_the_step(scene):
    inquiry = new_inquiry(scene)
    assert inquiry.status == "open"
    assert [e.action for e in inquiry.events] == ["created"]
    [note] = db.session.scalars(select(Notification)).all()
    assert note.recipient_id == scene["owner"].id
    assert note.link.endswith(f"/spaces/inquiries/{inquiry.id}")


def test_org_owned_space_asks_every_manager(scene, make_person, make_org, make_space):
    second = make_person()
    org = make_org("Hausverwaltung", kind="property_owner", managers=(scene["owner"], second))
    space = make_space(org=org)
    service.create_inquiry(
        space, scene["applicant"], intended_use="office", first_day=in_days(3),
        last_day=in_days(4), concept="Büro",
    )
    recipients = set(db.session.scalars(select(Notification.recipient_id)))
    assert recipients == {scene["owner"].id, second.id}


# ---------------------------------------------------------- transitions ----
def run_step(scene, inquiry, who, action):
    actor = scene[who]
    period = (in_days(12), in_days(22))
    if action == "message":
        return service.post_message(inquiry, actor, "Hallo")
    if action == "propose":
        return service.propose_period(inquiry, actor, *period)
    if action == "accept":
        return service.accept(inquiry, actor)
    if action == "decline":
        return service.decline(inquiry, actor, "Schon vergeben")
    if action == "withdraw":
        return service.withdraw(inquiry, actor)
    if action == "mediate":
        return service.join_as_mediator(inquiry, actor)
    raise AssertionError(action)


@pytest.mark.parametrize(
    ("status", "who", "action", "result"),
    (
        # the owner answers an open inquiry
        ("open", "owner", "accept", "accepted"),
        ("open", "owner", "propose", "proposed"),
        ("open", "owner", "decline", "declined"),
        ("open", "owner", "withdraw", Forbidden),  # only the applicant withdraws
        ("open", "owner", "message", "open"),
        # the applicant waits, may change the wish, writes or withdraws
        ("open", "applicant", "accept", Forbidden),  # nothing proposed yet
        ("open", "applicant", "propose", "open"),
        ("open", "applicant", "decline", Forbidden),
        ("open", "applicant", "withdraw", "withdrawn"),
        ("open", "applicant", "message", "open"),
        # a proposal waits for the applicant
        ("proposed", "applicant", "accept", "accepted"),
        ("proposed", "applicant", "propose", "open"),  # a counter-proposal
        ("proposed", "applicant", "withdraw", "withdrawn"),
        ("proposed", "owner", "accept", "accepted"),
        ("proposed", "owner", "propose", "proposed"),
        ("proposed", "owner", "decline", "declined"),
        # the project office mediates but decides nothing
        ("open", "admin", "message", "open"),
        ("open", "admin", "mediate", "open"),
        ("open", "admin", "accept", Forbidden),
        ("open", "admin", "decline", Forbidden),
        ("open", "admin", "withdraw", Forbidden),
        ("open", "admin", "propose", Forbidden),
        # someone else takes no part at all
        ("open", "other", "message", Forbidden),
        ("open", "other", "accept", Forbidden),
        ("open", "other", "mediate", Forbidden),
        # closed inquiries change no more
        ("accepted", "owner", "decline", Conflict),
        ("declined", "owner", "accept", Conflict),
        ("withdrawn", "applicant", "withdraw", Conflict),
        ("declined", "applicant", "propose", Conflict),
        ("declined", "applicant", "message", "declined"),  # talking stays possible
    ),
)
def test_who_may_do_what_in_which_state(scene, make_inquiry, status, who, action, result):
    inquiry = make_inquiry(scene["space"], applicant=scene["applicant"], status=status)
    events_before = len(inquiry.events)
    if isinstance(result, type):
        with pytest.raises(result):
            run_step(scene, inquiry, who, action)
        db.session.rollback()
        return
    run_step(scene, inquiry, who, action)
    db.session.commit()
    assert inquiry.status == result
    assert len(inquiry.events) == events_before + 1
    assert inquiry.events[-1].actor_id == scene[who].id


def test_accepting_books_the_space_as_a_confirmed_interim_use(scene):
    inquiry = new_inquiry(scene)
    reservation = service.accept(inquiry, scene["owner"], in_days(11), in_days(15), "Gern!")
    db.session.commit()
    assert reservation.status == "confirmed"
    assert reservation.requester_id == scene["applicant"].id
    assert inquiry.reservation_id == reservation.id
    assert (inquiry.period_from, inquiry.period_until) == (in_days(11), in_days(15))
    assert service.interim_use_until(scene["space"], in_days(12)) == in_days(15)
    assert service.interim_use_until(scene["space"], in_days(16)) is None


def test_an_accepted_period_never_overlaps_another_interim_use(scene, make_interim_use):
    make_interim_use(scene["space"], in_days(18), in_days(25))
    inquiry = new_inquiry(scene)  # wishes days 10..20
    with pytest.raises(DomainError) as refused:
        service.accept(inquiry, scene["owner"])
    assert refused.value.status == 409  # the booking area's Overbooked
    db.session.rollback()
    assert inquiry.status == "open"
    assert db.session.scalar(select(func.count(Reservation.id))) == 1
    # a period next to it is fine
    service.accept(inquiry, scene["owner"], in_days(10), in_days(17))
    assert inquiry.status == "accepted"


def test_the_applicant_accepts_only_the_proposed_period(scene):
    inquiry = new_inquiry(scene)
    service.propose_period(inquiry, scene["owner"], in_days(30), in_days(40), "Später?")
    with pytest.raises(DomainError):
        service.accept(inquiry, scene["applicant"], in_days(10), in_days(20))
    service.accept(inquiry, scene["applicant"])
    assert (inquiry.period_from, inquiry.period_until) == (in_days(30), in_days(40))
    assert inquiry.reservation.start < inquiry.reservation.end


def test_declining_needs_a_reason(scene):
    inquiry = new_inquiry(scene)
    with pytest.raises(DomainError) as refused:
        service.decline(inquiry, scene["owner"], "  ")
    assert "reason" in refused.value.errors


def test_messages_go_to_everyone_else_in_the_thread(scene):
    inquiry = new_inquiry(scene)
    db.session.execute(Notification.__table__.delete())
    service.post_message(inquiry, scene["admin"], "Ich vermittle gern.")
    assert inquiry.mediator_id == scene["admin"].id  # writing joins the thread
    service.post_message(inquiry, scene["owner"], "Danke!")
    recipients = sorted(db.session.scalars(select(Notification.recipient_id)))
    expected = sorted(
        [scene["applicant"].id, scene["owner"].id, scene["applicant"].id, scene["admin"].id]
    )
    assert recipients == expected


# ------------------------------------------------------------ reminders ----
def count_notes() -> int:
    return db.session.scalar(select(func.count(Notification.id)))


@pytest.mark.parametrize(
    ("days_waiting", "status", "reminded"),
    (
        (4, "open", False),  # not yet five days
        (5, "open", True),  # five days without an answer
        (9, "open", True),
        (9, "proposed", False),  # the owner answered with a proposal
        (9, "declined", False),
    ),
)
def test_unanswered_inquiries_remind_owner_and_office(
    scene, make_inquiry, days_waiting, status, reminded
):
    from app.db import utcnow

    now = utcnow()
    make_inquiry(
        scene["space"], applicant=scene["applicant"], status=status,
        awaiting_since=now - timedelta(days=days_waiting),
    )
    written = service.remind_unanswered(now)
    # owner and the one admin of this test
    assert written == (2 if reminded else 0)
    if reminded:
        recipients = set(db.session.scalars(select(Notification.recipient_id)))
        assert recipients == {scene["owner"].id, scene["admin"].id}


def test_reminders_are_written_once_however_often_the_sweep_runs(scene, make_inquiry):
    from app.db import utcnow

    now = utcnow()
    make_inquiry(scene["space"], applicant=scene["applicant"], awaiting_since=now - timedelta(6))
    assert service.remind_unanswered(now) == 2
    assert service.remind_unanswered(now + timedelta(hours=1)) == 0
    assert service.remind_unanswered(now + timedelta(days=3)) == 0
    assert count_notes() == 2


def test_an_owners_message_counts_as_an_answer(scene, make_inquiry):
    from app.db import utcnow

    now = utcnow()
    inquiry = make_inquiry(
        scene["space"], applicant=scene["applicant"], awaiting_since=now - timedelta(6)
    )
    service.post_message(inquiry, scene["owner"], "Ich melde mich nächste Woche.")
    db.session.execute(Notification.__table__.delete())
    assert service.remind_unanswered(now) == 0


def test_a_counter_proposal_starts_the_owners_clock_again(scene, make_inquiry):
    from app.db import utcnow

    now = utcnow()
    inquiry = make_inquiry(scene["space"], applicant=scene["applicant"], status="proposed")
    service.propose_period(inquiry, scene["applicant"], in_days(40), in_days(45), now=now)
    assert inquiry.awaiting_owner_since == now
    db.session.execute(Notification.__table__.delete())
    assert service.remind_unanswered(now + timedelta(days=4)) == 0
    assert service.remind_unanswered(now + timedelta(days=5)) == 2


def test_without_admins_the_office_address_is_told(app_ctx, make_person, make_space, make_inquiry):
    from app.db import utcnow

    owner = make_person()
    space = make_space(owner=owner)
    now = utcnow()
    make_inquiry(space, awaiting_since=now - timedelta(days=7))
    assert service.remind_unanswered(now) == 2
    addresses = set(db.session.scalars(select(Notification.to_address)))
    assert addresses == {owner.email, app_ctx.config["CONTACT_EMAIL"]}


# ------------------------------------------------------ free and in use ----
D = in_days


@pytest.mark.parametrize(
    ("available", "busy", "expected"),
    (
        # nothing booked: free from today until the end of availability
        ((None, D(100)), [], [(D(0), D(100))]),
        # open-ended availability
        ((None, None), [], [(D(0), None)]),
        # availability starts later
        ((D(10), D(20)), [], [(D(10), D(20))]),
        # availability has ended
        ((D(-30), D(-1)), [], []),
        # a use in the middle splits the free time
        ((None, D(30)), [(D(5), D(9))], [(D(0), D(4)), (D(10), D(30))]),
        # a use going on today
        ((None, D(30)), [(D(-3), D(2))], [(D(3), D(30))]),
        # back-to-back uses leave no gap
        ((None, D(30)), [(D(1), D(4)), (D(5), D(30))], [(D(0), D(0))]),
        # a use beyond availability changes nothing
        ((None, D(10)), [(D(20), D(25))], [(D(0), D(10))]),
    ),
)
def test_free_periods_are_availability_minus_uses(app_ctx, make_space, available, busy, expected):
    space = make_space(available_from=available[0], available_until=available[1])
    rows = [(first, last, "confirmed") for first, last in busy]
    assert service.free_periods(space, rows, D(0)) == expected


@pytest.mark.parametrize(
    ("busy", "expected"),
    (
        ([], None),
        ([(D(-3), D(4), "confirmed")], D(4)),
        ([(D(1), D(4), "confirmed")], None),  # starts tomorrow: not in use today
        ([(D(-3), D(4), "confirmed"), (D(5), D(9), "confirmed")], D(9)),  # joined
        ([(D(-3), D(4), "confirmed"), (D(7), D(9), "confirmed")], D(4)),  # a gap
        ([(D(-3), D(4), "requested")], None),  # not agreed
    ),
)
def test_in_interim_use_until(busy, expected):
    assert service.interim_until(busy, D(0)) == expected


def test_interim_use_until_reads_the_reservations(app_ctx, make_space, make_interim_use):
    space = make_space()
    make_interim_use(space, D(-10), D(3))
    make_interim_use(space, D(4), D(8))
    make_interim_use(space, D(12), D(20), status="cancelled")
    assert service.interim_use_until(space, D(0)) == D(8)
    assert service.interim_use_until(space, D(12)) is None
