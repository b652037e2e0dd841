"""Reports of problems with a listing or a message, handled by the project office."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.db import UTCDateTime
from app.extensions import db
from app.models.base import TimestampMixin, enum_check

if TYPE_CHECKING:
    from app.models.user import User

# What can be reported: a listing, or one of the messages people send each other.
REPORT_TARGETS = ("resource", "inquiry_message", "wish_answer", "reservation_message")
REPORT_REASONS = ("spam", "wrong_information", "inappropriate", "safety", "other")
REPORT_STATES = ("open", "resolved", "dismissed")


class Report(TimestampMixin, db.Model):
    """Someone tells the office that a listing or a message is a problem.

    The target is generic (type and id), so a report outlives the thing it names:
    when that is deleted, the report and its outcome stay for the record.
    """

    __tablename__ = "reports"
    __table_args__ = (
        enum_check("target_type", REPORT_TARGETS, "target_type"),
        enum_check("reason", REPORT_REASONS, "reason"),
        enum_check("state", REPORT_STATES, "state"),
        sa.Index("ix_reports_state_created", "state", "created_at"),
        sa.Index("ix_reports_target", "target_type", "target_id"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    reporter_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    target_type: so.Mapped[str] = so.mapped_column(sa.String(30))
    target_id: so.Mapped[int] = so.mapped_column()
    # A short description of the target when reported (its title), kept if it goes away.
    target_label: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    reason: so.Mapped[str] = so.mapped_column(sa.String(20))
    text: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    state: so.Mapped[str] = so.mapped_column(sa.String(10), default="open")
    outcome: so.Mapped[str | None] = so.mapped_column(sa.Text)
    handled_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    handled_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())

    reporter: so.Mapped[User | None] = so.relationship(foreign_keys=[reporter_id])
    handled_by: so.Mapped[User | None] = so.relationship(foreign_keys=[handled_by_id])

    @property
    def is_open(self) -> bool:
        return self.state == "open"

    def __repr__(self) -> str:
        return f"<Report {self.id} {self.target_type}:{self.target_id} {self.state}>"
