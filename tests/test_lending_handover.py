"""Handover codes: shown to both sides, entered by the lender at handover and return."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.booking import handover, service
from app.booking.periods import parse_moment
from app.errors import Conflict, DomainError, Forbidden
from app.extensions import db

NOW = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)


def at(text: str) -> datetime:
    return parse_moment(text)


@pytest.fixture
def loan(app_ctx, offers, lending_people, make_reservation):
    return make_reservation(offers["drill"], at("2027-03-01"), at("2027-03-03"),
                            requester=lending_people.requester, handover_code="K7M3QX")


@pytest.mark.parametrize(("typed", "ok"), (
    ("K7M3QX", True),
    ("k7m3qx", True),       # lower case
    (" K7M-3QX ", True),    # spaces and a dash
    ("K7M3QY", False),      # one character off
    ("", False),
))
def test_the_lender_hands_over_with_the_code(loan, lending_people, typed, ok):
    if ok:
        handover.hand_over_with_code(loan, lending_people.manager, typed, now=NOW)
        assert loan.status == "handed_over"
    else:
        with pytest.raises(DomainError) as caught:
            handover.hand_over_with_code(loan, lending_people.manager, typed, now=NOW)
        assert "code" in caught.value.errors and loan.status == "confirmed"


@pytest.mark.parametrize("actor", ("requester", "other", "admin"))
def test_only_the_lender_confirms_even_with_the_right_code(loan, lending_people, actor):
    with pytest.raises((Forbidden, Conflict)):
        handover.hand_over_with_code(loan, lending_people[actor], "K7M3QX", now=NOW)
    assert loan.status == "confirmed"


def test_return_with_the_code(loan, lending_people):
    handover.hand_over_with_code(loan, lending_people.manager, "K7M3QX", now=NOW)
    with pytest.raises(DomainError):
        handover.return_with_code(loan, lending_people.manager, "AAAAAA", now=NOW)
    handover.return_with_code(loan, lending_people.manager, "k7m3qx", condition="fine",
                              now=NOW)
    assert (loan.status, loan.return_condition) == ("returned", "fine")


def test_briefing_is_confirmed_at_handover(loan, lending_people):
    loan.resource.briefing_required = True
    db.session.commit()
    with pytest.raises(DomainError) as caught:
        handover.hand_over_with_code(loan, lending_people.manager, "K7M3QX", now=NOW)
    assert "briefing_given" in caught.value.errors
    handover.hand_over_with_code(loan, lending_people.manager, "K7M3QX", briefing_given=True,
                                 note="Battery full", now=NOW)
    assert loan.events[-1].note.startswith(("Briefing given.", "Einweisung"))
    assert "Battery full" in loan.events[-1].note


def test_find_by_code_only_among_what_i_lend(loan, lending_people):
    assert handover.find_by_code(lending_people.manager, "k7m 3qx").id == loan.id
    assert handover.find_by_code(lending_people.lender, "K7M3QX") is None
    assert handover.find_by_code(lending_people.requester, "K7M3QX") is None
    assert handover.find_by_code(lending_people.manager, "K7M3Q") is None


def test_confirmed_reservations_get_a_code_without_look_alikes(app_ctx, offers,
                                                              lending_people):
    reservation = service.reserve(offers["drill"], lending_people.requester, at("2027-03-02"),
                                  at("2027-03-03"), now=NOW)
    code = reservation.handover_code
    assert len(code) == 6 and not set(code) & set("IO01")
