"""The scheduler's lease and state (the jobs themselves live in app.notifications.jobs).

Only one scheduler may be active at a time, across processes and hosts. The one
that holds the lease row renews it with a heartbeat; when it stops (crash, kill,
lost host) the lease runs out after SCHEDULER_LEASE_SECONDS and a waiting
scheduler takes it over. Taking and renewing is one atomic UPDATE (holder is me,
or the lease ran out), so it works alike on SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.db import UTCDateTime, utcnow, write_transaction
from app.extensions import db
from app.models import SchedulerLease

LEASE_NAME = "reminders"


def new_holder() -> str:
    """A name for this scheduler process: host, process id and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def acquire_lease(
    holder: str,
    *,
    now: datetime | None = None,
    seconds: int | None = None,
    name: str = LEASE_NAME,
) -> bool:
    """Take the lease, or renew it if `holder` has it; True while `holder` is the active one."""
    now = now or utcnow()
    seconds = seconds or current_app.config["SCHEDULER_LEASE_SECONDS"]
    expires = now + timedelta(seconds=seconds)
    table = SchedulerLease.__table__
    with write_transaction():
        taken = db.session.execute(
            sa.update(table)
            .where(
                table.c.name == name,
                sa.or_(table.c.holder == holder, table.c.expires_at < now),
            )
            .values(
                holder=holder,
                heartbeat_at=now,
                expires_at=expires,
                acquired_at=sa.case(
                    (table.c.holder == holder, table.c.acquired_at),
                    else_=sa.literal(now, UTCDateTime()),
                ),
            )
        )
        if taken.rowcount == 1:
            return True
        if db.session.scalar(select(table.c.name).where(table.c.name == name)) is not None:
            return False  # someone else holds a lease that has not run out
        try:
            with db.session.begin_nested():
                db.session.execute(
                    sa.insert(table).values(
                        name=name,
                        holder=holder,
                        acquired_at=now,
                        heartbeat_at=now,
                        expires_at=expires,
                    )
                )
        except IntegrityError:
            return False  # another scheduler created the row at the same moment
        return True


def release_lease(holder: str, *, name: str = LEASE_NAME) -> bool:
    """Let the lease run out now, so a waiting scheduler takes over at once."""
    table = SchedulerLease.__table__
    now = utcnow()
    with write_transaction():
        result = db.session.execute(
            sa.update(table)
            .where(table.c.name == name, table.c.holder == holder)
            .values(expires_at=now - timedelta(seconds=1), heartbeat_at=now)
        )
        return result.rowcount == 1


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
