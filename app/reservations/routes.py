"""Placeholder for the reservations area."""

from flask import Blueprint, render_template

bp = Blueprint("reservations", __name__)


@bp.get("/reservations")
def index():
    """Placeholder page."""
    return render_template("main/coming.html")
