"""Filters and globals for templates: money, dates and times in the person's locale."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask import Flask, current_app, request
from flask_babel import (
    format_currency,
    format_date,
    format_datetime,
    format_decimal,
    format_time,
    get_locale,
)
from flask_login import current_user


def money(cents: int | None) -> str:
    """Cents as euros in the person's locale (1250 -> "12,50 €")."""
    if cents is None:
        return ""
    return format_currency(Decimal(cents) / 100, "EUR")


def number(value: float | int | None) -> str:
    """A number in the person's locale (48.5 -> "48,5" in German)."""
    return "" if value is None else format_decimal(value)


def local_datetime(value: datetime | None, fmt: str = "medium") -> str:
    return format_datetime(value, fmt) if value else ""


def local_date(value: date | datetime | None, fmt: str = "medium") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, "EEEE, d. MMMM y" if fmt == "long" else fmt)
    return format_date(value, fmt)


def local_time(value: datetime | None, fmt: str = "short") -> str:
    return format_time(value, fmt) if value else ""


def current_locale() -> str:
    return str(get_locale() or current_app.config["DEFAULT_LOCALE"])


def unread_notifications() -> int:
    """Unread in-app notifications for the header badge (one indexed count)."""
    if not current_user.is_authenticated:
        return 0
    from sqlalchemy import func, select

    from app.db import utcnow
    from app.extensions import db
    from app.models import Notification

    return db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.recipient_id == current_user.id,
            Notification.read_at.is_(None),
            Notification.due_at <= utcnow(),
        )
    ) or 0


def register(app: Flask) -> None:
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["number"] = number
    app.jinja_env.filters["dt"] = local_datetime
    app.jinja_env.filters["d"] = local_date
    app.jinja_env.filters["t"] = local_time
    app.jinja_env.globals["current_locale"] = current_locale
    app.jinja_env.globals["unread_notifications"] = unread_notifications
    app.jinja_env.add_extension("jinja2.ext.i18n")  # Flask-Babel installs the callables

    @app.context_processor
    def site() -> dict:
        config = current_app.config
        return {
            "site_name": config["SITE_NAME"],
            "accent_colour": config["ACCENT_COLOUR"],
            "languages": config["LANGUAGES"],
            "request_path": request.full_path.rstrip("?") if request else "/",
        }
