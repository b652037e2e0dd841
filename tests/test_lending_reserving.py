"""The lending rules inside every reservation: the reservation form and POST /reservations
ask for terms and age, check quotas, book series, wait for taken periods, hand over by code."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.booking.availability import day_period
from app.extensions import db
from app.models import Notification, Reservation, TermsAcceptance, WaitlistEntry
from tests.factories_lending import soon


def next_weekday(weekday: int, after: int = 7) -> date:
    day = date.today() + timedelta(days=after)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def html(response) -> str:
    return response.get_data(as_text=True)


def reserve_drill(client, drill, first, last, **extra):
    return client.post(f"/resources/{drill.id}/reserve",
                       data={"pickup": first.isoformat(), "return_day": last.isoformat(),
                             **extra})


# ------------------------------------------------------------- terms, age ----
def test_the_reservation_form_asks_for_terms_once_per_version(client, as_person, offers,
                                                              set_policy, lending_org,
                                                              lending_people):
    drill = offers["drill"]
    set_policy(lending_org, terms="Bitte sauber zurückgeben.")
    as_person("requester")
    form = client.get(f"/resources/{drill.id}/reserve")
    assert "Bitte sauber zurückgeben." in html(form) and 'name="accept_terms"' in html(form)
    refused = reserve_drill(client, drill, soon(3), soon(3))
    assert refused.status_code == 422 and db.session.query(Reservation).count() == 0
    accepted = reserve_drill(client, drill, soon(3), soon(3), accept_terms="y")
    assert accepted.status_code == 302
    assert db.session.query(TermsAcceptance).filter_by(
        user_id=lending_people.requester.id, lender_org_id=lending_org.id, version=1).count() == 1
    form = client.get(f"/resources/{drill.id}/reserve")
    assert 'name="accept_terms"' not in html(form)  # accepted: not asked again
    assert reserve_drill(client, drill, soon(5), soon(5)).status_code == 302
    set_policy(lending_org, terms="Neue Bedingungen.")
    assert reserve_drill(client, drill, soon(7), soon(7)).status_code == 422


def test_the_reservation_form_asks_to_confirm_the_minimum_age(client, as_person, offers):
    drill = offers["drill"]
    drill.min_age = 16
    drill.briefing_required = True
    db.session.commit()
    as_person("requester")
    page = html(client.get(f"/resources/{drill.id}/reserve"))
    assert 'name="confirm_min_age"' in page and "16" in page
    assert reserve_drill(client, drill, soon(3), soon(3)).status_code == 422
    assert reserve_drill(client, drill, soon(3), soon(3),
                         confirm_min_age="y").status_code == 302


def test_the_api_asks_for_terms_and_takes_age_as_confirmed(api_tokens, offers, set_policy,
                                                          lending_people):
    room = offers["room"]
    room.min_age = 18
    set_policy(lending_people.lender, terms="Keine Speisen im Raum.")
    day = soon(4)
    body = {"resource_id": room.id, "start": f"{day}T10:00", "end": f"{day}T11:00"}
    refused = api_tokens("requester", "POST", "/api/v1/reservations", body)
    assert refused.status_code == 422
    problem = refused.get_json()
    assert problem["reason"] == "terms" and problem["terms"]["text"] == "Keine Speisen im Raum."
    too_young = api_tokens("requester", "POST", "/api/v1/reservations",
                           {**body, "accept_terms": True, "confirm_min_age": False})
    assert too_young.status_code == 422 and too_young.get_json()["reason"] == "min_age"
    done = api_tokens("requester", "POST", "/api/v1/reservations", {**body, "accept_terms": True})
    assert done.status_code == 201
    bad = api_tokens("requester", "POST", "/api/v1/reservations",
                     {**body, "accept_terms": "yes"})
    assert bad.status_code == 422 and "accept_terms" in bad.get_json()["errors"]


# ------------------------------------------------------------------ quotas ----
def test_quotas_refuse_clearly_on_the_page_and_in_the_api(client, as_person, api_tokens, offers,
                                                          set_policy, lending_org,
                                                          make_bookable):
    drill = offers["drill"]
    saw = make_bookable("item", org=lending_org, title="Saw", follows_site_calendar=False,
                        max_advance_days=400)
    set_policy(lending_org, per_week=2)
    monday = next_weekday(0)
    assert api_tokens("requester", "POST", "/api/v1/reservations", {
        "resource_id": saw.id, "start": monday.isoformat(),
        "end": (monday + timedelta(days=2)).isoformat()}).status_code == 201
    refused = api_tokens("requester", "POST", "/api/v1/reservations", {
        "resource_id": drill.id, "start": (monday + timedelta(days=3)).isoformat(),
        "end": (monday + timedelta(days=4)).isoformat()})
    assert refused.status_code == 422
    assert refused.get_json()["reason"] == "quota" and "2" in refused.get_json()["detail"]
    as_person("requester")
    page = reserve_drill(client, drill, monday + timedelta(days=3), monday + timedelta(days=3))
    assert page.status_code == 422 and "Repair Café" in html(page)
    # the next week is fine, and so is the lender's own use
    assert reserve_drill(client, drill, monday + timedelta(days=7),
                         monday + timedelta(days=7)).status_code == 302
    assert api_tokens("manager", "POST", "/api/v1/reservations", {
        "resource_id": drill.id, "start": (monday + timedelta(days=3)).isoformat(),
        "end": (monday + timedelta(days=5)).isoformat()}).status_code == 201


def test_changing_a_reservation_is_held_to_the_quota(api_tokens, offers, set_policy,
                                                     lending_org):
    drill = offers["drill"]
    set_policy(lending_org, per_week=2)
    monday = next_weekday(0)
    made = api_tokens("requester", "POST", "/api/v1/reservations", {
        "resource_id": drill.id, "start": monday.isoformat(),
        "end": (monday + timedelta(days=2)).isoformat()}).get_json()
    longer = api_tokens("requester", "POST", f"/api/v1/reservations/{made['id']}/change", {
        "start": monday.isoformat(), "end": (monday + timedelta(days=3)).isoformat()})
    assert longer.status_code == 422 and longer.get_json()["reason"] == "quota"
    moved = api_tokens("requester", "POST", f"/api/v1/reservations/{made['id']}/change", {
        "start": (monday + timedelta(days=1)).isoformat(),
        "end": (monday + timedelta(days=3)).isoformat()})
    assert moved.status_code == 200  # its own days are not counted twice


# ------------------------------------------------------------------ series ----
def test_api_series_across_the_change_to_summer_time(api_tokens, offers):
    room = offers["room"]
    response = api_tokens("requester", "POST", "/api/v1/reservations", {
        "resource_id": room.id, "start": "2027-03-16T18:00", "end": "2027-03-16T20:00",
        "repeat": {"every_weeks": 1, "count": 3}})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert [(i["start"], i["end"]) for i in body["items"]] == [
        ("2027-03-16T18:00:00+01:00", "2027-03-16T20:00:00+01:00"),
        ("2027-03-23T18:00:00+01:00", "2027-03-23T20:00:00+01:00"),
        ("2027-03-30T18:00:00+02:00", "2027-03-30T20:00:00+02:00"),
    ]
    assert body["skipped"] == []
    assert response.headers["Location"].endswith(f"/reservations/series/{body['series_id']}")
    ids = [i["id"] for i in body["items"]]
    assert {r.series_id for r in db.session.query(Reservation).filter(
        Reservation.id.in_(ids))} == {body["series_id"]}


def test_api_series_skips_a_public_holiday(api_tokens, offers):
    room = offers["room"]
    room.follows_site_calendar = True
    db.session.commit()
    # Mondays 18-20 until Easter Monday 2027-03-29 (a public holiday in Hesse)
    response = api_tokens("requester", "POST", "/api/v1/reservations", {
        "resource_id": room.id, "start": "2027-03-22T18:00", "end": "2027-03-22T20:00",
        "repeat": {"every_weeks": 1, "until": "2027-04-05"}})
    assert response.status_code == 201
    body = response.get_json()
    assert [i["start"][:10] for i in body["items"]] == ["2027-03-22", "2027-04-05"]
    assert [(s["start"], s["reason"]) for s in body["skipped"]] == [
        ("2027-03-29T18:00:00+02:00", "closed")]
    assert "Ostermontag" in body["skipped"][0]["detail"]


@pytest.mark.parametrize(("repeat", "field"), (
    ({"every_weeks": 0, "count": 2}, "repeat.every_weeks"),
    ({"every_weeks": 1}, "repeat"),
    ({"every_weeks": 1, "count": 99}, "repeat.count"),
    ({"every_weeks": 1, "until": "next year"}, "repeat.until"),
    ({"every_weeks": "two", "count": 2}, "repeat.every_weeks"),
    ("weekly", "repeat"),
))
def test_api_series_input_errors(api_tokens, offers, repeat, field):
    response = api_tokens("requester", "POST", "/api/v1/reservations", {
        "resource_id": offers["room"].id, "start": "2027-03-16T18:00",
        "end": "2027-03-16T20:00", "repeat": repeat})
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert db.session.query(Reservation).count() == 0


def test_api_series_with_no_free_date_answers_409(api_tokens, offers, make_reservation):
    room = offers["room"]
    day = next_weekday(1)
    make_reservation(room, *day_period(day))
    response = api_tokens("requester", "POST", "/api/v1/reservations", {
        "resource_id": room.id, "start": f"{day}T18:00", "end": f"{day}T20:00",
        "repeat": {"every_weeks": 1, "count": 1}})
    assert response.status_code == 409
    assert response.get_json()["skipped"][0]["reason"] == "booked"


def test_a_series_is_announced_once_not_per_date(api_tokens, offers, lending_people):
    api_tokens("requester", "POST", "/api/v1/reservations", {
        "resource_id": offers["room"].id, "start": "2027-03-16T18:00",
        "end": "2027-03-16T20:00", "repeat": {"every_weeks": 1, "count": 4}})
    to_lender = db.session.query(Notification).filter_by(
        recipient_id=lending_people.lender.id).all()
    assert len(to_lender) == 1


def test_dates_of_a_series_show_in_calendar_feeds(client, api_tokens, offers, lending_people):
    api_tokens("requester", "POST", "/api/v1/reservations", {
        "resource_id": offers["room"].id, "start": "2027-03-16T18:00",
        "end": "2027-03-16T20:00", "repeat": {"every_weeks": 1, "count": 2}})
    feed = client.get(f"/feeds/{lending_people.requester.feed_token}.ics")
    assert feed.status_code == 200
    assert feed.get_data(as_text=True).count("BEGIN:VEVENT") >= 2


# ---------------------------------------------------------------- waitlist ----
def test_refusal_page_offers_the_waiting_list_and_cancellation_tells(client, as_person, offers,
                                                                     make_reservation,
                                                                     lending_people, deliver):
    drill = offers["drill"]
    taken = make_reservation(drill, *day_period(soon(5)), requester=lending_people.other)
    as_person("requester")
    refused = reserve_drill(client, drill, soon(5), soon(5))
    assert refused.status_code == 409
    page = html(refused)
    assert f'action="/resources/{drill.id}/waitlist"' in page
    assert 'name="waitlist-start"' in page
    start = page.split('name="waitlist-start" type="hidden" value="')[1].split('"')[0]
    end = page.split('name="waitlist-end" type="hidden" value="')[1].split('"')[0]
    joined = client.post(f"/resources/{drill.id}/waitlist",
                         data={"waitlist-start": start, "waitlist-end": end})
    assert joined.status_code == 302
    assert db.session.query(WaitlistEntry).one().status == "waiting"
    as_person("other")
    cancelled = client.post(f"/reservations/{taken.id}/cancel", data={"cancel-reason": ""})
    assert cancelled.status_code == 302
    assert db.session.query(WaitlistEntry).one().status == "notified"
    box = deliver()
    mails = box.to(lending_people.requester.email)
    assert len(mails) == 1
    assert f"/resources/{drill.id}/reserve?start=" in box.text(mails[0])


# ---------------------------------------------------------- handover codes ----
def test_api_handover_and_return_with_the_code(api_tokens, offers, lending_people):
    made = api_tokens("requester", "POST", "/api/v1/reservations", {
        "resource_id": offers["drill"].id, "start": soon(0).isoformat(),
        "end": soon(1).isoformat()}).get_json()
    code = made["handover_code"]
    other = api_tokens("requester", "GET", f"/api/v1/reservations/{made['id']}").get_json()
    assert other["handover_code"] == code
    path = f"/api/v1/reservations/{made['id']}"
    wrong = api_tokens("manager", "POST", f"{path}/handover", {"code": "AAAAAA"})
    assert wrong.status_code == 422 and "code" in wrong.get_json()["errors"]
    assert api_tokens("requester", "POST", f"{path}/handover", {"code": code}).status_code == 403
    right = api_tokens("manager", "POST", f"{path}/handover", {"code": code.lower()})
    assert right.status_code == 200 and right.get_json()["status"] == "handed_over"
    back = api_tokens("manager", "POST", f"{path}/return", {"code": code, "condition": "ok"})
    assert back.status_code == 200 and back.get_json()["status"] == "returned"


def test_briefing_is_confirmed_at_every_handover(client, as_person, api_tokens, offers,
                                                 make_reservation, lending_people):
    drill = offers["drill"]
    drill.briefing_required = True
    db.session.commit()
    by_api = make_reservation(drill, *day_period(soon(0)), requester=lending_people.requester,
                              handover_code="K7M3QX")
    path = f"/api/v1/reservations/{by_api.id}/handover"
    missing = api_tokens("manager", "POST", path, {"code": "K7M3QX"})
    assert missing.status_code == 422 and "briefing_given" in missing.get_json()["errors"]
    assert api_tokens("manager", "POST", path, {"code": "K7M3QX",
                                                "briefing_given": True}).status_code == 200
    by_page = make_reservation(drill, *day_period(soon(2)), requester=lending_people.requester,
                               handover_code="ABCD23")
    as_person("manager")
    page = html(client.get(f"/reservations/{by_page.id}"))
    assert 'name="hand_over-briefing_given"' in page and 'name="code-briefing_given"' in page
    client.post(f"/reservations/{by_page.id}/handover", data={})
    assert db.session.get(Reservation, by_page.id).status == "confirmed"
    client.post(f"/reservations/{by_page.id}/handover", data={"hand_over-briefing_given": "y"})
    assert db.session.get(Reservation, by_page.id).status == "handed_over"


# ------------------------------------------------------ the reservation page ----
def test_the_reservation_page_shows_code_messages_and_series(client, as_person, api_tokens,
                                                             offers, lending_people):
    made = api_tokens("requester", "POST", "/api/v1/reservations", {
        "resource_id": offers["drill"].id, "start": soon(3).isoformat(),
        "end": soon(4).isoformat()}).get_json()
    as_person("requester")
    client.post(f"/reservations/{made['id']}/messages", data={"message-body": "Gegen 9 Uhr?"})
    mine = html(client.get(f"/reservations/{made['id']}"))
    assert made["handover_code"] in mine and "Gegen 9 Uhr?" in mine
    assert 'name="code-code"' not in mine  # only the lender enters the code
    as_person("manager")
    theirs = html(client.get(f"/reservations/{made['id']}"))
    assert 'name="code-code"' in theirs and "Gegen 9 Uhr?" in theirs
    assert lending_people.requester.email not in theirs.split('id="messages"')[1]
    as_person("admin")
    office = html(client.get(f"/reservations/{made['id']}"))
    assert "Gegen 9 Uhr?" in office and 'name="message-body"' not in office


def test_the_confirmation_mail_carries_the_handover_code(api_tokens, offers, lending_people,
                                                         deliver):
    made = api_tokens("requester", "POST", "/api/v1/reservations", {
        "resource_id": offers["drill"].id, "start": soon(3).isoformat(),
        "end": soon(4).isoformat()}).get_json()
    box = deliver()
    for person in (lending_people.requester, lending_people.manager):
        mails = box.to(person.email)
        assert len(mails) == 1
        assert made["handover_code"] in box.text(mails[0])
        assert made["handover_code"] in box.html(mails[0])
    assert not box.to(lending_people.other.email)


def test_the_sweep_expires_waitlist_entries_and_anonymises_guests(app, offers, lending_people,
                                                                  make_reservation):
    from app.booking import waitlist
    from app.models import WaitlistEntry
    from app.notifications.jobs import sweep

    room = offers["room"]
    taken = make_reservation(room, *day_period(soon(2)))
    guest = make_reservation(offers["drill"], *day_period(soon(2)), requester=None,
                             guest_name="Gast", guest_contact="0176", status="returned",
                             returned_at=taken.end)
    guest.requester = None  # a walk-in without an account
    db.session.commit()
    with app.test_request_context():
        entry = waitlist.join(room, lending_people.requester, taken.start,
                              taken.start + timedelta(hours=1))
        db.session.commit()
        counts = sweep(taken.end + timedelta(days=31))
    assert counts["waitlist_expired"] == 1 and counts["guests_anonymised"] == 1
    assert db.session.get(WaitlistEntry, entry.id).status == "expired"
    assert db.session.get(Reservation, guest.id).guest_name is None
