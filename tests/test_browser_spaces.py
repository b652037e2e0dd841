"""In Chromium, two people: an applicant asks for a vacant space, owner and applicant write
to each other, the owner accepts a period; both see it agreed and the space in interim use."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from babel.dates import format_date
from playwright.sync_api import expect

from app.auth.service import create_user
from app.catalogue.service import create_resource
from app.extensions import db
from app.models import Inquiry, Reservation, Resource
from app.spaces.service import local_today
from tests.browser import DESKTOP, PHONE, log_in, step_checker

pytestmark = pytest.mark.browser
PASSWORD = "correct horse"
OWNER, APPLICANT = "olaf@example.org", "anna@example.org"
TITLE = "Ladenlokal am Marktplatz"


def seed() -> None:
    olaf = create_user(OWNER, PASSWORD, "Olaf Eigner", locale="de", confirmed=True)
    create_user(APPLICANT, PASSWORD, "Anna Anfang", locale="de", confirmed=True)
    db.session.flush()
    create_resource(olaf, "space", {
        "title": TITLE,
        "description": "Ehemalige Buchhandlung mit großem Schaufenster.",
        "district": "Kernstadt",
        "address": "Marktplatz 7",
        "area_m2": 48.5,
        "shop_window": True,
        "step_free": True,
        "rent_model": "utilities",
        "permitted_uses": ["popup_shop", "exhibition"],
        "available_until": local_today() + timedelta(days=365),
    })


def status_of(page):
    """The inquiry's status badge right under the thread's heading."""
    return page.locator("h1 + p .status").first


@pytest.mark.parametrize(("viewport_name", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_inquire_talk_accept(served_app, browser, viewport_name, viewport):
    served = served_app(seed=seed)
    with served.context():
        first = local_today()
        space_id = db.session.scalar(sa.select(Resource.id).where(Resource.title == TITLE))
    last = first + timedelta(days=20)
    until = f"Zwischengenutzt bis {format_date(last, 'medium', locale='de_DE')}"
    applicant = browser.new_context(viewport=viewport, locale="de-DE")
    owner = browser.new_context(viewport=viewport, locale="de-DE")
    page = applicant.new_page()
    step = f"spaces-{viewport_name}"

    look = step_checker(page, step)

    # 1. The applicant finds the space and sends an inquiry.
    log_in(page, served.url, APPLICANT, PASSWORD, confirm=True)
    page.goto(served.url + "/spaces")
    expect(page.get_by_role("heading", level=1)).to_have_text("Leerstand zur Zwischennutzung")
    look("01-listing")
    page.get_by_role("link", name=TITLE).first.click()
    expect(page).to_have_url(f"{served.url}/resources/{space_id}")
    expect(page.locator("main")).not_to_contain_text("Zwischengenutzt bis")
    look("02-space")
    page.get_by_role("link", name="Anfrage stellen", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Anfrage für {TITLE}")
    page.get_by_label("Geplante Nutzung").select_option("popup_shop")
    page.get_by_label("Von", exact=True).fill(first.isoformat())
    page.get_by_label("Bis (letzter Tag)").fill(last.isoformat())
    page.get_by_label("Ihre Idee in ein paar Sätzen").fill(
        "Ein Pop-up-Laden für Upcycling-Mode aus dem Repair-Café, samstags mit Nähkurs."
    )
    look("03-inquire")
    page.get_by_role("button", name="Anfrage senden").click()
    expect(page).to_have_url(re.compile(r"/spaces/inquiries/\d+$"))
    expect(page.locator(".flash")).to_contain_text("Ihre Anfrage ist gestellt")
    expect(status_of(page)).to_have_text("Wartet auf Antwort")
    thread_url = page.url
    look("04-sent")

    # 2. The owner, in a second browser, finds it and answers with a message.
    desk = owner.new_page()
    log_in(desk, served.url, OWNER, PASSWORD, confirm=True)
    desk.goto(served.url + "/spaces/inquiries")
    row = desk.locator("tbody tr", has_text="Anna Anfang")
    expect(row.locator(".status")).to_have_text("Wartet auf Antwort")
    look("05-owner-inquiries", desk)
    row.get_by_role("link", name=TITLE).click()
    expect(desk).to_have_url(thread_url)
    expect(desk.locator(".concept")).to_contain_text("Upcycling-Mode")
    desk.get_by_label("Nachricht", exact=True).fill(
        "Gern! Das Schaufenster dürfen Sie nutzen. Wie viele Personen sind samstags da?"
    )
    desk.get_by_role("button", name="Nachricht senden").click()
    expect(desk.locator(".flash")).to_contain_text("Ihre Nachricht ist gesendet")
    expect(desk.locator("ol.thread")).to_contain_text("Wie viele Personen")
    look("06-owner-message", desk)

    # 3. The applicant reads it and replies.
    page.reload()
    expect(page.locator("ol.thread")).to_contain_text("Das Schaufenster dürfen Sie nutzen")
    page.get_by_label("Nachricht", exact=True).fill("Höchstens acht Personen beim Nähkurs.")
    page.get_by_role("button", name="Nachricht senden").click()
    expect(page.locator(".flash")).to_contain_text("Ihre Nachricht ist gesendet")
    expect(page.locator("ol.thread > li")).to_have_count(3)
    look("07-applicant-reply")

    # 4. The owner accepts the wished period (filled in already).
    desk.reload()
    expect(desk.locator("ol.thread")).to_contain_text("Höchstens acht Personen")
    accept = desk.locator("form[action$='/accept']")
    expect(accept.get_by_label("Erster Tag")).to_have_value(first.isoformat())
    expect(accept.get_by_label("Letzter Tag")).to_have_value(last.isoformat())
    accept.get_by_label("Nachricht (optional)").fill("Die Schlüssel liegen im Rathaus bereit.")
    look("08-owner-accepts", desk)
    accept.get_by_role("button", name="Annehmen und diesen Zeitraum buchen").click()
    expect(desk.locator(".flash")).to_contain_text("Der Zeitraum ist vereinbart")
    expect(status_of(desk)).to_have_text("Angenommen")
    expect(desk.locator("dl.facts")).to_contain_text("Vereinbarter Zeitraum")
    expect(desk.locator("form[action$='/accept']")).to_have_count(0)
    look("09-owner-accepted", desk)

    # 5. Both see it agreed; the space shows as in interim use until the last day.
    page.reload()
    expect(status_of(page)).to_have_text("Angenommen")
    expect(page.locator("ol.thread")).to_contain_text("Die Schlüssel liegen im Rathaus bereit.")
    expect(page.get_by_role("link", name=re.compile(r"^Reservierung \d+"))).to_be_visible()
    expect(page.locator("form[action$='/propose']")).to_have_count(0)
    look("10-applicant-accepted")
    page.goto(served.url + "/spaces/inquiries")
    expect(page.locator("tbody tr .status")).to_have_text("Angenommen")
    look("11-applicant-inquiries")
    page.get_by_role("link", name=TITLE).click()
    page.get_by_role("link", name=TITLE).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator("main")).to_contain_text(until)
    look("12-space-in-use")
    desk.goto(served.url + "/spaces")
    expect(desk.locator("main")).to_contain_text(until)
    look("13-listing-in-use", desk)

    with served.context():
        inquiry = db.session.scalar(sa.select(Inquiry))
        booking = db.session.get(Reservation, inquiry.reservation_id)
        assert (inquiry.status, inquiry.period_from, inquiry.period_until) == (
            "accepted", first, last,
        )
        assert (booking.resource_id, booking.status) == (space_id, "confirmed")
    applicant.close()
    owner.close()
