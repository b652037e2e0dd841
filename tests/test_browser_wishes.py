"""In Chromium, two people: a wish on the board, answered with a resource; the wisher opens
the filled-in reservation form from the answer, reserves, and marks the wish fulfilled."""

from __future__ import annotations

import re
from datetime import time, timedelta
from urllib.parse import unquote

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext
from playwright.sync_api import expect

from app.auth.service import create_user
from app.catalogue.service import create_resource
from app.extensions import db
from app.models import OpeningHours, Reservation, Resource, Wish
from app.network.service import local_today
from app.notifications.outbox import deliver_due
from tests.browser import DESKTOP, PHONE, log_in, step_checker

pytestmark = pytest.mark.browser
PASSWORD = "correct horse"
WISHER, LENDER = "wilma@example.org", "ludwig@example.org"
TOOL = "Bohrhammer mit Meißelset"
WISH = "Bohrhammer für zwei Tage"


def seed() -> None:
    create_user(WISHER, PASSWORD, "Wilma Wunsch", locale="de", confirmed=True)
    ludwig = create_user(LENDER, PASSWORD, "Ludwig Leiher", locale="de", confirmed=True)
    db.session.flush()
    hammer = create_resource(ludwig, "item", {
        "title": TOOL, "description": "SDS-plus, mit Spitz- und Flachmeißel.",
        "district": "Kernstadt",
    })
    # Open every day, whatever the calendar says, so that any wished days can be lent.
    hammer.follows_site_calendar = False
    hammer.opening_hours.append(OpeningHours(weekday=6, opens=time(9), closes=time(18)))


@pytest.mark.parametrize(("viewport_name", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_wish_answered_reserved_fulfilled(served_app, mailbox, browser, viewport_name, viewport):
    served = served_app(seed=seed)
    with served.context():
        first = local_today() + timedelta(days=3)
        tool_id = db.session.scalar(sa.select(Resource.id).where(Resource.title == TOOL))
    last = first + timedelta(days=1)

    def de(text: str, **values) -> str:
        """What the site shows in German (the board's wording may still be untranslated)."""
        with served.app.test_request_context(), force_locale("de"):
            return gettext(text, **values)

    wisher = browser.new_context(viewport=viewport, locale="de-DE")
    lender = browser.new_context(viewport=viewport, locale="de-DE")
    page = wisher.new_page()
    step = f"wishes-{viewport_name}"

    look = step_checker(page, step)

    # 1. The wish goes on the board.
    log_in(page, served.url, WISHER, PASSWORD, confirm=True)
    page.goto(served.url + "/wanted")
    look("01-board")
    page.get_by_role("link", name=de("Post a wish")).click()
    expect(page).to_have_url(f"{served.url}/wanted/new")
    page.get_by_label(de("What do you need?")).fill(WISH)
    page.get_by_label(de("Details")).fill("Für die Fliesen im Bad, gern mit Meißel.")
    page.get_by_label(de("Needed from")).fill(first.isoformat())
    page.get_by_label(de("Needed until")).fill(last.isoformat())
    look("02-new-wish")
    page.get_by_role("button", name=de("Post the wish")).click()
    expect(page).to_have_url(re.compile(r"/wanted/\d+$"))
    expect(page.locator(".flash")).to_contain_text(de("Your wish is on the board."))
    expect(page.locator("h1 + p .status")).to_have_text(de("open"))
    wish_url = page.url
    look("03-wish")

    # 2. A neighbour answers in a second browser, offering the hammer.
    other = lender.new_page()
    log_in(other, served.url, LENDER, PASSWORD, confirm=True)
    other.goto(served.url + "/wanted")
    other.get_by_role("link", name=WISH).click()
    expect(other).to_have_url(wish_url)
    other.get_by_label(de("Your answer")).fill("Meinen Bohrhammer können Sie gern haben.")
    other.get_by_label(de("Offer one of your resources")).select_option(label=TOOL)
    look("04-answer", other)
    other.get_by_role("button", name=de("Send answer")).click()
    expect(other.locator(".flash")).to_contain_text(de("Thank you! Your answer has been sent."))
    look("05-answered", other)

    # 3. The wisher is told by mail, with the link to the filled-in reservation form ...
    with served.context():
        deliver_due()
    [message] = mailbox.to(WISHER)
    text = mailbox.text(message)
    mailed = re.search(r"http://127\.0\.0\.1:\d+(/resources/\d+/reserve\?\S+)", text)
    assert mailed, text

    # ... and the same link is on the wish page, under the answer.
    page.reload()
    answers = page.locator("ul.cards")
    expect(answers).to_contain_text("Meinen Bohrhammer können Sie gern haben.")
    reserve = answers.get_by_role("link", name=de("Reserve %(title)s", title=TOOL))
    expect(reserve).to_have_attribute("href", mailed[1])
    look("06-wish-answered")
    reserve.click()
    expect(page).to_have_url(re.compile(rf"/resources/{tool_id}/reserve\?start="))
    assert unquote(page.url).endswith(unquote(mailed[1]))
    expect(page.get_by_label("Abholtag")).to_have_value(first.isoformat())
    expect(page.get_by_label("Rückgabetag")).to_have_value(last.isoformat())
    look("07-reserve")
    page.get_by_role("button", name="Reservieren").click()
    expect(page).to_have_url(re.compile(r"/reservations/\d+$"))
    expect(page.locator(".flash")).to_contain_text("Ihre Reservierung ist bestätigt")
    expect(page.locator("h1 + p .status")).to_have_text("bestätigt")
    look("08-reserved")

    # 4. Back on the wish: closed as fulfilled.
    page.goto(wish_url)
    fulfilled = page.get_by_label(de("The wish was fulfilled"))
    expect(fulfilled).to_be_checked()
    page.get_by_role("button", name=de("Close the wish")).click()
    expect(page.locator(".flash")).to_contain_text(de("The wish is closed."))
    expect(page.locator("h1 + p .status")).to_have_text(de("fulfilled"))
    expect(page.get_by_role("button", name=de("Close the wish"))).to_have_count(0)
    look("09-fulfilled")
    page.goto(served.url + "/wanted")
    expect(page.get_by_role("link", name=WISH)).to_have_count(0)

    with served.context():
        wish = db.session.scalar(sa.select(Wish))
        booking = db.session.scalar(sa.select(Reservation))
        assert wish.status == "fulfilled"
        assert (booking.resource_id, booking.status) == (tool_id, "confirmed")
    wisher.close()
    lender.close()
