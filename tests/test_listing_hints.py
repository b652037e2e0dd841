"""Each hit on /resources says whether it is free today, in words."""

from __future__ import annotations

from datetime import time, timedelta

from app.db import utcnow
from app.extensions import db
from app.models import OpeningHours, Reservation


def test_hits_show_todays_free_busy_hint(client, make_resource, make_user):
    free = make_resource(title="Freie Leiter")
    busy = make_resource(title="Belegte Leiter")
    for resource in (free, busy):
        # open around the clock, so "today" is an opening day whatever the test's time
        resource.opening_hours.clear()
        for weekday in range(7):
            resource.opening_hours.append(
                OpeningHours(weekday=weekday, opens=time(0, 0), closes=time(23, 59))
            )
    now = utcnow()
    db.session.add(
        Reservation(
            resource=busy,
            requester=make_user(),
            start=now - timedelta(days=1),
            end=now + timedelta(days=2),
            status="confirmed",
        )
    )
    db.session.commit()
    html = client.get("/resources?q=leiter", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    free_card = html.split("Freie Leiter")[1].split("</li>")[0]
    busy_card = html.split("Belegte Leiter")[1].split("</li>")[0]
    assert "status-free" in free_card
    assert "status-booked" in busy_card
