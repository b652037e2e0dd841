"""Honest figures: every number of the dashboard against a small town whose year we know.

The year 2025 (Europe/Berlin; 1 January is a Wednesday, summer time from 30 March):

  no. resource            who     local period                      status       units
   1  drill (tools)       B1      Mon 3 – Wed 5 March               returned     1
   2  drill               B2      Tue 1 April (UTC: 31 March 22:00) confirmed    1
   3  drill               B1      10 May                            cancelled    1
   4  tables (garden)     B3      Fri 6 – Sat 7 June                returned     4
   5  room                B1      10 June 18:00–20:00               confirmed    1
   6  room                B3      11 June 10:00–13:00               handed_over  1
   7  space               B2      1 – 10 July                       confirmed    1
   8  drill               B3      20 December, asked in November    requested    1
   9  drill               B1      asked in October, never answered  expired      1
  10  drill               B2      30 December 2024 – 2 January      returned     1
  11  drill               guest   Mon 4 August                      returned     1
  12  drill               B3      asked in September                declined     1

drill: private lender L1, tools (80 € and 20 kg CO2e per loan), Mon–Sat 09–18.
tables: the repair initiative's, garden (no estimate), 10 units, the initiative's hours
        Mon–Fri 10–14.
room: the initiative's, every day 08–20, own hours. space: private lender L2, no opening hours.
"""

from __future__ import annotations

import csv
import io
from datetime import date, time
from zoneinfo import ZoneInfo

import pytest

from app.admin import stats

YEAR = {"from": "2025-01-01", "to": "2025-12-31"}


@pytest.fixture
def town(admin_person, make_org, admin_category, admin_resource, admin_hours, admin_reservation,
         admin_local):
    local = admin_local
    lender1 = admin_person(name="Lea Leihmann")
    lender2 = admin_person(name="Lutz Ladenbesitzer")
    manager = admin_person(name="Mia Managerin")
    b1, b2, b3 = (admin_person(name=f"Borger {n}") for n in (1, 2, 3))
    org = make_org("Repair-Café Testhausen", managers=(manager,))
    tools = admin_category("Werkzeug", purchase_cents=8000, co2_grams=20000, name_en="Tools")
    garden = admin_category("Garten", name_en="Garden")

    drill = admin_resource("item", owner=lender1, title="Bohrmaschine", category=tools)
    admin_hours(resource=drill, weekdays=range(6), opens=time(9), closes=time(18))
    tables = admin_resource("item", org=org, title="Biertische", category=garden, units=10,
                            own_hours=False)
    admin_hours(org=org, weekdays=range(5), opens=time(10), closes=time(14))
    room = admin_resource("room", org=org, title="Werkstattraum")
    admin_hours(resource=room, weekdays=range(7), opens=time(8), closes=time(20))
    space = admin_resource("space", owner=lender2, title="Ladenlokal Steinweg")

    r = admin_reservation
    r(drill, b1, local(2025, 3, 3), local(2025, 3, 6))
    r(drill, b2, local(2025, 4, 1), local(2025, 4, 2), status="confirmed")
    r(drill, b1, local(2025, 5, 10), local(2025, 5, 11), status="cancelled")
    r(tables, b3, local(2025, 6, 6), local(2025, 6, 8), units=4)
    r(room, b1, local(2025, 6, 10, 18), local(2025, 6, 10, 20), status="confirmed")
    r(room, b3, local(2025, 6, 11, 10), local(2025, 6, 11, 13), status="handed_over")
    r(space, b2, local(2025, 7, 1), local(2025, 7, 11), status="confirmed")
    r(drill, b3, local(2025, 12, 20), local(2025, 12, 21), status="requested",
      created_at=local(2025, 11, 30, 12))
    r(drill, b1, local(2025, 10, 20), local(2025, 10, 21), status="expired",
      created_at=local(2025, 10, 15, 12))
    r(drill, b2, local(2024, 12, 30), local(2025, 1, 3), created_at=local(2024, 12, 1))
    r(drill, None, local(2025, 8, 4), local(2025, 8, 5), guest_name="Gast am Tresen")
    r(drill, b3, local(2025, 9, 20), local(2025, 9, 21), status="declined",
      created_at=local(2025, 9, 1, 12))
    return {"drill": drill, "tables": tables, "room": room, "space": space, "org": org,
            "people": (lender1, lender2, manager, b1, b2, b3)}


@pytest.fixture
def year(app_ctx):
    return stats.Period(date(2025, 1, 1), date(2025, 12, 31), ZoneInfo("Europe/Berlin"))


def test_reservations_per_month_by_kind(town, year):
    months = stats.reservations_by_month(year)
    assert list(months) == [f"2025-{m:02d}" for m in range(1, 13)]
    assert months["2025-03"] == {"item": 1, "room": 0, "space": 0}
    # Starts at local midnight of 1 April, which is still 31 March in UTC.
    assert months["2025-04"] == {"item": 1, "room": 0, "space": 0}
    assert months["2025-06"] == {"item": 1, "room": 2, "space": 0}
    assert months["2025-07"] == {"item": 0, "room": 0, "space": 1}
    assert months["2025-08"] == {"item": 1, "room": 0, "space": 0}
    # Cancelled, requested, expired and declined reservations do not count.
    for month in ("2025-01", "2025-05", "2025-09", "2025-10", "2025-12"):
        assert sum(months[month].values()) == 0


def test_month_of_a_start_is_the_local_month(app_ctx, admin_person, admin_resource,
                                             admin_reservation, admin_local):
    lender, borrower = admin_person(), admin_person()
    drill = admin_resource("item", owner=lender)
    # 1 November 00:30 in Berlin (winter time) is 31 October 23:30 UTC.
    admin_reservation(drill, borrower, admin_local(2025, 11, 1, 0, 30),
                      admin_local(2025, 11, 1, 2), status="confirmed")
    period = stats.Period(date(2025, 10, 1), date(2025, 11, 30), ZoneInfo("Europe/Berlin"))
    months = stats.reservations_by_month(period)
    assert months == {"2025-10": {"item": 0, "room": 0, "space": 0},
                      "2025-11": {"item": 1, "room": 0, "space": 0}}


def test_people_who_borrowed_and_lent(town, year):
    assert stats.people(year) == {
        "reservations": 7,      # nos. 1, 2, 4, 5, 6, 7, 11
        "borrowers": 3,         # B1, B2, B3; the guest at the counter has no account
        "lenders": 2,           # L1 (drill) and L2 (space); the initiative counts apart
        "organisations": 1,
    }


def test_loan_days_room_hours_and_space_days(town, year):
    assert stats.time_totals(year) == {
        # 3 (no. 1) + 1 (no. 2) + 2 days x 4 units (no. 4) + 1 (no. 11)
        # + 2 (no. 10: only 1 and 2 January lie in the period)
        "item_days": 15,
        "room_hours": 5.0,      # 2 h (no. 5) + 3 h (no. 6)
        "space_days": 10,       # 1..10 July
    }


def test_utilisation_is_booked_share_of_opening_hours(town, year):
    rows = {u.resource_id: u for u in stats.utilisation(year)}
    drill, tables, room = town["drill"], town["tables"], town["room"]
    # 2025 has 53 Wednesdays and 52 of every other weekday.
    # Drill: Mon–Sat 9 h = 313 days x 9 h. Booked: 3 + 1 + 1 (August) + 2 (January) days x 9 h.
    assert rows[drill.id].available_hours == 313 * 9
    assert rows[drill.id].booked_hours == 7 * 9
    # Tables: the initiative's Mon–Fri 4 h x 261 days x 10 units; the Saturday of no. 4
    # has no opening hours, the Friday counts its 4 h with 4 units.
    assert rows[tables.id].available_hours == 261 * 4 * 10
    assert rows[tables.id].booked_hours == 16
    # Room: 12 h on 365 days; the two bookings are 5 h.
    assert rows[room.id].available_hours == 365 * 12
    assert rows[room.id].booked_hours == 5
    assert rows[room.id].share == pytest.approx(5 / 4380)
    # The space has no opening hours: no share to compute.
    assert town["space"].id not in rows
    # Highest share first.
    # 63/2817 > 16/10440 > 5/4380
    assert [u.resource_id for u in stats.utilisation(year)] == [drill.id, tables.id, room.id]


def test_utilisation_caps_a_day_at_its_opening_hours(app_ctx, admin_person, admin_resource,
                                                     admin_hours, admin_reservation,
                                                     admin_local):
    lender, borrower = admin_person(), admin_person()
    room = admin_resource("room", owner=lender)
    admin_hours(resource=room, weekdays=[0], opens=time(9), closes=time(12))
    # Monday 3 March 2025, booked 08:00–14:00 although open only 09:00–12:00.
    admin_reservation(room, borrower, admin_local(2025, 3, 3, 8), admin_local(2025, 3, 3, 14),
                      status="confirmed")
    period = stats.Period(date(2025, 3, 3), date(2025, 3, 9), ZoneInfo("Europe/Berlin"))
    (row,) = stats.utilisation(period)
    assert (row.available_hours, row.booked_hours, row.share) == (3, 3, 1.0)


def test_top_categories_resources_and_organisations(town, year):
    assert stats.top_categories(year, "de") == [("Werkzeug", 3, 3), ("Garten", 1, 4)]
    assert stats.top_categories(year, "en") == [("Tools", 3, 3), ("Garden", 1, 4)]
    top = stats.top_resources(year)
    assert [(title, count) for _id, title, _kind, count in top] == [
        ("Bohrmaschine", 3), ("Werkstattraum", 2), ("Biertische", 1), ("Ladenlokal Steinweg", 1)
    ]
    assert stats.active_organisations(year) == [("Repair-Café Testhausen", 3, 2)]


def test_open_and_unanswered_requests(town, year):
    assert stats.requests(year) == {"open": 1, "unanswered": 1, "declined": 1}


def test_estimates_come_from_category_factors_only(town, year):
    result = stats.estimates(year, "de")
    assert result.purchase_cents == 3 * 8000
    assert result.co2_grams == 3 * 20000
    assert result.loans_with == 3
    assert result.loans_without == 4
    assert result.by_category == [("Werkzeug", 3, 3, 8000, 20000, 24000, 60000)]


def test_estimates_count_units(app_ctx, admin_person, admin_category, admin_resource,
                               admin_reservation, admin_local):
    lender, borrower = admin_person(), admin_person()
    chairs = admin_category("Stühle", purchase_cents=2500, co2_grams=10000)
    resource = admin_resource("item", owner=lender, category=chairs, units=20)
    admin_reservation(resource, borrower, admin_local(2025, 5, 5), admin_local(2025, 5, 6),
                      units=12)
    period = stats.Period(date(2025, 5, 1), date(2025, 5, 31), ZoneInfo("Europe/Berlin"))
    result = stats.estimates(period, "de")
    assert (result.purchase_cents, result.co2_grams) == (12 * 2500, 12 * 10000)


def test_empty_period_gives_zeros(app_ctx):
    period = stats.Period(date(2030, 1, 1), date(2030, 1, 31), ZoneInfo("Europe/Berlin"))
    figures = stats.build(period, "de")
    assert figures.summary["reservations"] == 0
    assert figures.summary["item_days"] == 0
    assert figures.tables["months"].rows == [["2030-01", 0, 0, 0, 0]]


# ------------------------------------------------------------- periods ----
@pytest.mark.parametrize(
    ("raw_from", "raw_to", "expected"),
    (
        (None, None, (date(2025, 4, 1), date(2026, 3, 15))),  # current month and 11 before
        ("2025-01-01", "2025-12-31", (date(2025, 1, 1), date(2025, 12, 31))),
        ("2026-02-01", None, (date(2026, 2, 1), date(2026, 3, 15))),
    ),
)
def test_period_from_the_url(app_ctx, raw_from, raw_to, expected):
    period = stats.Period.parse(raw_from, raw_to, today=date(2026, 3, 15))
    assert (period.first, period.last) == expected


@pytest.mark.parametrize(
    ("raw_from", "raw_to"),
    (
        ("2025-13-01", "2025-12-31"),  # no such month
        ("yesterday", None),           # not a date
        ("2025-06-01", "2025-05-31"),  # start after end
        ("2020-01-01", "2025-12-31"),  # longer than three years
    ),
)
def test_bad_periods_are_refused(app_ctx, raw_from, raw_to):
    with pytest.raises(stats.PeriodError):
        stats.Period.parse(raw_from, raw_to, today=date(2026, 3, 15))


def test_days_of_a_period_follow_daylight_saving_time(app_ctx):
    period = stats.Period(date(2025, 3, 29), date(2025, 3, 31), ZoneInfo("Europe/Berlin"))
    lengths = [(end - start).total_seconds() / 3600 for start, end, _wd in period.days()]
    assert lengths == [24, 23, 24]


# ------------------------------------------------------------ the page ----
def test_dashboard_shows_figures_with_accessible_charts(client, auth, admin_person, town):
    admin_person("office@example.org", admin=True)
    auth.login("office@example.org")
    response = client.get("/admin/dashboard", query_string=YEAR)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count('role="img"') >= 4
    assert '<title id="chart-months-title">' in html
    assert '<desc id="chart-months-desc">' in html
    assert "<caption" in html
    assert "Bohrmaschine" in html and "Repair-Café Testhausen" in html
    # The estimates are labelled as estimates.
    assert "vermiedene Neukäufe (Schätzung)" in html
    assert "table=utilisation" in html


def test_dashboard_with_a_bad_period_says_why(client, auth, admin_person):
    admin_person("office@example.org", admin=True)
    auth.login("office@example.org")
    response = client.get("/admin/dashboard", query_string={"from": "2025-06-01",
                                                            "to": "2025-01-01"})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.get_data(as_text=True)


def read_csv(response) -> list[dict]:
    text = response.get_data(as_text=True).lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_of_every_table(client, auth, admin_person, town):
    admin_person("office@example.org", admin=True)
    auth.login("office@example.org")
    for name in stats.TABLE_NAMES:
        response = client.get("/admin/dashboard.csv", query_string={"table": name, **YEAR})
        assert response.status_code == 200, name
        assert response.mimetype == "text/csv"
        assert f"allmende-{name}-2025-01-01-2025-12-31.csv" in response.headers[
            "Content-Disposition"]
    months = read_csv(client.get("/admin/dashboard.csv",
                                 query_string={"table": "months", **YEAR}))
    assert months[3] == {"month": "2025-04", "item": "1", "room": "0", "space": "0",
                         "total": "1"}
    estimates = read_csv(client.get("/admin/dashboard.csv",
                                    query_string={"table": "estimates", **YEAR}))
    assert estimates[0]["purchase"] == "240.00" and estimates[0]["co2"] == "60"
    use = read_csv(client.get("/admin/dashboard.csv",
                              query_string={"table": "utilisation", **YEAR}))
    assert use[0]["resource"] == "Bohrmaschine"
    assert float(use[0]["share"]) == pytest.approx(63 / 2817, abs=1e-4)


@pytest.mark.parametrize(
    ("query", "status"),
    (
        ({"table": "nonsense"}, 404),
        ({"table": "months", "from": "2025-02-30"}, 400),
        ({"table": "months", "from": "2025-06-01", "to": "2025-01-01"}, 400),
    ),
)
def test_csv_refuses_bad_input(client, auth, admin_person, query, status):
    admin_person("office@example.org", admin=True)
    auth.login("office@example.org")
    assert client.get("/admin/dashboard.csv", query_string=query).status_code == status


def test_csv_cells_cannot_become_formulas(app_ctx):
    table = stats.Table("t", "t", [stats.Column("name", "name")], [["=HYPERLINK(1)"]])
    assert stats.to_csv(table).splitlines()[1] == "'=HYPERLINK(1)"
