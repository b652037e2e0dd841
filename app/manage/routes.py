"""The lender's desk: requests to answer, handovers and returns, overdue things, offers."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, url_for
from flask_babel import format_date, format_datetime, format_time, format_timedelta
from flask_login import current_user, login_required

from app.booking.availability import local_date
from app.booking.periods import whole_days
from app.db import utcnow
from app.manage.desk import contact_of, lender_desk
from app.manage.forms import decline_form
from app.models import Reservation

bp = Blueprint("manage", __name__)


def period_text(reservation: Reservation) -> str:
    """A reservation's period in the person's locale: days, or a day with times."""
    days = whole_days(reservation.start, reservation.end)
    if days is not None:
        first, last = days
        if first == last:
            return format_date(first, "medium")
        return f"{format_date(first, 'medium')} – {format_date(last, 'medium')}"
    if local_date(reservation.start) == local_date(reservation.end):
        return f"{format_datetime(reservation.start, 'medium')} – {format_time(reservation.end)}"
    return f"{format_datetime(reservation.start, 'medium')} – " \
        f"{format_datetime(reservation.end, 'medium')}"


def action_url(reservation: Reservation, verb: str) -> str:
    """The booking area's action route (POST) for approve and decline."""
    return url_for("reservations.act", reservation_id=reservation.id, verb=verb)


@bp.get("/manage")
@login_required
def index():
    """The desk of the person who is logged in."""
    now = utcnow()
    desk = lender_desk(current_user, now)
    return render_template(
        "manage/index.html",
        desk=desk,
        now=now,
        period=period_text,
        contact=contact_of,
        waited=lambda delta: format_timedelta(delta, granularity="minute", threshold=1.5),
        action_url=action_url,
        decline_form=lambda r: decline_form(r.id),
        feed_url=current_app.config["SITE_URL"].rstrip("/")
        + url_for("feeds.personal_feed", token=current_user.feed_token),
    )
