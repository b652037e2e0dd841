"""The reservation part of the JSON API: availability, reserving, listing, decisions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.booking.availability import day_period, local_date
from app.extensions import db
from app.models import ApiToken, Closure, Reservation

ALL_WEEK = {d: [("08:00", "22:00")] for d in range(7)}


def soon(days: int = 3) -> date:
    return date.today() + timedelta(days=days)


@pytest.fixture
def api(client, quick_user):
    """Tokens for people by name; `api.call(who, method, path, json)`."""

    class Api:
        def __init__(self) -> None:
            self.users: dict = {}
            self.tokens: dict = {}

        def person(self, who: str, **kwargs):
            if who not in self.users:
                user = quick_user(f"{who}@example.org", **kwargs)
                _, plain = ApiToken.issue(user, "test")
                db.session.commit()
                self.users[who], self.tokens[who] = user, plain
            return self.users[who]

        def call(self, who: str | None, method: str, path: str, json=None):
            headers = {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}
            return client.open(path, method=method, json=json, headers=headers)

    return Api()


@pytest.fixture
def room(api, make_bookable):
    return make_bookable("room", owner=api.person("lender"), hours=ALL_WEEK,
                         follows_site_calendar=False, title="Room", units=2)


@pytest.fixture
def drill(api, make_org, make_bookable):
    org = make_org(managers=(api.person("manager"),))
    return make_bookable("item", org=org, hours=ALL_WEEK, follows_site_calendar=False,
                         title="Drill", requires_approval=True)


def body_for(resource, start, end, **extra):
    return {"resource_id": resource.id, "start": start, "end": end, **extra}


# ----------------------------------------------------------------- reserve ----
def test_reserve_needs_a_token(api, room):
    response = api.call(None, "POST", "/api/v1/reservations",
                        body_for(room, f"{soon()}T10:00", f"{soon()}T11:00"))
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"


def test_reserve_a_room(api, room):
    api.person("requester")
    response = api.call("requester", "POST", "/api/v1/reservations",
                        body_for(room, f"{soon()}T10:00", f"{soon()}T11:30", units=2,
                                 message="Choir"))
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert data["status"] == "confirmed" and data["units"] == 2
    assert data["resource_title"] == "Room" and data["resource_id"] == room.id
    assert data["start"].startswith(f"{soon()}T10:00:00+0")  # local time with its offset
    assert "handover_code" not in data  # rooms skip handover by default
    assert response.headers["Location"].endswith(f"/api/v1/reservations/{data['id']}")


def test_a_date_means_local_midnight(api, drill):
    api.person("requester")
    response = api.call("requester", "POST", "/api/v1/reservations",
                        body_for(drill, soon().isoformat(), soon(4).isoformat()))
    assert response.status_code == 201
    data = response.get_json()
    assert data["status"] == "requested"
    assert data["start"].startswith(f"{soon()}T00:00:00+0")
    assert data["end"].startswith(f"{soon(4)}T00:00:00+0")


@pytest.mark.parametrize(
    ("body", "field"),
    (
        ({"start": "2027-13-01", "end": "2027-03-02"}, "start"),
        ({"start": "2027-03-02"}, "end"),
        ({"start": "2027-03-02", "end": "2027-03-01"}, "end"),
        ({"units": 0}, "units"),
        ({"units": "2"}, "units"),
        ({"message": 5}, "message"),
        ({"resource_id": 99999999}, "resource_id"),
        ({"resource_id": "x"}, "resource_id"),
    ),
)
def test_malformed_input_is_422_per_field(api, room, body, field):
    api.person("requester")
    payload = {**body_for(room, f"{soon()}T10:00", f"{soon()}T11:00"), **body}
    if field == "end" and "end" not in body:
        payload.pop("end")
    response = api.call("requester", "POST", "/api/v1/reservations", payload)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_not_json_is_422(api, room):
    api.person("requester")
    response = api.call("requester", "POST", "/api/v1/reservations", ["not", "an", "object"])
    assert response.status_code == 422


def test_overbooking_is_409_with_suggestions(api, room, make_reservation):
    api.person("requester")
    start = f"{soon()}T10:00"
    make_reservation(room, *_p(start, f"{soon()}T12:00"), units=2)
    response = api.call("requester", "POST", "/api/v1/reservations",
                        body_for(room, start, f"{soon()}T11:00"))
    assert response.status_code == 409
    problem = response.get_json()
    assert problem["reason"] == "booked"
    assert problem["suggestions"][0]["start"].startswith(f"{soon()}T12:00:00+0")
    assert db.session.query(Reservation).count() == 1


def test_rule_refusal_is_422_with_reason_and_suggestions(api, room):
    api.person("requester")
    response = api.call("requester", "POST", "/api/v1/reservations",
                        body_for(room, f"{soon()}T06:00", f"{soon()}T07:00"))
    assert response.status_code == 422
    problem = response.get_json()
    assert problem["reason"] == "closed" and problem["detail"]
    assert problem["suggestions"][0]["start"].startswith(f"{soon()}T08:00:00+0")


def test_spaces_answer_422_pointing_to_inquiries(api, make_bookable):
    api.person("requester")
    space = make_bookable("space")
    response = api.call("requester", "POST", "/api/v1/reservations",
                        body_for(space, soon().isoformat(), soon(4).isoformat()))
    assert response.status_code == 422
    assert "inquiries" in response.get_json()["inquiries"]


def test_unconfirmed_people_get_403(api, room):
    api.person("newbie", confirmed=False)
    response = api.call("newbie", "POST", "/api/v1/reservations",
                        body_for(room, f"{soon()}T10:00", f"{soon()}T11:00"))
    assert response.status_code == 403 and response.get_json()["reason"] == "unconfirmed"


def _p(start: str, end: str):
    from app.booking.periods import parse_moment

    return parse_moment(start), parse_moment(end)


# ------------------------------------------------------------ availability ----
def test_availability_is_public_and_shows_no_people(api, room, make_reservation):
    make_reservation(room, *_p(f"{soon()}T10:00", f"{soon()}T12:00"), units=1,
                     message="secret")
    db.session.add(Closure(resource_id=room.id, start_date=soon(5), end_date=soon(6),
                           reason="Painting"))
    db.session.commit()
    response = api.call(None, "GET",
                        f"/api/v1/resources/{room.id}/availability?from={soon()}&to={soon(10)}")
    assert response.status_code == 200
    data = response.get_json()
    assert (data["resource_id"], data["units"]) == (room.id, 2)
    assert data["busy"] == [{"start": _iso(f"{soon()}T10:00"), "end": _iso(f"{soon()}T12:00"),
                             "units": 1}]
    first, last = day_period(soon(5), soon(6))
    assert data["closed"] == [{"start": _iso_dt(first), "end": _iso_dt(last),
                               "reason": "Painting"}]
    assert len(data["open"]) == 5  # seven days minus two closed
    assert "secret" not in response.get_data(as_text=True)


def _iso(text: str) -> str:
    return _iso_dt(_p(text, text + ":01")[0])


def _iso_dt(moment) -> str:
    from app.booking.periods import isoformat

    return isoformat(moment)


@pytest.mark.parametrize(
    "query",
    ("from=yesterday", "from=2027-03-02&to=2027-03-01", "from=2027-01-01&to=2029-01-01"),
)
def test_availability_bad_window_is_422(api, room, query):
    response = api.call(None, "GET", f"/api/v1/resources/{room.id}/availability?{query}")
    assert response.status_code == 422


def test_availability_of_hidden_things_is_404(api, room):
    room.status = "paused"
    db.session.commit()
    assert api.call(None, "GET", f"/api/v1/resources/{room.id}/availability").status_code == 404


def test_availability_defaults_to_the_next_month(api, room):
    data = api.call(None, "GET", f"/api/v1/resources/{room.id}/availability").get_json()
    assert data["from"].startswith(f"{local_date(_p(str(date.today()), str(soon(1)))[0])}")


# ------------------------------------------------------- list, show, decide ----
@pytest.fixture
def request_of_drill(api, drill, make_reservation):
    requester = api.person("requester")
    return make_reservation(drill, *day_period(soon(), soon(5)), requester=requester,
                            status="requested", handover_code="ABC234")


@pytest.mark.parametrize(
    ("who", "role", "sees"),
    (
        ("requester", None, True),
        ("requester", "lender", False),
        ("manager", "lender", True),
        ("manager", None, False),
        ("other", None, False),
        ("admin", "lender", False),
    ),
)
def test_listing(api, request_of_drill, who, role, sees):
    api.person(who, admin=(who == "admin"))
    path = "/api/v1/reservations" + (f"?role={role}" if role else "")
    data = api.call(who, "GET", path).get_json()
    assert (request_of_drill.id in [r["id"] for r in data["items"]]) is sees
    assert data["total"] == len(data["items"])


@pytest.mark.parametrize(
    ("who", "status", "code_shown"),
    (("requester", 200, True), ("manager", 200, True), ("other", 404, False),
     ("admin", 200, False), (None, 401, False)),
)
def test_show_one(api, request_of_drill, who, status, code_shown):
    if who:
        api.person(who, admin=(who == "admin"))
    response = api.call(who, "GET", f"/api/v1/reservations/{request_of_drill.id}")
    assert response.status_code == status
    if status == 200:
        assert ("handover_code" in response.get_json()) is code_shown


# | action    | by        | body                    | status | afterwards   |
DECISIONS = (
    ("approve", "requester", {}, 403, "requested"),
    ("approve", "other", {}, 403, "requested"),
    ("approve", "admin", {}, 403, "requested"),
    ("approve", None, {}, 401, "requested"),
    ("approve", "manager", {}, 200, "confirmed"),
    ("decline", "manager", {}, 422, "requested"),            # a reason is required
    ("decline", "manager", {"reason": "Broken"}, 200, "declined"),
    ("cancel", "requester", {}, 200, "cancelled"),
    ("cancel", "manager", {}, 422, "requested"),             # the lender gives a reason
    ("cancel", "manager", {"reason": "Repair"}, 200, "cancelled"),
    ("handover", "manager", {}, 409, "requested"),           # not approved yet
    ("return", "manager", {}, 409, "requested"),
    ("handover", "manager", {"deposit_taken_cents": -5}, 422, "requested"),
)


@pytest.mark.parametrize(("action", "who", "body", "status", "after"), DECISIONS)
def test_decisions(api, request_of_drill, action, who, body, status, after):
    if who:
        api.person(who, admin=(who == "admin"))
    response = api.call(who, "POST", f"/api/v1/reservations/{request_of_drill.id}/{action}",
                        body)
    assert response.status_code == status, response.get_json()
    db.session.refresh(request_of_drill)
    assert request_of_drill.status == after


def test_whole_loan_through_the_api(api, request_of_drill):
    rid = request_of_drill.id
    assert api.call("manager", "POST", f"/api/v1/reservations/{rid}/approve").status_code == 200
    response = api.call("manager", "POST", f"/api/v1/reservations/{rid}/handover",
                        {"deposit_taken_cents": 2000, "fee_paid_cents": 0})
    assert response.get_json()["status"] == "handed_over"
    response = api.call("manager", "POST", f"/api/v1/reservations/{rid}/return",
                        {"condition": "ok", "deposit_returned_cents": 2000})
    assert response.get_json()["status"] == "returned"
    assert api.call("manager", "POST", f"/api/v1/reservations/{rid}/return").status_code == 409


def test_change_through_the_api(api, request_of_drill):
    rid = request_of_drill.id
    response = api.call("requester", "POST", f"/api/v1/reservations/{rid}/change",
                        {"start": soon().isoformat(), "end": soon(5).isoformat()})
    assert response.status_code == 200
    assert response.get_json()["sequence"] == 1


def test_openapi_documents_the_reservation_paths(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    for path in ("/reservations", "/reservations/{reservation_id}",
                 "/reservations/{reservation_id}/approve",
                 "/resources/{resource_id}/availability"):
        assert path in doc["paths"], path
    assert "post" in doc["paths"]["/reservations"]
    assert "Reservation" in doc["components"]["schemas"]
