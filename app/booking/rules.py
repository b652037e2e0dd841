"""Booking rules and their defaults per kind (filled in by the booking area)."""

from __future__ import annotations

from app.models import Resource


def apply_defaults(resource: Resource) -> None:
    """Give a new resource the rules and opening hours that make it bookable at once."""
