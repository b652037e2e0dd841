"""The person's own account (placeholder until the account pages land)."""

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.get("")
@login_required
def index():
    """Account overview."""
    return render_template("main/coming.html")


@bp.get("/notifications")
@login_required
def notifications():
    """In-app notifications."""
    return render_template("main/coming.html")
