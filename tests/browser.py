"""Playwright in Debian's Chromium, kept off the network; axe-core and screenshots."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from app.db import utcnow
from app.extensions import db
from app.models import User

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "test-artifacts" / "screenshots"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
ZONE = ZoneInfo("Europe/Berlin")

# The elements that stick out on the right (to say what makes a page scroll sideways).
TOO_WIDE = """() => [...document.querySelectorAll('main *')]
    .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
    .map(e => `${e.tagName.toLowerCase()}.${e.className} ${e.getBoundingClientRect().width}px`)"""


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ],
    }


@pytest.fixture(scope="session")
def base_url():
    # pytest-playwright's own base_url fixture warns on newer pytest; the served app sets URLs.
    return None


def shoot(page, name: str) -> Path:
    """A full-page screenshot into test-artifacts/screenshots (git-ignored)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{re.sub(r'[^a-z0-9_-]+', '-', name.lower())}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def check_a11y(page, name: str = "") -> None:
    """Fail on serious or critical axe-core findings on the current page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    violations = [
        v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")
    ]
    assert not violations, f"axe on {name or page.url}: " + "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(n.get("target")) for n in v["nodes"][:3])
        for v in violations
    )


def assert_no_sideways_scroll(page, name: str = "") -> None:
    """The whole page is no wider than the window (1px of rounding allowed)."""
    root = "document.documentElement"
    overflow = page.evaluate(f"{root}.scrollWidth - {root}.clientWidth")
    assert overflow <= 1, (
        f"{name or page.url}: {overflow}px sideways, {page.evaluate(TOO_WIDE)[:8]}"
    )


def check_page(page, name: str = "") -> None:
    """Accessible (axe) and no sideways scrolling of the whole page."""
    check_a11y(page, name)
    assert_no_sideways_scroll(page, name)


def step_checker(page, step: str) -> Callable[..., None]:
    """look(name, target=page): check_page, then a screenshot named "<step>-<name>"."""

    def look(name: str, target=None) -> None:
        target = target or page
        check_page(target, name)
        shoot(target, f"{step}-{name}")

    return look


def log_in(page, base_url: str, email: str, password: str, *, confirm: bool = False) -> None:
    """Log in through the (German) form; `confirm` waits for the "angemeldet" message."""
    page.goto(base_url + "/auth/login")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort").fill(password)
    page.get_by_role("button", name="Anmelden").click()
    if confirm:
        expect(page.locator(".flash")).to_contain_text("angemeldet")


def in_days(days: int, at: time = time(0)) -> datetime:
    """A wall-clock time some days from today in the site's zone."""
    day = datetime.now(ZONE).date() + timedelta(days=days)
    return datetime.combine(day, at, tzinfo=ZONE)


def add_people(people: tuple[tuple[str, str], ...], password: str) -> dict[str, User]:
    """Confirmed German-speaking accounts from (email, name) pairs, for a served app's seed."""
    added = {}
    for email, name in people:
        user = User(email=email, display_name=name, locale="de", confirmed_at=utcnow(),
                    notifications_off=[])
        user.set_password(password)
        db.session.add(user)
        added[email] = user
    return added
