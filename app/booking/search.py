"""Restricting a resource query to what is free in a window (filled in by the booking area)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select


def restrict_to_available(query: Select, start: datetime, end: datetime) -> Select:
    """Only resources with at least one unit free for the whole window, open to pick up/return."""
    return query
