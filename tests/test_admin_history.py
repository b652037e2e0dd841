"""The demo history: a plausible past year, never overbooked, added once."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import time
from zoneinfo import ZoneInfo

import pytest

from app.db import utcnow
from app.extensions import db
from app.models import Reservation, ReservationEvent
from app.seed import history

BERLIN = ZoneInfo("Europe/Berlin")


def test_without_resources_there_is_no_history(app_ctx):
    assert history.run() == ["no resources to build history on"]


@pytest.fixture
def offers(admin_person, make_org, admin_resource, admin_hours, admin_category):
    lender = admin_person(name="Lena Lenderin")
    manager = admin_person(name="Mo Manager")
    for n in range(5):
        admin_person(name=f"Nachbarin {n}")
    org = make_org(managers=(manager,))
    garden = admin_category("Garten")
    garden.slug = "garden"
    mower = admin_resource("item", owner=lender, title="Rasenmäher", category=garden)
    admin_hours(resource=mower, weekdays=range(6), opens=time(9), closes=time(18))
    tables = admin_resource("item", org=org, title="Bierbänke", units=5, own_hours=False,
                            requires_approval=True)
    admin_hours(org=org, weekdays=range(5), opens=time(16), closes=time(19))
    room = admin_resource("room", org=org, title="Saal", requires_approval=True)
    admin_hours(resource=room, weekdays=range(7), opens=time(8), closes=time(22))
    space = admin_resource("space", owner=lender, title="Laden")
    return {"mower": mower, "tables": tables, "room": room, "space": space,
            "lender": lender, "manager": manager}


def test_a_year_of_history_is_added_once(app_ctx, offers):
    lines = history.run()
    assert lines[0].startswith("history: added ")
    rows = db.session.scalars(db.select(Reservation)).all()
    assert len(rows) > 50
    count = len(rows)

    assert history.run() == ["history: the demo history exists already"]
    assert db.session.scalar(db.select(db.func.count(Reservation.id))) == count


def test_history_is_plausible(app_ctx, offers):
    history.run()
    rows = db.session.scalars(db.select(Reservation)).all()
    now = utcnow()
    statuses = Counter(r.status for r in rows)
    # Mostly done, some declined, cancelled or expired.
    assert statuses["returned"] > statuses["cancelled"] > 0
    assert statuses["confirmed"] > 0 and statuses["declined"] > 0
    assert not statuses["requested"] and not statuses["handed_over"]
    by_resource = defaultdict(list)
    for r in rows:
        assert r.end <= now and r.created_at < r.start
        # Lenders do not borrow their own things.
        lender = r.resource.owner_user_id or offers["manager"].id
        assert r.requester_id != lender
        if r.status in ("returned", "confirmed"):
            by_resource[r.resource_id].append(r)
    # Never more units at once than the resource has.
    for resource_id, held in by_resource.items():
        capacity = held[0].resource.units
        for r in held:
            used = sum(o.units for o in held if o.start < r.end and o.end > r.start)
            assert used <= capacity, resource_id
    # Room bookings lie inside the opening hours (08–22 local).
    for r in by_resource[offers["room"].id]:
        start, end = r.start.astimezone(BERLIN), r.end.astimezone(BERLIN)
        assert start.date() == end.date() and start.hour >= 8 and end.hour <= 22
    # Garden tools are in demand in summer, not in winter.
    mower = [r for r in rows if r.resource_id == offers["mower"].id]
    summer = sum(1 for r in mower if r.start.astimezone(BERLIN).month in (5, 6, 7))
    winter = sum(1 for r in mower if r.start.astimezone(BERLIN).month in (12, 1, 2))
    assert summer > winter
    # Every reservation has its history; the first event is marked.
    first_events = db.session.scalars(
        db.select(ReservationEvent).where(ReservationEvent.note == history.MARK)
    ).all()
    assert len(first_events) == len(rows)


def test_the_dashboard_shows_the_history(client, auth, admin_person, offers, app):
    with app.test_request_context():
        history.run()
    admin_person("office@example.org", admin=True)
    auth.login("office@example.org")
    html = client.get("/admin/dashboard").get_data(as_text=True)
    assert "Rasenmäher" in html and "Saal" in html
