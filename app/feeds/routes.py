"""Calendars of resources and iCalendar feeds (public busy times, personal feeds, one booking)."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from babel.dates import format_skeleton
from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.booking.availability import local_date
from app.db import utcnow
from app.errors import DomainError, NotFound
from app.extensions import db
from app.feeds.calendar import (
    Cell,
    has_week_view,
    iso_week_key,
    local_param,
    month_view,
    next_weeks,
    parse_month,
    parse_week,
    week_view,
)
from app.feeds.ical import calendar_ics, reservation_ics
from app.feeds.queries import busy_reservations, feed_reservations
from app.models import Reservation, Resource, User

bp = Blueprint("feeds", __name__)

# How far back and ahead the feeds reach.
PERSONAL_FEED_PAST = timedelta(days=90)
PUBLIC_FEED_PAST = timedelta(days=30)
PUBLIC_FEED_AHEAD = timedelta(days=400)


class BadPeriod(DomainError):
    status = 400
    code = "bad_request"


def visible_resource(resource_id: int) -> Resource:
    """The resource if the current person may see it; 404 otherwise (never a hint it exists)."""
    resource = db.session.get(Resource, resource_id)
    if resource is None or not resource.can_see(current_user):
        raise NotFound(_("There is no page at this address. Perhaps it has moved or was removed."))
    return resource


def reserve_url(resource: Resource, cell: Cell) -> str:
    """The reservation form with the cell's period filled in."""
    whole_day = not has_week_view(resource)
    query = {
        "start": local_param(cell.start, whole_day),
        "end": local_param(cell.end, whole_day),
    }
    return url_for("reservations.new", resource_id=resource.id, **query)


def resource_page_url(resource: Resource) -> str:
    return url_for("catalogue.detail", resource_id=resource.id)


@bp.app_template_global("feeds_next_weeks")
def next_weeks_for_template(resource: Resource) -> list[list[Cell]]:
    """The current and the next two weeks of a resource (for templates/feeds/_next_weeks.html)."""
    now = utcnow()
    return next_weeks(resource, local_date(now), now)


@bp.app_template_global("feeds_reserve_url")
def reserve_url_for_template(resource: Resource, cell: Cell) -> str:
    return reserve_url(resource, cell)


@bp.app_template_global("feeds_short_date")
def short_date(day: date) -> str:
    """Day and month only, in the person's locale (22.3. or 3/22)."""
    return format_skeleton("dM", day, locale=str(get_locale() or "de"))


@bp.get("/resources/<int:resource_id>/calendar")
def resource_calendar(resource_id: int):
    """A resource's month calendar (`?month=2027-03`), or for rooms a week (`?week=2027-W12`)."""
    resource = visible_resource(resource_id)
    now = utcnow()
    today = local_date(now)
    week_text = request.args.get("week")
    if week_text and has_week_view(resource):
        try:
            monday = parse_week(week_text)
        except ValueError:
            raise BadPeriod(
                _("Please give the week as year and week number, e.g. %(example)s.",
                  example=iso_week_key(today))
            ) from None
        return render_template(
            "feeds/calendar_week.html",
            resource=resource,
            week=week_view(resource, monday, now),
            this_week=iso_week_key(today),
            resource_url=resource_page_url(resource),
        )
    try:
        year, month = parse_month(request.args.get("month"), today)
    except ValueError:
        raise BadPeriod(
            _("Please give the month as year and month, e.g. %(example)s.",
              example=today.strftime("%Y-%m"))
        ) from None
    view = month_view(resource, year, month, now)
    return render_template(
        "feeds/calendar_month.html",
        resource=resource,
        month=view,
        this_month=today.strftime("%Y-%m"),
        month_today=today,
        week_view=has_week_view(resource),
        resource_url=resource_page_url(resource),
        closed_days=[
            cell for week in view.weeks for cell in week
            if cell.in_range and cell.state in ("closed", "holiday") and cell.reason
        ],
    )


def ics_response(body: bytes, filename: str, *, private: bool, attachment: bool = False):
    response = Response(body, mimetype="text/calendar")
    response.charset = "utf-8"
    disposition = "attachment" if attachment else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    if private:
        response.headers["Cache-Control"] = "private, no-store"
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
    else:
        response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/resources/<int:resource_id>/calendar.ics")
def resource_calendar_ics(resource_id: int):
    """When a resource is busy, as a subscribable calendar (no personal data)."""
    resource = visible_resource(resource_id)
    now = utcnow()
    reservations = busy_reservations(resource, now - PUBLIC_FEED_PAST, now + PUBLIC_FEED_AHEAD)
    name = f"{resource.title} · {current_app.config['SITE_NAME']}"
    body = calendar_ics(reservations, name, public=True)
    return ics_response(body, f"resource-{resource.id}.ics", private=False)


@bp.get("/feeds/<token>.ics")
def personal_feed(token: str):
    """A person's reservations and, for lenders, the bookings of what they lend."""
    user = None
    if 16 <= len(token) <= 64:
        user = db.session.scalar(sa.select(User).where(User.feed_token == token))
    if user is None or not user.is_active:
        raise NotFound(_("There is no page at this address. Perhaps it has moved or was removed."))
    reservations = feed_reservations(user, utcnow() - PERSONAL_FEED_PAST)
    with force_locale(user.locale or current_app.config["DEFAULT_LOCALE"]):
        name = _("%(site)s: my reservations", site=current_app.config["SITE_NAME"])
        body = calendar_ics(reservations, name, public=False, viewer=user)
    return ics_response(body, "allmende.ics", private=True)


@bp.get("/reservations/<int:reservation_id>.ics")
@login_required
def reservation_file(reservation_id: int):
    """One reservation as an .ics file, for its requester and the resource's managers."""
    reservation = db.session.get(Reservation, reservation_id)
    if reservation is None or not (
        reservation.requester_id == current_user.id or reservation.resource.can_manage(current_user)
    ):
        raise NotFound(_("There is no page at this address. Perhaps it has moved or was removed."))
    return ics_response(
        reservation_ics(reservation, viewer=current_user),
        f"reservation-{reservation.id}.ics",
        private=True,
        attachment=True,
    )
