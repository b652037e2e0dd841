"""Lending terms (accepted per version), minimum age and briefing before booking."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.booking import terms
from app.booking.rules import Refused
from app.errors import DomainError, Forbidden
from app.extensions import db
from app.models import TermsAcceptance


@pytest.fixture
def scene(app_ctx, offers, lending_people, lending_org):
    return offers["room"], offers["drill"], lending_people, lending_org


def test_a_person_and_an_organisation_set_terms_with_versions(scene):
    room, drill, people, org = scene
    assert terms.terms_for(room) is None
    assert terms.set_terms(people.lender, people.lender, "Bring it back clean.") == 1
    assert terms.set_terms(people.lender, people.lender, "Bring it back clean.") == 1  # same
    assert terms.set_terms(people.lender, people.lender, "Clean, please.") == 2
    assert terms.terms_for(room).text == "Clean, please."
    assert terms.set_terms(org, people.manager, "Members first.") == 1
    assert (org.lending_terms, org.terms_version) == ("Members first.", 1)
    assert terms.terms_for(drill).lender_name == org.name


@pytest.mark.parametrize(("owner", "actor", "allowed"), (
    ("lender", "lender", True),
    ("lender", "other", False),
    ("lender", "admin", False),
    ("org", "manager", True),
    ("org", "requester", False),
    ("org", "admin", False),
))
def test_who_may_set_terms(scene, owner, actor, allowed):
    room, drill, people, org = scene
    target = org if owner == "org" else people.lender
    if allowed:
        terms.set_terms(target, people[actor], "Terms")
    else:
        with pytest.raises(Forbidden):
            terms.set_terms(target, people[actor], "Terms")


def test_terms_are_accepted_once_per_version(scene):
    room, _, people, _ = scene
    terms.set_terms(people.lender, people.lender, "Version one")
    with pytest.raises(Refused) as caught:
        terms.check_requirements(room, people.requester)
    assert caught.value.reason == "terms"
    assert caught.value.extra["terms"] == {"lender": "Lena Lender", "version": 1,
                                           "text": "Version one"}
    terms.check_requirements(room, people.requester, accept_terms=True)
    terms.check_requirements(room, people.requester)  # accepted: not asked again
    acceptance = db.session.query(TermsAcceptance).one()
    assert (acceptance.user_id, acceptance.lender_user_id, acceptance.version,
            acceptance.text) == (people.requester.id, people.lender.id, 1, "Version one")
    terms.set_terms(people.lender, people.lender, "Version two")
    with pytest.raises(Refused):
        terms.check_requirements(room, people.requester)  # changed terms: asked again
    # the lender booking their own room is never asked
    terms.check_requirements(room, people.lender)


def test_minimum_age_must_be_confirmed(scene):
    room, _, people, _ = scene
    room.min_age = 18
    db.session.commit()
    with pytest.raises(Refused) as caught:
        terms.check_requirements(room, people.requester)
    assert caught.value.reason == "min_age" and "confirm_min_age" in caught.value.errors
    terms.check_requirements(room, people.requester, confirm_min_age=True)


def test_too_long_terms_are_refused(scene):
    _, _, people, _ = scene
    with pytest.raises(DomainError) as caught:
        terms.set_terms(people.lender, people.lender, "x" * 20_001)
    assert "terms" in caught.value.errors


def test_acceptance_time_is_recorded(scene):
    room, _, people, _ = scene
    terms.set_terms(people.lender, people.lender, "Terms")
    moment = datetime(2027, 1, 2, 3, 4, tzinfo=UTC)
    terms.check_requirements(room, people.requester, accept_terms=True, now=moment)
    assert db.session.query(TermsAcceptance).one().accepted_at == moment
