"""All managers leave at the same moment: one stays, on SQLite and PostgreSQL.

The app is served on a real port with its own database (tests/served.py), with CSRF on;
each manager has a browser-like session of their own.
"""

from __future__ import annotations

import http.cookiejar
import re
import threading
import urllib.parse
import urllib.request

import pytest
import sqlalchemy as sa

from app.db import utcnow
from app.extensions import db
from app.models import Membership, Organisation, User
from tests.factories import PASSWORD
from tests.factories_orgs import password_hash

MANAGERS = 8
SLUG = "sturm-initiative"


class Browser:
    """Cookies and CSRF tokens over plain HTTP."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=60) as response:
            return response.read().decode()

    def csrf(self, path: str) -> str:
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', self.get(path)).group(1)

    def post(self, path: str, data: dict) -> int:
        body = urllib.parse.urlencode(data).encode()
        with self.opener.open(self.base + path, data=body, timeout=60) as response:
            return response.status


def seed() -> None:
    org = Organisation(name="Sturm-Initiative", slug=SLUG, kind="initiative", description="",
                       fields=[], looking_for=[])
    db.session.add(org)
    for n in range(MANAGERS):
        person = User(email=f"chef{n}@example.org", display_name=f"Chef {n}",
                      confirmed_at=utcnow(), notifications_off=[], password_hash=password_hash())
        db.session.add(Membership(organisation=org, user=person, role="manager"))
    db.session.flush()


@pytest.mark.storm
def test_when_every_manager_leaves_at_once_one_stays(served_app):
    served = served_app(seed=seed)
    browsers = []
    for n in range(MANAGERS):
        browser = Browser(served.url)
        token = browser.csrf("/auth/login")
        browser.post("/auth/login", {"email": f"chef{n}@example.org", "password": PASSWORD,
                                     "csrf_token": token})
        browsers.append((browser, browser.csrf(f"/orgs/{SLUG}")))

    barrier = threading.Barrier(MANAGERS)
    statuses: list[int] = []
    lock = threading.Lock()

    def leave(browser: Browser, token: str) -> None:
        barrier.wait()
        status = browser.post(f"/orgs/{SLUG}/leave", {"csrf_token": token})
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=leave, args=pair) for pair in browsers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert statuses == [200] * MANAGERS  # each lands on the page with a message
    with served.context():
        roles = db.session.scalars(
            sa.select(Membership.role).join(Membership.organisation).where(
                Organisation.slug == SLUG
            )
        ).all()
    assert roles == ["manager"]


@pytest.mark.storm
def test_a_second_leave_waits_for_the_first_and_then_refuses(served_app):
    """Two managers leave in overlapping transactions: the second sees the first's result."""
    from app.db import begin_write
    from app.orgs import service
    from app.orgs.service import OrgError

    served = served_app(seed=seed)
    with served.context():
        org_id = db.session.scalar(sa.select(Organisation.id).where(Organisation.slug == SLUG))
        for membership in db.session.scalars(
            sa.select(Membership).join(Membership.user).where(
                Membership.organisation_id == org_id,
                User.email.not_in(["chef0@example.org", "chef1@example.org"]),
            )
        ):
            db.session.delete(membership)
        db.session.commit()
    first_flushed = threading.Event()
    second_started = threading.Event()
    outcomes: dict[str, str] = {}

    def leave(n: int, name: str) -> None:
        with served.context():
            person = db.session.scalar(sa.select(User).where(User.email == f"chef{n}@example.org"))
            org = db.session.get(Organisation, org_id)
            if name == "second":
                first_flushed.wait(30)
                second_started.set()
            begin_write()
            try:
                service.leave(org, person)
                if name == "first":
                    first_flushed.set()
                    second_started.wait(30)
                    # Give the second transaction time to reach the lock and wait there.
                    threading.Event().wait(0.5)
                db.session.commit()
                outcomes[name] = "left"
            except OrgError:
                db.session.rollback()
                outcomes[name] = "refused"

    threads = [
        threading.Thread(target=leave, args=(0, "first")),
        threading.Thread(target=leave, args=(1, "second")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcomes == {"first": "left", "second": "refused"}
