"""Scheduled jobs: the reminder sweep and mail delivery, and the one scheduler that runs them.

`flask --app wsgi scheduler` runs `run_scheduler()`: an APScheduler BlockingScheduler
with three jobs, each in its own app context. The heartbeat takes or renews the
lease (app.notifications.scheduler); the sweep and the delivery renew it too before
they work and do nothing without it. So a second scheduler started by mistake, or
started on purpose as a standby on another host, polls the lease and takes over
when the active one stops renewing it.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask, current_app
from sqlalchemy.exc import SQLAlchemyError

from app.booking import counter, waitlist
from app.db import utcnow
from app.extensions import db
from app.notifications import reminders
from app.notifications.outbox import deliver_due
from app.notifications.scheduler import (
    acquire_lease,
    new_holder,
    release_lease,
    scheduler_state,
)

log = logging.getLogger(__name__)

# The sweep's rules, in order: expire first, so an expired request gets no reminder.
SWEEP_RULES: tuple[tuple[str, Callable[[datetime], int]], ...] = (
    ("expired", reminders.expire_requests),
    ("reminder_start", reminders.remind_start),
    ("reminder_return", reminders.remind_return),
    ("overdue", reminders.notify_overdue),
    ("request_pending", reminders.remind_pending_requests),
    ("lender_digest", reminders.send_lender_digests),
    ("inquiry_unanswered", reminders.remind_unanswered_inquiries),
    ("waitlist_expired", waitlist.sweep),
    ("guests_anonymised", counter.sweep),
)


def sweep(now: datetime) -> dict[str, int]:
    """Find what is due as of `now` and write it to the outbox; counts per rule.

    A rule that fails is logged and counted under "errors"; the others still run.
    """
    counts: dict[str, int] = {}
    for name, rule in SWEEP_RULES:
        try:
            counts[name] = rule(now)
        except Exception:
            db.session.rollback()
            log.exception("sweep rule %s failed", name)
            counts["errors"] = counts.get("errors", 0) + 1
    return counts


def describe(counts: dict[str, int]) -> str:
    return ", ".join(f"{k}={v}" for k, v in counts.items() if v) or "nothing due"


def run_once(now: datetime) -> list[str]:
    """As of `now`: run every due job, then deliver what is due; lines to print."""
    swept = sweep(now)
    delivered = deliver_due(now)
    return [
        f"sweep {now.isoformat()}: {describe(swept)}",
        "delivery: sent={sent} retry={retry} failed={failed} skipped={skipped}".format(
            **delivered
        ),
    ]


class ReminderScheduler:
    """The jobs of one scheduler process, active only while it holds the lease."""

    def __init__(self, app: Flask, holder: str | None = None) -> None:
        self.app = app
        self.holder = holder or new_holder()
        self.active = False
        self.stop_requested = False
        self._lease_lock = threading.Lock()
        self._running_jobs = 0
        self._jobs_done = threading.Condition()
        self.scheduler = BlockingScheduler(timezone=UTC)

    # -- the lease -----------------------------------------------------------
    def holds_lease(self) -> bool:
        """Take or renew the lease; True while this scheduler is the active one."""
        if self.stop_requested:
            return False  # stopping: no new work, and the lease is given back
        with self._lease_lock:
            was_active = self.active
            try:
                self.active = acquire_lease(self.holder)
            except SQLAlchemyError:
                db.session.rollback()
                log.exception("could not renew the lease; pausing the jobs")
                self.active = False
            if self.active and not was_active:
                log.info("scheduler %s is active", self.holder)
                self._catch_up()
            elif was_active and not self.active:
                log.warning("scheduler %s lost the lease; waiting", self.holder)
            return self.active

    def _catch_up(self) -> None:
        """On taking over, sweep and deliver at once rather than at the next interval."""
        if not self.scheduler.running:
            return
        now = datetime.now(UTC)
        for job_id in ("sweep", "delivery"):
            job = self.scheduler.get_job(job_id)
            if job is not None:
                job.modify(next_run_time=now)

    # -- the jobs ------------------------------------------------------------
    def heartbeat(self) -> None:
        self.holds_lease()

    def sweep(self) -> None:
        if not self.holds_lease():
            return
        counts = sweep(utcnow())
        if any(counts.values()):
            log.info("sweep: %s", describe(counts))

    def deliver(self) -> None:
        if not self.holds_lease():
            return
        counts = deliver_due(utcnow())
        if any(counts.values()):
            log.info("delivery: %s", describe(counts))

    def in_app_context(self, job: Callable[[], None]) -> Callable[[], None]:
        """Run a job in its own app context and remove its session afterwards."""

        def run() -> None:
            with self._jobs_done:
                self._running_jobs += 1
            try:
                with self.app.app_context():
                    try:
                        job()
                    except Exception:
                        log.exception("job %s failed", job.__name__)
                    finally:
                        db.session.remove()
            finally:
                with self._jobs_done:
                    self._running_jobs -= 1
                    self._jobs_done.notify_all()

        run.__name__ = job.__name__
        return run

    def add_jobs(self) -> None:
        config = self.app.config
        lease = config["SCHEDULER_LEASE_SECONDS"]
        now = datetime.now(UTC)
        # Late runs still run (no grace limit) and pile-ups run once (coalesce): the
        # sweep works from the database, so one late run catches up everything missed.
        common = {"coalesce": True, "max_instances": 1, "misfire_grace_time": None}
        self.scheduler.add_job(
            self.in_app_context(self.heartbeat),
            IntervalTrigger(seconds=max(lease / 3, 0.5)),
            id="heartbeat",
            name="heartbeat",
            **common,
        )
        self.scheduler.add_job(
            self.in_app_context(self.sweep),
            IntervalTrigger(seconds=config["SCHEDULER_SWEEP_SECONDS"]),
            id="sweep",
            name="sweep",
            next_run_time=now,
            **common,
        )
        self.scheduler.add_job(
            self.in_app_context(self.deliver),
            IntervalTrigger(seconds=config["SCHEDULER_DELIVERY_SECONDS"]),
            id="delivery",
            name="delivery",
            next_run_time=now,
            **common,
        )
        self.scheduler.add_job(
            self.stop_if_requested,
            IntervalTrigger(seconds=0.5),
            id="stop",
            name="stop",
            **common,
        )

    # -- running -------------------------------------------------------------
    def request_stop(self, signum, frame) -> None:
        """Signal handler: only note the wish (no locks here); the stop job acts on it."""
        self.stop_requested = True

    def stop_if_requested(self) -> None:
        if self.stop_requested and self.scheduler.running:
            log.info("scheduler %s stopping", self.holder)
            self.scheduler.shutdown(wait=False)

    def wait_for_jobs(self, timeout: float) -> None:
        with self._jobs_done:
            self._jobs_done.wait_for(lambda: self._running_jobs == 0, timeout=timeout)

    def run(self) -> None:
        """Run in the foreground until SIGINT or SIGTERM; then give the lease back.

        The signal handlers only set a flag: raising from a handler could interrupt
        the scheduler while it holds one of its locks, and its shutdown would then
        wait for ever. A job every half second sees the flag and stops the loop.
        """
        previous = {
            number: signal.signal(number, self.request_stop)
            for number in (signal.SIGTERM, signal.SIGINT)
        }
        try:
            self.announce()
            self.add_jobs()
            self.scheduler.start()  # returns once the stop job has shut it down
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)
            if self.scheduler.running:
                self.scheduler.shutdown(wait=False)
            self.wait_for_jobs(timeout=self.app.config["MAIL_TIMEOUT"] * 3 + 30)
            if self.active:
                with self.app.app_context():
                    try:
                        release_lease(self.holder)
                    except SQLAlchemyError:
                        log.exception("could not give the lease back; it runs out by itself")
                    finally:
                        db.session.remove()
            log.info("scheduler %s stopped", self.holder)

    def announce(self) -> None:
        """Try the lease once at start and say whether this scheduler is active or waits."""
        with self.app.app_context():
            try:
                if not self.holds_lease():
                    state = scheduler_state()
                    log.info(
                        "scheduler %s waits: %s holds the lease until %s",
                        self.holder,
                        state.get("holder"),
                        state.get("expires_at"),
                    )
            except SQLAlchemyError:
                log.exception("database not ready; the heartbeat keeps trying")
            finally:
                db.session.remove()


def configure_logging() -> None:
    """Log the scheduler's decisions to stderr (APScheduler's own chatter only from warnings)."""
    logger = logging.getLogger("app.notifications")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
        logger.propagate = False
    logger.setLevel(logging.INFO)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def run_scheduler() -> None:
    """Run the reminder scheduler in the foreground (inside the app of the current context)."""
    configure_logging()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    ReminderScheduler(app).run()
