"""Placeholder for the catalogue area."""

from flask import Blueprint, render_template

bp = Blueprint("catalogue", __name__)


@bp.get("/resources")
def index():
    """Placeholder page."""
    return render_template("main/coming.html")
