"""Start page, information pages, language switch and health check."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, session
from flask_login import current_user
from sqlalchemy import text

from app.extensions import db
from app.security import safe_next

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    """The start page: search, newest offers, next events and wishes."""
    return render_template("main/index.html")


@bp.get("/imprint")
def imprint():
    """The imprint, from configuration."""
    return render_template("main/imprint.html")


@bp.get("/privacy")
def privacy():
    """The privacy statement, from configuration."""
    return render_template("main/privacy.html")


@bp.get("/accessibility")
def accessibility():
    """The accessibility statement with a feedback contact (BITV 2.0)."""
    return render_template("main/accessibility.html")


@bp.post("/language")
def set_language():
    """Switch the language and stay on the same page."""
    locale = request.form.get("locale", "")
    if locale in current_app.config["LANGUAGES"]:
        session["locale"] = locale
        if current_user.is_authenticated:
            from app.db import write_transaction

            with write_transaction():
                current_user.locale = locale
    return redirect(safe_next(request.form.get("next")) or "/")


@bp.get("/healthz")
def healthz():
    """200 with JSON while the database answers, else 503; includes the scheduler's state."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as error:  # any database failure means unhealthy
        db.session.rollback()
        current_app.logger.warning("health check: database error %s", error)
        return jsonify({"status": "error", "database": "unavailable"}), 503
    from app.notifications.scheduler import scheduler_state

    return jsonify({"status": "ok", "database": "ok", "scheduler": scheduler_state()})
