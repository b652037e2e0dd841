"""Availability settings: opening hours, closures and rules of a resource or an organisation."""

from __future__ import annotations

from datetime import date, time

import pytest

from app.booking.rules import apply_defaults
from app.extensions import db
from app.models import Closure, OpeningHours, Resource


@pytest.fixture
def people(quick_user):
    return {
        "owner": quick_user("owner@example.org"),
        "manager": quick_user("manager@example.org"),
        "member": quick_user("member@example.org"),
        "other": quick_user("other@example.org"),
        "admin": quick_user("admin@example.org", admin=True),
    }


@pytest.fixture
def place(people, make_org, make_bookable):
    org = make_org(managers=(people["manager"],), members=(people["member"],))
    return {
        "org": org,
        "drill": make_bookable("item", owner=people["owner"], title="Drill"),
        "saw": make_bookable("item", org=org, title="Saw", own_hours=False),
        "room": make_bookable("room", org=org, title="Room"),
    }


def hours_data(week: dict[int, list[tuple[str, str]]]) -> dict:
    data = {}
    for day in range(7):
        for n in range(3):
            opens, closes = (week.get(day, []) + [("", "")] * 3)[n]
            data[f"hours-days-{day}-intervals-{n}-opens"] = opens
            data[f"hours-days-{day}-intervals-{n}-closes"] = closes
    return data


# | page                          | who      | status |
ACCESS = (
    ("drill", None, 302),
    ("drill", "owner", 200),
    ("drill", "manager", 403),
    ("drill", "other", 403),
    ("drill", "admin", 403),
    ("saw", "manager", 200),    # the organisation's manager
    ("saw", "member", 403),
    ("saw", "owner", 403),
    ("org", None, 302),
    ("org", "manager", 200),
    ("org", "member", 403),
    ("org", "other", 403),
    ("org", "admin", 403),
)


def page_of(place, name: str) -> str:
    if name == "org":
        return f"/orgs/{place['org'].slug}/availability"
    return f"/resources/{place[name].id}/availability"


@pytest.mark.parametrize(("name", "who", "status"), ACCESS)
def test_who_may_set_availability(client, auth, people, place, name, who, status):
    if who:
        auth.login(f"{who}@example.org")
    assert client.get(page_of(place, name)).status_code == status
    response = client.post(page_of(place, name) + "/closures", data={
        "closure-start_date": "2027-05-01", "closure-end_date": "2027-05-02",
        "closure-reason": "Break"})
    assert response.status_code == (302 if status == 200 else status)


def test_unknown_things_are_404(client, auth, people):
    auth.login("owner@example.org")
    assert client.get("/resources/999999/availability").status_code == 404
    assert client.get("/orgs/no-such-org/availability").status_code == 404


def test_set_opening_hours(client, auth, people, place):
    auth.login("owner@example.org")
    drill = place["drill"]
    response = client.post(
        f"/resources/{drill.id}/availability/hours",
        data=hours_data({0: [("08:00", "12:00"), ("14:00", "18:00")], 4: [("10:00", "23:59")]}),
    )
    assert response.status_code == 302
    rows = db.session.query(OpeningHours).filter_by(resource_id=drill.id).all()
    assert sorted((r.weekday, r.opens, r.closes) for r in rows) == [
        (0, time(8), time(12)), (0, time(14), time(18)), (4, time(10), time(23, 59)),
    ]
    page = client.get(f"/resources/{drill.id}/availability").get_data(as_text=True)
    assert 'value="14:00"' in page


@pytest.mark.parametrize(
    "week",
    (
        {0: [("12:00", "09:00")]},                     # closes before it opens
        {0: [("09:00", "13:00"), ("12:00", "18:00")]},  # overlapping
        {0: [("09:00", "")]},                          # only one of two times
        {0: [("9 Uhr", "18:00")]},                     # not a time
    ),
)
def test_bad_hours_are_refused(client, auth, people, place, week):
    auth.login("owner@example.org")
    drill = place["drill"]
    before = db.session.query(OpeningHours).filter_by(resource_id=drill.id).count()
    response = client.post(f"/resources/{drill.id}/availability/hours", data=hours_data(week))
    assert response.status_code == 422
    assert db.session.query(OpeningHours).filter_by(resource_id=drill.id).count() == before


def test_organisation_hours_apply_to_its_offers(client, auth, people, place, app):
    auth.login("manager@example.org")
    org = place["org"]
    response = client.post(f"/orgs/{org.slug}/availability/hours",
                           data=hours_data({2: [("15:00", "19:00")]}))
    assert response.status_code == 302
    from app.booking.availability import weekly_hours

    with app.test_request_context():
        assert weekly_hours(place["saw"]) == {2: [(time(15), time(19))]}
        assert 2 in weekly_hours(place["room"]) and 6 in weekly_hours(place["room"])  # own
    page = client.get(f"/orgs/{org.slug}/availability").get_data(as_text=True)
    assert "Saw" in page and "Room" in page


def test_set_rules(client, auth, people, place):
    auth.login("manager@example.org")
    room = place["room"]
    response = client.post(f"/resources/{room.id}/availability/rules", data={
        "rules-granularity": "slot", "rules-slot_minutes": "60", "rules-min_duration": "1",
        "rules-max_duration": "4", "rules-duration_unit": "hours", "rules-min_lead_hours": "24",
        "rules-max_advance_days": "30", "rules-buffer_minutes": "15",
        "rules-requires_approval": "y", "rules-max_active_per_person": "2",
    })
    assert response.status_code == 302
    db.session.refresh(room)
    assert (room.slot_minutes, room.min_duration_minutes, room.max_duration_minutes) == (
        60, 60, 240)
    assert (room.min_lead_minutes, room.max_advance_days, room.buffer_minutes) == (1440, 30, 15)
    assert room.requires_approval and room.max_active_per_person == 2
    assert not room.handover_required


@pytest.mark.parametrize(
    ("changes", "field"),
    (
        ({"rules-min_duration": "5", "rules-max_duration": "2"}, "max_duration"),
        ({"rules-granularity": "day", "rules-duration_unit": "hours",
          "rules-max_duration": "5"}, "max_duration"),
        ({"rules-max_advance_days": "0"}, "max_advance_days"),
        ({"rules-granularity": "weekly"}, "granularity"),
    ),
)
def test_bad_rules_are_refused(client, auth, people, place, changes, field):
    auth.login("owner@example.org")
    drill = place["drill"]
    data = {"rules-granularity": "day", "rules-slot_minutes": "30", "rules-duration_unit": "days",
            "rules-min_lead_hours": "0", "rules-max_advance_days": "90",
            "rules-buffer_minutes": "0", **changes}
    response = client.post(f"/resources/{drill.id}/availability/rules", data=data)
    assert response.status_code == 422
    assert f'id="rules-{field}-error"' in response.get_data(as_text=True)


def test_organisation_rules_go_to_all_its_things(client, auth, people, place, make_bookable):
    auth.login("manager@example.org")
    org = place["org"]
    response = client.post(f"/orgs/{org.slug}/availability/rules", data={
        "rules-kind": "item", "rules-granularity": "day", "rules-slot_minutes": "30",
        "rules-max_duration": "3", "rules-duration_unit": "days", "rules-min_lead_hours": "0",
        "rules-max_advance_days": "60", "rules-buffer_minutes": "0",
        "rules-requires_approval": "y",
    })
    assert response.status_code == 302
    db.session.refresh(place["saw"])
    db.session.refresh(place["room"])
    assert place["saw"].requires_approval and place["saw"].max_duration_minutes == 3 * 1440
    assert not place["room"].requires_approval


def test_closures(client, auth, people, place):
    auth.login("owner@example.org")
    drill = place["drill"]
    base = f"/resources/{drill.id}/availability/closures"
    bad = client.post(base, data={"closure-start_date": "2099-05-03",
                                  "closure-end_date": "2099-05-01", "closure-reason": "x"})
    assert bad.status_code == 422
    client.post(base, data={"closure-start_date": "2099-05-01",
                            "closure-end_date": "2099-05-03", "closure-reason": "Repair",
                            "closure-is_repair": "y"})
    closure = db.session.query(Closure).filter_by(resource_id=drill.id).one()
    assert (closure.start_date, closure.end_date, closure.is_repair) == (
        date(2099, 5, 1), date(2099, 5, 3), True)
    assert "Repair" in client.get(f"/resources/{drill.id}/availability").get_data(as_text=True)
    # nobody removes someone else's closure through their own page
    auth.logout()
    auth.login("manager@example.org")
    saw = place["saw"]
    client.post(f"/resources/{saw.id}/availability/closures/{closure.id}/delete")
    assert db.session.get(Closure, closure.id) is not None
    auth.logout()
    auth.login("owner@example.org")
    client.post(f"{base}/{closure.id}/delete")
    assert db.session.query(Closure).filter_by(resource_id=drill.id).count() == 0


def test_calendar_options(client, auth, people, place):
    auth.login("manager@example.org")
    saw = place["saw"]
    client.post(f"/resources/{saw.id}/availability/calendar",
                data={"calendar-own_hours": "y"})
    db.session.refresh(saw)
    assert saw.own_hours and not saw.follows_site_calendar


# ------------------------------------------------------------- defaults ----
@pytest.mark.parametrize(
    ("kind", "granularity", "days", "opens", "closes", "max_minutes"),
    (
        ("item", "day", [0, 1, 2, 3, 4, 5], time(9), time(18), 14 * 1440),
        ("room", "slot", [0, 1, 2, 3, 4, 5, 6], time(8), time(22), 8 * 60),
        ("space", "day", [0, 1, 2, 3, 4, 5, 6], time(0), time(23, 59), None),
    ),
)
def test_defaults_per_kind(app_ctx, people, kind, granularity, days, opens, closes,
                           max_minutes):
    resource = Resource(kind=kind, title="New", owner_user=people["owner"], permitted_uses=[])
    apply_defaults(resource)
    db.session.add(resource)
    db.session.commit()
    assert resource.granularity == granularity
    assert resource.max_duration_minutes == max_minutes
    assert sorted(h.weekday for h in resource.opening_hours) == days
    assert {(h.opens, h.closes) for h in resource.opening_hours} == {(opens, closes)}
    if kind == "room":
        assert resource.slot_minutes == 30


def test_defaults_keep_existing_hours(app_ctx, people):
    resource = Resource(kind="item", title="Own", owner_user=people["owner"], permitted_uses=[])
    resource.opening_hours.append(OpeningHours(weekday=3, opens=time(17), closes=time(19)))
    apply_defaults(resource)
    assert [(h.weekday, h.opens) for h in resource.opening_hours] == [(3, time(17))]
