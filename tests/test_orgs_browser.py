"""In Chromium: the directory, a profile, inviting by mail and joining as a newcomer."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.notifications.outbox import deliver_due
from app.seed import people
from tests.browser import DESKTOP, PHONE, check_page, log_in, shoot

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport_name, viewport", [("phone", PHONE), ("desktop", DESKTOP)])
def test_directory_profile_invitation(served_app, mailbox, browser, viewport_name, viewport):
    served = served_app(seed=people.run)
    context = browser.new_context(viewport=viewport, locale="de-DE")
    page = context.new_page()
    step = f"orgs-{viewport_name}"
    newcomer = f"neu-{viewport_name}@example.org"

    # The directory, filtered without JavaScript: the filters stay in the address.
    page.goto(served.url + "/orgs")
    check_page(page, "directory")
    shoot(page, f"{step}-1-directory")
    page.get_by_label("Art", exact=True).select_option("initiative")
    page.get_by_label("Tätigkeitsbereich").select_option("repair")
    page.get_by_role("button", name="Anzeigen").click()
    expect(page).to_have_url(re.compile(r"kind=initiative.*field=repair"))
    expect(page.get_by_role("heading", level=3)).to_have_text(["Repair-Café Witzenhausen"])
    page.get_by_role("link", name="Repair-Café Witzenhausen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Repair-Café Witzenhausen")
    check_page(page, "profile")
    shoot(page, f"{step}-2-profile")

    # The manager invites a newcomer.
    log_in(page, served.url, people.EMAILS["repair"], people.PASSWORD)
    page.goto(served.url + f"/orgs/{people.SLUGS['repair']}/members")
    check_page(page, "members")
    page.get_by_label("E-Mail-Adresse").fill(newcomer)
    page.get_by_label("Rolle", exact=True).select_option("manager")
    page.get_by_role("button", name="Einladung senden").click()
    expect(page.locator(".flash")).to_contain_text(newcomer)
    shoot(page, f"{step}-3-invited")
    page.get_by_role("button", name="Abmelden").click()

    # The newcomer opens the mailed link, registers and accepts.
    with served.context():
        deliver_due()
    [message] = mailbox.to(newcomer)
    link = re.search(r"http://127\.0\.0\.1:\d+/orgs/invitations/\S+", mailbox.text(message))
    page.goto(link.group(0))
    check_page(page, "invitation")
    shoot(page, f"{step}-4-invitation")
    page.get_by_role("link", name="Konto anlegen").click()
    expect(page.get_by_label("E-Mail-Adresse")).to_have_value(newcomer)
    page.get_by_label("Ihr Name").fill("Nele Neu")
    page.get_by_label("Passwort", exact=True).fill("geheim-genug")
    page.get_by_label("Passwort wiederholen").fill("geheim-genug")
    page.get_by_role("button", name="Konto anlegen").click()
    page.get_by_role("button", name="Einladung annehmen").click()
    expect(page.locator(".flash")).to_contain_text("Willkommen bei Repair-Café Witzenhausen")
    expect(page.get_by_text("Ihre Rolle: Verwaltung")).to_be_visible()
    check_page(page, "joined")
    shoot(page, f"{step}-5-joined")

    # As a manager now: the profile form.
    page.get_by_role("link", name="Profil bearbeiten").click()
    check_page(page, "edit")
    shoot(page, f"{step}-6-edit")
    context.close()
