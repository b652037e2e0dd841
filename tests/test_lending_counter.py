"""Counter loans: walk-ins without an account, in the same calendar, anonymised later."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.booking import counter, service
from app.booking.periods import parse_moment
from app.booking.rules import Overbooked, Refused
from app.errors import DomainError, Forbidden
from app.extensions import db
from app.models import Reservation

NOW = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)  # Monday 11:00 local


def at(text: str) -> datetime:
    return parse_moment(text)


@pytest.fixture
def drill(app_ctx, offers):
    return offers["drill"]


def test_a_walk_in_loan_is_handed_over_and_blocks_online_requests(drill, lending_people):
    loan = counter.lend_to_guest(drill, lending_people.manager, at("2027-03-01"),
                                 at("2027-03-03"), guest_name="Gisela Gast",
                                 guest_contact="0176 123", hand_over_now=True, now=NOW)
    assert (loan.requester_id, loan.guest_name, loan.status) == (None, "Gisela Gast",
                                                                 "handed_over")
    assert [e.action for e in loan.events] == ["counter_loan", "hand_over"]
    with pytest.raises(Overbooked):
        service.reserve(drill, lending_people.requester, at("2027-03-02"), at("2027-03-03"),
                        now=NOW)


def test_a_counter_loan_obeys_overlap_and_opening_hours(drill, lending_people,
                                                       make_reservation):
    make_reservation(drill, at("2027-03-04"), at("2027-03-05"))
    with pytest.raises(Overbooked) as caught:
        counter.lend_to_guest(drill, lending_people.manager, at("2027-03-04"), at("2027-03-05"),
                              guest_name="Gast", now=NOW)
    assert caught.value.suggestions
    drill.follows_site_calendar = True
    db.session.commit()
    with pytest.raises(Refused) as caught:  # Good Friday
        counter.lend_to_guest(drill, lending_people.manager, at("2027-03-26"),
                              at("2027-03-27"), guest_name="Gast", now=NOW)
    assert caught.value.reason == "closed"


def test_a_future_counter_loan_stays_confirmed_with_a_code(drill, lending_people):
    loan = counter.lend_to_guest(drill, lending_people.manager, at("2027-03-05"),
                                 at("2027-03-06"), guest_name="Gast", hand_over_now=True,
                                 now=NOW)
    assert loan.status == "confirmed" and len(loan.handover_code) == 6


@pytest.mark.parametrize(("actor", "error"), (
    ("requester", Forbidden), ("other", Forbidden), ("admin", Forbidden),
    ("lender", Forbidden),  # lends other things, not this drill
))
def test_only_the_lender_records_counter_loans(drill, lending_people, actor, error):
    with pytest.raises(error):
        counter.lend_to_guest(drill, lending_people[actor], at("2027-03-02"), at("2027-03-03"),
                              guest_name="Gast", now=NOW)


def test_a_name_is_needed(drill, lending_people):
    with pytest.raises(DomainError) as caught:
        counter.lend_to_guest(drill, lending_people.manager, at("2027-03-02"),
                              at("2027-03-03"), guest_name="  ", now=NOW)
    assert "guest_name" in caught.value.errors


def test_guest_data_is_removed_days_after_the_return(drill, lending_people):
    loan = counter.lend_to_guest(drill, lending_people.manager, at("2027-03-01"),
                                 at("2027-03-03"), guest_name="Gisela Gast",
                                 guest_contact="gisela@example.org", note="Ausweis gesehen",
                                 hand_over_now=True, now=NOW)
    still_out = counter.lend_to_guest(drill, lending_people.manager, at("2027-03-05"),
                                      at("2027-03-06"), guest_name="Paul", now=NOW)
    still_out.status = "handed_over"
    returned_at = at("2027-03-03T12:00")
    service.record_return(loan, lending_people.manager, now=returned_at)
    db.session.commit()
    assert counter.anonymise_guests(returned_at + timedelta(days=29), days=30) == 0
    assert counter.anonymise_guests(returned_at + timedelta(days=30), days=30) == 1
    db.session.expire_all()
    loan = db.session.get(Reservation, loan.id)
    assert (loan.guest_name, loan.guest_contact, loan.message) == (None, None, "")
    assert all(event.note is None for event in loan.events)
    assert db.session.get(Reservation, still_out.id).guest_name == "Paul"
    assert counter.anonymise_guests(returned_at + timedelta(days=60), days=30) == 0


def test_the_retention_comes_from_the_configuration(app, drill, lending_people):
    loan = counter.lend_to_guest(drill, lending_people.manager, at("2027-03-05"),
                                 at("2027-03-06"), guest_name="Gast", now=NOW)
    service.cancel(loan, lending_people.manager, "Did not come", now=NOW)
    old = app.config.get("GUEST_DATA_RETENTION_DAYS")
    app.config["GUEST_DATA_RETENTION_DAYS"] = 2
    try:
        assert counter.anonymise_guests(at("2027-03-08T01:00")) == 1
    finally:
        if old is None:
            app.config.pop("GUEST_DATA_RETENTION_DAYS")
        else:
            app.config["GUEST_DATA_RETENTION_DAYS"] = old


def test_the_sweep_rules_run_in_their_own_transaction(drill, lending_people):
    from app.booking import waitlist

    loan = counter.lend_to_guest(drill, lending_people.manager, at("2027-03-05"),
                                 at("2027-03-06"), guest_name="Gast", now=NOW)
    service.cancel(loan, lending_people.manager, "Did not come", now=NOW)
    db.session.commit()
    assert counter.sweep(at("2027-06-01")) == 1
    assert waitlist.sweep(at("2027-06-01")) == 0
