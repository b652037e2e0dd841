"""Inquiries for vacant spaces: who asks, for what, when, and the thread between both sides."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.db import UTCDateTime, utcnow
from app.extensions import db
from app.models.base import TimestampMixin, enum_check

if TYPE_CHECKING:
    from app.models.catalogue import Resource
    from app.models.org import Organisation
    from app.models.reservation import Reservation
    from app.models.user import User

# What a space may be used for; the same words describe a space's permitted uses.
USES = ("popup_shop", "workshop", "exhibition", "office", "event", "other")
# open: the owner owes an answer; proposed: the applicant owes one.
INQUIRY_STATUSES = ("open", "proposed", "accepted", "declined", "withdrawn")
ACTIVE_STATUSES = ("open", "proposed")
EVENT_ACTIONS = (
    "created",
    "message",
    "proposed",
    "accepted",
    "declined",
    "withdrawn",
    "mediator_joined",
)
ROLES = ("applicant", "owner", "mediator")


class Inquiry(TimestampMixin, db.Model):
    """Someone asks to use a vacant space for a period; both sides agree in a thread."""

    __tablename__ = "inquiries"
    __table_args__ = (
        enum_check("status", INQUIRY_STATUSES, "status"),
        enum_check("intended_use", USES, "intended_use"),
        sa.CheckConstraint("wished_from <= wished_until", name="wished_period"),
        sa.CheckConstraint("period_from <= period_until", name="period"),
        sa.Index("ix_inquiries_space_status", "space_id", "status"),
        sa.Index("ix_inquiries_applicant", "applicant_id", "created_at"),
        sa.Index("ix_inquiries_awaiting", "status", "awaiting_owner_since"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    space_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("resources.id", ondelete="CASCADE"))
    applicant_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    # Set when the applicant asks on behalf of an organisation they belong to.
    organisation_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    intended_use: so.Mapped[str] = so.mapped_column(sa.String(20))
    concept: so.Mapped[str] = so.mapped_column(sa.Text)
    # Whole days, both inclusive: what the applicant first asked for ...
    wished_from: so.Mapped[date] = so.mapped_column(sa.Date)
    wished_until: so.Mapped[date] = so.mapped_column(sa.Date)
    # ... and the period under discussion now (the last proposal), or the agreed one.
    period_from: so.Mapped[date] = so.mapped_column(sa.Date)
    period_until: so.Mapped[date] = so.mapped_column(sa.Date)
    status: so.Mapped[str] = so.mapped_column(sa.String(10), default="open")
    # Since when the owner owes an answer (NULL while the applicant is to act).
    awaiting_owner_since: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    decided_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    decline_reason: so.Mapped[str | None] = so.mapped_column(sa.Text)
    reservation_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("reservations.id", ondelete="SET NULL")
    )
    # The project office member who joined the thread to mediate.
    mediator_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    space: so.Mapped[Resource] = so.relationship()
    applicant: so.Mapped[User | None] = so.relationship(foreign_keys=[applicant_id])
    organisation: so.Mapped[Organisation | None] = so.relationship()
    reservation: so.Mapped[Reservation | None] = so.relationship()
    mediator: so.Mapped[User | None] = so.relationship(foreign_keys=[mediator_id])
    events: so.Mapped[list[InquiryEvent]] = so.relationship(
        back_populates="inquiry", cascade="all, delete-orphan", order_by="InquiryEvent.id"
    )

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def __repr__(self) -> str:
        return f"<Inquiry {self.id} {self.status} space={self.space_id}>"


class InquiryEvent(db.Model):
    """One step of an inquiry's thread: a message, a proposal, a decision, with who and when."""

    __tablename__ = "inquiry_events"
    __table_args__ = (
        enum_check("action", EVENT_ACTIONS, "action"),
        enum_check("role", ROLES, "role"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    inquiry_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("inquiries.id", ondelete="CASCADE"), index=True
    )
    actor_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    role: so.Mapped[str] = so.mapped_column(sa.String(10))
    action: so.Mapped[str] = so.mapped_column(sa.String(16))
    body: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # The period proposed or agreed in this step (whole days, inclusive).
    period_from: so.Mapped[date | None] = so.mapped_column(sa.Date)
    period_until: so.Mapped[date | None] = so.mapped_column(sa.Date)
    from_status: so.Mapped[str | None] = so.mapped_column(sa.String(10))
    to_status: so.Mapped[str] = so.mapped_column(sa.String(10))
    at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)

    inquiry: so.Mapped[Inquiry] = so.relationship(back_populates="events")
    actor: so.Mapped[User | None] = so.relationship()
