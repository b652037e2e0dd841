"""Defects and repairs: report a defect, take a resource out of service, move the people.

A borrower (anyone who has or had a reservation of the resource) or its lender reports
a defect, with an optional photo checked and cleaned like the catalogue's photos. The
lender can take the resource out of service for some days: a Closure with
is_repair=True. Reservations that fall into it are listed for the lender, who cancels
them in one step; each borrower is told why and offered similar things that are free
then (same category and kind, found with app.booking.search.restrict_to_available).
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from app.booking import service, settings
from app.booking.availability import day_period
from app.booking.search import restrict_to_available
from app.catalogue.photos import PhotoError, remove_files, store_photo
from app.db import utcnow
from app.errors import Conflict, DomainError, Forbidden
from app.extensions import db
from app.models import Closure, DefectReport, Reservation, Resource, User
from app.models.reservation import HOLDING_STATUSES
from app.notifications import outbox, wording
from app.notifications.context import can_receive, lenders_of, period_context

DESCRIPTION_MAX = 4000
SIMILAR_COUNT = 5


# ---------------------------------------------------------------- reports ----
def has_borrowed(resource: Resource, user: User) -> bool:
    """Whether the person has or had a reservation of this resource that was confirmed."""
    return db.session.scalar(
        sa.select(Reservation.id).where(
            Reservation.resource_id == resource.id,
            Reservation.requester_id == user.id,
            Reservation.status.in_(("confirmed", "handed_over", "returned")),
        ).limit(1)
    ) is not None


def may_report(resource: Resource, user: User | None) -> bool:
    """Its lenders, the office, and people who borrow or borrowed it."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if resource.can_manage(user) or user.is_admin:
        return True
    return resource.can_see(user) and has_borrowed(resource, user)


def may_see_report(report: DefectReport, user: User | None) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return (report.resource.can_manage(user) or user.is_admin
            or (report.reporter_id is not None and report.reporter_id == user.id))


def report(
    resource: Resource,
    reporter: User,
    description: str,
    *,
    photo: bytes | None = None,
    reservation: Reservation | None = None,
    now: datetime | None = None,
) -> DefectReport:
    """Record a defect (and its photo); the lenders are told unless they reported it."""
    now = now or utcnow()
    if not may_report(resource, reporter):
        raise Forbidden(_("Only its lender and people who borrowed it can report a defect."))
    text = (description or "").strip()
    if not text:
        message = _("Please describe the defect.")
        raise DomainError(message, errors={"description": message})
    if len(text) > DESCRIPTION_MAX:
        message = _("Please write at most %(n)s characters.", n=DESCRIPTION_MAX)
        raise DomainError(message, errors={"description": message})
    if reservation is not None and reservation.resource_id != resource.id:
        reservation = None
    stored = None
    if photo:
        try:
            stored = store_photo(photo)
        except PhotoError as error:
            raise DomainError(error.message, errors={"photo": error.message}) from None
    defect = DefectReport(
        resource_id=resource.id, reporter_id=reporter.id, description=text,
        reservation_id=reservation.id if reservation is not None else None,
        photo_stem=stored.stem if stored else None, photo_ext=stored.ext if stored else None,
        status="open", created_at=now,
    )
    db.session.add(defect)
    db.session.flush()
    for person in lenders_of(resource):
        if person.id == reporter.id or person.deleted_at is not None:
            continue
        outbox.queue(
            "lending_defect_reported",
            recipient=person,
            kind="reservation_events",
            link=f"/resources/{resource.id}/defects",
            related=("resource", resource.id),
            send_mail=can_receive(person, "reservation_events"),
            title=resource.title,
            reporter_name=reporter.display_name,
            description=text,
            has_photo=stored is not None,
        )
    return defect


def discard_photo(defect: DefectReport) -> None:
    """Remove a report's photo files (when the transaction that stored it failed)."""
    if defect.photo_stem and defect.photo_ext:
        remove_files(defect.photo_stem, defect.photo_ext)


def resolve(defect: DefectReport, actor: User, *, now: datetime | None = None) -> None:
    """The lender marks a defect as repaired or dealt with."""
    if not defect.resource.can_manage(actor):
        raise Forbidden(_("You are not allowed to do this."))
    if defect.status == "resolved":
        raise Conflict(_("This defect is already marked as resolved."))
    defect.status = "resolved"
    defect.resolved_at = now or utcnow()
    defect.resolved_by_id = actor.id
    db.session.flush()


def reports_of(resource: Resource) -> list[DefectReport]:
    """Open reports first, then the latest resolved ones."""
    return list(db.session.scalars(
        sa.select(DefectReport)
        .where(DefectReport.resource_id == resource.id)
        .options(sa.orm.joinedload(DefectReport.reporter))
        .order_by(sa.case((DefectReport.status == "open", 0), else_=1),
                  DefectReport.created_at.desc())
        .limit(100)
    ))


# ---------------------------------------------------------------- repairs ----
def take_out_of_service(
    resource: Resource,
    actor: User,
    first_day: date,
    last_day: date,
    *,
    reason: str = "",
    defect: DefectReport | None = None,
) -> Closure:
    """Close the resource for repair on these days (both included)."""
    reason = (reason or "").strip() or _("repair")
    closure = settings.add_closure(resource, actor, first_day, last_day, reason,
                                   is_repair=True)
    if defect is not None and defect.resource_id == resource.id:
        defect.closure_id = closure.id
    db.session.flush()
    return closure


def repairs_of(resource: Resource, *, from_day: date | None = None) -> list[Closure]:
    query = sa.select(Closure).where(Closure.resource_id == resource.id,
                                     Closure.is_repair.is_(True))
    if from_day is not None:
        query = query.where(Closure.end_date >= from_day)
    return list(db.session.scalars(query.order_by(Closure.start_date)))


def affected(closure: Closure, *, now: datetime | None = None) -> list[Reservation]:
    """Holding reservations of the resource that fall into the repair and are not over."""
    now = now or utcnow()
    start, end = day_period(closure.start_date, closure.end_date)
    return list(db.session.scalars(
        sa.select(Reservation)
        .where(
            Reservation.resource_id == closure.resource_id,
            Reservation.status.in_(HOLDING_STATUSES),
            Reservation.start < end,
            Reservation.end > start,
            sa.or_(Reservation.end > now, Reservation.status == "handed_over"),
        )
        .options(sa.orm.joinedload(Reservation.requester))
        .order_by(Reservation.start, Reservation.id)
    ))


def similar_free(resource: Resource, start: datetime, end: datetime, viewer: User | None,
                 *, now: datetime | None = None, limit: int = SIMILAR_COUNT) -> list[Resource]:
    """Other resources of the same category and kind that are free for the whole period."""
    if resource.category_id is None:
        return []
    query = sa.select(Resource).where(
        Resource.id != resource.id,
        Resource.category_id == resource.category_id,
        Resource.kind == resource.kind,
        Resource.status == "active",
        Resource.hidden_at.is_(None),
    )
    query = restrict_to_available(query, start, end, now=now).order_by(Resource.title)
    found = []
    for candidate in db.session.scalars(query.limit(limit * 4)):
        if viewer is None or candidate.can_see(viewer):
            found.append(candidate)
        if len(found) >= limit:
            break
    return found


def cancel_affected(
    closure: Closure,
    actor: User,
    *,
    reason: str = "",
    now: datetime | None = None,
) -> list[Reservation]:
    """Cancel every reservation in the repair period; tell each borrower what else is free."""
    now = now or utcnow()
    resource = db.session.get(Resource, closure.resource_id)
    if resource is None or not closure.is_repair or not resource.can_manage(actor):
        raise Forbidden(_("You are not allowed to do this."))
    reason = (reason or "").strip() or _("The lender has to repair it then.")
    cancelled = []
    for reservation in affected(closure, now=now):
        if reservation.status == "handed_over":
            continue  # it is out already; the lender talks to the borrower
        service.cancel(reservation, actor, reason, now=now)
        cancelled.append(reservation)
        person = reservation.requester
        if person is None or person.deleted_at is not None:
            continue
        outbox.queue(
            "lending_repair_alternatives",
            recipient=person,
            kind="reservation_events",
            link="/resources?" + _alternatives_query(resource),
            related=("reservation", reservation.id),
            send_mail=can_receive(person, "reservation_events"),
            title=resource.title,
            period=period_context(reservation),
            reason=reason,
            texts=wording,
            similar=[(r.title, f"/resources/{r.id}") for r in
                     similar_free(resource, reservation.start, reservation.end, person,
                                  now=now)],
        )
    return cancelled


def _alternatives_query(resource: Resource) -> str:
    from urllib.parse import urlencode

    params = {"kind": resource.kind}
    if resource.category is not None:
        params["category"] = resource.category.slug
    return urlencode(params)
