"""The lending parts of the JSON API: waiting lists, series, messages, terms, defects."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from app.booking import series
from app.booking.availability import day_period, local_datetime
from app.booking.periods import isoformat
from app.extensions import db
from app.models import DefectReport, ReservationMessage, WaitlistEntry

ROLES = ("anonymous", "requester", "lender", "manager", "other", "admin")


@pytest.fixture
def scene(app, offers, lending_people, make_reservation):
    drill, room = offers["drill"], offers["room"]
    first = date.today() + timedelta(days=7)
    loan = make_reservation(drill, *day_period(first), requester=lending_people.requester,
                            handover_code="K7M3QX")
    taken = make_reservation(room, *day_period(first + timedelta(days=1)))
    with app.test_request_context():
        start = local_datetime(first + timedelta(days=2), time(18))
        booked = series.book(room, lending_people.requester,
                             series.dates(start, start + timedelta(hours=2),
                                          series.Repeat(1, count=2)))
        db.session.commit()
    return {"drill": drill, "room": room, "loan": loan, "taken": taken,
            "series": booked.series_id, "first": first}


def test_joining_and_leaving_a_waiting_list(api_tokens, scene):
    room, taken = scene["room"], scene["taken"]
    body = {"start": isoformat(taken.start), "end": isoformat(taken.start + timedelta(hours=2))}
    assert api_tokens(None, "POST", f"/api/v1/resources/{room.id}/waitlist",
                      body).status_code == 401
    response = api_tokens("requester", "POST", f"/api/v1/resources/{room.id}/waitlist", body)
    assert response.status_code == 201, response.get_json()
    entry = response.get_json()
    assert entry["status"] == "waiting" and entry["start"] == body["start"]
    listed = api_tokens("requester", "GET", "/api/v1/waitlist").get_json()["items"]
    assert [e["id"] for e in listed] == [entry["id"]]
    assert api_tokens("other", "GET", "/api/v1/waitlist").get_json()["items"] == []
    assert api_tokens("other", "DELETE", f"/api/v1/waitlist/{entry['id']}").status_code == 404
    assert api_tokens("requester", "DELETE",
                      f"/api/v1/waitlist/{entry['id']}").status_code == 204
    assert db.session.get(WaitlistEntry, entry["id"]).status == "withdrawn"


@pytest.mark.parametrize(("body", "status", "field"), (
    ({"start": "tomorrow", "end": "2030-01-01"}, 422, "start"),
    ({"end": "2030-01-01"}, 422, "start"),
    ({"start": "2030-01-02", "end": "2030-01-01"}, 422, "end"),
))
def test_bad_waitlist_input(api_tokens, scene, body, status, field):
    response = api_tokens("requester", "POST",
                          f"/api/v1/resources/{scene['room'].id}/waitlist", body)
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    assert field in response.get_json()["errors"]


def test_a_free_period_is_not_waited_for(api_tokens, scene):
    first = scene["first"] + timedelta(days=20)
    response = api_tokens("requester", "POST", f"/api/v1/resources/{scene['room'].id}/waitlist",
                          {"start": f"{first}T10:00", "end": f"{first}T11:00"})
    assert response.status_code == 422 and response.get_json()["reason"] == "free"


@pytest.mark.parametrize(("role", "status"), list(zip(ROLES, (401, 200, 200, 404, 404, 200),
                                                 strict=True)))
def test_who_sees_a_series(api_tokens, scene, role, status):
    response = api_tokens(None if role == "anonymous" else role, "GET",
                          f"/api/v1/reservations/series/{scene['series']}")
    assert response.status_code == status
    if status == 200:
        items = response.get_json()["items"]
        assert len(items) == 2 and items[0]["start"].endswith(("T18:00:00+01:00",
                                                               "T18:00:00+02:00"))


def test_cancelling_a_series_through_the_api(api_tokens, scene):
    path = f"/api/v1/reservations/series/{scene['series']}/cancel"
    assert api_tokens("other", "POST", path, {}).status_code == 404
    assert api_tokens("lender", "POST", path, {}).status_code == 422  # lenders give a reason
    response = api_tokens("requester", "POST", path, {})
    assert response.status_code == 200
    assert [r["status"] for r in response.get_json()["cancelled"]] == ["cancelled"] * 2
    assert api_tokens("requester", "POST", path, {}).status_code == 409


@pytest.mark.parametrize(("role", "status"), list(zip(ROLES, (401, 201, 404, 201, 404, 403),
                                                 strict=True)))
def test_messages_through_the_api(api_tokens, scene, role, status):
    path = f"/api/v1/reservations/{scene['loan'].id}/messages"
    who = None if role == "anonymous" else role
    response = api_tokens(who, "POST", path, {"body": "See you at nine"})
    assert response.status_code == status
    if status == 201:
        assert response.get_json()["body"] == "See you at nine"
        listed = api_tokens(who, "GET", path).get_json()["items"]
        assert [m["body"] for m in listed] == ["See you at nine"]
    else:
        assert db.session.query(ReservationMessage).count() == 0


def test_terms_through_the_api(api_tokens, scene, set_policy, lending_people):
    room = scene["room"]
    room.min_age = 16
    set_policy(lending_people.lender, terms="Clean it.")
    public = api_tokens(None, "GET", f"/api/v1/resources/{room.id}/terms").get_json()
    assert public == {"resource_id": room.id, "min_age": 16, "briefing_required": False,
                      "terms": {"lender": "Lena Lender", "version": 1, "text": "Clean it."}}
    mine = api_tokens("requester", "GET", f"/api/v1/resources/{room.id}/terms").get_json()
    assert mine["accepted"] is False


@pytest.mark.parametrize(("role", "status"), list(zip(ROLES, (401, 201, 403, 201, 403, 201),
                                                 strict=True)))
def test_defects_through_the_api(api_tokens, scene, role, status):
    response = api_tokens(None if role == "anonymous" else role, "POST",
                          f"/api/v1/resources/{scene['drill'].id}/defects",
                          {"description": "Cable frayed", "reservation_id": scene["loan"].id})
    assert response.status_code == status
    assert db.session.query(DefectReport).count() == (1 if status == 201 else 0)


def test_openapi_describes_the_lending_paths(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/resources/{resource_id}/waitlist", "/waitlist", "/waitlist/{entry_id}",
                 "/reservations/series/{series_id}", "/reservations/{reservation_id}/messages",
                 "/resources/{resource_id}/terms", "/resources/{resource_id}/defects"):
        assert path in paths
