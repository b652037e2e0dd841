"""In Chromium, two people: a borrower finds a free day and asks for it, the lender approves,
hands it over and takes it back; each step at phone and desktop width, axe on every page."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa
from babel.dates import format_date
from playwright.sync_api import expect

from app.auth.service import create_user
from app.catalogue.service import create_resource
from app.extensions import db
from app.models import Reservation, Resource
from tests.browser import DESKTOP, PHONE, log_in, step_checker

pytestmark = pytest.mark.browser
PASSWORD = "correct horse"
LENDER, BORROWER = "lena@example.org", "bruno@example.org"
TITLE = "Lastenrad mit Kindersitz"


def seed() -> None:
    lena = create_user(LENDER, PASSWORD, "Lena Leihgut", locale="de", confirmed=True)
    create_user(BORROWER, PASSWORD, "Bruno Borgmann", locale="de", confirmed=True)
    db.session.flush()
    bike = create_resource(lena, "item", {
        "title": TITLE,
        "description": "Zwei Kindersitze, Regenverdeck, Schloss.",
        "district": "Kernstadt",
        "address": "Lindenstraße 3",
        "deposit_cents": 5000,
    })
    bike.requires_approval = True


def status_of(page):
    """The status badge right under the reservation page's heading."""
    return page.locator("h1 + p .status").first


@pytest.mark.parametrize(("viewport_name", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_find_reserve_approve_hand_over_return(served_app, browser, viewport_name, viewport):
    served = served_app(seed=seed)
    with served.context():
        bike_id = db.session.scalar(sa.select(Resource.id).where(Resource.title == TITLE))
    borrower = browser.new_context(viewport=viewport, locale="de-DE")
    lender = browser.new_context(viewport=viewport, locale="de-DE")
    page = borrower.new_page()
    step = f"journey-{viewport_name}"

    look = step_checker(page, step)

    # 1. The borrower searches and opens the offer.
    log_in(page, served.url, BORROWER, PASSWORD, confirm=True)
    page.goto(served.url + "/resources")
    page.get_by_label("Suchwörter").fill("Lastenrad")
    page.get_by_role("button", name="Suchen", exact=True).click()
    expect(page).to_have_url(re.compile(r"/resources\?.*q=Lastenrad"))
    result = page.get_by_role("link", name=TITLE)
    expect(result).to_be_visible()
    look("01-search")
    result.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator("main")).to_contain_text("Die verleihende Stelle bestätigt jede Anfrage")
    look("02-detail")

    # 2. Its calendar, next month (always a month of free days ahead): a free day.
    page.get_by_role("link", name="Sehen, wann es frei ist").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
    page.get_by_role("link", name=re.compile("Nächster Monat")).click()
    expect(page).to_have_url(re.compile(r"month=\d{4}-\d{2}"))
    free = page.locator("table.calendar a.day[href*='/reserve?']").first
    expect(free).to_contain_text("frei")
    look("03-calendar")
    day = date.fromisoformat(re.search(r"start=(\d{4}-\d{2}-\d{2})", free.get_attribute("href"))[1])
    free.click()

    # 3. The reservation form has the day filled in; the request is sent.
    expect(page).to_have_url(re.compile(rf"/resources/{bike_id}/reserve\?start="))
    expect(page.get_by_label("Abholtag")).to_have_value(day.isoformat())
    expect(page.get_by_label("Rückgabetag")).to_have_value(day.isoformat())
    page.get_by_label("Nachricht an die verleihende Stelle").fill("Für den Wocheneinkauf.")
    look("04-reserve")
    page.get_by_role("button", name="Reservieren").click()
    expect(page).to_have_url(re.compile(r"/reservations/\d+$"))
    expect(page.locator(".flash")).to_contain_text("Ihre Anfrage wurde gesendet")
    expect(status_of(page)).to_have_text("angefragt")
    reservation_url = page.url
    reservation_id = int(reservation_url.rsplit("/", 1)[1])
    look("05-requested")

    # 4. The day is taken in the calendar now, and the request is in "My reservations".
    page.goto(f"{served.url}/resources/{bike_id}/calendar?month={day:%Y-%m}")
    cell = page.locator("table.calendar td", has_text=format_date(day, "full", locale="de_DE"))
    expect(cell).to_contain_text("belegt")
    expect(cell.locator("a")).to_have_count(0)
    look("06-calendar-taken")
    page.get_by_role("link", name="Meine Reservierungen").click()
    waiting = page.locator("section", has=page.locator("#group-requested"))
    expect(waiting.get_by_role("link", name=TITLE)).to_be_visible()
    expect(waiting.locator(".status")).to_have_text("angefragt")
    look("07-my-reservations")

    # 5. The lender, in a second browser: the desk, then the reservation page.
    desk = lender.new_page()
    log_in(desk, served.url, LENDER, PASSWORD, confirm=True)
    desk.goto(served.url + "/manage")
    expect(desk.get_by_role("heading", level=1)).to_have_text("Mein Verleih")
    requests = desk.locator("section", has=desk.locator("#requests-title"))
    expect(requests).to_contain_text("Für den Wocheneinkauf.")
    expect(requests).to_contain_text("Bruno Borgmann")
    look("08-desk", desk)
    requests.get_by_role("link", name=TITLE).click()
    expect(desk).to_have_url(reservation_url)
    expect(status_of(desk)).to_have_text("angefragt")
    look("09-lender-request", desk)

    desk.get_by_role("region", name="Was Sie tun können").get_by_role(
        "button", name="Zusagen", exact=True
    ).click()
    expect(desk.locator(".flash")).to_contain_text("Bestätigt")
    expect(status_of(desk)).to_have_text("bestätigt")
    look("10-approved", desk)

    # The borrower sees the approval, with the address now.
    page.goto(reservation_url)
    expect(status_of(page)).to_have_text("bestätigt")
    expect(page.locator("dl.facts")).to_contain_text("Lindenstraße 3")
    look("11-borrower-confirmed")

    # 6. Handover with the deposit, then the return (the page's own action forms).
    actions = desk.get_by_role("region", name="Was Sie tun können")
    actions.get_by_label("Kaution erhalten (€)").fill("50")
    actions.get_by_role("button", name="Übergabe erfassen").click()
    expect(desk.locator(".flash")).to_contain_text("Übergabe erfasst")
    expect(status_of(desk)).to_have_text("übergeben")
    look("12-handed-over", desk)

    actions.get_by_label("Zustand bei Rückgabe").fill("Sauber und vollständig.")
    actions.get_by_label("Kaution zurückgegeben (€)").fill("50,00")
    actions.get_by_role("button", name="Rückgabe erfassen").click()
    expect(desk.locator(".flash")).to_contain_text("Rückgabe erfasst")
    expect(status_of(desk)).to_have_text("zurückgegeben")
    look("13-returned-lender", desk)

    # 7. The borrower sees it returned, on the page and among the past reservations.
    page.goto(reservation_url)
    expect(status_of(page)).to_have_text("zurückgegeben")
    expect(page.locator("dl.facts")).to_contain_text("Sauber und vollständig.")
    expect(page.locator("ol.history .status")).to_have_text(
        ["angefragt", "bestätigt", "übergeben", "zurückgegeben"]
    )
    look("14-returned-borrower")
    page.goto(served.url + "/reservations")
    past = page.locator("section", has=page.locator("#group-past"))
    expect(past.get_by_role("link", name=TITLE)).to_be_visible()
    expect(past.locator(".status")).to_have_text("zurückgegeben")
    look("15-past")

    with served.context():
        done = db.session.get(Reservation, reservation_id)
        assert (done.status, done.deposit_taken_cents, done.deposit_returned_cents) == (
            "returned", 5000, 5000,
        )
    borrower.close()
    lender.close()
