"""Loading the logged-in person from the session cookie."""

from __future__ import annotations

from app.extensions import db
from app.models import User


def load_user(user_id: str) -> User | None:
    """Sessions carry "id:version"; a raised version (new password) ends old sessions."""
    try:
        raw_id, raw_version = user_id.split(":", 1)
        uid, version = int(raw_id), int(raw_version)
    except (ValueError, AttributeError):
        return None
    user = db.session.get(User, uid)
    if user is None or user.session_version != version or not user.is_active:
        return None
    return user
