"""The lending pages, filled in like a person would: series, waiting list, settings,
defects and repairs, counter loans, handover codes, messages."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from PIL import Image

from app.booking.availability import day_period
from app.extensions import db
from app.models import (
    Closure,
    DefectReport,
    Notification,
    Reservation,
    ReservationMessage,
    TermsAcceptance,
    WaitlistEntry,
)


def next_weekday(weekday: int, after: int = 7) -> date:
    day = date.today() + timedelta(days=after)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def html(response) -> str:
    return response.get_data(as_text=True)


# ------------------------------------------------------------------ series ----
def series_form(day: date, **extra) -> dict:
    return {"day": day.isoformat(), "start_time": "18:00", "end_time": "20:00",
            "every_weeks": "1", "count": "3", **extra}


def test_series_shows_free_dates_then_books_them(client, as_person, offers, make_reservation,
                                                  lending_people):
    room = offers["room"]
    tuesday = next_weekday(1)
    make_reservation(room, *day_period(tuesday + timedelta(days=7)))
    as_person("requester")
    preview = client.post(f"/resources/{room.id}/series", data={**series_form(tuesday),
                                                                "check": "y"})
    page = html(preview)
    assert preview.status_code == 200
    assert page.count("status-free") == 2 and page.count("status-booked") == 1
    assert db.session.query(Reservation).filter_by(
        requester_id=lending_people.requester.id).count() == 0
    booked = client.post(f"/resources/{room.id}/series", data={**series_form(tuesday),
                                                               "book": "y"})
    assert booked.status_code == 302 and "/reservations/series/" in booked.headers["Location"]
    items = db.session.query(Reservation).filter_by(
        requester_id=lending_people.requester.id).order_by(Reservation.start).all()
    assert len(items) == 2 and items[0].series_id == items[1].series_id
    overview = client.get(booked.headers["Location"])
    assert overview.status_code == 200
    assert html(overview).count("/dates/") == 2  # a cancel button per date


def test_series_asks_for_terms_and_age_first(client, as_person, offers, set_policy,
                                            lending_people):
    room = offers["room"]
    room.min_age = 18
    set_policy(lending_people.lender, terms="No food in the room.")
    db.session.commit()
    as_person("requester")
    form = client.get(f"/resources/{room.id}/series")
    assert "No food in the room." in html(form) and 'name="accept_terms"' in html(form)
    refused = client.post(f"/resources/{room.id}/series",
                          data={**series_form(next_weekday(2)), "book": "y"})
    assert refused.status_code == 422
    assert db.session.query(Reservation).count() == 0
    accepted = client.post(f"/resources/{room.id}/series",
                           data={**series_form(next_weekday(2)), "book": "y",
                                 "accept_terms": "y", "confirm_min_age": "y"})
    assert accepted.status_code == 302
    assert db.session.query(TermsAcceptance).filter_by(
        user_id=lending_people.requester.id, version=1).count() == 1


@pytest.mark.parametrize(("extra", "field"), (
    ({"count": "", "until": ""}, "count"),          # neither an end nor a number
    ({"every_weeks": "0"}, "every_weeks"),
    ({"end_time": "17:00"}, None),                  # ends before it starts
))
def test_series_input_errors_are_shown(client, as_person, offers, extra, field):
    as_person("requester")
    response = client.post(f"/resources/{offers['room'].id}/series",
                           data={**series_form(next_weekday(3)), **extra, "check": "y"})
    assert response.status_code == 422
    if field:
        assert f'id="{field}-error"' in html(response)


def test_an_item_series_by_whole_days(client, as_person, offers, lending_people):
    saturday = next_weekday(5)
    as_person("requester")
    response = client.post(f"/resources/{offers['drill'].id}/series", data={
        "pickup": saturday.isoformat(), "return_day": (saturday + timedelta(days=1)).isoformat(),
        "every_weeks": "2", "until": (saturday + timedelta(days=28)).isoformat(), "book": "y"})
    assert response.status_code == 302
    starts = [r.start for r in db.session.query(Reservation).order_by(Reservation.start)]
    assert starts == [day_period(saturday + timedelta(days=n))[0] for n in (0, 14, 28)]


def test_cancelling_one_date_of_a_series(client, as_person, offers, lending_people):
    as_person("requester")
    booked = client.post(f"/resources/{offers['room'].id}/series",
                         data={**series_form(next_weekday(1)), "book": "y"})
    first = db.session.query(Reservation).order_by(Reservation.start).first()
    url = booked.headers["Location"]
    response = client.post(f"{url}/dates/{first.id}/cancel", data={})
    assert response.status_code == 302
    assert [r.status for r in db.session.query(Reservation).order_by(Reservation.start)] == [
        "cancelled", "confirmed", "confirmed"]


# ---------------------------------------------------------------- waitlist ----
def test_joining_the_waiting_list_from_a_taken_period(client, as_person, offers,
                                                      make_reservation, lending_people):
    room = offers["room"]
    taken = make_reservation(room, *day_period(next_weekday(4)))
    as_person("requester")
    response = client.post(f"/resources/{room.id}/waitlist", data={
        "waitlist-start": taken.start.isoformat(),
        "waitlist-end": (taken.start + timedelta(hours=3)).isoformat()})
    assert response.status_code == 302 and response.headers["Location"].endswith("/waitlist")
    page = client.get("/waitlist")
    assert "Meeting room" in html(page)
    entry = db.session.query(WaitlistEntry).one()
    assert entry.user_id == lending_people.requester.id


def test_a_free_period_sends_you_to_the_reservation_form(client, as_person, offers):
    as_person("requester")
    day = next_weekday(4)
    response = client.post(f"/resources/{offers['room'].id}/waitlist", data={
        "waitlist-start": f"{day}T10:00", "waitlist-end": f"{day}T11:00"})
    assert response.status_code == 302 and "/reserve?start=" in response.headers["Location"]
    assert db.session.query(WaitlistEntry).count() == 0


# --------------------------------------------------------- terms and quotas ----
def test_lender_saves_terms_and_limits(client, as_person, lending_people):
    as_person("lender")
    response = client.post("/lending/settings", data={"terms": "Bitte sauber zurückgeben.",
                                                      "per_week": "2", "per_month": ""})
    assert response.status_code == 302
    client.post("/lending/settings", data={"terms": "Neu.", "per_week": "2"})
    page = client.get("/lending/settings")
    assert "Neu." in html(page) and 'value="2"' in html(page)
    from app.models import LenderPolicy

    policy = db.session.query(LenderPolicy).filter_by(owner_user_id=lending_people.lender.id
                                                      ).one()
    assert (policy.terms_version, policy.max_days_per_week) == (2, 2)
    bad = client.post("/lending/settings", data={"terms": "", "per_week": "9"})
    assert bad.status_code == 422


# ----------------------------------------------------------------- defects ----
def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (30, 20), (10, 10, 200)).save(out, "JPEG")
    return out.getvalue()


def test_report_a_defect_with_a_photo_and_repair(client, as_person, offers, lending_people,
                                                 make_reservation, app):
    drill = offers["drill"]
    first = next_weekday(2)
    loan = make_reservation(drill, *day_period(first), requester=lending_people.requester,
                            status="returned")
    later = make_reservation(drill, *day_period(first + timedelta(days=5)),
                             requester=lending_people.requester)
    as_person("requester")
    response = client.post(
        f"/resources/{drill.id}/defects/new?reservation={loan.id}",
        data={"description": "Chuck wobbles", "photo": (io.BytesIO(jpeg()), "chuck.jpg")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    report = db.session.query(DefectReport).one()
    assert report.photo_stem and report.reservation_id == loan.id
    photo = client.get(f"/defects/{report.id}/photo")
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    as_person("manager")
    assert "Chuck wobbles" in html(client.get(f"/resources/{drill.id}/defects"))
    repair = client.post(f"/resources/{drill.id}/repairs", data={
        "repair-start_date": (first + timedelta(days=4)).isoformat(),
        "repair-end_date": (first + timedelta(days=6)).isoformat(),
        "repair-defect_id": str(report.id)})
    assert repair.status_code == 302
    closure = db.session.query(Closure).filter_by(is_repair=True).one()
    assert db.session.get(DefectReport, report.id).closure_id == closure.id
    page = client.get(repair.headers["Location"])
    assert "Rita Requester" in html(page)
    done = client.post(f"{repair.headers['Location']}/cancel", data={"affected-reason": "Motor"})
    assert done.status_code == 302
    assert db.session.get(Reservation, later.id).status == "cancelled"
    assert db.session.query(Notification).filter(
        Notification.recipient_id == lending_people.requester.id,
        Notification.dedup_key.is_(None), Notification.body_text.like("%Motor%")).count() >= 1
    with app.test_request_context():
        from app.booking.defects import discard_photo

        discard_photo(report)


def test_a_bad_photo_is_refused_with_a_message(client, as_person, offers):
    as_person("manager")
    response = client.post(
        f"/resources/{offers['drill'].id}/defects/new",
        data={"description": "Broken", "photo": (io.BytesIO(b"GIF89a..."), "x.gif")},
        content_type="multipart/form-data")
    assert response.status_code == 422 and 'id="photo-error"' in html(response)
    assert db.session.query(DefectReport).count() == 0


def test_a_repair_with_bad_dates_is_shown_again(client, as_person, offers):
    as_person("manager")
    day = next_weekday(1)
    response = client.post(f"/resources/{offers['drill'].id}/repairs", data={
        "repair-start_date": day.isoformat(),
        "repair-end_date": (day - timedelta(days=1)).isoformat()})
    assert response.status_code == 422
    assert db.session.query(Closure).count() == 0


# ----------------------------------------------------------------- counter ----
def test_counter_loan_for_a_walk_in(client, as_person, offers):
    drill = offers["drill"]
    as_person("manager")
    form = client.get(f"/resources/{drill.id}/counter")
    assert form.status_code == 200 and 'name="guest_name"' in html(form)
    today = date.today()
    response = client.post(f"/resources/{drill.id}/counter", data={
        "guest_name": "Gisela Gast", "guest_contact": "0176 1234",
        "pickup": today.isoformat(), "return_day": (today + timedelta(days=1)).isoformat(),
        "hand_over_now": "y"})
    assert response.status_code == 302
    loan = db.session.query(Reservation).one()
    assert (loan.requester_id, loan.guest_name, loan.status) == (None, "Gisela Gast",
                                                                 "handed_over")
    detail = client.get(response.headers["Location"])
    assert "Gisela Gast" in html(detail)
    again = client.post(f"/resources/{drill.id}/counter", data={
        "guest_name": "Paul", "pickup": today.isoformat(),
        "return_day": today.isoformat()})
    assert again.status_code == 409


# ------------------------------------------------------------------- codes ----
def test_code_lookup_leads_to_the_reservation(client, as_person, offers, make_reservation,
                                              lending_people):
    loan = make_reservation(offers["drill"], *day_period(date.today() + timedelta(days=1)),
                            requester=lending_people.requester, handover_code="K7M3QX")
    as_person("manager")
    found = client.post("/lending/code", data={"code": "k7m3qx"})
    assert found.status_code == 302
    assert f"/reservations/{loan.id}" in found.headers["Location"]
    missing = client.post("/lending/code", data={"code": "AAAAAA"})
    assert missing.status_code == 422
    wrong = client.post(f"/reservations/{loan.id}/code/handover",
                        data={"code-code": "AAAAAA"})
    assert wrong.status_code == 302
    assert db.session.get(Reservation, loan.id).status == "confirmed"
    right = client.post(f"/reservations/{loan.id}/code/handover", data={"code-code": "K7M3QX"})
    assert right.status_code == 302
    assert db.session.get(Reservation, loan.id).status == "handed_over"
    back = client.post(f"/reservations/{loan.id}/code/return",
                       data={"code-code": "K7M3QX", "code-condition": "fine"})
    assert back.status_code == 302
    assert db.session.get(Reservation, loan.id).status == "returned"


# ---------------------------------------------------------------- messages ----
def test_messages_are_posted_and_mailed(client, as_person, offers, make_reservation,
                                        lending_people, deliver):
    loan = make_reservation(offers["drill"], *day_period(date.today() + timedelta(days=1)),
                            requester=lending_people.requester)
    as_person("requester")
    response = client.post(f"/reservations/{loan.id}/messages",
                           data={"message-body": "Kann ich um 9 Uhr kommen?"})
    assert response.status_code == 302
    assert db.session.query(ReservationMessage).one().author_role == "requester"
    box = deliver()
    mails = box.to(lending_people.manager.email)
    assert len(mails) == 1
    text = box.text(mails[0])
    assert "Kann ich um 9 Uhr kommen?" in text
    assert lending_people.requester.email not in text
    assert mails[0]["Reply-To"] is None and "noreply@" in mails[0]["From"]
    empty = client.post(f"/reservations/{loan.id}/messages", data={"message-body": ""})
    assert empty.status_code == 302
    assert db.session.query(ReservationMessage).count() == 1


# ------------------------------------------------------------ where to find it ----
def test_the_resource_page_links_to_the_lending_pages(client, as_person, offers, set_policy,
                                                      lending_org, make_reservation,
                                                      lending_people):
    drill = offers["drill"]
    set_policy(lending_org, terms="Terms")
    make_reservation(drill, *day_period(date.today() - timedelta(days=3)),
                     requester=lending_people.requester, status="returned")
    as_person("manager")
    page = html(client.get(f"/resources/{drill.id}"))
    assert f"/resources/{drill.id}/counter" in page and f"/resources/{drill.id}/defects" in page
    assert f"/orgs/{lending_org.slug}/lending" in page
    as_person("requester")
    page = html(client.get(f"/resources/{drill.id}"))
    assert f"/resources/{drill.id}/series" in page and f"/resources/{drill.id}/terms" in page
    assert f"/resources/{drill.id}/defects/new" in page
    assert f"/resources/{drill.id}/counter" not in page
    as_person("other")
    assert f"/resources/{drill.id}/defects/new" not in html(client.get(f"/resources/{drill.id}"))
    as_person("manager")
    assert "/lending" in html(client.get("/manage"))
