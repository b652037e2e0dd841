"""The person's own account: profile, preferences, password, email, tokens, data and deletion.

Plain functions taking the acting person; they flush, the caller commits. No request objects.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.auth import service as auth_service
from app.db import utcnow
from app.errors import Conflict, DomainError, NotFound
from app.extensions import db
from app.models import (
    ApiToken,
    Inquiry,
    Membership,
    Notification,
    Organisation,
    Reservation,
    ReservationEvent,
    Resource,
    User,
    Wish,
)
from app.models.inquiry import ACTIVE_STATUSES as INQUIRY_ACTIVE
from app.models.user import NOTIFICATION_KINDS, new_feed_token
from app.notifications import outbox

LOCALES = ("de", "en")
EMAIL_TOKEN_PURPOSE = "email"
DELETED_NAME = "Deleted person"  # stored in English; templates translate it at render
MAX_ACTIVE_TOKENS = 20
# Statuses a departing requester's reservation is cancelled from.
CANCELLABLE = ("requested", "confirmed")


class AccountError(DomainError):
    """A refused change to one's own account (422)."""


class WrongPassword(DomainError):
    """The current password given to confirm a change was wrong."""

    code = "wrong_password"


# ------------------------------------------------------------------ profile ----
def update_profile(user: User, *, display_name: str, phone: str | None, locale: str) -> None:
    """Name, optional phone number and language of the person."""
    name = (display_name or "").strip()
    if not name:
        raise AccountError(_("Please enter your name."))
    if locale not in LOCALES:
        raise AccountError(_("Please choose one of the offered languages."))
    user.display_name = name[:80]
    user.phone = (phone or "").strip()[:40] or None
    user.locale = locale


def set_notification_preferences(user: User, wanted: Iterable[str]) -> None:
    """Switch off every notification kind that is not in `wanted`."""
    wanted = set(wanted)
    unknown = wanted - set(NOTIFICATION_KINDS)
    if unknown:
        raise AccountError(_("Unknown kind of notification."))
    user.notifications_off = [kind for kind in NOTIFICATION_KINDS if kind not in wanted]


def shown_name(user: User | None) -> str:
    """The name to show for a person: a deleted account reads "Deleted person", translated."""
    if user is None:
        return ""
    if user.deleted_at is not None:
        return _("Deleted person")
    return user.display_name


def check_current_password(user: User, password: str) -> None:
    if not user.check_password(password or ""):
        raise WrongPassword(_("The current password is not correct."))


# ----------------------------------------------------------------- password ----
def change_password(user: User, current: str, new: str) -> None:
    """A new password; every other session of the person ends (session version raised)."""
    check_current_password(user, current)
    if len(new or "") < 8:
        raise AccountError(_("The password must have at least 8 characters."))
    user.set_password(new)
    user.session_version += 1
    outbox.queue(
        "account_password_changed",
        recipient=user,
        kind="account",
        link="/auth/reset",
        name=user.display_name,
        contact=current_app.config["CONTACT_EMAIL"],
    )


# -------------------------------------------------------------------- email ----
def _email_taken(email: str, by_other_than: User) -> bool:
    return (
        db.session.scalar(select(User.id).where(User.email == email, User.id != by_other_than.id))
        is not None
    )


def request_email_change(user: User, new_email: str, password: str) -> str:
    """Mail a confirmation link to the new address; returns the token.

    The link goes to the new address only (not into the in-app list), so only
    whoever reads that mailbox can complete the change.
    """
    check_current_password(user, password)
    new_email = auth_service.normalise_email(new_email or "")
    if not new_email or "@" not in new_email:
        raise AccountError(_("Please enter a valid email address."))
    if new_email == user.email:
        raise AccountError(_("This is already your email address."))
    if _email_taken(new_email, user):
        raise Conflict(_("An account with this email address exists already."))
    token = auth_service.make_token(user, EMAIL_TOKEN_PURPOSE, new=new_email)
    outbox.queue(
        "account_email_change",
        to_address=new_email,
        locale=user.locale,
        kind="account",
        link=f"/account/email/confirm/{token}",
        name=user.display_name,
        new_email=new_email,
    )
    return token


def peek_email_change(token: str) -> tuple[User, str]:
    """The person and the new address a still-valid link is for (nothing changes)."""
    user, data = auth_service.read_token(token, EMAIL_TOKEN_PURPOSE)
    new_email = data.get("new")
    if not isinstance(new_email, str) or not new_email:
        raise AccountError(_("This link is not valid."))
    return user, new_email


def confirm_email_change(token: str) -> User:
    """Make the new address the person's; the link works once (the fingerprint changes)."""
    user, new_email = peek_email_change(token)
    if not user.is_active:
        raise AccountError(_("This link is not valid."))
    if _email_taken(new_email, user):
        raise Conflict(_("An account with this email address exists already."))
    old_email = user.email
    user.email = new_email
    user.confirmed_at = user.confirmed_at or utcnow()
    user.session_version += 1
    try:
        with db.session.begin_nested():  # a concurrent registration may have taken it
            db.session.flush()
    except IntegrityError as error:
        raise Conflict(_("An account with this email address exists already.")) from error
    outbox.queue(
        "account_email_changed",
        to_address=old_email,
        locale=user.locale,
        kind="account",
        name=user.display_name,
        new_email=new_email,
        contact=current_app.config["CONTACT_EMAIL"],
    )
    return user


# --------------------------------------------------------------------- feed ----
def feed_path(user: User) -> str:
    return f"/feeds/{user.feed_token}.ics"


def renew_feed_token(user: User) -> str:
    """A new private calendar link; the old one stops working."""
    user.feed_token = new_feed_token()
    return user.feed_token


# ------------------------------------------------------------------- tokens ----
def active_tokens(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def issue_token(user: User, name: str) -> tuple[ApiToken, str]:
    """A personal API token; the plain value is returned once."""
    name = (name or "").strip()
    if not name:
        raise AccountError(_("Please give the token a name."))
    if len(name) > 80:
        raise AccountError(_("The name may have at most 80 characters."))
    if len(active_tokens(user)) >= MAX_ACTIVE_TOKENS:
        raise AccountError(
            _("You have %(n)s active tokens. Please revoke one first.", n=MAX_ACTIVE_TOKENS)
        )
    token, plain = ApiToken.issue(user, name)
    db.session.flush()
    return token, plain


def revoke_token(user: User, token_id: int) -> ApiToken:
    """Revoke one of the person's own tokens; another's is 'not found'."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(_("There is no such token."))
    if token.revoked_at is None:
        token.revoke()
    return token


# ------------------------------------------------------------ notifications ----
def _visible_notifications(user: User, now: datetime):
    # Messages planned for later are not shown before they are due.
    return (Notification.recipient_id == user.id, Notification.due_at <= now)


@dataclass
class NotificationPage:
    items: list[Notification]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def notifications_page(
    user: User, page: int = 1, per_page: int = 20, now: datetime | None = None
) -> NotificationPage:
    """The person's in-app notifications, newest first."""
    now = now or utcnow()
    where = _visible_notifications(user, now)
    total = db.session.scalar(select(func.count(Notification.id)).where(*where)) or 0
    result = NotificationPage([], page, per_page, total)
    if page > result.pages:
        raise NotFound(_("There is no such page."))
    result.items = list(
        db.session.scalars(
            select(Notification)
            .where(*where)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
    )
    return result


def open_notification(user: User, note_id: int) -> Notification:
    """Mark one of the person's notifications read; another's is 'not found'."""
    note = db.session.get(Notification, note_id)
    if note is None or note.recipient_id != user.id:
        raise NotFound(_("There is no such notification."))
    if note.read_at is None:
        note.read_at = utcnow()
    return note


def mark_all_read(user: User, now: datetime | None = None) -> int:
    """Mark every shown notification read; returns how many were unread."""
    now = now or utcnow()
    result = db.session.execute(
        update(Notification)
        .where(*_visible_notifications(user, now), Notification.read_at.is_(None))
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def notification_target(note: Notification) -> str | None:
    """Where opening a notification leads: a path on this site, never another host.

    Account messages (confirmation and reset links) are only ever shown, never
    followed from here: their links prove that the person reads that mailbox.
    """
    if note.kind == "account" or not note.link:
        return None
    site = current_app.config["SITE_URL"].rstrip("/")
    link = note.link
    if link.startswith(site + "/"):
        link = link[len(site) :]
    if link.startswith("/") and not link.startswith("//") and "\\" not in link:
        return link
    return None


# --------------------------------------------------------------- your data ----
def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def export_data(user: User) -> dict[str, Any]:
    """Everything stored about the person, as plain JSON-ready values (no secrets)."""
    memberships = db.session.execute(
        select(Membership, Organisation)
        .join(Organisation, Membership.organisation_id == Organisation.id)
        .where(Membership.user_id == user.id)
        .order_by(Organisation.name)
    ).all()
    resources = db.session.scalars(
        select(Resource).where(Resource.owner_user_id == user.id).order_by(Resource.id)
    ).all()
    reservations = db.session.scalars(
        select(Reservation)
        .where(Reservation.requester_id == user.id)
        .options(selectinload(Reservation.events), selectinload(Reservation.resource))
        .order_by(Reservation.start)
    ).all()
    notes = db.session.scalars(
        select(Notification)
        .where(Notification.recipient_id == user.id)
        .order_by(Notification.created_at, Notification.id)
    ).all()
    tokens = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
    ).all()
    inquiries = db.session.scalars(
        select(Inquiry)
        .where(Inquiry.applicant_id == user.id)
        .options(selectinload(Inquiry.space))
        .order_by(Inquiry.created_at, Inquiry.id)
    ).all()
    wishes = db.session.scalars(
        select(Wish).where(Wish.author_id == user.id).order_by(Wish.created_at, Wish.id)
    ).all()
    return {
        "exported_at": _iso(utcnow()),
        "site": current_app.config["SITE_NAME"],
        "profile": {
            "id": user.id,
            "email": user.email,
            "display_name": user.display_name,
            "phone": user.phone,
            "locale": user.locale,
            "confirmed_at": _iso(user.confirmed_at),
            "created_at": _iso(user.created_at),
            "last_login_at": _iso(user.last_login_at),
            "is_admin": user.is_admin,
            "notifications_off": list(user.notifications_off or []),
        },
        "memberships": [
            {
                "organisation_id": org.id,
                "organisation": org.name,
                "slug": org.slug,
                "role": membership.role,
                "since": _iso(membership.created_at),
            }
            for membership, org in memberships
        ],
        "resources": [
            {
                "id": res.id,
                "kind": res.kind,
                "title": res.title,
                "description": res.description,
                "status": res.status,
                "visibility": res.visibility,
                "address": res.address,
                "district": res.district,
                "units": res.units,
                "fee_cents": res.fee_cents,
                "deposit_cents": res.deposit_cents,
                "created_at": _iso(res.created_at),
            }
            for res in resources
        ],
        "reservations": [
            {
                "id": res.id,
                "resource_id": res.resource_id,
                "resource_title": res.resource.title if res.resource else None,
                "status": res.status,
                "start": _iso(res.start),
                "end": _iso(res.end),
                "units": res.units,
                "message": res.message,
                "created_at": _iso(res.created_at),
                "history": [
                    {
                        "action": event.action,
                        "from_status": event.from_status,
                        "to_status": event.to_status,
                        "at": _iso(event.at),
                        "note": event.note,
                    }
                    for event in res.events
                ],
            }
            for res in reservations
        ],
        "notifications": [
            {
                "id": note.id,
                "kind": note.kind,
                "subject": note.subject,
                "text": note.body_text,
                "link": note.link,
                "created_at": _iso(note.created_at),
                "sent_at": _iso(note.sent_at),
                "read_at": _iso(note.read_at),
            }
            for note in notes
        ],
        "inquiries": [
            {
                "id": inquiry.id,
                "space_id": inquiry.space_id,
                "space_title": inquiry.space.title if inquiry.space else None,
                "intended_use": inquiry.intended_use,
                "concept": inquiry.concept,
                "wished_from": inquiry.wished_from.isoformat(),
                "wished_until": inquiry.wished_until.isoformat(),
                "status": inquiry.status,
                "created_at": _iso(inquiry.created_at),
            }
            for inquiry in inquiries
        ],
        "wishes": [
            {
                "id": wish.id,
                "title": wish.title,
                "description": wish.description,
                "district": wish.district,
                "status": wish.status,
                "expires_on": wish.expires_on.isoformat(),
                "created_at": _iso(wish.created_at),
            }
            for wish in wishes
        ],
        "api_tokens": [
            {
                "name": token.name,
                "prefix": token.prefix,
                "created_at": _iso(token.created_at),
                "last_used_at": _iso(token.last_used_at),
                "revoked_at": _iso(token.revoked_at),
            }
            for token in tokens
        ],
    }


# ------------------------------------------------------------------ delete ----
@dataclass
class DeletionPreview:
    """What deleting the account would do, shown before the person confirms."""

    to_cancel: list[Reservation]
    blocking: list[Reservation]
    orphaned_orgs: list[Organisation]
    own_resources: int


def _open_reservations(
    user: User, statuses: tuple[str, ...], ending_after: datetime | None = None
) -> list[Reservation]:
    """Reservations the person asked for, or of things they lend privately, in `statuses`."""
    own_resources = select(Resource.id).where(Resource.owner_user_id == user.id)
    query = (
        select(Reservation)
        .where(
            Reservation.status.in_(statuses),
            or_(
                Reservation.requester_id == user.id,
                Reservation.resource_id.in_(own_resources),
            ),
        )
        .options(selectinload(Reservation.resource))
        .order_by(Reservation.start)
    )
    if ending_after is not None:
        query = query.where(Reservation.end > ending_after)
    return list(db.session.scalars(query))


def deletion_preview(user: User, now: datetime | None = None) -> DeletionPreview:
    now = now or utcnow()
    sole_manager_orgs = []
    managed = db.session.scalars(
        select(Organisation)
        .join(Membership, Membership.organisation_id == Organisation.id)
        .where(Membership.user_id == user.id, Membership.role == "manager")
        .options(selectinload(Organisation.memberships))
    ).all()
    for org in managed:
        if not any(m.role == "manager" and m.user_id != user.id for m in org.memberships):
            sole_manager_orgs.append(org)
    own = db.session.scalar(
        select(func.count(Resource.id)).where(
            Resource.owner_user_id == user.id, Resource.status != "archived"
        )
    )
    return DeletionPreview(
        # Past reservations stay as they are: they are history and count in the statistics.
        to_cancel=_open_reservations(user, CANCELLABLE, ending_after=now),
        blocking=_open_reservations(user, ("handed_over",)),
        orphaned_orgs=sole_manager_orgs,
        own_resources=own or 0,
    )


def _cancel(reservation: Reservation, actor: User, note: str, now: datetime) -> None:
    """Cancel through the booking rules; what they refuse (already begun) is recorded here."""
    try:
        from app.booking import service as booking
    except ImportError:  # the booking area is not there yet
        booking = None
    if booking is not None:
        try:
            with db.session.begin_nested():
                booking.cancel(reservation, actor, reason=note, now=now)
            return
        except DomainError:
            pass
    from app.notifications import events

    previous = reservation.status
    reservation.status = "cancelled"
    reservation.cancel_reason = note
    db.session.add(
        ReservationEvent(
            reservation=reservation,
            actor_id=actor.id,
            action="cancel",
            from_status=previous,
            to_status="cancelled",
            note=note,
            at=now,
        )
    )
    db.session.flush()
    events.reservation_event(reservation, "cancelled", actor, note)


def _withdraw_inquiries(user: User, note: str, now: datetime) -> None:
    """Take back the person's inquiries for spaces that are still under discussion."""
    from app.spaces import service as spaces

    active = db.session.scalars(
        select(Inquiry).where(Inquiry.applicant_id == user.id, Inquiry.status.in_(INQUIRY_ACTIVE))
    ).all()
    for inquiry in active:
        spaces.withdraw(inquiry, user, note, now=now)


def delete_account(user: User, password: str) -> None:
    """Anonymise the account so that history and statistics stay correct.

    Open reservations that have not ended (the person's own, and those of things
    they lend privately) are cancelled first and the other side is told; their own
    things are archived. Refused while something is handed over, until it is returned.
    """
    check_current_password(user, password)
    if user.deleted_at is not None:
        raise AccountError(_("This account has been deleted already."))
    now = utcnow()
    preview = deletion_preview(user, now)
    if preview.blocking:
        raise Conflict(
            _(
                "Something is still handed over (%(title)s). It must be returned first.",
                title=preview.blocking[0].resource.title,
            )
        )
    note = _("The account was deleted.")
    for reservation in preview.to_cancel:
        _cancel(reservation, user, note, now)
    _withdraw_inquiries(user, note, now)
    # Their own open wishes leave the board (those posted for an initiative stay).
    db.session.execute(
        update(Wish)
        .where(Wish.author_id == user.id, Wish.organisation_id.is_(None), Wish.status == "open")
        .values(status="closed", closed_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    db.session.execute(
        update(Resource)
        .where(Resource.owner_user_id == user.id, Resource.status != "archived")
        .values(status="archived", updated_at=now)
        .execution_options(synchronize_session=False)
    )
    old_email = user.email
    # Messages to the person are personal data and must not reach the old address any more.
    db.session.execute(
        delete(Notification)
        .where(or_(Notification.recipient_id == user.id, Notification.to_address == old_email))
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        delete(Membership)
        .where(Membership.user_id == user.id)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(user, ["memberships", "tokens"])
    user.email = f"deleted-{user.id}@invalid"
    user.display_name = DELETED_NAME
    user.phone = None
    user.password_hash = None
    user.is_admin = False
    user.last_login_at = None
    user.notifications_off = list(NOTIFICATION_KINDS)
    user.feed_token = new_feed_token()
    user.session_version += 1
    user.deleted_at = now
    db.session.flush()
