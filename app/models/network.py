"""What connects people: a board of wishes, and public events from room bookings."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.db import UTCDateTime, utcnow
from app.extensions import db
from app.models.base import TimestampMixin, enum_check

if TYPE_CHECKING:
    from app.models.catalogue import Category, Resource
    from app.models.org import Organisation
    from app.models.reservation import Reservation
    from app.models.user import User

WISH_STATUSES = ("open", "fulfilled", "closed")
EVENT_ACCESS = ("open", "registration")


class Wish(TimestampMixin, db.Model):
    """Something a resident or organisation needs, and when."""

    __tablename__ = "wishes"
    __table_args__ = (
        enum_check("status", WISH_STATUSES, "status"),
        sa.Index("ix_wishes_board", "status", "expires_on"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    author_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    organisation_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("organisations.id", ondelete="SET NULL")
    )
    title: so.Mapped[str] = so.mapped_column(sa.String(140))
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    category_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("categories.id", ondelete="SET NULL")
    )
    district: so.Mapped[str | None] = so.mapped_column(sa.String(80))
    wanted_from: so.Mapped[date | None] = so.mapped_column(sa.Date)
    wanted_until: so.Mapped[date | None] = so.mapped_column(sa.Date)
    expires_on: so.Mapped[date] = so.mapped_column(sa.Date)
    status: so.Mapped[str] = so.mapped_column(sa.String(10), default="open")
    closed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())

    author: so.Mapped[User | None] = so.relationship()
    organisation: so.Mapped[Organisation | None] = so.relationship()
    category: so.Mapped[Category | None] = so.relationship()
    answers: so.Mapped[list[WishAnswer]] = so.relationship(
        back_populates="wish", cascade="all, delete-orphan", order_by="WishAnswer.id"
    )

    def is_open(self, today: date) -> bool:
        return self.status == "open" and self.expires_on >= today


class WishAnswer(db.Model):
    """A reply to a wish: a message, and perhaps one of the answerer's resources."""

    __tablename__ = "wish_answers"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    wish_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("wishes.id", ondelete="CASCADE"), index=True
    )
    author_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    message: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    resource_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("resources.id", ondelete="SET NULL")
    )
    start: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    end: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)

    wish: so.Mapped[Wish] = so.relationship(back_populates="answers")
    author: so.Mapped[User | None] = so.relationship()
    resource: so.Mapped[Resource | None] = so.relationship()


class PublicEvent(TimestampMixin, db.Model):
    """A room booking (or an agreed space) made public: only these fields are shown."""

    __tablename__ = "public_events"
    __table_args__ = (enum_check("access", EVENT_ACCESS, "access"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    reservation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("reservations.id", ondelete="CASCADE"), unique=True
    )
    title: so.Mapped[str] = so.mapped_column(sa.String(140))
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    access: so.Mapped[str] = so.mapped_column(sa.String(12), default="open")
    contact: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    # Shown only when the organiser chose to show it.
    organisation_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    created_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    reservation: so.Mapped[Reservation] = so.relationship()
    organisation: so.Mapped[Organisation | None] = so.relationship()
