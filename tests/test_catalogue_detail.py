"""Looking at one resource: what it shows, to whom; a private lender's address stays private."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

START, END = datetime(2027, 3, 1, 8, tzinfo=UTC), datetime(2027, 3, 2, 8, tzinfo=UTC)


@pytest.fixture
def private_offer(make_user, make_resource):
    owner = make_user(name="Emma Fischer")
    resource = make_resource(
        owner=owner, title="Leiter", address="Nordbahnhofstraße 5", district="Kernstadt"
    )
    return owner, resource


# The full address of a private lender only to who has a confirmed (or later) reservation.
@pytest.mark.parametrize(
    ("who", "status", "sees_address"),
    (
        ("anonymous", None, False),
        ("stranger", None, False),
        ("borrower", "requested", False),  # not confirmed yet
        ("borrower", "declined", False),
        ("borrower", "cancelled", False),
        ("borrower", "confirmed", True),
        ("borrower", "handed_over", True),
        ("borrower", "returned", True),
        ("owner", None, True),
        ("admin", None, True),
    ),
)
def test_private_address(
    client, auth, make_user, make_reservation, private_offer, who, status, sees_address
):
    owner, resource = private_offer
    if who == "owner":
        auth.login(owner.email)
    elif who != "anonymous":
        person = make_user(admin=who == "admin")
        if status:
            make_reservation(resource, START, END, requester=person, status=status)
        auth.login(person.email)
    html = client.get(f"/resources/{resource.id}").get_data(as_text=True)
    assert "Kernstadt" in html
    assert ("Nordbahnhofstraße 5" in html) is sees_address
    assert "Emma Fischer" in html  # the display name, and nothing else about them
    assert owner.email not in html


def test_someone_elses_confirmed_reservation_does_not_count(
    client, auth, make_user, make_reservation, private_offer
):
    _, resource = private_offer
    make_reservation(resource, START, END, requester=make_user(), status="confirmed")
    auth.login(make_user().email)
    assert "Nordbahnhofstraße 5" not in client.get(f"/resources/{resource.id}").get_data(
        as_text=True
    )


def test_an_organisation_shows_its_contact_and_address(client, make_org, make_resource):
    org = make_org("Repair-Café")
    org.contact_email, org.contact_phone = "repair@example.org", "05542 123"
    resource = make_resource(org=org, title="Lötstation", address="Walburger Straße 12")
    html = client.get(f"/resources/{resource.id}").get_data(as_text=True)
    assert "Repair-Café" in html
    assert 'href="mailto:repair@example.org"' in html and "05542 123" in html
    assert "Walburger Straße 12" in html


def test_the_page_shows_prices_rules_and_kind_fields(client, make_resource):
    room = make_resource(
        kind="room",
        title="Vereinsraum",
        capacity=30,
        equipment="Beamer, Flipchart",
        fee_cents=1250,
        deposit_cents=5000,
        briefing_required=True,
        min_age=18,
        rules_text="Bitte lüften.",
        description="Hell und ruhig.",
    )
    html = client.get(f"/resources/{room.id}", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    for text in (
        "Vereinsraum",
        "Hell und ruhig.",
        "Up to 30 people",
        "Beamer, Flipchart",
        "€12.50",
        "€50.00",
        "A short briefing is needed",
        "Minimum age: 18",
        "Bitte lüften.",
        "Opening hours",
    ):
        assert text in html, text
    space = make_resource(
        kind="space",
        title="Laden",
        area_m2=65.5,
        rent_model="utilities",
        shop_window=True,
        permitted_uses=["Laden", "Café"],
    )
    html = client.get(f"/resources/{space.id}", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    for text in ("65.5 m²", "Utilities only", "Laden, Café", 'href="/spaces'):
        assert text in html, text


def test_reserve_link(app, client, make_resource):
    resource = make_resource()
    html = client.get(f"/resources/{resource.id}").get_data(as_text=True)
    if "reservations.new" in app.view_functions:
        with app.test_request_context():
            from flask import url_for

            link = url_for("reservations.new", resource_id=resource.id)
        assert f'href="{link}"' in html
    else:
        assert "/reserve" not in html


# Who may look: members-only to members, paused ones to their managers.
@pytest.mark.parametrize(
    ("visibility", "status", "who", "answer"),
    (
        ("members", "active", "anonymous", 302),  # asked to log in
        ("members", "active", "stranger", 404),
        ("members", "active", "member", 200),
        ("members", "active", "manager", 200),
        ("public", "paused", "anonymous", 404),
        ("public", "paused", "member", 404),
        ("public", "paused", "manager", 200),
        ("public", "archived", "admin", 200),
        ("public", "active", "anonymous", 200),
    ),
)
def test_who_may_look(
    client, auth, make_user, make_org, make_resource, visibility, status, who, answer
):
    manager, member = make_user(), make_user()
    org = make_org(managers=(manager,), members=(member,))
    resource = make_resource(org=org, visibility=visibility, status=status)
    people = {"manager": manager, "member": member}
    if who in people:
        auth.login(people[who].email)
    elif who != "anonymous":
        auth.login(make_user(admin=who == "admin").email)
    response = client.get(f"/resources/{resource.id}")
    assert response.status_code == answer
    if answer == 302:
        assert "/auth/login" in response.headers["Location"]


def test_unknown_resource_is_404(client):
    assert client.get("/resources/999999").status_code == 404


def test_managers_see_their_actions(client, auth, make_user, make_resource):
    owner = make_user()
    resource = make_resource(owner=owner, status="paused")
    auth.login(owner.email)
    html = client.get(f"/resources/{resource.id}", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert f"/resources/{resource.id}/edit" in html
    assert 'value="active"' in html and 'value="archived"' in html
    assert 'class="status status-paused"' in html
