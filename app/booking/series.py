"""Recurring reservations: the same wall-clock period every N weeks, booked at once.

A group that meets every Tuesday 18-20 h books the series in one go. Each date is its
own reservation (sharing Reservation.series_id), made through `service.reserve`, so
the same rules, quotas and lock apply to every date. Dates that are not possible
(booked, closed, a public holiday, too far ahead ...) are skipped with their reason;
before saving, `preview` shows which dates are free.

Local wall-clock times stay the same across a change to or from daylight saving time:
18:00 in winter and 18:00 in summer (the UTC instants differ by an hour).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from app.booking import service
from app.booking.availability import local_datetime
from app.booking.conflicts import units_held
from app.booking.periods import isoformat, to_local
from app.booking.quotas import check_quota
from app.booking.rules import Refused, check_period
from app.booking.terms import check_requirements
from app.db import utcnow
from app.errors import Conflict, DomainError, NotFound
from app.extensions import db
from app.models import Reservation, Resource, User
from app.notifications import outbox, wording
from app.notifications.context import can_receive, lenders_of, period_context

MAX_DATES = 52
MAX_EVERY_WEEKS = 52

Period = tuple[datetime, datetime]


@dataclass(frozen=True)
class Repeat:
    """Every `every_weeks` weeks, until a day (inclusive) or a number of times."""

    every_weeks: int
    until: date | None = None
    count: int | None = None


@dataclass
class Planned:
    """One date of a series: free to book, or not (with the reason)."""

    start: datetime
    end: datetime
    free: bool
    reason: str | None = None
    message: str = ""

    def as_json(self) -> dict:
        body = {"start": isoformat(self.start), "end": isoformat(self.end)}
        if not self.free:
            body.update(reason=self.reason, detail=self.message)
        return body


@dataclass
class Booked:
    series_id: str
    items: list[Reservation] = field(default_factory=list)
    skipped: list[Planned] = field(default_factory=list)


class SeriesRefused(Refused):
    """Not one date of the series could be booked."""

    status = 409
    code = "conflict"

    def __init__(self, skipped: list[Planned]) -> None:
        super().__init__("series", _("None of the dates can be booked."))
        self.skipped = skipped
        self.extra["skipped"] = [planned.as_json() for planned in skipped]


# ----------------------------------------------------------------- dates ----
def check_repeat(repeat: Repeat, first_day: date) -> None:
    """Raise DomainError (per-field errors under repeat.*) unless the rule makes sense."""
    errors: dict[str, str] = {}
    if not 1 <= repeat.every_weeks <= MAX_EVERY_WEEKS:
        errors["repeat.every_weeks"] = _("Please give a number of weeks from 1 to %(n)s.",
                                         n=MAX_EVERY_WEEKS)
    if (repeat.until is None) == (repeat.count is None):
        errors["repeat"] = _("Please give either an end date or a number of dates.")
    if repeat.count is not None and not 1 <= repeat.count <= MAX_DATES:
        errors["repeat.count"] = _("Please give a number of dates from 1 to %(n)s.", n=MAX_DATES)
    if repeat.until is not None and repeat.until < first_day:
        errors["repeat.until"] = _("The last date must not be before the first.")
    if not errors and repeat.until is not None:
        dates = (repeat.until - first_day).days // (7 * repeat.every_weeks) + 1
        if dates > MAX_DATES:
            errors["repeat.until"] = _("At most %(n)s dates at a time.", n=MAX_DATES)
    if errors:
        raise DomainError(_("Please check how the reservation repeats."), errors=errors)


def dates(start: datetime, end: datetime, repeat: Repeat) -> list[Period]:
    """The periods of the series: the first one, then every N weeks at the same local times."""
    local_start, local_end = to_local(start), to_local(end)
    check_repeat(repeat, local_start.date())
    span = local_end.date() - local_start.date()
    periods: list[Period] = []
    number = 0
    while len(periods) < MAX_DATES:
        day = local_start.date() + timedelta(weeks=repeat.every_weeks * number)
        if repeat.until is not None and day > repeat.until:
            break
        if repeat.count is not None and number >= repeat.count:
            break
        periods.append((local_datetime(day, local_start.time()),
                        local_datetime(day + span, local_end.time())))
        number += 1
    return periods


# --------------------------------------------------------------- preview ----
def _overlap_units(periods: list[tuple[datetime, datetime, int]], start: datetime,
                   end: datetime) -> int:
    return sum(units for s, e, units in periods if s < end and e > start)


def preview(
    resource: Resource,
    requester: User,
    periods: list[Period],
    *,
    units: int = 1,
    now: datetime | None = None,
) -> list[Planned]:
    """Which dates are free for this person and which are not (read only, nothing saved)."""
    now = now or utcnow()
    planned: list[Planned] = []
    free_so_far: list[tuple[datetime, datetime, int]] = []
    for start, end in periods:
        try:
            check_period(resource, start, end, units, now=now, requester=requester)
            check_quota(resource, requester, start, end, now=now, lock=False,
                        also=[(s, e) for s, e, _u in free_so_far])
            held = units_held(resource, start, end, now=now)
            if held + _overlap_units(free_so_far, start, end) + units > resource.units:
                raise Refused("booked", _("Already booked then."))
        except Refused as error:
            planned.append(Planned(start, end, False, error.reason, error.message))
        else:
            planned.append(Planned(start, end, True))
            free_so_far.append((start, end, units))
    return planned


# ------------------------------------------------------------------ book ----
def book(
    resource: Resource,
    requester: User,
    periods: list[Period],
    *,
    units: int = 1,
    message: str = "",
    accept_terms: bool = False,
    confirm_min_age: bool = False,
    now: datetime | None = None,
) -> Booked:
    """Reserve every date that is possible, skip the others (with the reason).

    Each date goes through `service.reserve` (rules, quotas, the resource's lock).
    Raises SeriesRefused (409) when no date could be booked; requirements that
    concern the whole series (terms, minimum age, an unconfirmed account) refuse it
    before any date is tried.
    """
    now = now or utcnow()
    if resource.kind == "space":
        raise Refused("space", _("Vacant spaces are not reserved directly: please send an "
                                 "inquiry."))
    if not resource.is_visible_publicly:
        raise Refused("unavailable", _("This cannot be reserved at the moment."))
    if not periods:
        raise DomainError(_("Please check how the reservation repeats."))
    check_requirements(resource, requester, accept_terms=accept_terms,
                       confirm_min_age=confirm_min_age, now=now)
    result = Booked(series_id=str(uuid.uuid4()))
    for start, end in periods:
        try:
            reservation = service.reserve(
                resource, requester, start, end, units=units, message=message, now=now,
                accept_terms=accept_terms, confirm_min_age=confirm_min_age, notify=False,
            )
        except Refused as error:
            result.skipped.append(Planned(start, end, False, error.reason, error.message))
        else:
            reservation.series_id = result.series_id
            result.items.append(reservation)
    if not result.items:
        raise SeriesRefused(result.skipped)
    db.session.flush()
    _tell_booked(resource, requester, result)
    return result


def _tell_booked(resource: Resource, requester: User, result: Booked) -> None:
    """One message about the whole series to the borrower and to the lenders."""
    people = [(requester, "requester")] + [
        (person, "lender") for person in lenders_of(resource) if person.id != requester.id
    ]
    for person, role in people:
        if person.deleted_at is not None:
            continue
        outbox.queue(
            "lending_series_booked",
            recipient=person,
            kind="reservation_events",
            link=series_link(result.series_id),
            related=("reservation", result.items[0].id),
            send_mail=can_receive(person, "reservation_events"),
            role=role,
            title=resource.title,
            requester_name=requester.display_name,
            booked=[period_context(r) for r in result.items],
            requested=any(r.status == "requested" for r in result.items),
            skipped=[(period_context(p), p.message) for p in result.skipped],
            texts=wording,
        )


def series_link(series_id: str) -> str:
    return f"/reservations/series/{series_id}"


# ----------------------------------------------------------- the series ----
def reservations_of(series_id: str) -> list[Reservation]:
    return list(db.session.scalars(
        sa.select(Reservation)
        .where(Reservation.series_id == series_id)
        .options(sa.orm.joinedload(Reservation.resource))
        .order_by(Reservation.start, Reservation.id)
    ))


def visible_series(series_id: str, user: User | None) -> list[Reservation]:
    """The dates of a series, if the person may see them (its two sides and the office)."""
    items = reservations_of(series_id)
    if not items or not service.can_view(items[0], user):
        raise NotFound(_("There is no such series."))
    return items


def cancel(
    series_id: str, actor: User, reason: str = "", *, now: datetime | None = None
) -> list[Reservation]:
    """Cancel every date of the series this person may still cancel; returns those."""
    now = now or utcnow()
    items = visible_series(series_id, actor)
    cancelled = []
    for reservation in items:
        if "cancel" not in service.allowed_actions(reservation, actor, now):
            continue
        cancelled.append(service.cancel(reservation, actor, reason, notify=False, now=now))
    if not cancelled:
        raise Conflict(_("No date of this series can be cancelled any more."))
    _tell_cancelled(cancelled, actor, reason)
    return cancelled


def _tell_cancelled(cancelled: list[Reservation], actor: User, reason: str) -> None:
    """One message about the cancelled dates to everybody concerned but the actor."""
    first = cancelled[0]
    people = ([(first.requester, "requester")] if first.requester is not None else []) + [
        (person, "lender") for person in lenders_of(first.resource)]
    seen: set[int] = {actor.id}
    for person, role in people:
        if person.id in seen or person.deleted_at is not None:
            continue
        seen.add(person.id)
        outbox.queue(
            "lending_series_cancelled",
            recipient=person,
            kind="reservation_events",
            link=series_link(first.series_id),
            related=("reservation", first.id),
            send_mail=can_receive(person, "reservation_events"),
            role=role,
            title=first.resource.title,
            actor_name=actor.display_name,
            dates=[period_context(r) for r in cancelled],
            reason=(reason or "").strip(),
            texts=wording,
        )
