"""Benchmark of the reminder sweep: 100,000 due reminders on a fresh SQLite database.

    .venv/bin/python bench/sweep.py [--count 100000] [--people 2000] [--no-trace]

Bulk-inserts confirmed reservations that all start within the next 24 hours (so each
needs its start reminder), runs the sweep once (it writes every reminder to the
outbox, batch by batch) and once more (it finds nothing new), and prints the wall
time and, unless --no-trace, the peak memory traced by tracemalloc (which also
slows Python down, so --no-trace gives the truer time).
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from app import create_app  # noqa: E402
from app.db import utcnow  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Notification, Reservation, Resource, User  # noqa: E402
from app.notifications.jobs import sweep  # noqa: E402


def seed(count: int, people: int) -> None:
    """Lenders, borrowers and `count` confirmed reservations starting in the next 24 hours."""
    now = utcnow()
    db.session.execute(
        sa.insert(User),
        [
            {
                "email": f"person{i}@bench.example",
                "display_name": f"Person {i}",
                "locale": "en" if i % 3 == 0 else "de",
                "confirmed_at": now,
                "notifications_off": [],
            }
            for i in range(people)
        ],
    )
    user_ids = db.session.scalars(sa.select(User.id).order_by(User.id)).all()
    lenders = user_ids[:50]
    db.session.execute(
        sa.insert(Resource),
        [
            {
                "kind": "item",
                "owner_user_id": lender,
                "title": f"Ding {n}",
                "description": "",
                "search_text": "",
                "permitted_uses": [],
                "units": 1000,
            }
            for n, lender in enumerate(lenders)
        ],
    )
    resource_ids = db.session.scalars(sa.select(Resource.id).order_by(Resource.id)).all()
    step = timedelta(hours=23) / count
    batch = []
    for i in range(count):
        start = now + timedelta(minutes=30) + i * step
        batch.append(
            {
                "resource_id": resource_ids[i % len(resource_ids)],
                "requester_id": user_ids[50 + i % (len(user_ids) - 50)],
                "start": start,
                "end": start + timedelta(hours=2),
                "units": 1,
                "message": "",
                "status": "confirmed",
                "created_at": now - timedelta(days=3),
                "updated_at": now - timedelta(days=3),
            }
        )
        if len(batch) == 10_000:
            db.session.execute(sa.insert(Reservation), batch)
            batch = []
    if batch:
        db.session.execute(sa.insert(Reservation), batch)
    db.session.commit()


def timed_sweep(trace: bool) -> tuple[dict[str, int], float, int | None]:
    if trace:
        tracemalloc.start()
    began = time.perf_counter()
    counts = sweep(utcnow())
    wall = time.perf_counter() - began
    peak = None
    if trace:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return counts, wall, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--people", type=int, default=2_000)
    parser.add_argument("--no-trace", action="store_true", help="time without tracemalloc")
    args = parser.parse_args()
    logging.getLogger("alembic").setLevel(logging.WARNING)

    with tempfile.TemporaryDirectory(prefix="allmende-bench-") as folder:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db",
                "UPLOAD_FOLDER": f"{folder}/uploads",
                "MAIL_BACKEND": "console",
                "SITE_URL": "https://allmende.example",
                "LENDER_DIGEST_HOUR": 24,  # no digests: this measures the reminders
            }
        )
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            began = time.perf_counter()
            seed(args.count, args.people)
            print(f"seeded {args.count} due reservations in {time.perf_counter() - began:.1f} s")

            for label in ("first sweep", "second sweep"):
                counts, wall, peak = timed_sweep(not args.no_trace)
                memory = f", peak memory {peak / 2**20:.1f} MiB" if peak is not None else ""
                done = ", ".join(f"{k}={v}" for k, v in counts.items() if v) or "nothing new"
                print(f"{label}: {wall:.1f} s wall time{memory} ({done})")
                db.session.remove()

            queued = db.session.scalar(
                sa.select(sa.func.count(Notification.id)).where(
                    Notification.kind == "reminder_start"
                )
            )
            print(f"reminders in the outbox: {queued}")
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
