"""Scheduled jobs: the reminder sweep and mail delivery."""

from __future__ import annotations

from datetime import datetime

from app.notifications.outbox import deliver_due


def sweep(now: datetime) -> dict[str, int]:
    """Find what is due and write outbox rows (reminders come with the booking area)."""
    return {}


def run_once(now: datetime) -> list[str]:
    """As of `now`: run every due job, then deliver what is due; lines to print."""
    swept = sweep(now)
    delivered = deliver_due(now)
    lines = [f"sweep {now.isoformat()}: " + (", ".join(f"{k}={v}" for k, v in swept.items()) or "nothing due")]
    lines.append(
        "delivery: sent={sent} retry={retry} failed={failed}".format(**delivered)
    )
    return lines


def run_scheduler() -> None:
    raise NotImplementedError("the scheduler comes with the reminders issue")
