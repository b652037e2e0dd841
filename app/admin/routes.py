"""Placeholder for the admin area."""

from flask import Blueprint, render_template

bp = Blueprint("admin", __name__)


@bp.get("/admin")
def index():
    """Placeholder page."""
    return render_template("main/coming.html")


@bp.get("/stats")
def stats():
    """Placeholder page."""
    return render_template("main/coming.html")
