"""Offering resources: one form per kind, defaults, errors, who may edit, pause and archive."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Resource


def latest() -> Resource:
    return db.session.scalar(sa.select(Resource).order_by(Resource.id.desc()).limit(1))


ITEM = {
    "owner": "me",
    "title": "Akku-Bohrschrauber",
    "description": "Mit zwei Akkus",
    "category": "",
    "district": "Kernstadt",
    "address": "Nordbahnhofstraße 5",
    "fee": "2,50",
    "deposit": "20",
    "units": "1",
    "visibility": "public",
    "min_age": "",
    "rules_text": "Bitte sauber zurückgeben.",
}


# ------------------------------------------------------------------ access ----
def test_offering_needs_a_login(client):
    response = client.get("/resources/new?kind=item")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_offering_needs_a_confirmed_address(client, auth, make_user):
    user = make_user(confirmed=False)
    auth.login(user.email)
    response = client.get("/resources/new?kind=item")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/auth/unconfirmed")


@pytest.mark.parametrize(("kind", "status"), (("", 200), ("boat", 400)))
def test_without_a_kind_the_person_chooses_one(client, auth, make_user, kind, status):
    auth.login(make_user().email)
    response = client.get(f"/resources/new?kind={kind}")
    assert response.status_code == status
    html = response.get_data(as_text=True)
    for choice in ("item", "room", "space"):
        assert f"/resources/new?kind={choice}" in html


# ---------------------------------------------------------------- creating ----
@pytest.mark.parametrize(
    ("kind", "fields", "labels"),
    (
        ("item", {}, ["Fee per booking", "Number of identical pieces"]),
        ("room", {"capacity": "25", "equipment": "Beamer"}, ["Seats / people", "Equipment"]),
        (
            "space",
            {
                "area_m2": "65,5",
                "floor": "0",
                "shop_window": "y",
                "step_free": "y",
                "rent_model": "utilities",
                "permitted_uses": ["popup_shop", "exhibition"],
                "available_from": "2027-01-01",
                "available_until": "2027-12-31",
            },
            ["Area in m²", "Rent model", "Permitted uses"],
        ),
    ),
)
def test_each_kind_has_its_form(client, auth, make_user, kind, fields, labels):
    user = make_user(locale="en")
    auth.login(user.email)
    page = client.get(f"/resources/new?kind={kind}")
    html = page.get_data(as_text=True)
    for label in labels:
        assert label in html
    response = client.post(f"/resources/new?kind={kind}", data={**ITEM, **fields})
    assert response.status_code == 302, response.get_data(as_text=True)
    resource = latest()
    assert resource.kind == kind
    assert resource.owner_user_id == user.id and resource.created_by_id == user.id
    assert response.headers["Location"].endswith(f"/resources/{resource.id}")
    assert (resource.fee_cents, resource.deposit_cents) == (250, 2000)
    assert resource.status == "active" and resource.visibility == "public"
    if kind == "room":
        assert (resource.capacity, resource.equipment) == (25, "Beamer")
    if kind == "space":
        assert resource.area_m2 == 65.5 and resource.rent_model == "utilities"
        assert resource.permitted_uses == ["popup_shop", "exhibition"]
        assert resource.shop_window and resource.step_free
        assert str(resource.available_until) == "2027-12-31"


def test_new_offers_get_the_booking_defaults(client, auth, make_user, monkeypatch):
    import app.booking.rules as rules

    applied = []
    original = rules.apply_defaults
    monkeypatch.setattr(rules, "apply_defaults", lambda r: (applied.append(r.title), original(r)))
    auth.login(make_user().email)
    client.post("/resources/new?kind=item", data=ITEM)
    assert applied == ["Akku-Bohrschrauber"]
    assert latest().opening_hours  # bookable at once


# Amounts are typed in euros and stored in cents.
@pytest.mark.parametrize(
    ("typed", "cents"),
    (
        ("0", 0),
        ("", 0),
        ("2,50", 250),
        ("2.5", 250),
        ("12 €", 1200),
        ("1.234,50", 123450),  # German thousands separator
    ),
)
def test_fee_in_euros(client, auth, make_user, typed, cents):
    auth.login(make_user().email)
    client.post("/resources/new?kind=item", data={**ITEM, "fee": typed})
    assert latest().fee_cents == cents


# Bad input: the form again with a 422, the error beside the field and in the summary.
@pytest.mark.parametrize(
    ("kind", "changes", "field"),
    (
        ("item", {"title": ""}, "title"),
        ("item", {"district": "Atlantis"}, "district"),
        ("item", {"district": ""}, "district"),
        ("item", {"fee": "-3"}, "fee"),
        ("item", {"fee": "2,505"}, "fee"),
        ("item", {"fee": "lots"}, "fee"),
        ("item", {"units": "0"}, "units"),
        ("item", {"lat": "51.3", "lon": ""}, "lon"),  # both or neither
        ("item", {"lat": "91", "lon": "9"}, "lat"),
        ("item", {"visibility": "members"}, "visibility"),  # only for organisations
        ("item", {"owner": "org:999"}, "owner"),  # not an organisation one manages
        ("room", {"capacity": ""}, "capacity"),
        ("space", {"area_m2": "0", "rent_model": "free"}, "area_m2"),
        ("space", {"area_m2": "40", "rent_model": "gratis"}, "rent_model"),
        (
            "space",
            {
                "area_m2": "40",
                "rent_model": "free",
                "available_from": "2027-05-01",
                "available_until": "2027-04-01",
            },
            "available_until",
        ),
    ),
)
def test_errors_next_to_the_field(client, auth, make_user, kind, changes, field):
    auth.login(make_user().email)
    response = client.post(f"/resources/new?kind={kind}", data={**ITEM, **changes})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'class="error-summary"' in html
    assert f'id="{field}-error"' in html
    assert latest() is None


def test_offering_for_an_organisation_one_manages(client, auth, make_user, make_org):
    manager, member = make_user(), make_user()
    org = make_org("Repair-Café", managers=(manager,), members=(member,))
    auth.login(manager.email)
    html = client.get(f"/resources/new?kind=item&org={org.slug}").get_data(as_text=True)
    assert f'<option selected value="org:{org.id}">Repair-Café</option>' in html
    response = client.post(
        "/resources/new?kind=item", data={**ITEM, "owner": f"org:{org.id}", "visibility": "members"}
    )
    assert response.status_code == 302
    resource = latest()
    assert resource.owner_org_id == org.id and resource.owner_user_id is None
    assert resource.visibility == "members"


def test_a_member_cannot_offer_for_the_organisation(client, auth, make_user, make_org):
    member = make_user()
    org = make_org(members=(member,))
    auth.login(member.email)
    response = client.post("/resources/new?kind=item", data={**ITEM, "owner": f"org:{org.id}"})
    assert response.status_code == 422
    assert latest() is None


def test_defaults_per_kind(client, auth, make_user, make_category):
    make_category("meeting-rooms")
    auth.login(make_user().email)
    html = client.get("/resources/new?kind=room").get_data(as_text=True)
    assert "selected" in html.split('id="category"')[1].split("</select>")[0]
    html = client.get("/resources/new?kind=item").get_data(as_text=True)
    assert 'name="units"' in html and 'value="1"' in html


# ------------------------------------------------------- editing and status ----
@pytest.fixture
def org_offer(make_user, make_org, make_resource):
    manager, member = make_user(), make_user()
    org = make_org(managers=(manager,), members=(member,))
    resource = make_resource(title="Lastenrad", org=org, description="Mit Box")
    return {"resource": resource, "manager": manager, "member": member}


# Only the owner or the organisation's managers may change an offer.
@pytest.mark.parametrize(
    ("who", "status"),
    (
        ("anonymous", 302),  # to the login
        ("member", 403),
        ("stranger", 403),
        ("admin", 403),  # admins moderate (hide); they do not edit
        ("manager", 200),
    ),
)
@pytest.mark.parametrize("page", ("edit", "photos"))
def test_who_may_edit(client, auth, make_user, org_offer, who, status, page):
    if who == "member":
        auth.login(org_offer["member"].email)
    elif who == "manager":
        auth.login(org_offer["manager"].email)
    elif who in ("stranger", "admin"):
        auth.login(make_user(admin=who == "admin").email)
    resource = org_offer["resource"]
    assert client.get(f"/resources/{resource.id}/{page}").status_code == status
    posted = client.post(f"/resources/{resource.id}/status", data={"status": "archived"})
    assert posted.status_code == (302 if who in ("anonymous", "manager") else 403)
    db.session.refresh(resource)
    assert (resource.status == "archived") is (who == "manager")


def test_edit_keeps_kind_and_owner(client, auth, org_offer):
    resource = org_offer["resource"]
    auth.login(org_offer["manager"].email)
    html = client.get(f"/resources/{resource.id}/edit").get_data(as_text=True)
    assert 'value="Lastenrad"' in html and "Mit Box" in html
    data = {**ITEM, "owner": "me", "title": "Lastenrad Werra-Esel", "fee": "1,00"}
    response = client.post(f"/resources/{resource.id}/edit", data=data)
    assert response.status_code == 302
    db.session.refresh(resource)
    assert resource.title == "Lastenrad Werra-Esel" and resource.fee_cents == 100
    assert resource.owner_org_id is not None and resource.kind == "item"


def test_a_private_lender_edits_their_own(client, auth, make_user, make_resource):
    owner = make_user()
    resource = make_resource(owner=owner, kind="room", capacity=5)
    auth.login(owner.email)
    response = client.post(
        f"/resources/{resource.id}/edit", data={**ITEM, "capacity": "7", "equipment": ""}
    )
    assert response.status_code == 302
    db.session.refresh(resource)
    assert resource.capacity == 7


# Pause hides the offer from others; reactivating shows it again.
@pytest.mark.parametrize(
    ("status", "others_see_it"), (("paused", False), ("archived", False), ("active", True))
)
def test_pause_and_archive(client, auth, org_offer, status, others_see_it):
    resource = org_offer["resource"]
    auth.login(org_offer["manager"].email)
    client.post(f"/resources/{resource.id}/status", data={"status": "paused"})
    response = client.post(f"/resources/{resource.id}/status", data={"status": status})
    assert response.status_code == 302
    auth.logout()
    assert (client.get(f"/resources/{resource.id}").status_code == 200) is others_see_it
    assert ('">Lastenrad</a></h3>' in client.get("/resources").get_data(as_text=True)) is (
        others_see_it
    )


def test_unknown_status_is_refused(client, auth, org_offer):
    resource = org_offer["resource"]
    auth.login(org_offer["manager"].email)
    response = client.post(f"/resources/{resource.id}/status", data={"status": "deleted"})
    assert response.status_code == 422
    db.session.refresh(resource)
    assert resource.status == "active"


def test_csrf_protects_the_forms(app, db_session, make_user):
    import re

    from app import create_app

    strict = create_app({**app.config, "WTF_CSRF_ENABLED": True})
    client = strict.test_client()
    user = make_user()
    login_page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    client.post(
        "/auth/login", data={"email": user.email, "password": "correct horse", "csrf_token": token}
    )
    assert client.get("/resources/new?kind=item").status_code == 200  # logged in
    response = client.post("/resources/new?kind=item", data=ITEM)  # no token
    assert response.status_code in (400, 422)
    assert latest() is None
