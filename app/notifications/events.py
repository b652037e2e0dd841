"""Messages about reservation events (filled in by the notifications area)."""

from __future__ import annotations


def reservation_event(reservation, action: str, actor=None, note: str | None = None) -> None:
    """Tell the people concerned that `action` happened to `reservation` (caller commits)."""
