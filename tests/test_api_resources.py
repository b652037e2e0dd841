"""The API's read part for resources, and a walk through every documented GET path."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.models import ApiToken

BASE_KEYS = {
    "id",
    "kind",
    "title",
    "description",
    "category",
    "owner",
    "district",
    "units",
    "requires_approval",
    "fee_cents",
    "deposit_cents",
    "url",
}
KIND_KEYS = {
    "item": set(),
    "room": {"capacity"},
    "space": {"area_m2", "rent_model", "permitted_uses", "available_from", "available_until"},
}


@pytest.fixture
def token_for(db_session):
    def _token(user) -> dict[str, str]:
        _, plain = ApiToken.issue(user, "test")
        db.session.commit()
        return {"Authorization": f"Bearer {plain}"}

    return _token


# The resource as the Contract has it: base fields plus the kind's own.
@pytest.mark.parametrize(
    ("kind", "fields"),
    (
        ("item", {}),
        ("room", {"capacity": 20}),
        ("space", {"area_m2": 80.0, "rent_model": "reduced", "permitted_uses": ["Laden"]}),
    ),
)
def test_one_resource(client, make_resource, make_category, kind, fields):
    category = make_category("tools")
    resource = make_resource(
        kind=kind,
        title="Ding",
        category=category,
        fee_cents=250,
        deposit_cents=1000,
        units=1,
        **fields,
    )
    response = client.get(f"/api/v1/resources/{resource.id}")
    assert response.status_code == 200
    body = response.get_json()
    assert BASE_KEYS | KIND_KEYS[kind] <= set(body)
    other_kinds = set().union(*KIND_KEYS.values()) - KIND_KEYS[kind]
    assert not other_kinds & set(body)
    assert body["id"] == resource.id and body["kind"] == kind
    assert body["category"] == "tools"
    assert body["owner"] == resource.owner_user.display_name
    assert (body["fee_cents"], body["deposit_cents"]) == (250, 1000)
    assert body["requires_approval"] is False
    assert body["url"] == f"http://allmende.test/resources/{resource.id}"
    for name, value in fields.items():
        assert body[name] == value
    assert "address" not in body  # never over the API


def test_a_private_lenders_address_is_not_in_the_api(client, make_resource):
    resource = make_resource(address="Geheimweg 1")
    assert "Geheimweg" not in client.get(f"/api/v1/resources/{resource.id}").get_data(as_text=True)


def test_the_list_pages_with_filters(client, make_resource, make_user):
    owner = make_user()
    for n in range(5):
        make_resource(title=f"Bohrmaschine {n}", owner=owner)
    make_resource(title="Zelt", owner=owner)
    body = client.get("/api/v1/resources?q=BOHR&per_page=2&page=2&sort=name").get_json()
    assert body["total"] == 5 and body["page"] == 2 and body["per_page"] == 2
    assert [item["title"] for item in body["items"]] == ["Bohrmaschine 2", "Bohrmaschine 3"]
    body = client.get("/api/v1/resources").get_json()
    assert body["total"] == 6 and body["per_page"] == 20


# Bad filters are problem+json with the field named, never a 500.
@pytest.mark.parametrize(
    ("query", "field"),
    (
        ("per_page=101", "per_page"),
        ("per_page=0", "per_page"),
        ("per_page=all", "per_page"),
        ("kind=boat", "kind"),
        ("page=-1", "page"),
        ("available_from=2027-13-01", "available_from"),
        ("capacity_min=lots", "capacity_min"),
        ("category=nope", "category"),
    ),
)
def test_bad_filters(client, query, field):
    response = client.get(f"/api/v1/resources?{query}")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 400 and field in body["errors"]


def test_per_page_up_to_100(client):
    assert client.get("/api/v1/resources?per_page=100").get_json()["per_page"] == 100


# Members-only resources: only with the token of a member.
@pytest.mark.parametrize(
    ("who", "sees"),
    (
        ("nobody", False),
        ("stranger", False),
        ("member", True),
        ("manager", True),
        ("bad token", False),
    ),
)
def test_members_only_needs_a_members_token(
    client, make_user, make_org, make_resource, token_for, who, sees
):
    manager, member = make_user(), make_user()
    org = make_org(managers=(manager,), members=(member,))
    resource = make_resource(org=org, visibility="members", title="Vereinsbeamer")
    headers = {}
    if who == "bad token":
        headers = {"Authorization": "Bearer alm_not-a-token"}
    elif who != "nobody":
        headers = token_for({"manager": manager, "member": member}.get(who) or make_user())
    one = client.get(f"/api/v1/resources/{resource.id}", headers=headers)
    assert one.status_code == (200 if sees else 404)
    listed = client.get("/api/v1/resources", headers=headers).get_json()["items"]
    assert ([item["title"] for item in listed] == ["Vereinsbeamer"]) is sees


def test_unknown_resource_is_a_problem(client):
    response = client.get("/api/v1/resources/424242")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_both_paths_are_documented(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    listing = doc["paths"]["/resources"]["get"]
    names = {p["name"] for p in listing["parameters"]}
    assert {
        "q",
        "kind",
        "category",
        "district",
        "org",
        "capacity_min",
        "area_min",
        "available_from",
        "available_to",
        "page",
        "per_page",
    } <= names
    assert "/resources/{resource_id}" in doc["paths"]
    assert set(doc["components"]["schemas"]["Resource"]["required"]) >= BASE_KEYS


def test_every_documented_get_path_answers_as_documented(
    client, make_user, make_resource, token_for
):
    """Walk the OpenAPI document: each GET answers with one of its documented statuses."""
    resource = make_resource(title="Leiter")
    headers = token_for(make_user())
    doc = client.get("/api/v1/openapi.json").get_json()
    checked = 0
    for path, operations in doc["paths"].items():
        if "get" not in operations:
            continue
        documented = set(operations["get"]["responses"])
        url = "/api/v1" + re.sub(r"\{[^}]+\}", str(resource.id), path)
        for sent in ({}, headers):
            response = client.get(url, headers=sent)
            status = str(response.status_code)
            assert status in documented or "default" in documented, (path, status, documented)
            assert response.status_code < 500, path
            if status.startswith("2"):
                assert response.mimetype == "application/json", path
            else:
                assert response.mimetype == "application/problem+json", path
            checked += 1
    assert checked >= 4
    # Our own paths answer public data with 200, token or not.
    for url in ("/api/v1/resources", f"/api/v1/resources/{resource.id}"):
        assert client.get(url).status_code == 200
