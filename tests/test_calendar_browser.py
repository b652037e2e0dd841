"""In Chromium: a month calendar and a room's week by keyboard, and answering on the desk."""

from __future__ import annotations

import re
from datetime import time

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.extensions import db
from app.models import OpeningHours, Reservation, Resource
from tests.browser import DESKTOP, PHONE, add_people, check_a11y, in_days, log_in, shoot

pytestmark = pytest.mark.browser
PASSWORD = "correct horse"


def seed() -> None:
    people = add_people(
        (("olga@example.org", "Olga Owner"), ("rita@example.org", "Rita Nachbarin")), PASSWORD
    )
    olga = people["olga@example.org"]
    drill = Resource(kind="item", title="Akkuschrauber", owner_user=olga, description="",
                     search_text="", permitted_uses=[], granularity="day", max_advance_days=90,
                     follows_site_calendar=False)
    room = Resource(kind="room", title="Gemeinschaftsraum", owner_user=olga, description="",
                    search_text="", permitted_uses=[], granularity="slot", slot_minutes=30,
                    max_advance_days=90, handover_required=False, follows_site_calendar=False)
    for resource, opens, closes in ((drill, time(9), time(18)), (room, time(8), time(22))):
        for weekday in range(7):
            resource.opening_hours.append(OpeningHours(weekday=weekday, opens=opens,
                                                       closes=closes))
    db.session.add_all([drill, room])
    rita = people["rita@example.org"]
    db.session.add_all([
        Reservation(resource=drill, requester=rita, start=in_days(3), end=in_days(4),
                    status="confirmed", message=""),
        Reservation(resource=drill, requester=rita, start=in_days(6), end=in_days(7),
                    status="requested", message="Für den Gartenzaun"),
        Reservation(resource=room, requester=rita, start=in_days(8, time(10)),
                    end=in_days(8, time(12)), status="confirmed", message=""),
    ])


@pytest.mark.parametrize(("viewport_name", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_calendar_by_keyboard_and_the_desk(served_app, browser, viewport_name, viewport):
    served = served_app(seed=seed)
    with served.context():
        drill_id, room_id = db.session.scalars(
            sa.select(Resource.id).order_by(Resource.id)
        ).all()
        request_id = db.session.scalar(
            sa.select(Reservation.id).where(Reservation.status == "requested")
        )
    context = browser.new_context(viewport=viewport, locale="de-DE")
    page = context.new_page()
    step = f"calendar-{viewport_name}"

    # the month, anonymously: states in words, nobody's name
    page.goto(f"{served.url}/resources/{drill_id}/calendar")
    expect(page.locator("table.calendar caption")).to_be_visible()
    expect(page.locator("table.calendar")).to_contain_text("belegt")
    expect(page.locator("main")).not_to_contain_text("Rita")
    check_a11y(page, "month")
    shoot(page, f"{step}-1-month")

    # the room's week
    log_in(page, served.url, "rita@example.org", PASSWORD)
    page.goto(f"{served.url}/resources/{room_id}/calendar")
    page.get_by_role("link", name=re.compile("Uhrzeiten in Kalenderwoche")).first.click()
    expect(page.locator("table.slots th[scope=row]").first).to_have_text("08:00")
    check_a11y(page, "week")
    shoot(page, f"{step}-2-week")

    # a free day by keyboard: focus its link, press Enter, the form has the day filled in
    page.goto(f"{served.url}/resources/{drill_id}/calendar")
    link = page.locator("table.calendar a.day[href*='/reserve?']").nth(2)
    href = link.get_attribute("href")
    day = re.search(r"start=(\d{4}-\d{2}-\d{2})", href).group(1)
    link.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/reserve\?start="))
    expect(page.locator("input[type=date]").first).to_have_value(day)
    shoot(page, f"{step}-3-reserve")

    # the lender's desk: answer the request with one click
    context.clear_cookies()
    log_in(page, served.url, "olga@example.org", PASSWORD)
    page.goto(f"{served.url}/manage")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mein Verleih")
    expect(page.locator("main")).to_contain_text("Für den Gartenzaun")
    check_a11y(page, "desk")
    shoot(page, f"{step}-4-desk")
    page.get_by_role("button", name=re.compile("^Zusagen")).click()
    expect(page).to_have_url(re.compile(rf"/reservations/{request_id}$"))
    with served.context():
        assert db.session.get(Reservation, request_id).status == "confirmed"
    context.close()
