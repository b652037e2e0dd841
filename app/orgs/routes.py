"""Placeholder for the orgs area."""

from flask import Blueprint, render_template

bp = Blueprint("orgs", __name__)


@bp.get("/orgs")
def index():
    """Placeholder page."""
    return render_template("main/coming.html")
