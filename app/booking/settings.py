"""Lenders set opening hours, closures and booking rules, for one resource or an organisation."""

from __future__ import annotations

from datetime import date, time

import sqlalchemy as sa
from flask_babel import gettext as _

from app.errors import DomainError, Forbidden
from app.extensions import db
from app.models import Closure, OpeningHours, Organisation, Resource, User

Week = dict[int, list[tuple[time, time]]]
Owner = Resource | Organisation


def may_manage(owner: Owner, actor: User | None) -> bool:
    """The resource's managers, or the organisation's managers (deny by default)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if isinstance(owner, Resource):
        return owner.can_manage(actor)
    return owner.is_manager(actor)


def _require(owner: Owner, actor: User | None) -> None:
    if not may_manage(owner, actor):
        raise Forbidden(_("You are not allowed to do this."))


def weekly_rows(owner: Owner) -> Week:
    """The weekly hours set directly on this resource or organisation."""
    column = (OpeningHours.resource_id if isinstance(owner, Resource)
              else OpeningHours.organisation_id)
    week: Week = {day: [] for day in range(7)}
    for row in db.session.scalars(
        sa.select(OpeningHours).where(column == owner.id).order_by(OpeningHours.opens)
    ):
        week[row.weekday].append((row.opens, row.closes))
    return week


def set_weekly_hours(owner: Owner, actor: User, week: Week) -> None:
    """Replace the weekly hours; intervals must not be empty or overlap on a day."""
    _require(owner, actor)
    errors: dict[str, str] = {}
    for day, intervals in week.items():
        ordered = sorted(intervals)
        for opens, closes in ordered:
            if opens >= closes:
                errors[f"day-{day}"] = _("Each interval must close after it opens.")
        for (_o1, c1), (o2, _c2) in zip(ordered, ordered[1:], strict=False):
            if o2 < c1:
                errors[f"day-{day}"] = _("The intervals of a day must not overlap.")
    if errors:
        raise DomainError(_("Please check the opening hours."), errors=errors)
    column = (OpeningHours.resource_id if isinstance(owner, Resource)
              else OpeningHours.organisation_id)
    db.session.execute(sa.delete(OpeningHours).where(column == owner.id))
    if isinstance(owner, Resource):
        db.session.expire(owner, ["opening_hours"])
    for day, intervals in week.items():
        for opens, closes in sorted(intervals):
            row = OpeningHours(weekday=day, opens=opens, closes=closes)
            if isinstance(owner, Resource):
                row.resource_id = owner.id
            else:
                row.organisation_id = owner.id
            db.session.add(row)
    db.session.flush()


def set_calendar_options(resource: Resource, actor: User, *, own_hours: bool,
                         follows_site_calendar: bool) -> None:
    """Whose hours apply, and whether public holidays and town closures close it."""
    _require(resource, actor)
    resource.own_hours = own_hours or resource.owner_org_id is None
    resource.follows_site_calendar = follows_site_calendar
    db.session.flush()


RULE_FIELDS = (
    "granularity", "slot_minutes", "min_duration_minutes", "max_duration_minutes",
    "min_lead_minutes", "max_advance_days", "buffer_minutes", "requires_approval",
    "max_active_per_person", "handover_required",
)


def check_rules(rules: dict) -> None:
    errors: dict[str, str] = {}
    if rules.get("granularity") not in ("slot", "day"):
        errors["granularity"] = _("Please choose whole days or time slots.")
    slot = rules.get("slot_minutes") or 0
    if slot not in (15, 30, 60, 120):
        errors["slot_minutes"] = _("Please choose 15, 30, 60 or 120 minutes.")
    low, high = rules.get("min_duration_minutes"), rules.get("max_duration_minutes")
    if low is not None and high is not None and low > high:
        errors["max_duration"] = _("The longest booking must not be shorter than the shortest.")
    if rules.get("granularity") == "day":
        for key, value in (("min_duration", low), ("max_duration", high)):
            if value is not None and value % (24 * 60):
                errors[key] = _("Things lent by the day: please give whole days.")
    elif slot:
        for key, value in (("min_duration", low), ("max_duration", high)):
            if value is not None and value % slot:
                errors[key] = _("Please give a multiple of the slot length.")
    if errors:
        raise DomainError(_("Please check the booking rules."), errors=errors)


def set_rules(resource: Resource, actor: User, rules: dict) -> None:
    """Change the booking rules of a resource (existing reservations stay as they are)."""
    _require(resource, actor)
    check_rules(rules)
    for name in RULE_FIELDS:
        if name in rules:
            setattr(resource, name, rules[name])
    db.session.flush()


def set_rules_for_org(org: Organisation, actor: User, kind: str, rules: dict) -> int:
    """Give every item (or room) of an organisation the same booking rules; returns how many."""
    _require(org, actor)
    check_rules(rules)
    if kind not in ("item", "room"):
        raise DomainError(_("Please choose things or rooms."), errors={"kind": _("Required.")})
    resources = db.session.scalars(
        sa.select(Resource).where(Resource.owner_org_id == org.id, Resource.kind == kind)
    ).all()
    for resource in resources:
        for name in RULE_FIELDS:
            if name in rules:
                setattr(resource, name, rules[name])
    db.session.flush()
    return len(resources)


def closures_of(owner: Owner, *, from_day: date | None = None) -> list[Closure]:
    column = Closure.resource_id if isinstance(owner, Resource) else Closure.organisation_id
    query = sa.select(Closure).where(column == owner.id)
    if from_day is not None:
        query = query.where(Closure.end_date >= from_day)
    return list(db.session.scalars(query.order_by(Closure.start_date)))


def add_closure(owner: Owner, actor: User, start_date: date, end_date: date, reason: str,
                *, is_repair: bool = False) -> Closure:
    """Close a resource or all of an organisation's resources on some days (both included)."""
    _require(owner, actor)
    if end_date < start_date:
        message = _("The last day must not be before the first.")
        raise DomainError(message, errors={"end_date": message})
    if not (reason or "").strip():
        message = _("Please give a reason.")
        raise DomainError(message, errors={"reason": message})
    closure = Closure(start_date=start_date, end_date=end_date, reason=reason.strip()[:200],
                      is_repair=is_repair)
    if isinstance(owner, Resource):
        closure.resource_id = owner.id
    else:
        closure.organisation_id = owner.id
    db.session.add(closure)
    db.session.flush()
    return closure


def remove_closure(owner: Owner, actor: User, closure_id: int) -> None:
    _require(owner, actor)
    column = Closure.resource_id if isinstance(owner, Resource) else Closure.organisation_id
    closure = db.session.scalar(
        sa.select(Closure).where(Closure.id == closure_id, column == owner.id)
    )
    if closure is None:
        raise DomainError(_("There is no such closure."))
    db.session.delete(closure)
    db.session.flush()
