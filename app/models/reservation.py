"""Reservations and the history of every transition."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.db import UTCDateTime, utcnow
from app.extensions import db
from app.models.base import TimestampMixin, enum_check

if TYPE_CHECKING:
    from app.models.catalogue import Resource
    from app.models.user import User

RESERVATION_STATUSES = (
    "requested",
    "confirmed",
    "handed_over",
    "returned",
    "declined",
    "cancelled",
    "expired",
)
# Statuses that hold units of the resource.
HOLDING_STATUSES = ("requested", "confirmed", "handed_over")


class Reservation(TimestampMixin, db.Model):
    __tablename__ = "reservations"
    __table_args__ = (
        enum_check("status", RESERVATION_STATUSES, "status"),
        sa.CheckConstraint("start < \"end\"", name="period"),
        sa.CheckConstraint("units >= 1", name="units_positive"),
        sa.Index("ix_reservations_resource_period", "resource_id", "start", "end"),
        sa.Index("ix_reservations_requester_start", "requester_id", "start"),
        sa.Index("ix_reservations_status_start", "status", "start"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    resource_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("resources.id", ondelete="CASCADE")
    )
    # NULL for a counter loan to someone without an account (guest_* then set).
    requester_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    start: so.Mapped[datetime] = so.mapped_column(UTCDateTime())
    end: so.Mapped[datetime] = so.mapped_column(UTCDateTime())
    units: so.Mapped[int] = so.mapped_column(default=1)
    message: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    status: so.Mapped[str] = so.mapped_column(sa.String(12), default="requested")
    # Raised whenever start or end change (iCalendar SEQUENCE).
    sequence: so.Mapped[int] = so.mapped_column(default=0)
    decided_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    decline_reason: so.Mapped[str | None] = so.mapped_column(sa.Text)
    cancel_reason: so.Mapped[str | None] = so.mapped_column(sa.Text)
    handed_over_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    returned_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    deposit_taken_cents: so.Mapped[int | None] = so.mapped_column()
    fee_paid_cents: so.Mapped[int | None] = so.mapped_column()
    deposit_returned_cents: so.Mapped[int | None] = so.mapped_column()
    return_condition: so.Mapped[str | None] = so.mapped_column(sa.Text)
    handover_code: so.Mapped[str | None] = so.mapped_column(sa.String(12))
    series_id: so.Mapped[str | None] = so.mapped_column(sa.String(36), index=True)
    guest_name: so.Mapped[str | None] = so.mapped_column(sa.String(120))
    guest_contact: so.Mapped[str | None] = so.mapped_column(sa.String(200))

    resource: so.Mapped[Resource] = so.relationship()
    requester: so.Mapped[User | None] = so.relationship(foreign_keys=[requester_id])
    events: so.Mapped[list[ReservationEvent]] = so.relationship(
        back_populates="reservation",
        cascade="all, delete-orphan",
        order_by="ReservationEvent.id",
    )

    @property
    def holds_units(self) -> bool:
        return self.status in HOLDING_STATUSES

    def is_overdue(self, now: datetime | None = None) -> bool:
        return self.status == "handed_over" and (now or utcnow()) >= self.end

    def __repr__(self) -> str:
        return f"<Reservation {self.id} {self.status} {self.start:%Y-%m-%d %H:%M}>"


class ReservationEvent(db.Model):
    """One transition of a reservation: who did what, when, from which state."""

    __tablename__ = "reservation_events"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    reservation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("reservations.id", ondelete="CASCADE"), index=True
    )
    actor_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    action: so.Mapped[str] = so.mapped_column(sa.String(20))
    from_status: so.Mapped[str | None] = so.mapped_column(sa.String(12))
    to_status: so.Mapped[str] = so.mapped_column(sa.String(12))
    note: so.Mapped[str | None] = so.mapped_column(sa.Text)
    at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)

    reservation: so.Mapped[Reservation] = so.relationship(back_populates="events")
    actor: so.Mapped[User | None] = so.relationship()
