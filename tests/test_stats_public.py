"""/stats: what sharing achieved in the last twelve months, for everyone, without names."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

BERLIN = ZoneInfo("Europe/Berlin")


def days_ago(n: int) -> datetime:
    day = datetime.now(BERLIN).date() - timedelta(days=n)
    return datetime.combine(day, time(), tzinfo=BERLIN)


@pytest.fixture
def shared(admin_person, make_org, admin_category, admin_resource, admin_reservation):
    lender = admin_person(name="Lena Lenderin")
    borrower = admin_person(name="Bert Borger")
    org = make_org("Verein Geheimnisvoll")
    tools = admin_category("Werkzeug", purchase_cents=8000, co2_grams=20000)
    drill = admin_resource("item", owner=lender, title="Bohrhammer Privat", category=tools)
    room = admin_resource("room", org=org, title="Saal im Vereinsheim")
    admin_reservation(drill, borrower, days_ago(40), days_ago(37))          # 3 loan days
    admin_reservation(room, borrower, days_ago(20) + timedelta(hours=10),
                      days_ago(20) + timedelta(hours=12), status="confirmed")
    admin_reservation(drill, borrower, days_ago(500), days_ago(499))        # too long ago
    admin_reservation(drill, borrower, days_ago(10), days_ago(9), status="cancelled")
    return {"lender": lender, "borrower": borrower}


def test_stats_show_figures_and_charts(client, shared):
    response = client.get("/stats")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="de">' in html
    assert 'role="img"' in html and "<desc id=" in html
    assert "Werkzeug" in html           # categories are not personal
    assert "80,00" in html              # one loan of 80 € avoided (estimate)
    assert "<caption" in html


def test_stats_show_no_names(client, shared):
    html = client.get("/stats").get_data(as_text=True)
    for secret in ("Lena Lenderin", "Bert Borger", "Verein Geheimnisvoll", "Bohrhammer Privat",
                   "Saal im Vereinsheim", "@example.org"):
        assert secret not in html, secret


def test_stats_count_the_last_twelve_months(app_ctx, shared):
    from app.admin import stats
    from app.templating import current_locale

    figures = stats.build(stats.Period.last_twelve_months(), current_locale(), public=True)
    assert figures.summary["reservations"] == 2
    assert figures.summary["item_days"] == 3
    assert figures.summary["room_hours"] == 2
    assert figures.summary["estimates"].purchase_cents == 8000
    assert len(figures.tables["months"].rows) == 12
    # No table with names of things or people on the public page.
    assert set(figures.tables) == {"summary", "months", "categories", "estimates"}


def test_stats_in_english(client, shared):
    html = client.get("/stats", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "What sharing achieves" in html


def test_public_figures_are_kept_a_few_minutes(client, app, shared, admin_reservation,
                                               admin_resource):
    def figures() -> str:
        html = client.get("/stats").get_data(as_text=True)
        return html[html.index('<ul class="stat-cards">'):html.index("</ul>", html.index(
            '<ul class="stat-cards">'))]

    app.config["STATS_CACHE_SECONDS"] = 600
    try:
        first = figures()
        room = admin_resource("room", owner=shared["lender"], title="Noch ein Raum")
        admin_reservation(room, shared["borrower"], days_ago(3) + timedelta(hours=9),
                          days_ago(3) + timedelta(hours=10), status="confirmed")
        assert figures() == first
        app.extensions["admin_public_stats"].clear()
        assert figures() != first
    finally:
        app.config.pop("STATS_CACHE_SECONDS")
        app.extensions["admin_public_stats"].clear()
