"""One active scheduler at a time: the lease, and real scheduler processes against one database.

The process tests start `flask --app wsgi scheduler` as subprocesses on a fresh
database (SQLite in tmp_path, or a new PostgreSQL database next to TEST_DATABASE_URL)
with a two-second lease and a one-second sweep, and talk to the test SMTP server.
They wait by polling with a deadline, never for a fixed time.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade

from app import create_app
from app.db import utcnow
from app.extensions import db
from app.models import Notification
from app.notifications.jobs import ReminderScheduler
from app.notifications.scheduler import acquire_lease, release_lease, scheduler_state
from tests.factories_notifications import new_person, new_reservation, new_resource
from tests.served import drop_database, fresh_database

ROOT = Path(__file__).resolve().parent.parent
S = timedelta(seconds=1)


# ---------------------------------------------------------------- lease ----
def test_one_holder_at_a_time_and_takeover_when_the_lease_runs_out(app_ctx):
    t0 = utcnow()
    lease = {"seconds": 5}

    assert acquire_lease("a", now=t0, **lease)
    assert not acquire_lease("b", now=t0 + 1 * S, **lease)  # a holds it
    assert acquire_lease("a", now=t0 + 4 * S, **lease)  # a's heartbeat renews it
    assert not acquire_lease("b", now=t0 + 8 * S, **lease)  # renewed: still a's
    assert acquire_lease("b", now=t0 + 10 * S, **lease)  # a stopped renewing: b takes over
    assert not acquire_lease("a", now=t0 + 11 * S, **lease)  # a comes back: b stays


def test_a_released_lease_is_free_at_once(app_ctx):
    assert acquire_lease("a")
    assert release_lease("a")
    assert scheduler_state()["active"] is False

    assert acquire_lease("b")
    assert scheduler_state() | {"heartbeat_at": None, "expires_at": None} == {
        "active": True,
        "holder": "b",
        "heartbeat_at": None,
        "expires_at": None,
    }
    assert not release_lease("a")  # not a's any more


def test_healthz_shows_the_active_scheduler(app, client):
    assert client.get("/healthz").get_json()["scheduler"]["active"] is False
    with app.test_request_context():
        acquire_lease("host-1:42:abc")

    body = client.get("/healthz").get_json()

    assert body["status"] == "ok"
    assert body["scheduler"]["holder"] == "host-1:42:abc"
    assert body["scheduler"]["active"] is True
    assert body["scheduler"]["heartbeat_at"]


def test_jobs_do_no_work_without_the_lease(app_ctx, notif_reservation):
    notif_reservation(utcnow() + timedelta(hours=2))
    acquire_lease("someone-else")
    standby = ReminderScheduler(app_ctx, holder="standby")

    standby.sweep()
    standby.deliver()

    assert standby.active is False
    assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 0


def test_jobs_work_while_holding_the_lease(app_ctx, notif_reservation, mailbox):
    reservation = notif_reservation(utcnow() + timedelta(hours=2))
    active = ReminderScheduler(app_ctx, holder="active")

    active.sweep()
    active.deliver()

    assert active.active is True
    assert len(mailbox.to(reservation.requester.email)) == 1


# ------------------------------------------------------ real processes ----
def wait_until(
    predicate: Callable[[], bool], what: str, timeout: float = 90, world: World | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}\n{world.logs() if world else ''}")


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@dataclass
class World:
    """A migrated database of its own, and scheduler processes started against it."""

    app: Flask
    database_url: str
    env: dict[str, str]
    folder: Path
    processes: list[Process] = field(default_factory=list)

    def start(self, name: str) -> Process:
        log_path = self.folder / f"scheduler-{name}.log"
        with open(log_path, "wb") as log:
            popen = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "wsgi", "scheduler"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        process = Process(name, popen, log_path)
        self.processes.append(process)
        return process

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.log()}" for p in self.processes)

    def seed_due_reminders(self, count: int, locales: tuple[str, ...] = ("de",)) -> list[str]:
        """Confirmed reservations starting in two hours; returns the requesters' addresses."""
        with self.app.app_context():
            lender = new_person(locale="de", name="Leihgeberin")
            thing = new_resource(lender, title="Lastenrad")
            people = [new_person(locale=locales[i % len(locales)]) for i in range(count)]
            start = utcnow() + timedelta(hours=2)
            for i, person in enumerate(people):
                new_reservation(thing, person, start + i * timedelta(minutes=5))
            db.session.commit()
            addresses = [person.email for person in people]
            db.session.remove()
        return addresses

    def query(self, statement):
        with self.app.app_context():
            try:
                return db.session.execute(statement).all()
            finally:
                db.session.remove()

    def lease_holder(self) -> str | None:
        with self.app.app_context():
            try:
                return scheduler_state()["holder"]
            finally:
                db.session.remove()


@pytest.fixture
def world(database_url, smtp_server, tmp_path) -> Iterator[World]:
    from tests.conftest import make_config

    url = fresh_database(database_url, tmp_path)
    port = smtp_server[0].port
    app = create_app(make_config(url, port, tmp_path / "uploads", TESTING=False))
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        db.session.remove()
    env = {
        **os.environ,
        "APP_ENV": "development",
        "SECRET_KEY": "scheduler-test",
        "DATABASE_URL": url,
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "SITE_URL": "http://allmende.test",
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(port),
        "MAIL_USE_TLS": "0",
        "MAIL_FROM": "Allmende Test <noreply@allmende.test>",
        "MAIL_RETRY_FIRST_SECONDS": "1",
        "SCHEDULER_LEASE_SECONDS": "2",
        "SCHEDULER_SWEEP_SECONDS": "1",
        "SCHEDULER_DELIVERY_SECONDS": "1",
        "PYTHONUNBUFFERED": "1",
    }
    here = World(app=app, database_url=url, env=env, folder=tmp_path)
    try:
        yield here
    finally:
        running = [p.popen for p in here.processes if p.popen.poll() is None]
        for popen in running:
            popen.send_signal(signal.SIGTERM)
        for popen in running:
            try:
                popen.wait(timeout=30)
            except subprocess.TimeoutExpired:
                popen.kill()
                popen.wait()
        with app.app_context():
            db.engine.dispose()
        drop_database(url)


def arrived(mailbox, addresses: list[str]) -> Callable[[], bool]:
    return lambda: all(mailbox.to(address) for address in addresses)


def received_counts(mailbox) -> Counter:
    with mailbox.lock:
        return Counter(message["To"].lower() for message in mailbox.messages)


def assert_each_once(world: World, mailbox, addresses: list[str]) -> None:
    """Once the sentinel's reminder arrived, later sweeps and deliveries have run too."""
    sentinel = world.seed_due_reminders(1)
    wait_until(arrived(mailbox, sentinel), "the sentinel's reminder")
    counts = received_counts(mailbox)
    assert {address: counts[address] for address in addresses + sentinel} == {
        address: 1 for address in addresses + sentinel
    }, world.logs()


def test_two_schedulers_at_once_send_each_reminder_once(world, mailbox):
    people = world.seed_due_reminders(12)

    first = world.start("first")
    second = world.start("second")
    wait_until(arrived(mailbox, people), "every reminder")

    assert_each_once(world, mailbox, people)
    assert first.popen.poll() is None and second.popen.poll() is None, world.logs()
    # one of them stood by while the other was active
    assert "waits" in world.logs() or "lost the lease" in world.logs(), world.logs()
    assert world.lease_holder() is not None


def test_a_scheduler_killed_hard_is_replaced_and_nothing_is_lost_or_doubled(world, mailbox):
    before = world.seed_due_reminders(5)
    killed = world.start("killed")
    wait_until(arrived(mailbox, before), "the first reminders")
    holder = world.lease_holder()

    killed.popen.send_signal(signal.SIGKILL)
    killed.popen.wait()
    after = world.seed_due_reminders(5)
    replacement = world.start("replacement")
    wait_until(arrived(mailbox, after), "reminders after the restart")

    assert world.lease_holder() not in (None, holder)
    assert "is active" in replacement.log()
    assert_each_once(world, mailbox, before + after)


def test_nothing_is_lost_while_the_mail_server_is_down(world, mailbox, smtp_handler):
    smtp_handler.refuse = True
    people = world.seed_due_reminders(6, locales=("de", "en"))
    world.start("only")

    def retried() -> bool:
        # Only the reminders: after the digest hour a lender's digest is queued too.
        rows = world.query(
            sa.select(Notification.state, Notification.attempts).where(
                Notification.kind == "reminder_start"
            )
        )
        return len(rows) == 6 and all(s == "queued" and a >= 2 for s, a in rows)

    wait_until(retried, "a second failed attempt of every message", world=world)
    assert mailbox.messages == []
    errors = world.query(
        sa.select(Notification.last_error).where(Notification.kind == "reminder_start")
    )
    assert all("451" in (error or "") for (error,) in errors)

    smtp_handler.refuse = False
    wait_until(arrived(mailbox, people), "every reminder after the server came back")

    assert_each_once(world, mailbox, people)
    subjects = {address: mailbox.to(address)[0]["Subject"] for address in people}
    assert [subjects[a].split(":")[0] for a in people] == ["Erinnerung", "Reminder"] * 3
    states = world.query(sa.select(Notification.state).where(Notification.kind == "reminder_start"))
    assert {state for (state,) in states} == {"sent"}


def test_a_scheduler_stopped_with_sigterm_gives_the_lease_back(world):
    process = world.start("stopped")
    wait_until(lambda: world.lease_holder() is not None, "the lease", world=world)

    process.popen.send_signal(signal.SIGTERM)

    assert process.popen.wait(timeout=60) == 0, process.log()
    with world.app.app_context():
        state = scheduler_state()
        db.session.remove()
    assert state["active"] is False  # a standby may take over at once
    assert "stopping" in process.log()
