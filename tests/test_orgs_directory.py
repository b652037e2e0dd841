"""The directory /orgs: search, filters kept in the URL, pagination, a fixed number of queries."""

from __future__ import annotations

import re
from contextlib import contextmanager
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import event

from app.db import utcnow
from app.extensions import db


@pytest.fixture
def town(make_org, make_user):
    """A few organisations of different kinds, fields and districts."""
    manager = make_user()
    orgs = {}
    for name, kind, fields, district, description in (
        ("Repair-Café Witzenhausen", "initiative", ["repair", "crafts"], "Kernstadt", "Toaster"),
        ("Ökostrom Werra eG", "business", ["energy"], "Ermschwerd", "Sonnenstrom vom Dach"),
        ("Gemeinschaftsgarten", "initiative", ["garden", "food"], "Kernstadt", "Beete, Kompost"),
        ("Hausverwaltung Steinweg", "property_owner", [], "Kernstadt", "Leere Läden"),
        ("Projektbüro", "public_body", ["sharing"], None, "Die Stadt fördert das Teilen"),
    ):
        org = make_org(name, kind=kind, managers=(manager,), district=district)
        org.fields = fields
        org.description = description
        orgs[name] = org
    orgs["Projektbüro"].verified_at = utcnow()
    db.session.commit()
    return orgs


def names_on(response) -> list[str]:
    html = response.get_data(as_text=True)
    return re.findall(r'<h3><a href="/orgs/[^"]+">([^<]+)</a></h3>', html)


# Each query string and the organisations it shows, in name order.
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Gemeinschaftsgarten", "Hausverwaltung Steinweg", "Ökostrom Werra eG",
              "Projektbüro", "Repair-Café Witzenhausen"]),
        ("q=repair", ["Repair-Café Witzenhausen"]),  # case-insensitive name
        ("q=REPAIR-CAFÉ", ["Repair-Café Witzenhausen"]),
        ("q=ökostrom", ["Ökostrom Werra eG"]),  # an umlaut at the start, typed in lower case
        ("q=kompost", ["Gemeinschaftsgarten"]),  # found in the description
        ("q=100%25", []),  # LIKE wildcards are taken literally
        ("kind=initiative", ["Gemeinschaftsgarten", "Repair-Café Witzenhausen"]),
        ("kind=public_body", ["Projektbüro"]),
        ("field=energy", ["Ökostrom Werra eG"]),
        ("field=food", ["Gemeinschaftsgarten"]),
        ("district=Ermschwerd", ["Ökostrom Werra eG"]),
        ("kind=initiative&district=Kernstadt&field=repair", ["Repair-Café Witzenhausen"]),
        ("kind=business&district=Kernstadt", []),
    ],
)
def test_search_and_filters(client, town, query, expected):
    response = client.get("/orgs?" + query)
    assert response.status_code == 200
    assert names_on(response) == expected


@pytest.mark.parametrize(
    "query", ["kind=club", "field=astrology", "district=Atlantis", "q=" + "x" * 101]
)
def test_bad_filters_are_a_400_with_a_message(client, town, query):
    response = client.get("/orgs?" + query)
    assert response.status_code == 400
    assert 'class="error-summary"' in response.get_data(as_text=True)


def test_cards_show_kind_fields_district_and_verified_badge(client, town):
    html = client.get("/orgs?kind=public_body").get_data(as_text=True)
    assert 'class="status status-active"' in html  # verified
    html = client.get("/orgs?q=repair").get_data(as_text=True)
    assert "Kernstadt" in html and 'class="status status-active"' not in html


def test_filters_stay_in_the_form_and_in_page_links(client, make_org, make_user):
    manager = make_user()
    for n in range(45):
        org = make_org(f"Garten {n:02d}", managers=(manager,), district="Dohrenbach")
        org.fields = ["garden"]
    db.session.commit()
    response = client.get("/orgs?q=garten&field=garden&district=Dohrenbach")
    html = response.get_data(as_text=True)
    assert len(names_on(response)) == 20
    assert 'value="garten"' in html
    assert re.search(r'<option selected value="Dohrenbach">|value="Dohrenbach" selected', html)
    links = {a.replace("&amp;", "&") for a in re.findall(r'href="(/orgs\?[^"]+)"', html)}
    pages = {parse_qs(urlsplit(link).query)["page"][0] for link in links}
    assert pages == {"2", "3"}
    for link in links:
        query = parse_qs(urlsplit(link).query)
        assert query["q"] == ["garten"] and query["field"] == ["garden"]
        assert query["district"] == ["Dohrenbach"]
    last = client.get("/orgs?q=garten&field=garden&district=Dohrenbach&page=3")
    assert names_on(last) == ["Garten 40", "Garten 41", "Garten 42", "Garten 43", "Garten 44"]
    assert client.get("/orgs?page=99").status_code == 404
    assert client.get("/orgs?page=0").status_code == 404
    assert client.get("/orgs?page=abc").status_code == 200  # taken as the first page


@contextmanager
def count_queries():
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    engine = db.session.get_bind()
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def test_the_number_of_queries_does_not_grow_with_rows(client, make_org, make_user):
    people = [make_user() for _ in range(3)]
    make_org("Erste", managers=(people[0],), members=(people[1],))
    with count_queries() as few:
        assert client.get("/orgs").status_code == 200
    for n in range(24):
        make_org(f"Weitere {n}", managers=(people[n % 3],), members=(people[(n + 1) % 3],))
    with count_queries() as many:
        response = client.get("/orgs")
    assert len(names_on(response)) == 20
    assert len(many) == len(few), many
