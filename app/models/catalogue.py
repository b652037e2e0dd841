"""What people share: categories, resources (items, rooms, spaces) and their photos."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.db import UTCDateTime
from app.extensions import db
from app.models.base import TimestampMixin, enum_check

if TYPE_CHECKING:
    from app.models.availability import Closure, OpeningHours
    from app.models.org import Organisation
    from app.models.user import User

KINDS = ("item", "room", "space")
VISIBILITIES = ("public", "members")
STATUSES = ("active", "paused", "archived")
RENT_MODELS = ("free", "utilities", "reduced", "negotiable")
GRANULARITIES = ("slot", "day")


class Category(TimestampMixin, db.Model):
    __tablename__ = "categories"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    slug: so.Mapped[str] = so.mapped_column(sa.String(60), unique=True)
    name_de: so.Mapped[str] = so.mapped_column(sa.String(80))
    name_en: so.Mapped[str] = so.mapped_column(sa.String(80))
    label_de: so.Mapped[str] = so.mapped_column(sa.String(160), default="")
    label_en: so.Mapped[str] = so.mapped_column(sa.String(160), default="")
    position: so.Mapped[int] = so.mapped_column(default=0)
    # Estimates per loan, set by the office; shown labelled as estimates.
    avoided_purchase_cents: so.Mapped[int | None] = so.mapped_column()
    avoided_co2_grams: so.Mapped[int | None] = so.mapped_column()

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_de

    def label(self, locale: str) -> str:
        return self.label_en if locale == "en" else self.label_de


class Resource(TimestampMixin, db.Model):
    """Everything bookable: one table, `kind` item, room or space."""

    __tablename__ = "resources"
    __table_args__ = (
        enum_check("kind", KINDS, "kind"),
        enum_check("visibility", VISIBILITIES, "visibility"),
        enum_check("status", STATUSES, "status"),
        enum_check("granularity", GRANULARITIES, "granularity"),
        sa.CheckConstraint(
            "(owner_user_id IS NULL) <> (owner_org_id IS NULL)", name="one_owner"
        ),
        sa.CheckConstraint("units >= 1", name="units_positive"),
        sa.CheckConstraint(
            "rent_model IS NULL OR rent_model IN ('free', 'utilities', 'reduced', 'negotiable')",
            name="rent_model",
        ),
        sa.Index("ix_resources_listing", "status", "kind", "created_at"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(10))
    owner_user_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    owner_org_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    created_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    title: so.Mapped[str] = so.mapped_column(sa.String(120))
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # Title and description folded for German search (lower case, ä→ae, ß→ss ...).
    search_text: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    category_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("categories.id", ondelete="SET NULL"), index=True
    )
    address: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    district: so.Mapped[str | None] = so.mapped_column(sa.String(80), index=True)
    lat: so.Mapped[float | None] = so.mapped_column()
    lon: so.Mapped[float | None] = so.mapped_column()
    visibility: so.Mapped[str] = so.mapped_column(sa.String(10), default="public")
    status: so.Mapped[str] = so.mapped_column(sa.String(10), default="active")
    # Moderation is kept apart from the owner's status, so unhiding restores it.
    hidden_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    hidden_reason: so.Mapped[str | None] = so.mapped_column(sa.Text)
    fee_cents: so.Mapped[int] = so.mapped_column(default=0)
    deposit_cents: so.Mapped[int] = so.mapped_column(default=0)
    units: so.Mapped[int] = so.mapped_column(default=1)
    briefing_required: so.Mapped[bool] = so.mapped_column(default=False)
    min_age: so.Mapped[int | None] = so.mapped_column()
    rules_text: so.Mapped[str | None] = so.mapped_column(sa.Text)

    # rooms
    capacity: so.Mapped[int | None] = so.mapped_column()
    equipment: so.Mapped[str | None] = so.mapped_column(sa.Text)
    # spaces
    area_m2: so.Mapped[float | None] = so.mapped_column()
    floor: so.Mapped[int | None] = so.mapped_column()
    shop_window: so.Mapped[bool | None] = so.mapped_column()
    step_free: so.Mapped[bool | None] = so.mapped_column()
    rent_model: so.Mapped[str | None] = so.mapped_column(sa.String(12))
    permitted_uses: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    available_from: so.Mapped[date | None] = so.mapped_column(sa.Date)
    available_until: so.Mapped[date | None] = so.mapped_column(sa.Date)
    floor_plan_file: so.Mapped[str | None] = so.mapped_column(sa.String(120))

    # booking rules (defaults per kind are set by app.booking.rules.default_rules)
    granularity: so.Mapped[str] = so.mapped_column(sa.String(4), default="day")
    slot_minutes: so.Mapped[int] = so.mapped_column(default=30)
    min_duration_minutes: so.Mapped[int | None] = so.mapped_column()
    max_duration_minutes: so.Mapped[int | None] = so.mapped_column()
    min_lead_minutes: so.Mapped[int] = so.mapped_column(default=0)
    max_advance_days: so.Mapped[int] = so.mapped_column(default=90)
    buffer_minutes: so.Mapped[int] = so.mapped_column(default=0)
    requires_approval: so.Mapped[bool] = so.mapped_column(default=False)
    max_active_per_person: so.Mapped[int | None] = so.mapped_column()
    handover_required: so.Mapped[bool] = so.mapped_column(default=True)
    # Own opening hours; otherwise those of the owning organisation (if any) apply.
    own_hours: so.Mapped[bool] = so.mapped_column(default=True)
    follows_site_calendar: so.Mapped[bool] = so.mapped_column(default=True)

    owner_user: so.Mapped[User | None] = so.relationship(foreign_keys=[owner_user_id])
    owner_org: so.Mapped[Organisation | None] = so.relationship()
    category: so.Mapped[Category | None] = so.relationship()
    photos: so.Mapped[list[Photo]] = so.relationship(
        back_populates="resource", cascade="all, delete-orphan", order_by="Photo.position"
    )
    opening_hours: so.Mapped[list[OpeningHours]] = so.relationship(
        cascade="all, delete-orphan", foreign_keys="OpeningHours.resource_id"
    )
    closures: so.Mapped[list[Closure]] = so.relationship(
        cascade="all, delete-orphan", foreign_keys="Closure.resource_id"
    )

    @property
    def is_bookable_kind(self) -> bool:
        return self.kind in ("item", "room")

    @property
    def is_visible_publicly(self) -> bool:
        return self.status == "active" and self.hidden_at is None

    @property
    def owner_name(self) -> str:
        if self.owner_org is not None:
            return self.owner_org.name
        return self.owner_user.display_name if self.owner_user else ""

    def can_manage(self, user) -> bool:
        """Owner, a manager of the owning organisation."""
        if user is None or not getattr(user, "is_authenticated", False):
            return False
        if self.owner_user_id is not None:
            return self.owner_user_id == user.id
        return self.owner_org is not None and self.owner_org.is_manager(user)

    def can_see(self, user) -> bool:
        """Members-only resources are visible to members of the owning organisation."""
        if self.can_manage(user) or (user is not None and getattr(user, "is_admin", False)):
            return True
        if not self.is_visible_publicly:
            return False
        if self.visibility == "public":
            return True
        return self.owner_org is not None and self.owner_org.is_member(user)

    def __repr__(self) -> str:
        return f"<Resource {self.id} {self.kind} {self.title!r}>"


class Photo(TimestampMixin, db.Model):
    __tablename__ = "photos"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    resource_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("resources.id", ondelete="CASCADE"), index=True
    )
    # Generated base name; files are <stem>-<size>.<ext> under UPLOAD_FOLDER/photos.
    stem: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    ext: so.Mapped[str] = so.mapped_column(sa.String(5))
    alt_text: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    position: so.Mapped[int] = so.mapped_column(default=0)
    width: so.Mapped[int] = so.mapped_column(default=0)
    height: so.Mapped[int] = so.mapped_column(default=0)

    resource: so.Mapped[Resource] = so.relationship(back_populates="photos")


class SearchTerm(db.Model):
    """Folded words of a resource's title and description, for indexed prefix search."""

    __tablename__ = "search_terms"
    # Prefix search (`term LIKE 'bohr%'`): PostgreSQL needs pattern ops to use the index
    # under a non-C collation; resource_id makes the lookup index-only.
    __table_args__ = (
        sa.Index(
            "ix_search_terms_term",
            "term",
            "resource_id",
            postgresql_ops={"term": "varchar_pattern_ops"},
        ),
    )

    resource_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True
    )
    term: so.Mapped[str] = so.mapped_column(sa.String(80), primary_key=True)
    in_title: so.Mapped[bool] = so.mapped_column(default=False)
