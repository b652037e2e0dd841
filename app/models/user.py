"""People and their personal API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

from app.db import UTCDateTime, utcnow
from app.extensions import db
from app.models.base import TimestampMixin

if TYPE_CHECKING:
    from app.models.org import Membership

# Notification kinds a person can switch off in /account (all on by default).
NOTIFICATION_KINDS = (
    "reminder_start",
    "reminder_return",
    "overdue",
    "request_pending",
    "lender_digest",
    "reservation_events",
    "messages",
)


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    # Stored lower-cased, so uniqueness is case-insensitive on every engine.
    email: so.Mapped[str] = so.mapped_column(sa.String(254), unique=True, index=True)
    password_hash: so.Mapped[str | None] = so.mapped_column(sa.String(256))
    display_name: so.Mapped[str] = so.mapped_column(sa.String(80))
    phone: so.Mapped[str | None] = so.mapped_column(sa.String(40))
    locale: so.Mapped[str | None] = so.mapped_column(sa.String(5))
    confirmed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    is_admin: so.Mapped[bool] = so.mapped_column(default=False)
    blocked_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    blocked_reason: so.Mapped[str | None] = so.mapped_column(sa.Text)
    # Kinds switched off; everything else is on.
    notifications_off: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    feed_token: so.Mapped[str] = so.mapped_column(
        sa.String(64), unique=True, default=new_feed_token
    )
    # Raised on password change or email change, so old sessions and links stop working.
    session_version: so.Mapped[int] = so.mapped_column(default=1)
    last_login_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    deleted_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())

    memberships: so.Mapped[list[Membership]] = so.relationship(
        back_populates="user", cascade="all, delete-orphan"
    )
    tokens: so.Mapped[list[ApiToken]] = so.relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    def get_id(self) -> str:
        # The session version makes a password change log out every other session.
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.blocked_at is None and self.deleted_at is None

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def wants(self, kind: str) -> bool:
        """Whether this person wants notifications of the given kind."""
        return kind not in (self.notifications_off or [])

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(TimestampMixin, db.Model):
    __tablename__ = "api_tokens"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    name: so.Mapped[str] = so.mapped_column(sa.String(80))
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    prefix: so.Mapped[str] = so.mapped_column(sa.String(12))
    last_used_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    revoked_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())

    user: so.Mapped[User] = so.relationship(back_populates="tokens")

    @classmethod
    def issue(cls, user: User, name: str) -> tuple[ApiToken, str]:
        """Create a token; the plain value is returned once and only its hash is kept."""
        plain = "alm_" + secrets.token_urlsafe(32)
        token = cls(user=user, name=name, token_hash=hash_token(plain), prefix=plain[:10])
        db.session.add(token)
        return token, plain

    def revoke(self) -> None:
        self.revoked_at = utcnow()
