"""Organisations (initiatives, businesses, property owners, public bodies) and their people."""

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

ORG_KINDS = ("initiative", "business", "property_owner", "public_body")
ROLES = ("manager", "member")


class Organisation(TimestampMixin, db.Model):
    __tablename__ = "organisations"
    __table_args__ = (enum_check("kind", ORG_KINDS, "kind"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    slug: so.Mapped[str] = so.mapped_column(sa.String(80), unique=True, index=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(20), default="initiative")
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    contact_email: so.Mapped[str | None] = so.mapped_column(sa.String(254))
    contact_phone: so.Mapped[str | None] = so.mapped_column(sa.String(40))
    website: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    address: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    district: so.Mapped[str | None] = so.mapped_column(sa.String(80))
    fields: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    looking_for: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    verified_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    lending_terms: so.Mapped[str | None] = so.mapped_column(sa.Text)
    terms_version: so.Mapped[int] = so.mapped_column(default=0)

    memberships: so.Mapped[list[Membership]] = so.relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )

    def role_of(self, user: User | None) -> str | None:
        if user is None or not getattr(user, "id", None):
            return None
        for membership in self.memberships:
            if membership.user_id == user.id:
                return membership.role
        return None

    def is_manager(self, user: User | None) -> bool:
        return self.role_of(user) == "manager"

    def is_member(self, user: User | None) -> bool:
        return self.role_of(user) is not None

    @property
    def managers(self) -> list[User]:
        return [m.user for m in self.memberships if m.role == "manager"]

    def __repr__(self) -> str:
        return f"<Organisation {self.slug}>"


class Membership(TimestampMixin, db.Model):
    __tablename__ = "memberships"
    __table_args__ = (
        sa.UniqueConstraint("organisation_id", "user_id", name="uq_memberships_org_user"),
        enum_check("role", ROLES, "role"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    organisation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    role: so.Mapped[str] = so.mapped_column(sa.String(10), default="member")

    organisation: so.Mapped[Organisation] = so.relationship(back_populates="memberships")
    user: so.Mapped[User] = so.relationship(back_populates="memberships")


class Invitation(TimestampMixin, db.Model):
    __tablename__ = "invitations"
    __table_args__ = (enum_check("role", ROLES, "role"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    organisation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    email: so.Mapped[str] = so.mapped_column(sa.String(254), index=True)
    role: so.Mapped[str] = so.mapped_column(sa.String(10), default="member")
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    invited_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    accepted_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    revoked_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    expires_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime())

    organisation: so.Mapped[Organisation] = so.relationship()
    invited_by: so.Mapped[User | None] = so.relationship()
