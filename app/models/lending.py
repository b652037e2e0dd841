"""What lenders and borrowers ask for: terms, quotas, waiting lists, defects, messages."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.db import UTCDateTime, utcnow
from app.extensions import db
from app.models.base import TimestampMixin, enum_check

if TYPE_CHECKING:
    from app.models.availability import Closure
    from app.models.catalogue import Resource
    from app.models.org import Organisation
    from app.models.reservation import Reservation
    from app.models.user import User

WAITLIST_STATUSES = ("waiting", "notified", "expired", "withdrawn")
DEFECT_STATUSES = ("open", "resolved")


class LenderPolicy(TimestampMixin, db.Model):
    """A lender's own lending terms (for a person) and quotas (for a person or organisation).

    An organisation's terms live on Organisation.lending_terms/terms_version; a person's
    here. Quotas count the days one borrower has booked with this lender.
    """

    __tablename__ = "lender_policies"
    __table_args__ = (
        sa.CheckConstraint(
            "(owner_user_id IS NULL) <> (owner_org_id IS NULL)", name="one_owner"
        ),
        sa.CheckConstraint("max_days_per_week IS NULL OR max_days_per_week >= 1",
                           name="week_positive"),
        sa.CheckConstraint("max_days_per_month IS NULL OR max_days_per_month >= 1",
                           name="month_positive"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    owner_user_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True
    )
    owner_org_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), unique=True
    )
    terms_text: so.Mapped[str | None] = so.mapped_column(sa.Text)
    terms_version: so.Mapped[int] = so.mapped_column(default=0)
    max_days_per_week: so.Mapped[int | None] = so.mapped_column()
    max_days_per_month: so.Mapped[int | None] = so.mapped_column()

    owner_user: so.Mapped[User | None] = so.relationship()
    owner_org: so.Mapped[Organisation | None] = so.relationship()


class TermsAcceptance(db.Model):
    """A person accepted one version of a lender's terms (a copy of the text is kept)."""

    __tablename__ = "terms_acceptances"
    __table_args__ = (
        sa.CheckConstraint(
            "(lender_user_id IS NULL) <> (lender_org_id IS NULL)", name="one_lender"
        ),
        sa.Index("ix_terms_acceptances_user_lender", "user_id", "lender_user_id",
                 "lender_org_id", "version"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    lender_user_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE")
    )
    lender_org_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE")
    )
    version: so.Mapped[int] = so.mapped_column()
    text: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    accepted_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)

    user: so.Mapped[User] = so.relationship(foreign_keys=[user_id])


class WaitlistEntry(db.Model):
    """Someone wants to hear when a taken period of a resource frees up."""

    __tablename__ = "waitlist_entries"
    __table_args__ = (
        enum_check("status", WAITLIST_STATUSES, "status"),
        sa.CheckConstraint("start < \"end\"", name="period"),
        sa.CheckConstraint("units >= 1", name="units_positive"),
        sa.Index("ix_waitlist_entries_resource_waiting", "resource_id", "status", "start"),
        sa.Index("ix_waitlist_entries_status_end", "status", "end"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    resource_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("resources.id", ondelete="CASCADE")
    )
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    start: so.Mapped[datetime] = so.mapped_column(UTCDateTime())
    end: so.Mapped[datetime] = so.mapped_column(UTCDateTime())
    units: so.Mapped[int] = so.mapped_column(default=1)
    status: so.Mapped[str] = so.mapped_column(sa.String(10), default="waiting")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    notified_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())

    resource: so.Mapped[Resource] = so.relationship()
    user: so.Mapped[User] = so.relationship()


class DefectReport(TimestampMixin, db.Model):
    """A defect reported by a borrower or the lender, with an optional photo."""

    __tablename__ = "defect_reports"
    __table_args__ = (
        enum_check("status", DEFECT_STATUSES, "status"),
        sa.Index("ix_defect_reports_resource_status", "resource_id", "status"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    resource_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("resources.id", ondelete="CASCADE")
    )
    reservation_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("reservations.id", ondelete="SET NULL")
    )
    reporter_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    description: so.Mapped[str] = so.mapped_column(sa.Text)
    # Stored by app.catalogue.photos (UPLOAD_FOLDER/photos/<stem>-<size>.<ext>).
    photo_stem: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    photo_ext: so.Mapped[str | None] = so.mapped_column(sa.String(5))
    status: so.Mapped[str] = so.mapped_column(sa.String(10), default="open")
    resolved_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    resolved_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    closure_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("closures.id", ondelete="SET NULL")
    )

    resource: so.Mapped[Resource] = so.relationship()
    reservation: so.Mapped[Reservation | None] = so.relationship()
    reporter: so.Mapped[User | None] = so.relationship(foreign_keys=[reporter_id])
    closure: so.Mapped[Closure | None] = so.relationship()


class ReservationMessage(db.Model):
    """A message between the borrower and the lender of one reservation."""

    __tablename__ = "reservation_messages"
    __table_args__ = (enum_check("author_role", ("requester", "lender"), "author_role"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    reservation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("reservations.id", ondelete="CASCADE"), index=True
    )
    author_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    # "requester" or "lender": how the author took part when writing.
    author_role: so.Mapped[str] = so.mapped_column(sa.String(10))
    body: so.Mapped[str] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)

    author: so.Mapped[User | None] = so.relationship()
