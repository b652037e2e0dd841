"""Anyone logged in can report a listing or a message; reports wait in the office's queue."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import Report


@pytest.fixture
def people(admin_person):
    return {
        "office": admin_person("office@example.org", name="Sabine Büro", admin=True),
        "owner": admin_person("owner@example.org", name="Olga Owner"),
        "reader": admin_person("reader@example.org", name="Rita Reader"),
        "other": admin_person("other@example.org"),
    }


@pytest.fixture
def ladder(people, admin_resource):
    return admin_resource("item", owner=people["owner"], title="Leiter mit Riss")


def reports_about(target_type: str, target_id: int) -> list[Report]:
    return list(db.session.scalars(db.select(Report).where(
        Report.target_type == target_type, Report.target_id == target_id)))


def test_report_a_listing(client, auth, people, ladder, deliver):
    auth.login("reader@example.org")
    page = client.get(f"/resources/{ladder.id}/report").get_data(as_text=True)
    assert "Leiter mit Riss" in page
    for reason in ("spam", "wrong_information", "inappropriate", "safety", "other"):
        assert f'value="{reason}"' in page
    response = client.post(f"/resources/{ladder.id}/report",
                           data={"reason": "safety", "text": "Die Sprosse ist gebrochen."})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/resources/{ladder.id}"
    (report,) = reports_about("resource", ladder.id)
    assert (report.reason, report.text, report.state) == (
        "safety", "Die Sprosse ist gebrochen.", "open")
    assert report.reporter_id == people["reader"].id
    assert report.target_label == "Leiter mit Riss"
    # The office hears of it; the owner is not told who reported.
    box = deliver()
    assert len(box.to("office@example.org")) == 1
    assert f"/admin/reports/{report.id}" in box.text(box.to("office@example.org")[0])
    assert box.to("owner@example.org") == []


@pytest.mark.parametrize(
    ("data", "field"),
    (
        ({"reason": "", "text": "Hm"}, "reason"),            # a reason must be chosen
        ({"reason": "bogus", "text": "Hm"}, "reason"),       # and one of ours
        ({"reason": "other", "text": "  "}, "text"),         # "other" needs words
        ({"reason": "spam", "text": "x" * 4001}, "text"),    # not a novel
    ),
)
def test_bad_reports_are_refused(client, auth, people, ladder, data, field):
    auth.login("reader@example.org")
    response = client.post(f"/resources/{ladder.id}/report", data=data)
    assert response.status_code == 422
    assert f'href="#{field}' in response.get_data(as_text=True)
    assert reports_about("resource", ladder.id) == []


def test_reporting_twice_adds_nothing(client, auth, people, ladder):
    auth.login("reader@example.org")
    client.post(f"/resources/{ladder.id}/report", data={"reason": "spam", "text": ""})
    response = client.post(f"/resources/{ladder.id}/report", data={"reason": "spam", "text": ""})
    assert response.status_code == 302
    assert len(reports_about("resource", ladder.id)) == 1


def test_what_one_cannot_see_cannot_be_reported(client, auth, people, ladder, admin_resource):
    ladder.hidden_at = db.func.now()
    db.session.commit()
    auth.login("reader@example.org")
    assert client.get(f"/resources/{ladder.id}/report").status_code == 404
    assert client.get("/resources/999999/report").status_code == 404
    assert client.get("/report/nonsense/1").status_code == 404


def test_report_a_message_with_a_reservation(client, auth, people, ladder, admin_reservation,
                                            admin_local):
    reservation = admin_reservation(ladder, people["reader"], admin_local(2030, 3, 4),
                                    admin_local(2030, 3, 5), status="requested",
                                    message="Kauf lieber bei meinem Shop: http://spam.example")
    url = f"/report/reservation_message/{reservation.id}"
    auth.login("other@example.org")                  # not part of the conversation
    assert client.get(url).status_code == 404
    auth.logout()
    auth.login("owner@example.org")                  # the lender read it
    assert "spam.example" in client.get(url).get_data(as_text=True)
    assert client.post(url, data={"reason": "spam", "text": ""}).status_code == 302
    (report,) = reports_about("reservation_message", reservation.id)
    assert report.reporter_id == people["owner"].id


def test_queue_and_outcome(client, auth, people, ladder, admin_report):
    report = admin_report(people["reader"], ladder, reason="wrong_information",
                          text="Die Leiter ist nur 2 m lang")
    dismissed = admin_report(people["other"], ladder, state="dismissed")
    auth.login("office@example.org")
    queue = client.get("/admin/reports").get_data(as_text=True)  # open ones by default
    assert "Leiter mit Riss" in queue
    assert f'href="/admin/reports/{report.id}"' in queue
    assert f'href="/admin/reports/{dismissed.id}"' not in queue
    detail = client.get(f"/admin/reports/{report.id}").get_data(as_text=True)
    assert "Die Leiter ist nur 2 m lang" in detail and "Rita Reader" in detail

    response = client.post(f"/admin/reports/{report.id}",
                           data={"decision": "resolved", "outcome": "Angaben korrigiert."})
    assert response.status_code == 302
    db.session.refresh(report)
    assert (report.state, report.outcome, report.handled_by_id) == (
        "resolved", "Angaben korrigiert.", people["office"].id)
    assert report.handled_at is not None
    resolved = client.get("/admin/reports", query_string={"state": "resolved"})
    assert "Leiter mit Riss" in resolved.get_data(as_text=True)

    client.post(f"/admin/reports/{report.id}/reopen")
    db.session.refresh(report)
    assert report.state == "open"


@pytest.mark.parametrize(
    "data",
    (
        {"decision": "resolved", "outcome": ""},      # what was done must be written down
        {"decision": "", "outcome": "Erledigt"},
        {"decision": "open", "outcome": "Erledigt"},
    ),
)
def test_closing_a_report_needs_decision_and_outcome(client, auth, people, ladder,
                                                     admin_report, data):
    report = admin_report(people["reader"], ladder)
    auth.login("office@example.org")
    assert client.post(f"/admin/reports/{report.id}", data=data).status_code == 422
    db.session.refresh(report)
    assert report.state == "open"


def test_report_detail_offers_hiding_the_listing(client, auth, people, ladder, admin_report):
    report = admin_report(people["reader"], ladder)
    auth.login("office@example.org")
    detail = client.get(f"/admin/reports/{report.id}").get_data(as_text=True)
    assert f'action="/admin/listings/{ladder.id}/hide"' in detail
    response = client.post(f"/admin/listings/{ladder.id}/hide",
                           data={"reason": "Gefährlich", "next": f"/admin/reports/{report.id}"})
    assert response.headers["Location"] == f"/admin/reports/{report.id}"


def test_report_survives_its_target(client, auth, people, ladder, admin_report):
    report = admin_report(people["reader"], ladder)
    db.session.delete(ladder)
    db.session.commit()
    auth.login("office@example.org")
    detail = client.get(f"/admin/reports/{report.id}")
    assert detail.status_code == 200
    assert "Leiter mit Riss" in detail.get_data(as_text=True)


def test_report_a_message_about_a_space(client, auth, people, admin_resource):
    from datetime import date

    from app.models import Inquiry, InquiryEvent

    space = admin_resource("space", owner=people["owner"], title="Ladenlokal")
    inquiry = Inquiry(space_id=space.id, applicant_id=people["reader"].id,
                      intended_use="popup_shop", concept="Pop-up-Laden",
                      wished_from=date(2030, 5, 1), wished_until=date(2030, 5, 31),
                      period_from=date(2030, 5, 1), period_until=date(2030, 5, 31))
    db.session.add(inquiry)
    db.session.flush()
    event = InquiryEvent(inquiry_id=inquiry.id, actor_id=people["owner"].id, role="owner",
                         action="message", body="Unverschämtes Angebot!", to_status="open")
    db.session.add(event)
    db.session.commit()
    url = f"/report/inquiry_message/{event.id}"
    auth.login("other@example.org")
    assert client.get(url).status_code == 404
    auth.logout()
    auth.login("reader@example.org")                 # the applicant read it
    assert "Unverschämtes Angebot!" in client.get(url).get_data(as_text=True)
    response = client.post(url, data={"reason": "inappropriate", "text": ""})
    assert response.headers["Location"] == f"/spaces/inquiries/{inquiry.id}"
    assert len(reports_about("inquiry_message", event.id)) == 1


def test_report_an_answer_to_a_wish(client, auth, people):
    from datetime import date

    from app.models import Wish, WishAnswer

    wish = Wish(author_id=people["reader"].id, title="Suche Leiter", description="",
                expires_on=date(2030, 1, 1))
    db.session.add(wish)
    db.session.flush()
    answer = WishAnswer(wish_id=wish.id, author_id=people["owner"].id,
                        message="Kauf dir doch eine, Link: http://spam.example")
    db.session.add(answer)
    db.session.commit()
    url = f"/report/wish_answer/{answer.id}"
    auth.login("other@example.org")
    assert client.get(url).status_code == 404
    auth.logout()
    auth.login("reader@example.org")                 # the person who wished
    assert client.post(url, data={"reason": "spam", "text": ""}).status_code == 302
    assert len(reports_about("wish_answer", answer.id)) == 1
