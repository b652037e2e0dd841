"""Opening hours and closures, for a resource, an organisation, or the whole town."""

from __future__ import annotations

from datetime import date, time

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.models.base import TimestampMixin


class OpeningHours(db.Model):
    """One interval of local wall-clock time on a weekday (0 = Monday)."""

    __tablename__ = "opening_hours"
    __table_args__ = (
        sa.CheckConstraint(
            "(resource_id IS NULL) <> (organisation_id IS NULL)", name="one_owner"
        ),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
        sa.CheckConstraint("opens < closes", name="interval"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    resource_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("resources.id", ondelete="CASCADE"), index=True
    )
    organisation_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    weekday: so.Mapped[int] = so.mapped_column()
    opens: so.Mapped[time] = so.mapped_column(sa.Time)
    closes: so.Mapped[time] = so.mapped_column(sa.Time)


class Closure(TimestampMixin, db.Model):
    """Dates on which a resource, an organisation's resources, or the town is closed.

    Both dates are included. Neither resource nor organisation: a town-wide closure.
    """

    __tablename__ = "closures"
    __table_args__ = (
        sa.CheckConstraint(
            "NOT (resource_id IS NOT NULL AND organisation_id IS NOT NULL)", name="one_owner"
        ),
        sa.CheckConstraint("start_date <= end_date", name="dates"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    resource_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("resources.id", ondelete="CASCADE"), index=True
    )
    organisation_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    start_date: so.Mapped[date] = so.mapped_column(sa.Date)
    end_date: so.Mapped[date] = so.mapped_column(sa.Date)
    reason: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    is_repair: so.Mapped[bool] = so.mapped_column(default=False)
