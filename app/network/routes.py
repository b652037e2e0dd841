"""Placeholder for the network area."""

from flask import Blueprint, render_template

bp = Blueprint("network", __name__)


@bp.get("/wanted")
def wanted():
    """Placeholder page."""
    return render_template("main/coming.html")


@bp.get("/events")
def events():
    """Placeholder page."""
    return render_template("main/coming.html")
