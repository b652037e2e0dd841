"""Defects and repairs: report, take out of service, cancel the affected, offer alternatives."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from PIL import Image

from app.booking import defects, service
from app.booking.periods import parse_moment
from app.booking.rules import Refused
from app.errors import Forbidden
from app.extensions import db
from app.models import Closure, Notification

NOW = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)


def at(text: str) -> datetime:
    return parse_moment(text)


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def scene(app_ctx, offers, lending_people, lending_org, make_bookable, make_reservation,
          make_category, quick_user):
    drill = offers["drill"]
    tools = make_category("tools")
    spare = make_bookable("item", org=lending_org, title="Spare drill", category=tools,
                          max_advance_days=400, follows_site_calendar=False)
    busy = make_bookable("item", owner=quick_user(), title="Busy drill", category=tools,
                         max_advance_days=400, follows_site_calendar=False)
    make_reservation(busy, at("2027-03-08"), at("2027-03-12"))
    borrowed = make_reservation(drill, at("2027-03-01"), at("2027-03-02"),
                                requester=lending_people.requester, status="returned")
    return drill, spare, busy, borrowed


@pytest.mark.parametrize(("who", "allowed"), (
    ("requester", True),   # borrowed it
    ("manager", True),     # lends it
    ("admin", True),
    ("other", False),      # never borrowed it
    ("lender", False),     # lends other things
))
def test_who_may_report_a_defect(scene, lending_people, who, allowed):
    drill = scene[0]
    if allowed:
        report = defects.report(drill, lending_people[who], "Chuck is loose", now=NOW)
        assert report.status == "open"
    else:
        with pytest.raises(Forbidden):
            defects.report(drill, lending_people[who], "Chuck is loose", now=NOW)


def test_a_report_with_a_photo_tells_the_lenders(scene, lending_people):
    drill, _, _, borrowed = scene
    report = defects.report(drill, lending_people.requester, "Cable damaged", photo=jpeg(),
                            reservation=borrowed, now=NOW)
    db.session.commit()
    assert report.photo_stem and report.photo_ext == "jpg"
    assert report.reservation_id == borrowed.id
    mail = db.session.query(Notification).filter_by(recipient_id=lending_people.manager.id,
                                                    kind="reservation_events").one()
    assert "Cable damaged" in mail.body_text and f"/resources/{drill.id}/defects" in mail.link
    defects.discard_photo(report)


@pytest.mark.parametrize(("description", "photo", "field"), (
    ("", None, "description"),
    ("x" * 4001, None, "description"),
    ("Broken", b"not an image", "photo"),
))
def test_bad_reports_say_what_is_wrong(scene, lending_people, description, photo, field):
    from app.errors import DomainError

    with pytest.raises(DomainError) as caught:
        defects.report(scene[0], lending_people.manager, description, photo=photo, now=NOW)
    assert field in caught.value.errors


def test_resolving_a_defect(scene, lending_people):
    report = defects.report(scene[0], lending_people.requester, "Loose", now=NOW)
    with pytest.raises(Forbidden):
        defects.resolve(report, lending_people.requester)
    defects.resolve(report, lending_people.manager, now=NOW)
    assert (report.status, report.resolved_by_id) == ("resolved", lending_people.manager.id)


def test_repair_closes_the_resource_and_lists_the_affected(scene, lending_people,
                                                         make_reservation, quick_user):
    drill, spare, busy, _ = scene
    inside = make_reservation(drill, at("2027-03-09"), at("2027-03-11"),
                              requester=lending_people.requester)
    guest = make_reservation(drill, at("2027-03-11"), at("2027-03-12"), requester=None,
                             guest_name="Gast")
    guest.requester = None  # a counter loan
    db.session.commit()
    make_reservation(drill, at("2027-03-15"), at("2027-03-16"))  # after the repair
    make_reservation(drill, at("2027-03-08"), at("2027-03-09"), status="cancelled")
    closure = defects.take_out_of_service(drill, lending_people.manager, date(2027, 3, 9),
                                          date(2027, 3, 12))
    assert closure.is_repair and closure.reason in ("repair", "Reparatur")
    assert [r.id for r in defects.affected(closure, now=NOW)] == [inside.id, guest.id]
    with pytest.raises(Refused) as caught:
        service.reserve(drill, quick_user(), at("2027-03-10"), at("2027-03-11"), now=NOW)
    assert caught.value.reason == "closed"


def test_cancelling_the_affected_offers_similar_free_things(scene, lending_people,
                                                           make_reservation):
    drill, spare, busy, _ = scene
    inside = make_reservation(drill, at("2027-03-09"), at("2027-03-11"),
                              requester=lending_people.requester)
    closure = defects.take_out_of_service(drill, lending_people.manager, date(2027, 3, 9),
                                          date(2027, 3, 12))
    with pytest.raises(Forbidden):
        defects.cancel_affected(closure, lending_people.requester, now=NOW)
    cancelled = defects.cancel_affected(closure, lending_people.manager,
                                        reason="New motor", now=NOW)
    db.session.commit()
    assert [r.id for r in cancelled] == [inside.id]
    assert (inside.status, inside.cancel_reason) == ("cancelled", "New motor")
    offer = db.session.query(Notification).filter(
        Notification.recipient_id == lending_people.requester.id,
        Notification.subject.like("%Drill%"), Notification.body_text.like("%Spare drill%")
    ).one()
    assert "Busy drill" not in offer.body_text  # taken then
    assert f"/resources/{spare.id}" in offer.body_text


def test_similar_free_respects_visibility_and_category(scene, lending_people, make_bookable,
                                                       lending_org, make_category):
    drill, spare, busy, _ = scene
    make_bookable("item", org=lending_org, title="Members drill", visibility="members",
                  category=make_category("tools"), follows_site_calendar=False)
    make_bookable("item", org=lending_org, title="Lawn mower",
                  category=make_category("garden"), follows_site_calendar=False)
    titles = [r.title for r in defects.similar_free(drill, at("2027-03-09"), at("2027-03-11"),
                                                    lending_people.requester, now=NOW)]
    assert titles == ["Spare drill"]
    assert "Members drill" in [
        r.title for r in defects.similar_free(drill, at("2027-03-09"), at("2027-03-11"),
                                              lending_people.manager, now=NOW)]


def test_repair_closures_are_listed(scene, lending_people):
    drill = scene[0]
    defects.take_out_of_service(drill, lending_people.manager, date(2027, 3, 9),
                                date(2027, 3, 10), reason="Motor")
    db.session.add(Closure(resource_id=drill.id, start_date=date(2027, 3, 20),
                           end_date=date(2027, 3, 20), reason="Holiday"))
    assert [c.reason for c in defects.repairs_of(drill)] == ["Motor"]
