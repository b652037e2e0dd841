"""Quotas: how many days one person may book with one lender in a week or a month.

A lender (a person or an organisation) may say, for example, "at most 3 days a week"
or "at most 10 days a month". A day counts once when the person has any reservation
of the lender's things or rooms on it (a two-hour room booking counts its day; a loan
of days A..B counts each day). Requested, confirmed, handed-over and returned
reservations count; declined, cancelled and expired ones do not. Weeks run Monday to
Sunday, months are calendar months, both in the site's time zone.

`check_quota` runs inside the reservation's write transaction, after the resource is
locked. Because a quota spans several resources, it also locks the borrower's row
(PostgreSQL: SELECT ... FOR UPDATE; SQLite serialises writers anyway), so two
reservations of the same person at the same moment cannot both slip under it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import format_date
from flask_babel import gettext as _

from app.booking.availability import day_period, days_of
from app.booking.rules import Refused
from app.booking.terms import may_set, owner_of, policy_of
from app.errors import DomainError, Forbidden
from app.extensions import db
from app.models import LenderPolicy, Organisation, Reservation, Resource, User

COUNTED_STATUSES = ("requested", "confirmed", "handed_over", "returned")


def limits_of(resource: Resource) -> tuple[int | None, int | None]:
    """(days per week, days per month) the lender allows one person, None: no limit."""
    owner = owner_of(resource)
    policy = policy_of(owner) if owner is not None else None
    if policy is None:
        return None, None
    return policy.max_days_per_week, policy.max_days_per_month


def set_quota(owner: User | Organisation, actor: User, *, per_week: int | None,
              per_month: int | None) -> LenderPolicy:
    """Save the lender's quotas (None or 0: no limit)."""
    if not may_set(owner, actor):
        raise Forbidden(_("You are not allowed to do this."))
    errors = {}
    for key, value, top in (("per_week", per_week, 7), ("per_month", per_month, 31)):
        if value is not None and not 0 <= value <= top:
            errors[key] = _("Please give a number from 0 to %(n)s.", n=top)
    if errors:
        raise DomainError(_("Please check the limits."), errors=errors)
    policy = policy_of(owner, create=True)
    policy.max_days_per_week = per_week or None
    policy.max_days_per_month = per_month or None
    db.session.flush()
    return policy


def _same_lender(resource: Resource):
    if resource.owner_org_id is not None:
        return Resource.owner_org_id == resource.owner_org_id
    return Resource.owner_user_id == resource.owner_user_id


def week_of(day: date) -> tuple[date, date]:
    first = day - timedelta(days=day.weekday())
    return first, first + timedelta(days=6)


def month_of(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def booked_days(resource: Resource, person: User, first: date, last: date, *,
                exclude_id: int | None = None) -> set[date]:
    """Local days first..last on which the person has a counted reservation with this lender."""
    lo, hi = day_period(first, last)
    query = (
        sa.select(Reservation.start, Reservation.end)
        .join(Resource, Resource.id == Reservation.resource_id)
        .where(
            Reservation.requester_id == person.id,
            Reservation.status.in_(COUNTED_STATUSES),
            Reservation.start < hi,
            Reservation.end > lo,
            _same_lender(resource),
        )
    )
    if exclude_id is not None:
        query = query.where(Reservation.id != exclude_id)
    days: set[date] = set()
    for start, end in db.session.execute(query):
        days.update(d for d in days_of(max(start, lo), min(end, hi)) if first <= d <= last)
    return days


def _lock_person(person: User) -> None:
    db.session.execute(sa.select(User.id).where(User.id == person.id).with_for_update())


def check_quota(
    resource: Resource,
    requester: User | None,
    start: datetime,
    end: datetime,
    *,
    now: datetime | None = None,
    exclude_id: int | None = None,
    also: Iterable[tuple[datetime, datetime]] = (),
    lock: bool = True,
) -> None:
    """Refuse (reason "quota") when the period would take the person over a lender's quota.

    `also`: periods not yet saved that count as booked (the earlier dates of a series
    being previewed); `lock=False` for such read-only previews.
    """
    if requester is None or resource.can_manage(requester):
        return
    per_week, per_month = limits_of(resource)
    if not per_week and not per_month:
        return
    if lock:
        _lock_person(requester)
    wanted = set(days_of(start, end))
    first = min(month_of(min(wanted))[0], week_of(min(wanted))[0])
    last = max(month_of(max(wanted))[1], week_of(max(wanted))[1])
    booked = booked_days(resource, requester, first, last, exclude_id=exclude_id)
    for other_start, other_end in also:
        booked.update(d for d in days_of(other_start, other_end) if first <= d <= last)
    lender = resource.owner_name
    if per_week:
        for week_start in sorted({week_of(day)[0] for day in wanted}):
            week = week_of(week_start)
            inside = {d for d in booked | wanted if week[0] <= d <= week[1]}
            if len(inside) > per_week:
                already = len({d for d in booked if week[0] <= d <= week[1]})
                raise Refused("quota", _(
                    "Limit reached: %(lender)s lends at most %(n)s days a week to one person. "
                    "In the week of %(day)s you have %(used)s days booked already.",
                    lender=lender, n=per_week, day=format_date(week[0], "long"), used=already,
                ))
    if per_month:
        for month_start in sorted({month_of(day)[0] for day in wanted}):
            month = month_of(month_start)
            inside = {d for d in booked | wanted if month[0] <= d <= month[1]}
            if len(inside) > per_month:
                already = len({d for d in booked if month[0] <= d <= month[1]})
                raise Refused("quota", _(
                    "Limit reached: %(lender)s lends at most %(n)s days a month to one person. "
                    "In %(month)s you have %(used)s days booked already.",
                    lender=lender, n=per_month, month=format_date(month[0], "MMMM y"),
                    used=already,
                ))
