"""In Chromium: a weekly series booked after seeing the free dates, a message to the lender,
and the lender confirming the handover with the code at the counter; axe on each page."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.extensions import db
from app.models import OpeningHours, Organisation, Reservation, Resource
from app.models.org import Membership
from tests.browser import DESKTOP, PHONE, add_people, check_a11y, in_days, log_in, shoot

pytestmark = pytest.mark.browser
PASSWORD = "correct horse"


def seed() -> None:
    people = add_people(
        (("mia@example.org", "Mia Managerin"), ("rita@example.org", "Rita Chor")), PASSWORD
    )
    org = Organisation(name="Nachbarschaftsladen", slug="laden", fields=[], looking_for=[],
                       lending_terms="Bitte sauber zurückgeben.", terms_version=1)
    db.session.add(org)
    db.session.add(Membership(organisation=org, user=people["mia@example.org"], role="manager"))
    room = Resource(kind="room", title="Saal", owner_org=org, description="", search_text="",
                    permitted_uses=[], granularity="slot", slot_minutes=30, max_advance_days=120,
                    handover_required=False, follows_site_calendar=False)
    drill = Resource(kind="item", title="Bohrmaschine", owner_org=org, description="",
                     search_text="", permitted_uses=[], granularity="day", max_advance_days=90,
                     follows_site_calendar=False, briefing_required=True)
    for resource, opens, closes in ((room, time(8), time(22)), (drill, time(9), time(18))):
        for weekday in range(7):
            resource.opening_hours.append(OpeningHours(weekday=weekday, opens=opens,
                                                       closes=closes))
    db.session.add_all([room, drill])
    db.session.add_all([
        Reservation(resource=room, requester=people["mia@example.org"],
                    start=in_days(14, time(17)), end=in_days(14, time(21)), status="confirmed",
                    message=""),
        Reservation(resource=drill, requester=people["rita@example.org"], start=in_days(0),
                    end=in_days(1), status="confirmed", message="", handover_code="K7M3QX"),
    ])


@pytest.mark.parametrize(("viewport_name", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_series_message_and_handover_code(served_app, browser, viewport_name, viewport):
    served = served_app(seed=seed)
    with served.context():
        room_id, drill_id = db.session.scalars(sa.select(Resource.id).order_by(Resource.id)).all()
        loan_id = db.session.scalar(
            sa.select(Reservation.id).where(Reservation.resource_id == drill_id))
    context = browser.new_context(viewport=viewport, locale="de-DE")
    page = context.new_page()
    step = f"lending-{viewport_name}"

    # the borrower: a weekly series, the dates first, then the free ones booked
    log_in(page, served.url, "rita@example.org", PASSWORD)
    page.goto(f"{served.url}/resources/{room_id}/series")
    first = in_days(0).date() + timedelta(days=7)
    page.get_by_label("Erster Termin").fill(first.isoformat())
    page.get_by_label("Von", exact=True).select_option("18:00")
    page.get_by_label("Bis", exact=True).select_option("20:00")
    page.get_by_label("Oder: Anzahl der Termine").fill("3")
    page.get_by_role("button", name="Freie Termine anzeigen").click()
    expect(page.get_by_text("Frei: 2 von 3 Terminen.")).to_be_visible()
    check_a11y(page, f"{step} series preview")
    shoot(page, f"{step}-series-preview")
    page.get_by_label("Ich stimme den Ausleihbedingungen zu").check()
    page.get_by_role("button", name="Freie Termine buchen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Serienreservierung")
    expect(page.get_by_role("button", name="Diesen Termin stornieren")).to_have_count(2)
    check_a11y(page, f"{step} series")

    # a message to the lender on the drill's reservation
    page.goto(f"{served.url}/reservations/{loan_id}")
    expect(page.get_by_text("K7M3QX")).to_be_visible()
    page.get_by_label("Ihre Nachricht").fill("Ich komme um 10 Uhr.")
    page.get_by_role("button", name="Nachricht senden").click()
    expect(page.get_by_text("Ich komme um 10 Uhr.")).to_be_visible()
    check_a11y(page, f"{step} reservation with messages")
    page.get_by_role("button", name="Abmelden").click()

    # the lender at the counter: the code finds the reservation, the briefing is confirmed
    log_in(page, served.url, "mia@example.org", PASSWORD)
    page.goto(f"{served.url}/lending")
    check_a11y(page, f"{step} lending tools")
    page.get_by_role("textbox", name="Übergabecode").fill("k7m3qx")
    page.get_by_role("button", name="Reservierung finden").click()
    expect(page.get_by_text("Ich komme um 10 Uhr.")).to_be_visible()
    code_form = page.locator("#handover-code")
    code_form.get_by_role("textbox", name="Übergabecode").fill("K7M3QX")
    code_form.get_by_label("Ich habe die Einweisung gegeben").check()
    code_form.get_by_role("button", name="Übergabe bestätigen").click()
    expect(page.get_by_text("Übergabe erfasst.")).to_be_visible()
    shoot(page, f"{step}-handed-over")
    for path in (f"/resources/{drill_id}/counter", f"/resources/{drill_id}/defects",
                 "/lending/settings", "/waitlist"):
        page.goto(served.url + path)
        check_a11y(page, f"{step} {path}")
    context.close()
    with served.context():
        assert db.session.get(Reservation, loan_id).status == "handed_over"
