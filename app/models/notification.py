"""The outbox: every message to a person is a row first, then delivered."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.db import UTCDateTime, utcnow
from app.extensions import db
from app.models.base import enum_check

DELIVERY_STATES = ("queued", "sent", "failed", "skipped")


class Notification(db.Model):
    """A message to one person (or address), in-app and by mail.

    `dedup_key` is unique: writing the same reminder twice is refused by the
    database, so a second sweep or a second scheduler cannot double a message.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        enum_check("state", DELIVERY_STATES, "state"),
        sa.Index("ix_notifications_delivery", "state", "next_attempt_at"),
        sa.Index("ix_notifications_recipient", "recipient_id", "read_at"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    recipient_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE")
    )
    # Where to send it; for people without an account (invitations) this alone is set.
    to_address: so.Mapped[str] = so.mapped_column(sa.String(254))
    locale: so.Mapped[str] = so.mapped_column(sa.String(5), default="de")
    kind: so.Mapped[str] = so.mapped_column(sa.String(40))
    subject: so.Mapped[str] = so.mapped_column(sa.String(200))
    body_text: so.Mapped[str] = so.mapped_column(sa.Text)
    body_html: so.Mapped[str | None] = so.mapped_column(sa.Text)
    link: so.Mapped[str | None] = so.mapped_column(sa.String(300))
    # Optional attachment (an .ics), kept with the message so a retry sends the same.
    attachment_name: so.Mapped[str | None] = so.mapped_column(sa.String(80))
    attachment_type: so.Mapped[str | None] = so.mapped_column(sa.String(80))
    attachment_data: so.Mapped[str | None] = so.mapped_column(sa.Text)
    related_type: so.Mapped[str | None] = so.mapped_column(sa.String(30))
    related_id: so.Mapped[int | None] = so.mapped_column()
    dedup_key: so.Mapped[str | None] = so.mapped_column(sa.String(200), unique=True)
    send_mail: so.Mapped[bool] = so.mapped_column(default=True)
    state: so.Mapped[str] = so.mapped_column(sa.String(8), default="queued")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    due_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    next_attempt_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    sent_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    read_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    last_error: so.Mapped[str | None] = so.mapped_column(sa.Text)


class SchedulerLease(db.Model):
    """The one row that says which scheduler is active, renewed by its heartbeat."""

    __tablename__ = "scheduler_lease"

    name: so.Mapped[str] = so.mapped_column(sa.String(40), primary_key=True)
    holder: so.Mapped[str] = so.mapped_column(sa.String(120))
    acquired_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime())
    heartbeat_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime())
    expires_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime())
