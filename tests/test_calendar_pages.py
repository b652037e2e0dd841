"""The calendar pages of a resource: who may see them, what they say, where their links go."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import pytest
from flask import render_template_string

from tests.factories_feeds import next_monday


def month_of(day: date) -> str:
    return day.strftime("%Y-%m")


def week_of(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@pytest.fixture
def scene(make_user, make_org, feeds_resource, feeds_reservation):
    """A public item lent by its owner, booked by a requester; an org's members-only item."""
    owner = make_user("owner@example.org", name="Olga Owner")
    requester = make_user("req@example.org", name="Rita Requester")
    other = make_user("other@example.org", name="Otto Other")
    admin = make_user("admin@example.org", name="Ada Admin", admin=True)
    member = make_user("member@example.org", name="Mia Member")
    manager = make_user("manager@example.org", name="Max Manager")
    org = make_org("Repair Café", managers=(manager,), members=(member,))
    item = feeds_resource("item", owner=owner, title="Drill")
    members_only = feeds_resource("item", org=org, title="Members drill", visibility="members")
    paused = feeds_resource("item", owner=owner, title="Paused drill", status="paused")
    monday = next_monday(2)
    booking = feeds_reservation(
        item, monday + timedelta(days=1), monday + timedelta(days=2), requester=requester,
        message="For my shelves",
    )
    return {
        "owner": owner, "requester": requester, "other": other, "admin": admin,
        "member": member, "manager": manager, "item": item, "members_only": members_only,
        "paused": paused, "monday": monday, "booking": booking,
    }


# who              public item   members-only   paused (owner only)
ACCESS = (
    (None, 200, 404, 404),
    ("owner", 200, 404, 200),
    ("requester", 200, 404, 404),
    ("other", 200, 404, 404),
    ("member", 200, 200, 404),
    ("manager", 200, 200, 404),
    ("admin", 200, 200, 200),
)


@pytest.mark.parametrize(("who", "public", "members", "paused"), ACCESS)
@pytest.mark.parametrize("suffix", ("/calendar", "/calendar.ics"))
def test_who_sees_a_calendar(client, auth, scene, who, public, members, paused, suffix):
    if who:
        auth.login(scene[who].email)
    for key, expected in (("item", public), ("members_only", members), ("paused", paused)):
        response = client.get(f"/resources/{scene[key].id}{suffix}")
        assert response.status_code == expected, (key, who)


def test_unknown_resource_is_404(client):
    assert client.get("/resources/999999/calendar").status_code == 404
    assert client.get("/resources/999999/calendar.ics").status_code == 404


def test_month_is_an_accessible_table(client, scene):
    month = month_of(scene["monday"])
    html = client.get(f"/resources/{scene['item'].id}/calendar?month={month}").get_data(
        as_text=True
    )
    assert "<caption>" in html
    assert html.count('scope="col"') == 8  # week number and seven weekdays
    assert 'scope="row"' in html
    # every state is a word, not only a colour
    assert re.search(r'class="day-booked[^"]*".*?(gebucht|belegt|booked)', html, re.S | re.I)
    assert "day-free" in html
    # the legend names all five states
    for css in ("status-free", "status-partly", "status-booked", "status-closed",
                "status-holiday"):
        assert css in html


def test_public_calendar_never_says_who(client, scene):
    month = month_of(scene["monday"])
    html = client.get(f"/resources/{scene['item'].id}/calendar?month={month}").get_data(
        as_text=True
    )
    for secret in ("Rita", "req@example.org", "For my shelves"):
        assert secret not in html


def test_owner_view_does_not_say_who_either(client, auth, scene):
    auth.login("owner@example.org")
    month = month_of(scene["monday"])
    html = client.get(f"/resources/{scene['item'].id}/calendar?month={month}").get_data(
        as_text=True
    )
    assert "Rita" not in html


def test_free_day_links_to_the_reservation_form(client, scene):
    monday = scene["monday"]
    html = unescape(
        client.get(f"/resources/{scene['item'].id}/calendar?month={month_of(monday)}")
        .get_data(as_text=True)
    )
    wednesday = monday + timedelta(days=2)
    expected = (f"/resources/{scene['item'].id}/reserve?start={wednesday.isoformat()}"
                f"&end={(wednesday + timedelta(days=1)).isoformat()}")
    assert expected in html
    # the booked Tuesday has no link
    tuesday = monday + timedelta(days=1)
    assert f"start={tuesday.isoformat()}&" not in html


def test_months_are_navigable_with_links(client, scene):
    html = client.get(f"/resources/{scene['item'].id}/calendar?month=2031-01").get_data(
        as_text=True
    )
    assert 'month=2030-12"' in html and 'month=2031-02"' in html
    assert 'rel="prev"' in html and 'rel="next"' in html


@pytest.mark.parametrize(
    "query", ("month=2027-13", "month=march", "month=1999-01", "week=2027-W60", "week=nonsense")
)
def test_bad_periods_are_refused_clearly(client, feeds_resource, query):
    room = feeds_resource("room")
    response = client.get(f"/resources/{room.id}/calendar?{query}")
    assert response.status_code == 400
    # the message shows what a good value looks like
    assert re.search(r"\b\d{4}-(W\d{2}|\d{2})\b", response.get_data(as_text=True))


def test_room_week_view_has_time_slots_and_links(client, feeds_resource, feeds_reservation):
    room = feeds_resource("room", title="Meeting room")
    monday = next_monday(3)
    feeds_reservation(room, f"{monday.isoformat()} 10:00", f"{monday.isoformat()} 11:00")
    html = unescape(
        client.get(f"/resources/{room.id}/calendar?week={week_of(monday)}").get_data(as_text=True)
    )
    assert "<caption>" in html
    assert 'scope="row"' in html and "08:00" in html and "21:30" in html
    tuesday = (monday + timedelta(days=1)).isoformat()
    assert f"/resources/{room.id}/reserve?start={tuesday}T10:00&end={tuesday}T10:30" in html
    assert f"start={monday.isoformat()}T10:00" not in html  # booked
    assert f"week={week_of(monday + timedelta(days=7))}" in html  # next week


def test_room_month_links_each_week(client, feeds_resource):
    room = feeds_resource("room")
    monday = next_monday(2)
    html = client.get(f"/resources/{room.id}/calendar?month={month_of(monday)}").get_data(
        as_text=True
    )
    assert f"week={week_of(monday)}" in html


def test_items_ignore_the_week_parameter(client, scene):
    response = client.get(f"/resources/{scene['item'].id}/calendar?week=2027-W12")
    assert response.status_code == 200
    assert "<caption>" in response.get_data(as_text=True)


def test_next_weeks_partial_renders_for_the_detail_page(app, app_ctx, scene):
    html = render_template_string(
        '{% include "feeds/_next_weeks.html" %}', resource=scene["item"]
    )
    assert "<table" in html and html.count("<tr>") == 4  # header and three weeks
    assert f"/resources/{scene['item'].id}/calendar" in html
    assert "Rita" not in html


def test_month_view_takes_the_same_queries_for_2_and_20_reservations(
    client, feeds_resource, feeds_reservation, feeds_count_queries
):
    monday = next_monday(2)
    few, many = feeds_resource("room"), feeds_resource("room")
    for n in range(2):
        feeds_reservation(few, f"{(monday + timedelta(days=n)).isoformat()} 10:00",
                          f"{(monday + timedelta(days=n)).isoformat()} 11:00")
    for n in range(20):
        day = monday + timedelta(days=n % 10)
        hour = 10 + n // 10 * 2
        feeds_reservation(many, f"{day.isoformat()} {hour}:00", f"{day.isoformat()} {hour + 1}:00")
    few_id, many_id = few.id, many.id

    def view(resource_id, query):
        def get():
            assert client.get(f"/resources/{resource_id}/calendar?{query}").status_code == 200
        return get

    month = f"month={month_of(monday)}"
    feeds_count_queries(view(few_id, month))  # warm up
    assert feeds_count_queries(view(few_id, month)) == feeds_count_queries(view(many_id, month))
    week = f"week={week_of(monday)}"
    assert feeds_count_queries(view(few_id, week)) == feeds_count_queries(view(many_id, week))
