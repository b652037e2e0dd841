"""Placeholder for the manage area."""

from flask import Blueprint, render_template

bp = Blueprint("manage", __name__)


@bp.get("/manage")
def index():
    """Placeholder page."""
    return render_template("main/coming.html")
