"""Placeholder for the spaces area."""

from flask import Blueprint, render_template

bp = Blueprint("spaces", __name__)


@bp.get("/spaces")
def index():
    """Placeholder page."""
    return render_template("main/coming.html")
