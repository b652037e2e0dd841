"""Finding resources on /resources: German-friendly words, filters, visibility, speed."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from html import unescape

import pytest
import sqlalchemy as sa

from app.catalogue.search import fold, parse_moment, query_words, words
from app.extensions import db
from app.models import SearchTerm


def titles(response) -> list[str]:
    """The titles of the hits on a result page, in order."""
    html = response.get_data(as_text=True)
    found = re.findall(r'<h3><a href="/resources/\d+">([^<]*)</a></h3>', html)
    return [unescape(title) for title in found]


# ---------------------------------------------------------------- folding ----
@pytest.mark.parametrize(
    ("text", "folded"),
    (
        ("Größe", "groesse"),  # ö and ß spelt out
        ("GRÜNSCHNITT", "gruenschnitt"),  # upper-case umlaut
        ("Äpfel", "aepfel"),
        ("Straße", "strasse"),
        ("Café", "cafe"),  # other accents dropped
        ("Bohrmaschine", "bohrmaschine"),
    ),
)
def test_fold(text, folded):
    assert fold(text) == folded


def test_words_keep_compounds_whole_and_split():
    assert words("Lasten-Fahrrad für 2 Kinder!") == [
        "lasten",
        "fahrrad",
        "lastenfahrrad",
        "fuer",
        "kinder",
    ]


def test_query_words_are_limited_and_deduplicated():
    assert query_words("Bohr bohr BOHR x") == ["bohr"]  # single letters are ignored
    assert len(query_words(" ".join(f"wort{i}" for i in range(20)))) == 8


# ----------------------------------------------------------- index upkeep ----
def test_terms_follow_title_and_description(app_ctx, make_resource):
    resource = make_resource(title="Akku-Bohrschrauber", description="Mit zwei Akkus")

    def terms():
        return dict(
            db.session.execute(
                sa.select(SearchTerm.term, SearchTerm.in_title).where(
                    SearchTerm.resource_id == resource.id
                )
            ).all()
        )

    assert terms() == {
        "akku": True,
        "bohrschrauber": True,
        "akkubohrschrauber": True,
        "mit": False,
        "zwei": False,
        "akkus": False,
    }
    resource.title = "Schlagbohrmaschine"
    db.session.commit()
    assert terms()["schlagbohrmaschine"] is True
    assert "bohrschrauber" not in terms()
    assert resource.search_text.startswith("schlagbohrmaschine |")


# ---------------------------------------------------------- finding words ----
@pytest.mark.parametrize(
    ("query", "found"),
    (
        ("bohr", True),  # a word prefix
        ("BOHRMASCHINE", True),  # case does not matter
        ("Groesse", True),  # oe for ö
        ("größe", True),  # ö for ö
        ("strasse", True),  # ss for ß
        ("Straße", True),
        ("gruen", True),  # ue in the description
        ("maschine", False),  # only prefixes of words, not inner parts
        ("bohr rot", False),  # every word must match
        ("bohr groe", True),
    ),
)
def test_german_word_search(client, make_resource, query, found):
    make_resource(title="Bohrmaschine in Größe XL", description="Grün, für die Straße")
    make_resource(title="Rasenmäher")
    response = client.get("/resources", query_string={"q": query})
    assert response.status_code == 200
    assert (titles(response) == ["Bohrmaschine in Größe XL"]) is found


def test_relevance_puts_title_hits_first(client, make_resource):
    make_resource(title="Bohrer-Set")
    make_resource(title="Werkzeugkiste", description="Mit Bohrer und Säge")  # newer
    response = client.get("/resources", query_string={"q": "bohrer"})
    assert titles(response) == ["Bohrer-Set", "Werkzeugkiste"]


def test_sort_by_name_ignores_umlauts_and_case(client, make_resource, make_user):
    owner = make_user()
    for title in ("zelt", "Äxte", "Beamer", "Anhänger"):
        make_resource(title=title, owner=owner)
    response = client.get("/resources", query_string={"sort": "name"})
    assert titles(response) == ["Äxte", "Anhänger", "Beamer", "zelt"]


def test_prefix_search_uses_the_index(app_ctx, make_resource):
    """The query plan for a search word reads the term index, not the whole table."""
    from app.catalogue.search import term_matches

    resource = make_resource(title="Bohrer")
    rows = [
        {"resource_id": resource.id, "term": f"wort{n:04d}", "in_title": False} for n in range(2000)
    ]
    db.session.execute(sa.insert(SearchTerm), rows)
    connection = db.session.connection()
    connection.exec_driver_sql("ANALYZE search_terms")
    query = sa.select(SearchTerm.resource_id).where(term_matches("bohr"))
    compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
    if db.engine.dialect.name == "sqlite":
        explain = f"EXPLAIN QUERY PLAN {compiled}"
    else:
        explain = f"EXPLAIN {compiled}"
    plan = " ".join(str(row) for row in connection.exec_driver_sql(explain))
    assert "ix_search_terms_term" in plan
    if db.engine.dialect.name != "sqlite":
        assert "~>=~" in plan  # the pattern-ops range PostgreSQL derives from LIKE 'bohr%'


# ---------------------------------------------------------------- filters ----
def test_filters_combine(client, make_resource, make_org, make_category):
    org = make_org("Kulturverein", district="Wendershausen")
    make_category("meeting-rooms")
    make_resource(
        kind="room",
        org=org,
        title="Großer Saal",
        capacity=80,
        category="meeting-rooms",
        district="Wendershausen",
    )
    make_resource(kind="room", title="Kleiner Raum", capacity=6, category="meeting-rooms")
    make_resource(kind="space", title="Laden", area_m2=60, district="Kernstadt")
    make_resource(kind="space", title="Kiosk", area_m2=12, district="Kernstadt")
    make_resource(title="Beamer", district="Wendershausen")

    def found(**params):
        return sorted(titles(client.get("/resources", query_string=params)))

    assert found(kind="room") == ["Großer Saal", "Kleiner Raum"]
    assert found(kind="room", capacity_min="20") == ["Großer Saal"]
    assert found(category="meeting-rooms") == ["Großer Saal", "Kleiner Raum"]
    assert found(district="Wendershausen") == ["Beamer", "Großer Saal"]
    assert found(org=org.slug) == ["Großer Saal"]
    assert found(kind="space", area_min="50") == ["Laden"]
    assert found(area_min="12,5") == ["Laden"]  # a German decimal comma is fine


# A bad filter value is a 400 page with a message, never a 500.
@pytest.mark.parametrize(
    "params",
    (
        {"kind": "boat"},  # unknown kind
        {"category": "no-such-category"},
        {"district": "Atlantis"},
        {"org": "Not a slug!"},
        {"capacity_min": "many"},
        {"capacity_min": "-1"},
        {"area_min": "nan"},
        {"area_min": "1e999"},
        {"available_from": "2027-02-30"},  # no such day
        {"available_from": "tomorrow"},
        {"available_from": "2027-03-02", "available_to": "2027-03-01"},  # end before start
        {"available_to": "2027-03-01"},  # an end without a start
        {"available_from": "9999-12-31"},  # absurd year
        {"sort": "price"},
        {"page": "0"},
        {"page": "x"},
        {"page": "99999999999999999999"},
        {"q": "x" * 201},
    ),
)
def test_bad_filters_are_400(client, params):
    response = client.get("/resources", query_string=params)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'class="error-summary"' in html
    assert 'role="search"' in html  # the form is there to correct it


def test_page_beyond_the_results_is_400(client, make_resource):
    make_resource()
    assert client.get("/resources?page=5").status_code == 400


def test_nothing_found_suggests_wider_searches(client, make_resource):
    make_resource(title="Leiter", district="Kernstadt")
    response = client.get("/resources", query_string={"q": "leiter", "district": "Dohrenbach"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert titles(response) == []
    links = re.findall(r'<li><a href="(/resources[^"]*)">', html)
    assert "/resources?district=Dohrenbach" in links  # drops the words
    assert "/resources?q=leiter" in links  # drops the district
    assert titles(client.get("/resources?q=leiter")) == ["Leiter"]


def test_pagination_keeps_the_filters(client, make_resource, make_user):
    owner = make_user()
    for n in range(26):
        make_resource(title=f"Hammer {n:02d}", owner=owner)
    first = client.get("/resources?q=hammer&sort=name")
    assert len(titles(first)) == 24
    assert "/resources?page=2&amp;q=hammer&amp;sort=name" in first.get_data(as_text=True)
    second = client.get("/resources?q=hammer&sort=name&page=2")
    assert titles(second) == ["Hammer 24", "Hammer 25"]


def test_a_hit_shows_photo_title_owner_district_and_price(client, make_resource, make_user):
    owner = make_user(name="Emma Fischer")
    make_resource(title="Zelt", owner=owner, district="Ermschwerd", fee_cents=250, photos=1)
    html = client.get("/resources").get_data(as_text=True)
    card = html[html.index('<li class="card">') :]
    card = card[: card.index("</li>")]
    assert re.search(r'<img src="/media/photos/[0-9a-f]{32}-480\.jpg" alt="Photo 1"', card)
    assert "Zelt" in card and "Emma Fischer" in card and "Ermschwerd" in card
    assert "2,50" in card


# ---------------------------------------------------------- dates and time ----
@pytest.mark.parametrize(
    ("value", "end_of_day", "expected"),
    (
        ("2027-03-01", False, "2027-02-28T23:00:00+00:00"),  # local midnight (CET)
        ("2027-03-01", True, "2027-03-01T23:00:00+00:00"),  # the end of that day
        ("2027-07-01", False, "2027-06-30T22:00:00+00:00"),  # summer time (CEST)
        ("2027-03-28", True, "2027-03-28T22:00:00+00:00"),  # the day clocks go forward: 23 h
        ("2027-03-01T10:00", False, "2027-03-01T09:00:00+00:00"),  # local wall-clock time
        ("2027-03-01T10:00:00+00:00", False, "2027-03-01T10:00:00+00:00"),  # explicit offset
    ),
)
def test_parse_moment(value, end_of_day, expected):
    from zoneinfo import ZoneInfo

    moment, _ = parse_moment(value, ZoneInfo("Europe/Berlin"), end_of_day=end_of_day)
    assert moment.isoformat() == expected


def test_free_dates_go_to_the_booking_filter(client, make_resource, monkeypatch):
    """available_from/to are local days handed to restrict_to_available as a UTC window."""
    import app.booking.search as booking_search

    seen = []

    def restrict(query, start, end):
        seen.append((start, end))
        return query

    monkeypatch.setattr(booking_search, "restrict_to_available", restrict)
    make_resource(title="Leiter")
    response = client.get("/resources?available_from=2027-03-01&available_to=2027-03-02")
    assert response.status_code == 200
    assert seen == [(datetime(2027, 2, 28, 23, tzinfo=UTC), datetime(2027, 3, 2, 23, tzinfo=UTC))]
    seen.clear()
    client.get("/resources?available_from=2027-03-01")  # one day alone: that whole day
    assert seen == [(datetime(2027, 2, 28, 23, tzinfo=UTC), datetime(2027, 3, 1, 23, tzinfo=UTC))]


# ------------------------------------------------------------- visibility ----
@pytest.fixture
def scene(make_user, make_org, make_resource):
    """An organisation with a manager and a member, and resources of every visibility."""
    manager, member, stranger = make_user(), make_user(), make_user()
    admin = make_user(admin=True)
    org = make_org(managers=(manager,), members=(member,))
    make_resource(title="Public drill", org=org)
    make_resource(title="Members saw", org=org, visibility="members")
    make_resource(title="Paused ladder", org=org, status="paused")
    make_resource(title="Archived tent", org=org, status="archived")
    make_resource(
        title="Hidden bike",
        org=org,
        hidden_at=datetime(2026, 1, 1, tzinfo=UTC),
        hidden_reason="Spam",
    )
    make_resource(title="Stranger's own paused", owner=stranger, status="paused")
    return {"manager": manager, "member": member, "stranger": stranger, "admin": admin}


ALL = {"Public drill", "Members saw", "Paused ladder", "Archived tent", "Hidden bike"}


# Who finds what: members-only to members, paused/archived/hidden to managers and admins.
@pytest.mark.parametrize(
    ("who", "expected"),
    (
        (None, {"Public drill"}),  # anonymous
        ("stranger", {"Public drill", "Stranger's own paused"}),  # sees own paused offer
        ("member", {"Public drill", "Members saw"}),
        ("manager", ALL),
        ("admin", ALL | {"Stranger's own paused"}),
    ),
)
def test_who_finds_what(client, auth, scene, who, expected):
    if who:
        auth.login(scene[who].email)
    assert set(titles(client.get("/resources"))) == expected


# --------------------------------------------------------------- speed ----
SOON = date.today() + timedelta(days=9 - date.today().weekday())  # a Wednesday ahead


def count_queries(app, client, url: str) -> int:
    from sqlalchemy import event

    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", before)
    return len(statements)


@pytest.mark.parametrize(
    "url",
    (
        "/resources",
        "/resources?q=thing&sort=relevance",
        f"/resources?available_from={SOON}&available_to={SOON}",
        "/api/v1/resources?per_page=50",
        "/",
    ),
)
def test_lists_issue_a_fixed_number_of_queries(
    app, client, auth, make_user, make_org, make_resource, make_category, url
):
    """3 or 30 resources: the same number of SQL statements (owners, photos eager-loaded)."""
    viewer, lender = make_user(), make_user()
    auth.login(viewer.email)
    org = make_org(members=(viewer,))
    category = make_category()

    def add(count: int) -> None:
        for n in range(count):
            if n % 2:
                make_resource(
                    title=f"Thing {n}", org=org, category=category, photos=2, visibility="members"
                )
            else:
                make_resource(title=f"Thing {n}", owner=lender, category=category, photos=1)

    add(3)
    few = count_queries(app, client, url)
    assert "Thing 0" in client.get(url).get_data(as_text=True)  # rows are really listed
    add(27)
    many = count_queries(app, client, url)
    assert few == many
