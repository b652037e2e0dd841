"""The scheduler's lease and state (the jobs themselves live in app.notifications.jobs)."""

from __future__ import annotations

from sqlalchemy import select

from app.db import utcnow
from app.extensions import db
from app.models import SchedulerLease

LEASE_NAME = "reminders"


def scheduler_state() -> dict:
    """What /healthz shows: the active scheduler, its last heartbeat, and whether it is alive."""
    lease = db.session.scalar(select(SchedulerLease).where(SchedulerLease.name == LEASE_NAME))
    if lease is None:
        return {"active": False, "holder": None, "heartbeat_at": None}
    return {
        "active": lease.expires_at > utcnow(),
        "holder": lease.holder,
        "heartbeat_at": lease.heartbeat_at.isoformat(),
        "expires_at": lease.expires_at.isoformat(),
    }
