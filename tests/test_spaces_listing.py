"""/spaces: only vacant spaces, filters, free periods, interim use, map data, no JS needed."""

from __future__ import annotations

import json
import re

import pytest

from app.db import utcnow
from app.extensions import db
from app.models import Photo
from tests.factories_spaces import in_days


def titles(response) -> set[str]:
    html = response.get_data(as_text=True)
    return set(re.findall(r'<h3><a href="/resources/\d+">([^<]+)</a></h3>', html))


def map_data(response) -> dict | None:
    html = response.get_data(as_text=True)
    match = re.search(
        r'<script type="application/json" id="spaces-map-data">(.*?)</script>', html, re.S
    )
    return json.loads(match.group(1)) if match else None


@pytest.fixture
def town(make_person, make_space, make_org):
    """Spaces that differ in one respect each, named after what makes them differ."""
    owner = make_person("owner@example.org")
    org = make_org("Hausverwaltung", kind="property_owner", managers=(owner,))
    return {
        "Markt": make_space(org=org, title="Markt", district="Kernstadt", area_m2=80,
                            rent_model="utilities", permitted_uses=["popup_shop"],
                            floor=0, step_free=False, lat=51.3427, lon=9.8585),
        "Etage": make_space(org=org, title="Etage", district="Kernstadt", area_m2=120,
                            rent_model="negotiable", permitted_uses=["office", "workshop"],
                            floor=2, step_free=True),
        "Dorf": make_space(owner=owner, title="Dorf", district="Ermschwerd", area_m2=40,
                           rent_model="free", permitted_uses=["event", "workshop"],
                           floor=1, step_free=False, lat=51.3587, lon=9.8430),
    }


def test_only_active_visible_spaces_are_listed(client, town, make_space, make_person, make_org):
    make_space(title="Pausiert", status="paused")
    make_space(title="Versteckt", hidden_at=utcnow())
    make_space(title="Archiviert", status="archived")
    member = make_person("member@example.org")
    club = make_org("Verein", members=(member,))
    make_space(org=club, title="Nur Mitglieder", visibility="members")
    item = make_space(title="Bohrmaschine")
    item.kind = "item"
    db.session.commit()

    response = client.get("/spaces")
    assert response.status_code == 200
    assert titles(response) == {"Markt", "Etage", "Dorf"}


@pytest.mark.parametrize(
    ("who", "sees_members_only"),
    (
        ("anonymous", False),
        ("member", True),  # a member of the owning organisation
        ("other", False),
        ("admin", True),
    ),
)
def test_members_only_spaces_show_to_members(
    client, auth, make_person, make_org, make_space, who, sees_members_only
):
    member = make_person("member@example.org")
    make_person("other@example.org")
    make_person("admin@example.org", admin=True)
    club = make_org("Verein", members=(member,))
    make_space(org=club, title="Nur Mitglieder", visibility="members")
    if who != "anonymous":
        auth.login(f"{who}@example.org")
    assert ("Nur Mitglieder" in titles(client.get("/spaces"))) is sees_members_only


@pytest.mark.parametrize(
    ("query", "expected"),
    (
        ("", {"Markt", "Etage", "Dorf"}),
        ("district=Ermschwerd", {"Dorf"}),
        ("area_min=80", {"Markt", "Etage"}),  # at least 80 m²
        ("area_min=100", {"Etage"}),
        ("rent_model=free", {"Dorf"}),
        ("use=workshop", {"Etage", "Dorf"}),  # permitted use
        ("use=popup_shop", {"Markt"}),
        ("use=exhibition", set()),
        ("ground_floor=y", {"Markt"}),  # floor 0
        ("step_free=y", {"Etage"}),
        ("district=Kernstadt&use=office", {"Etage"}),  # filters combine
    ),
)
def test_filters(client, town, query, expected):
    response = client.get(f"/spaces?{query}")
    assert response.status_code == 200
    assert titles(response) == expected


@pytest.mark.parametrize(
    ("period", "expected"),
    (
        # Markt is in use on days 10..20, Etage is available only until day 30
        ((5, 9), {"Markt", "Etage", "Dorf"}),
        ((5, 10), {"Etage", "Dorf"}),  # touches the use's first day
        ((20, 25), {"Etage", "Dorf"}),  # touches its last day
        ((21, 25), {"Markt", "Etage", "Dorf"}),
        ((25, 35), {"Markt", "Dorf"}),  # beyond Etage's availability
        ((15, 15), {"Etage", "Dorf"}),  # a single day
    ),
)
def test_free_in_a_period(client, town, make_interim_use, period, expected):
    make_interim_use(town["Markt"], in_days(10), in_days(20))
    make_interim_use(town["Dorf"], in_days(10), in_days(20), status="cancelled")  # not held
    town["Etage"].available_until = in_days(30)
    db.session.commit()
    first, last = (in_days(n).isoformat() for n in period)
    response = client.get(f"/spaces?available_from={first}&available_to={last}")
    assert titles(response) == expected


def test_a_requested_reservation_also_blocks_the_period(client, town, make_interim_use):
    make_interim_use(town["Markt"], in_days(10), in_days(20), status="requested")
    response = client.get(
        f"/spaces?available_from={in_days(12).isoformat()}&available_to={in_days(13).isoformat()}"
    )
    assert "Markt" not in titles(response)


@pytest.mark.parametrize(
    "query",
    (
        "area_min=viel",
        "available_from=2027-02-31",
        f"available_from={in_days(9).isoformat()}&available_to={in_days(3).isoformat()}",
        "district=Atlantis",
        "use=casino",
    ),
)
def test_bad_filters_are_explained(client, town, query):
    response = client.get(f"/spaces?{query}")
    assert response.status_code == 400
    assert 'class="error-summary"' in response.get_data(as_text=True)
    assert titles(response)  # the list stays usable


def test_spaces_in_interim_use_stay_listed_and_say_until_when(client, town, make_interim_use):
    make_interim_use(town["Markt"], in_days(-5), in_days(6))
    html = client.get("/spaces", headers={"Accept-Language": "en"}).get_data(as_text=True)
    card = html[html.index(f'id="space-{town["Markt"].id}"'):]
    card = card[: card.index("</li>")]
    assert "In interim use until" in card
    assert "status-booked" in card
    # and the free periods begin after the use
    first_free = in_days(7)
    assert f"{first_free.day}" in card.split("Free:")[1]


def test_each_card_shows_photo_area_rent_model_and_free_periods(client, town):
    db.session.add(Photo(resource=town["Markt"], stem="a" * 32, ext="jpg", alt_text="Schaufenster"))
    db.session.commit()
    html = client.get("/spaces", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert f'src="/media/photos/{"a" * 32}-480.jpg"' in html
    assert 'alt="Schaufenster"' in html
    assert "80 m²" in html
    assert "Utilities only" in html
    assert "Free:" in html
    assert f'href="/spaces/{town["Markt"].id}/inquire"' in html


def test_the_page_is_german_by_default(client, town, make_interim_use):
    make_interim_use(town["Markt"], in_days(-5), in_days(6))
    html = client.get("/spaces").get_data(as_text=True)
    assert '<html lang="de">' in html
    assert "Leerstand zur Zwischennutzung" in html
    assert "Zwischengenutzt bis" in html
    assert "Nur Nebenkosten" in html


# ------------------------------------------------------------------- map ----
def test_the_map_gets_its_markers_as_json(client, town):
    response = client.get("/spaces")
    data = map_data(response)
    by_title = {m["title"]: m for m in data["markers"]}
    assert set(by_title) == {"Markt", "Dorf"}  # Etage has no coordinates
    assert by_title["Markt"]["lat"] == 51.3427 and by_title["Markt"]["approximate"] is False
    # a private owner's space is shown only near its district
    assert by_title["Dorf"]["lat"] == 51.36 and by_title["Dorf"]["approximate"] is True
    assert data["config"]["tiles"] == ""  # no tile server unless configured
    html = response.get_data(as_text=True)
    assert "/static/vendor/leaflet/leaflet.js" in html
    assert "/static/js/spaces-map.js" in html
    assert "data-map-section" in html and " hidden " in html  # shown by the script only


def test_the_private_owner_sees_their_exact_location(client, auth, town):
    auth.login("owner@example.org")
    markers = {m["title"]: m for m in map_data(client.get("/spaces"))["markers"]}
    assert markers["Dorf"]["lat"] == 51.3587


def test_tile_url_comes_from_configuration(client, app, town, monkeypatch):
    monkeypatch.setitem(app.config, "MAP_TILE_URL", "https://tiles.example/{z}/{x}/{y}.png")
    assert map_data(client.get("/spaces"))["config"]["tiles"].startswith("https://tiles.example")


def test_without_coordinates_there_is_no_map_and_no_script(client, make_space):
    make_space(title="Ohne Karte")
    html = client.get("/spaces").get_data(as_text=True)
    assert "Ohne Karte" in html
    assert "spaces-map-data" not in html
    assert "leaflet.js" not in html


def test_map_json_cannot_break_out_of_its_script(client, make_space):
    make_space(title="</script><script>alert(1)</script>", lat=51.3, lon=9.8, owner=None)
    html = client.get("/spaces").get_data(as_text=True)
    assert "<script>alert(1)" not in html


def test_vendored_leaflet_is_served_with_its_licence(client):
    for path in ("leaflet.js", "leaflet.css", "LICENSE", "images/marker-icon.png"):
        response = client.get(f"/static/vendor/leaflet/{path}")
        assert response.status_code == 200, path
        response.close()


def test_the_panel_for_the_catalogue_detail_page(app, town, make_interim_use):
    from flask import render_template_string

    make_interim_use(town["Markt"], in_days(-1), in_days(9))
    with app.test_request_context(headers={"Accept-Language": "en"}):
        html = render_template_string(
            '{% include "spaces/_detail_panel.html" %}', resource=town["Markt"]
        )
        assert "In interim use until" in html
        assert f'href="/spaces/{town["Markt"].id}/inquire"' in html
        other = render_template_string(
            '{% include "spaces/_detail_panel.html" %}', resource=town["Etage"]
        )
        assert "In interim use" not in other
