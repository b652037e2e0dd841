"""The project office's work: categories, people, organisations, listings, closures, mail.

Plain functions: each takes the acting person, checks that they are an administrator,
changes the models and flushes; the caller commits.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from app.db import utcnow
from app.errors import Conflict, DomainError, Forbidden
from app.extensions import db
from app.models import (
    Category,
    Closure,
    Membership,
    Notification,
    Organisation,
    Reservation,
    ReservationEvent,
    Resource,
    User,
)
from app.notifications import outbox


def ensure_admin(actor: User | None) -> None:
    if actor is None or not getattr(actor, "is_admin", False) or not actor.is_active:
        raise Forbidden(_("Only the project office may do this."))


def like(term: str) -> str:
    """A LIKE pattern for a substring, with the wildcards of the term itself escaped."""
    escaped = term.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# ----------------------------------------------------------- categories ----
@dataclass
class CategoryData:
    name_de: str
    name_en: str
    label_de: str = ""
    label_en: str = ""
    position: int = 0
    avoided_purchase_cents: int | None = None
    avoided_co2_grams: int | None = None
    slug: str | None = None


def save_category(actor: User, category: Category | None, data: CategoryData) -> Category:
    """Create a category (with a slug) or change one's names, labels, order and estimates."""
    ensure_admin(actor)
    for value in (data.avoided_purchase_cents, data.avoided_co2_grams):
        if value is not None and value < 0:
            raise DomainError(_("Estimates cannot be negative."))
    if category is None:
        slug = (data.slug or "").strip().lower()
        if not slug:
            message = _("Please give the category a short name for addresses.")
            raise DomainError(message, errors={"slug": [message]})
        taken = db.session.scalar(sa.select(Category.id).where(Category.slug == slug))
        if taken:
            raise Conflict(
                _("A category with this short name exists already."),
                errors={"slug": [_("A category with this short name exists already.")]},
            )
        category = Category(slug=slug)
        db.session.add(category)
    category.name_de = data.name_de.strip()
    category.name_en = data.name_en.strip()
    category.label_de = data.label_de.strip()
    category.label_en = data.label_en.strip()
    category.position = data.position
    category.avoided_purchase_cents = data.avoided_purchase_cents
    category.avoided_co2_grams = data.avoided_co2_grams
    db.session.flush()
    return category


# --------------------------------------------------------------- people ----
def search_people(term: str | None) -> sa.Select:
    query = sa.select(User).where(User.deleted_at.is_(None))
    if term and term.strip():
        pattern = like(term)
        query = query.where(
            sa.or_(
                sa.func.lower(User.display_name).like(pattern, escape="\\"),
                User.email.like(pattern, escape="\\"),
            )
        )
    return query.order_by(sa.func.lower(User.display_name), User.id)


def set_admin(actor: User, person: User, value: bool) -> None:
    """Make someone an administrator, or take it back (never from oneself)."""
    ensure_admin(actor)
    if person.id == actor.id and not value:
        raise Conflict(_("You cannot take away your own administrator rights."))
    if value and person.deleted_at is not None:
        raise Conflict(_("This account has been deleted."))
    person.is_admin = value
    db.session.flush()


def block_user(actor: User, person: User, reason: str) -> int:
    """Block an account: it can no longer log in, and its open requests are declined.

    Returns how many requests were declined. The person is told by mail, with the reason.
    """
    ensure_admin(actor)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            _("Please give a reason."), errors={"reason": [_("Please give a reason.")]}
        )
    if person.id == actor.id:
        raise Conflict(_("You cannot block yourself."))
    if person.blocked_at is not None:
        raise Conflict(_("This account is blocked already."))
    person.blocked_at = utcnow()
    person.blocked_reason = reason
    db.session.flush()
    declined = decline_open_requests(
        person, actor, _("The project office has declined this request: the account was blocked.")
    )
    if person.deleted_at is None:
        outbox.queue(
            "admin_account_blocked",
            recipient=person,
            kind="account",
            reason=reason,
            contact=current_app.config["CONTACT_EMAIL"],
        )
    return declined


def decline_open_requests(person: User, actor: User, reason: str) -> int:
    """Decline every open request of a person, through the booking area's rules if present."""
    try:
        booking = importlib.import_module("app.booking.service")
    except ModuleNotFoundError:
        booking = None
    decline_all = getattr(booking, "decline_open_requests_of", None)
    if decline_all is not None:
        return decline_all(person, actor, reason) or 0
    from app.notifications.events import reservation_event

    now = utcnow()
    requests = db.session.scalars(
        sa.select(Reservation).where(
            Reservation.requester_id == person.id, Reservation.status == "requested"
        )
    ).all()
    for reservation in requests:
        reservation.status = "declined"
        reservation.decided_at = now
        reservation.decline_reason = reason
        db.session.add(
            ReservationEvent(
                reservation=reservation,
                actor_id=actor.id,
                action="decline",
                from_status="requested",
                to_status="declined",
                note=reason,
                at=now,
            )
        )
        db.session.flush()
        reservation_event(reservation, "decline", actor, reason)
    return len(requests)


def unblock_user(actor: User, person: User) -> None:
    ensure_admin(actor)
    if person.blocked_at is None:
        raise Conflict(_("This account is not blocked."))
    person.blocked_at = None
    person.blocked_reason = None
    db.session.flush()
    if person.deleted_at is None:
        outbox.queue(
            "admin_account_unblocked", recipient=person, kind="account", link="/auth/login"
        )


# -------------------------------------------------------- organisations ----
def set_verified(actor: User, org: Organisation, value: bool) -> None:
    """Mark an organisation as verified by the office (a badge elsewhere), or take it back."""
    ensure_admin(actor)
    org.verified_at = (org.verified_at or utcnow()) if value else None
    db.session.flush()


# ------------------------------------------------------------- listings ----
def owners_of(resource: Resource) -> list[User]:
    """Who looks after a listing: its private owner, or its organisation's managers."""
    if resource.owner_user is not None:
        people = [resource.owner_user]
    else:
        people = list(
            db.session.scalars(
                sa.select(User)
                .join(Membership, Membership.user_id == User.id)
                .where(
                    Membership.organisation_id == resource.owner_org_id,
                    Membership.role == "manager",
                )
                .order_by(User.id)
            )
        )
    return [p for p in people if p.deleted_at is None]


def hide_resource(actor: User, resource: Resource, reason: str) -> None:
    """Hide a listing from everyone but its owners and the office; the owners are told why.

    The owner's own status (active, paused, archived) is left as it is, so unhiding
    restores exactly what was there.
    """
    ensure_admin(actor)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            _("Please give a reason."), errors={"reason": [_("Please give a reason.")]}
        )
    if resource.hidden_at is not None:
        raise Conflict(_("This listing is hidden already."))
    resource.hidden_at = utcnow()
    resource.hidden_reason = reason
    db.session.flush()
    for person in owners_of(resource):
        outbox.queue(
            "admin_listing_hidden",
            recipient=person,
            kind="moderation",
            link=f"/resources/{resource.id}",
            related=("resource", resource.id),
            title=resource.title,
            reason=reason,
            contact=current_app.config["CONTACT_EMAIL"],
        )


def unhide_resource(actor: User, resource: Resource) -> None:
    ensure_admin(actor)
    if resource.hidden_at is None:
        raise Conflict(_("This listing is not hidden."))
    resource.hidden_at = None
    resource.hidden_reason = None
    db.session.flush()
    for person in owners_of(resource):
        outbox.queue(
            "admin_listing_unhidden",
            recipient=person,
            kind="moderation",
            link=f"/resources/{resource.id}",
            related=("resource", resource.id),
            title=resource.title,
        )


def search_listings(term: str | None, hidden_only: bool = False) -> sa.Select:
    query = sa.select(Resource)
    if term and term.strip():
        pattern = like(term)
        query = query.where(sa.func.lower(Resource.title).like(pattern, escape="\\"))
    if hidden_only:
        query = query.where(Resource.hidden_at.is_not(None))
    return query.order_by(Resource.hidden_at.is_(None), Resource.title, Resource.id)


# ------------------------------------------------------------- closures ----
def town_closures() -> sa.Select:
    return (
        sa.select(Closure)
        .where(Closure.resource_id.is_(None), Closure.organisation_id.is_(None))
        .order_by(Closure.start_date.desc(), Closure.id)
    )


def add_town_closure(actor: User, start: date, end: date, reason: str) -> Closure:
    """Close every resource that follows the site calendar on these dates (both included)."""
    ensure_admin(actor)
    reason = (reason or "").strip()
    if end < start:
        raise DomainError(
            _("The last day must not lie before the first."),
            errors={"end_date": [_("The last day must not lie before the first.")]},
        )
    if not reason:
        raise DomainError(
            _("Please give a reason."), errors={"reason": [_("Please give a reason.")]}
        )
    closure = Closure(start_date=start, end_date=end, reason=reason[:200])
    db.session.add(closure)
    db.session.flush()
    return closure


def remove_town_closure(actor: User, closure: Closure) -> None:
    ensure_admin(actor)
    if closure.resource_id is not None or closure.organisation_id is not None:
        raise Forbidden(_("Only town-wide closures are managed here."))
    db.session.delete(closure)
    db.session.flush()


# ----------------------------------------------------------------- mail ----
def failed_mail() -> sa.Select:
    return (
        sa.select(Notification)
        .where(Notification.state == "failed")
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )


def retry_mail(actor: User, note: Notification) -> None:
    """Queue a failed message again, to be sent at once with a fresh count of attempts."""
    ensure_admin(actor)
    if note.state != "failed":
        raise Conflict(_("This message has not failed."))
    note.state = "queued"
    note.next_attempt_at = utcnow()
    note.attempts = 0
    db.session.flush()


def retry_all_mail(actor: User) -> int:
    ensure_admin(actor)
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.state == "failed")
        .values(state="queued", next_attempt_at=utcnow(), attempts=0)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


# ------------------------------------------------------------- overview ----
def overview() -> dict[str, int]:
    """What waits for the office: open reports, failed mail, hidden listings, blocked people."""
    from app.models import Report

    def count(query) -> int:
        return db.session.scalar(query) or 0

    return {
        "reports": count(
            sa.select(sa.func.count(Report.id)).where(Report.state == "open")
        ),
        "failed": count(
            sa.select(sa.func.count(Notification.id)).where(Notification.state == "failed")
        ),
        "hidden": count(
            sa.select(sa.func.count(Resource.id)).where(Resource.hidden_at.is_not(None))
        ),
        "blocked": count(sa.select(sa.func.count(User.id)).where(User.blocked_at.is_not(None))),
        "unverified": count(
            sa.select(sa.func.count(Organisation.id)).where(Organisation.verified_at.is_(None))
        ),
    }
