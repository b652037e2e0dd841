"""In Chromium: register, confirm through the mailed link, log in, log out (phone and desktop)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.notifications.outbox import deliver_due
from tests.browser import DESKTOP, PHONE, check_a11y, shoot

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport_name, viewport", [("phone", PHONE), ("desktop", DESKTOP)])
def test_register_confirm_login_logout(served_app, mailbox, browser, viewport_name, viewport):
    served = served_app()
    context = browser.new_context(viewport=viewport, locale="de-DE")
    page = context.new_page()
    step = f"accounts-{viewport_name}"
    email = f"neu-{viewport_name}@example.org"

    page.goto(served.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    check_a11y(page, "start")
    shoot(page, f"{step}-1-start")

    page.goto(served.url + "/auth/register")
    page.get_by_label("Ihr Name").fill("Neue Nachbarin")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort", exact=True).fill("geheim-genug")
    page.get_by_label("Passwort wiederholen").fill("geheim-genug")
    check_a11y(page, "register")
    shoot(page, f"{step}-2-register")
    page.get_by_role("button", name="Konto anlegen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("bestätigen")
    check_a11y(page, "unconfirmed")
    shoot(page, f"{step}-3-unconfirmed")

    with served.context():
        deliver_due()
    [message] = mailbox.to(email)
    link = re.search(r"http://127\.0\.0\.1:\d+/auth/confirm/\S+", mailbox.text(message)).group(0)
    page.goto(link)
    check_a11y(page, "confirm")
    shoot(page, f"{step}-4-confirm")
    page.get_by_role("button", name="E-Mail-Adresse bestätigen").click()
    expect(page.locator(".flash")).to_contain_text("bestätigt")
    shoot(page, f"{step}-5-confirmed")

    page.get_by_role("button", name="Abmelden").click()
    expect(page.get_by_role("link", name="Anmelden")).to_be_visible()
    shoot(page, f"{step}-6-logged-out")

    page.get_by_role("link", name="Anmelden").click()
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort").fill("geheim-genug")
    check_a11y(page, "login")
    page.get_by_role("button", name="Anmelden").click()
    expect(page.locator(".flash")).to_contain_text("angemeldet")
    check_a11y(page, "logged in")
    shoot(page, f"{step}-7-logged-in")
    context.close()
