"""API: GET and POST /api/v1/inquiries with personal tokens and problem+json refusals."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import ApiToken, Inquiry
from tests.factories_spaces import in_days


@pytest.fixture
def scene(make_person, make_space, make_inquiry, make_org):
    owner = make_person("owner@example.org")
    applicant = make_person("applicant@example.org")
    other = make_person("other@example.org")
    admin = make_person("admin@example.org", admin=True)
    space = make_space(owner=owner, title="Laden am Markt")
    others_space = make_space(title="Anderer Laden")
    inquiry = make_inquiry(space, applicant=applicant)
    foreign = make_inquiry(others_space)  # neither theirs nor about their space
    club = make_org("Verein", members=(applicant,))
    return {
        "owner": owner, "applicant": applicant, "other": other, "admin": admin,
        "space": space, "others_space": others_space, "inquiry": inquiry, "foreign": foreign,
        "club": club,
    }


def bearer(user) -> dict:
    _token, plain = ApiToken.issue(user, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {plain}"}


def test_a_token_is_required(client, scene):
    for response in (
        client.get("/api/v1/inquiries"),
        client.post("/api/v1/inquiries", json={}),
        client.get(f"/api/v1/inquiries/{scene['inquiry'].id}"),
    ):
        assert response.status_code == 401
        assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize(
    ("who", "ids", "role"),
    (
        ("applicant", ["inquiry"], "applicant"),
        ("owner", ["inquiry"], "owner"),
        ("other", [], None),
        ("admin", [], None),  # the API lists one's own inquiries, also for the office
    ),
)
def test_the_list_holds_ones_own_inquiries(client, scene, who, ids, role):
    response = client.get("/api/v1/inquiries", headers=bearer(scene[who]))
    assert response.status_code == 200
    body = response.get_json()
    assert [item["id"] for item in body["items"]] == [scene[k].id for k in ids]
    assert body["total"] == len(ids)
    if role:
        item = body["items"][0]
        assert item["role"] == role
        assert item["space_id"] == scene["space"].id
        assert item["status"] == "open"
        assert item["url"] == f"http://allmende.test/spaces/inquiries/{scene['inquiry'].id}"
        assert item["first_day"] == in_days(10).isoformat()
        assert item["start"].startswith(in_days(10).isoformat() + "T00:00:00+0")
        # end is exclusive: the midnight after the last day
        assert item["end"].startswith(in_days(24).isoformat() + "T00:00:00+0")


def test_the_list_filters_by_status(client, scene):
    headers = bearer(scene["applicant"])
    assert client.get("/api/v1/inquiries?status=open", headers=headers).get_json()["total"] == 1
    assert client.get("/api/v1/inquiries?status=accepted", headers=headers).get_json()["total"] == 0
    response = client.get("/api/v1/inquiries?status=maybe", headers=headers)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize(
    ("who", "status"),
    (("applicant", 200), ("owner", 200), ("other", 403), ("admin", 200)),
)
def test_one_inquiry(client, scene, who, status):
    response = client.get(f"/api/v1/inquiries/{scene['inquiry'].id}", headers=bearer(scene[who]))
    assert response.status_code == status


def body(scene, **overrides) -> dict:
    data = {
        "space_id": scene["others_space"].id,
        "intended_use": "event",
        "start": in_days(30).isoformat(),
        "end": in_days(32).isoformat(),
        "concept": "Ein Nachbarschaftsfest mit Tauschbörse.",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_post_sends_an_inquiry(client, scene, deliver):
    response = client.post(
        "/api/v1/inquiries",
        json=body(scene, organisation_id=scene["club"].id),
        headers=bearer(scene["applicant"]),
    )
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["status"] == "open" and created["role"] == "applicant"
    assert created["organisation_id"] == scene["club"].id
    # 2 days given with an exclusive end: days 30 and 31
    assert (created["first_day"], created["last_day"]) == (
        in_days(30).isoformat(), in_days(31).isoformat(),
    )
    assert response.headers["Location"].endswith(f"/api/v1/inquiries/{created['id']}")
    owner_email = scene["others_space"].owner_user.email
    [mail] = deliver().to(owner_email)
    assert f"/spaces/inquiries/{created['id']}" in deliver().text(mail)


def test_midnight_date_times_are_whole_days_too(client, scene):
    response = client.post(
        "/api/v1/inquiries",
        json=body(scene, start=f"{in_days(30).isoformat()}T00:00:00",
                  end=f"{in_days(31).isoformat()}T00:00"),
        headers=bearer(scene["applicant"]),
    )
    assert response.status_code == 201
    assert response.get_json()["last_day"] == in_days(30).isoformat()


@pytest.mark.parametrize(
    ("overrides", "field"),
    (
        ({"space_id": None}, "space_id"),  # missing
        ({"space_id": "1"}, "space_id"),  # not a number
        ({"space_id": 987654}, "space_id"),  # no such space
        ({"intended_use": "casino"}, "intended_use"),
        ({"concept": None}, "concept"),
        ({"concept": "   "}, "concept"),
        ({"start": None}, "start"),
        ({"start": "morgen"}, "start"),
        ({"end": in_days(29).isoformat()}, "end"),  # before the start
        ({"start": f"{in_days(30).isoformat()}T10:00"}, "start"),  # not a whole day
        ({"start": in_days(-3).isoformat()}, "start"),  # in the past
        ({"end": in_days(900).isoformat()}, "end"),  # beyond availability
        ({"organisation_id": 987654}, "organisation_id"),  # not one's organisation
    ),
)
def test_bad_input_is_a_problem_with_field_errors(client, scene, overrides, field):
    response = client.post(
        "/api/v1/inquiries", json=body(scene, **overrides), headers=bearer(scene["applicant"])
    )
    assert response.status_code == 422, response.get_json()
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert field in problem["errors"]
    assert problem["status"] == 422


def test_a_body_that_is_not_an_object_is_refused(client, scene):
    response = client.post(
        "/api/v1/inquiries", data="[1, 2]", content_type="application/json",
        headers=bearer(scene["applicant"]),
    )
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"


def test_own_space_and_duplicates_are_refused(client, scene):
    owner = client.post(
        "/api/v1/inquiries", json=body(scene, space_id=scene["space"].id),
        headers=bearer(scene["owner"]),
    )
    assert owner.status_code == 403
    duplicate = client.post(
        "/api/v1/inquiries", json=body(scene, space_id=scene["space"].id),
        headers=bearer(scene["applicant"]),
    )
    assert duplicate.status_code == 409
    assert duplicate.get_json()["inquiry_id"] == scene["inquiry"].id
    assert db.session.scalar(select(func.count(Inquiry.id))) == 2


def test_the_api_is_documented(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert {"get", "post"} <= set(spec["paths"]["/inquiries"])
    assert "get" in spec["paths"]["/inquiries/{id}"]
    assert "Inquiry" in spec["components"]["schemas"]
    assert "InquiryInput" in spec["components"]["schemas"]
