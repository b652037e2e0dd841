"""The vacant-space exchange: finding spaces, and inquiries from the first message to an
agreed period of interim use.

Plain functions: the acting person is an argument, refusals are DomainErrors, and
nothing here commits (the caller runs each write in `write_transaction()`).
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _

from app.booking.availability import day_period, local_date, local_midnight
from app.db import utcnow
from app.errors import Conflict, DomainError, Forbidden, NotFound
from app.extensions import db
from app.models import (
    Inquiry,
    InquiryEvent,
    Membership,
    Organisation,
    Reservation,
    Resource,
    User,
)
from app.models.catalogue import RENT_MODELS
from app.models.inquiry import ACTIVE_STATUSES, USES
from app.models.reservation import HOLDING_STATUSES
from app.notifications import outbox
from app.spaces.labels import use_label

# Reservations of a space that are an agreed interim use (spaces skip handover).
AGREED_STATUSES = ("confirmed", "handed_over")
CONCEPT_MAX = 4000
MESSAGE_MAX = 4000
ONE_DAY = timedelta(days=1)

DayRange = tuple[date, date]  # first and last day, both inclusive


class TooLarge(DomainError):
    status = 413
    code = "too_large"


def local_today() -> date:
    return local_date(utcnow())


def thread_path(inquiry: Inquiry) -> str:
    return f"/spaces/inquiries/{inquiry.id}"


# ------------------------------------------------------------- listing ----
@dataclass
class SpaceFilters:
    district: str | None = None
    area_min: float | None = None
    rent_model: str | None = None
    use: str | None = None
    free_from: date | None = None
    free_to: date | None = None
    ground_floor: bool = False
    step_free: bool = False


@dataclass
class SpaceListing:
    """A space as the listing shows it."""

    space: Resource
    free: list[tuple[date, date | None]] = field(default_factory=list)
    interim_until: date | None = None
    show_address: bool = False

    @property
    def photo(self):
        return self.space.photos[0] if self.space.photos else None


def visible_spaces(viewer: User | None) -> sa.Select:
    """Active, unhidden spaces the viewer may see (members-only ones for members)."""
    query = sa.select(Resource).where(
        Resource.kind == "space", Resource.status == "active", Resource.hidden_at.is_(None)
    )
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return query.where(Resource.visibility == "public")
    if viewer.is_admin:
        return query
    member_of = sa.select(Membership.organisation_id).where(Membership.user_id == viewer.id)
    return query.where(
        sa.or_(
            Resource.visibility == "public",
            Resource.owner_user_id == viewer.id,
            Resource.owner_org_id.in_(member_of),
        )
    )


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def apply_filters(query: sa.Select, filters: SpaceFilters) -> sa.Select:
    """Narrow a query of spaces by the listing's filters (all in SQL)."""
    if filters.district:
        query = query.where(Resource.district == filters.district)
    if filters.area_min is not None:
        query = query.where(Resource.area_m2 >= filters.area_min)
    if filters.rent_model in RENT_MODELS:
        query = query.where(Resource.rent_model == filters.rent_model)
    if filters.use in USES:
        # permitted_uses is a JSON list of words; its text holds each as "word".
        pattern = '%"' + _like_escape(filters.use) + '"%'
        query = query.where(sa.cast(Resource.permitted_uses, sa.Text).like(pattern, escape="\\"))
    if filters.ground_floor:
        query = query.where(Resource.floor == 0)
    if filters.step_free:
        query = query.where(Resource.step_free.is_(True))
    if filters.free_from or filters.free_to:
        first = filters.free_from or filters.free_to
        last = filters.free_to or filters.free_from
        start, end = day_period(first, last)
        overlapping = sa.select(Reservation.id).where(
            Reservation.resource_id == Resource.id,
            Reservation.status.in_(HOLDING_STATUSES),
            Reservation.start < end,
            Reservation.end > start,
        )
        query = query.where(
            ~sa.exists(overlapping),
            sa.or_(Resource.available_from.is_(None), Resource.available_from <= first),
            sa.or_(Resource.available_until.is_(None), Resource.available_until >= last),
        )
    return query


def busy_days(space_ids: Iterable[int], since: date) -> dict[int, list[tuple[date, date, str]]]:
    """Holding reservations of these spaces from `since` on, as local days (one query)."""
    ids = list(space_ids)
    result: dict[int, list[tuple[date, date, str]]] = defaultdict(list)
    if not ids:
        return result
    rows = db.session.execute(
        sa.select(Reservation.resource_id, Reservation.start, Reservation.end, Reservation.status)
        .where(
            Reservation.resource_id.in_(ids),
            Reservation.status.in_(HOLDING_STATUSES),
            Reservation.end > local_midnight(since),
        )
        .order_by(Reservation.resource_id, Reservation.start)
    ).all()
    for resource_id, start, end, status in rows:
        first = local_date(start)
        last = local_date(end - timedelta(microseconds=1))
        result[resource_id].append((first, last, status))
    return result


def free_periods(
    space: Resource, busy: list[tuple[date, date, str]], today: date
) -> list[tuple[date, date | None]]:
    """The periods from today on in which a space is free: its availability minus busy days.

    A period whose last day is None is open-ended.
    """
    begin = max(today, space.available_from or today)
    until = space.available_until
    if until is not None and until < begin:
        return []
    periods: list[tuple[date, date | None]] = []
    cursor = begin
    for first, last, _status in sorted(busy):
        if last < cursor:
            continue
        if until is not None and first > until:
            break
        if first > cursor:
            periods.append((cursor, first - ONE_DAY))
        cursor = max(cursor, last + ONE_DAY)
    if until is None or cursor <= until:
        periods.append((cursor, until))
    return periods


def interim_until(busy: list[tuple[date, date, str]], today: date) -> date | None:
    """The last day of the agreed interim use going on today (back-to-back uses joined)."""
    agreed = sorted((f, la) for f, la, status in busy if status in AGREED_STATUSES)
    last: date | None = None
    for first, end in agreed:
        if last is None:
            if first <= today <= end:
                last = end
        elif first <= last + ONE_DAY:
            last = max(last, end)
    return last


def interim_use_until(space: Resource, today: date | None = None) -> date | None:
    """Until when a space is in agreed interim use, or None when it is not in use today."""
    today = today or local_today()
    return interim_until(busy_days([space.id], today).get(space.id, []), today)


def find_spaces(
    viewer: User | None, filters: SpaceFilters, today: date | None = None
) -> list[SpaceListing]:
    """The spaces the viewer may see that match the filters, with free periods and use."""
    today = today or local_today()
    query = (
        apply_filters(visible_spaces(viewer), filters)
        .options(
            so.selectinload(Resource.photos),
            so.selectinload(Resource.owner_org),
            so.selectinload(Resource.owner_user),
        )
        .order_by(Resource.created_at.desc(), Resource.id.desc())
    )
    spaces = db.session.scalars(query).all()
    busy = busy_days([s.id for s in spaces], today)
    viewer_id = getattr(viewer, "id", None) if getattr(viewer, "is_authenticated", False) else None
    is_admin = bool(viewer_id and viewer.is_admin)
    listings = []
    for space in spaces:
        # Privacy by default: a private owner's address shows only to them and the office.
        show_address = (
            space.owner_org_id is not None or space.owner_user_id == viewer_id or is_admin
        )
        listings.append(
            SpaceListing(
                space=space,
                free=free_periods(space, busy.get(space.id, []), today),
                interim_until=interim_until(busy.get(space.id, []), today),
                show_address=show_address,
            )
        )
    return listings


# ---------------------------------------------------------- floor plan ----
def floor_plan_folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"]) / "floorplans"


def store_floor_plan(space: Resource, actor: User, stream: IO[bytes]) -> str | None:
    """Keep an uploaded PDF as the space's floor plan or exposé; returns the replaced file.

    Only the first bytes are looked at (%PDF-); nothing else of the file is parsed.
    """
    if space.kind != "space":
        raise NotFound(_("There is no such space."))
    if not space.can_manage(actor):
        raise Forbidden(_("Only the owner of the space can do this."))
    limit = current_app.config["PDF_MAX_BYTES"]
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(
            _("The file is larger than %(mb)s MB.", mb=round(limit / 1024 / 1024, 1)),
            errors={"file": _("The file is too large.")},
        )
    if not data.startswith(b"%PDF-"):
        raise DomainError(
            _("Please choose a PDF file."), errors={"file": _("This is not a PDF file.")}
        )
    folder = floor_plan_folder()
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.pdf"
    (folder / name).write_bytes(data)
    old = space.floor_plan_file
    space.floor_plan_file = name
    return old


def remove_floor_plan(space: Resource, actor: User) -> str | None:
    """Forget the space's floor plan; returns the file to delete after the commit."""
    if not space.can_manage(actor):
        raise Forbidden(_("Only the owner of the space can do this."))
    old = space.floor_plan_file
    space.floor_plan_file = None
    return old


def delete_floor_plan_file(name: str | None) -> None:
    if not name:
        return
    path = floor_plan_folder() / Path(name).name
    path.unlink(missing_ok=True)


# ----------------------------------------------------------- inquiries ----
def space_managers(space: Resource) -> list[User]:
    """Who answers inquiries for a space: its owner, or the managers of its organisation."""
    if space.owner_user is not None:
        return [space.owner_user]
    if space.owner_org is not None:
        return space.owner_org.managers
    return []


def role_of(inquiry: Inquiry, user: User | None) -> str | None:
    """applicant, owner, mediator (the project office) or None for everyone else."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if inquiry.applicant_id == user.id:
        return "applicant"
    if inquiry.space.can_manage(user):
        return "owner"
    if user.is_admin:
        return "mediator"
    return None


def inquiry_for(inquiry_id: int, user: User | None, *, lock: bool = False) -> tuple[Inquiry, str]:
    """The inquiry and the person's role in it; refuses those who take no part."""
    query = sa.select(Inquiry).where(Inquiry.id == inquiry_id)
    if lock:
        query = query.with_for_update()
    inquiry = db.session.scalar(query)
    if inquiry is None:
        raise NotFound(_("There is no such inquiry."))
    role = role_of(inquiry, user)
    if role is None:
        raise Forbidden(
            _("Only the applicant, the owner and the project office can see this inquiry.")
        )
    return inquiry, role


def visible_inquiries(user: User, *, everything: bool | None = None) -> sa.Select:
    """Inquiries a person takes part in as applicant or owner; the office sees all."""
    query = sa.select(Inquiry).options(
        so.selectinload(Inquiry.space), so.selectinload(Inquiry.applicant)
    )
    if everything is None:
        everything = user.is_admin
    if everything and user.is_admin:
        return query
    managed = sa.select(Membership.organisation_id).where(
        Membership.user_id == user.id, Membership.role == "manager"
    )
    owned = sa.select(Resource.id).where(
        sa.or_(Resource.owner_user_id == user.id, Resource.owner_org_id.in_(managed))
    )
    return query.where(sa.or_(Inquiry.applicant_id == user.id, Inquiry.space_id.in_(owned)))


def _date(day: date) -> str:
    return format_date(day, "medium")


def check_period(space: Resource, first: date, last: date, today: date) -> None:
    """A wished, proposed or agreed period: whole days inside the space's availability."""
    errors: dict[str, str] = {}
    if last < first:
        errors["end"] = _("The last day must not be before the first day.")
    elif first < today:
        errors["start"] = _("The period must not begin in the past.")
    else:
        if space.available_from and first < space.available_from:
            errors["start"] = _(
                "The space is available from %(date)s.", date=_date(space.available_from)
            )
        if space.available_until and last > space.available_until:
            errors["end"] = _(
                "The space is available until %(date)s.", date=_date(space.available_until)
            )
    if errors:
        raise DomainError(" ".join(errors.values()), errors=errors)


def _other_side(inquiry: Inquiry, actor: User) -> list[User]:
    people = [inquiry.applicant, *space_managers(inquiry.space), inquiry.mediator]
    seen: set[int] = set()
    result = []
    for person in people:
        if person is None or person.id == actor.id or person.id in seen:
            continue
        if not person.is_active:
            continue
        seen.add(person.id)
        result.append(person)
    return result


def _tell(inquiry: Inquiry, actor: User, role: str, template: str, **context) -> None:
    """Mail everyone else in the thread, with a link to it."""
    for person in _other_side(inquiry, actor):
        outbox.queue(
            template,
            recipient=person,
            kind="messages",
            link=thread_path(inquiry),
            related=("inquiry", inquiry.id),
            send_mail=person.wants("messages"),
            inquiry=inquiry,
            space_title=inquiry.space.title,
            actor_name=actor.display_name,
            actor_role=role,
            use=use_label(inquiry.intended_use),
            **context,
        )


def _record(
    inquiry: Inquiry,
    actor: User | None,
    role: str,
    action: str,
    *,
    body: str = "",
    period: DayRange | None = None,
    from_status: str | None = None,
    now: datetime | None = None,
) -> InquiryEvent:
    event = InquiryEvent(
        actor=actor,
        role=role,
        action=action,
        body=body,
        period_from=period[0] if period else None,
        period_until=period[1] if period else None,
        from_status=from_status,
        to_status=inquiry.status,
        at=now or utcnow(),
    )
    inquiry.events.append(event)
    return event


def _clean_text(value: str | None, limit: int, field_name: str, required_message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError(required_message, errors={field_name: required_message})
    if len(text) > limit:
        message = _("Please write at most %(n)s characters.", n=limit)
        raise DomainError(message, errors={field_name: message})
    return text


def _require_active(inquiry: Inquiry) -> None:
    if not inquiry.is_active:
        raise Conflict(_("This inquiry is closed; nothing can be changed any more."))


def create_inquiry(
    space: Resource | None,
    applicant: User,
    *,
    intended_use: str,
    first_day: date,
    last_day: date,
    concept: str,
    organisation: Organisation | None = None,
    today: date | None = None,
    now: datetime | None = None,
) -> Inquiry:
    """An applicant asks to use a space; the owner side is told."""
    today = today or local_today()
    now = now or utcnow()
    if space is None or space.kind != "space" or not space.is_visible_publicly:
        raise NotFound(_("There is no such space."))
    if not space.can_see(applicant):
        raise NotFound(_("There is no such space."))
    if not applicant.is_confirmed:
        raise Forbidden(_("Please confirm your email address first."))
    if space.can_manage(applicant):
        raise Forbidden(_("You cannot send an inquiry for your own space."))
    errors: dict[str, str] = {}
    if intended_use not in USES:
        errors["intended_use"] = _("Please choose an intended use.")
    text = (concept or "").strip()
    if not text:
        errors["concept"] = _("Please describe your idea in a few sentences.")
    elif len(text) > CONCEPT_MAX:
        errors["concept"] = _("Please write at most %(n)s characters.", n=CONCEPT_MAX)
    if organisation is not None and not organisation.is_member(applicant):
        errors["organisation_id"] = _(
            "You can only ask on behalf of an organisation you belong to."
        )
    try:
        check_period(space, first_day, last_day, today)
    except DomainError as error:
        errors.update(error.errors)
    if errors:
        raise DomainError(_("Please check your inquiry."), errors=errors)
    existing = db.session.scalar(
        sa.select(Inquiry.id).where(
            Inquiry.space_id == space.id,
            Inquiry.applicant_id == applicant.id,
            Inquiry.status.in_(ACTIVE_STATUSES),
        )
    )
    if existing is not None:
        raise Conflict(_("You already have an open inquiry for this space."), inquiry_id=existing)
    inquiry = Inquiry(
        space=space,
        applicant=applicant,
        organisation=organisation,
        intended_use=intended_use,
        concept=text,
        wished_from=first_day,
        wished_until=last_day,
        period_from=first_day,
        period_until=last_day,
        status="open",
        awaiting_owner_since=now,
        created_at=now,
    )
    db.session.add(inquiry)
    _record(inquiry, applicant, "applicant", "created", period=(first_day, last_day), now=now)
    db.session.flush()
    _tell(inquiry, applicant, "applicant", "inquiry_new")
    return inquiry


def post_message(
    inquiry: Inquiry, actor: User, body: str, *, now: datetime | None = None
) -> InquiryEvent:
    """A message in the thread, mailed to the other side; the office joins by writing."""
    role = role_of(inquiry, actor)
    if role is None:
        raise Forbidden(_("Only the applicant, the owner and the project office can write here."))
    text = _clean_text(body, MESSAGE_MAX, "body", _("Please write a message."))
    if role == "mediator" and inquiry.mediator_id is None:
        inquiry.mediator = actor
    if role == "owner":
        inquiry.awaiting_owner_since = None
    event = _record(inquiry, actor, role, "message", body=text, from_status=inquiry.status, now=now)
    db.session.flush()
    _tell(inquiry, actor, role, "inquiry_message", body=text)
    return event


def join_as_mediator(inquiry: Inquiry, actor: User, *, now: datetime | None = None) -> None:
    """The project office joins a thread to mediate; both sides are told."""
    if not actor.is_admin:
        raise Forbidden(_("Only the project office can mediate."))
    if role_of(inquiry, actor) != "mediator":
        raise DomainError(_("You take part in this inquiry already."))
    if inquiry.mediator_id == actor.id:
        return
    inquiry.mediator = actor
    _record(inquiry, actor, "mediator", "mediator_joined", from_status=inquiry.status, now=now)
    db.session.flush()
    _tell(inquiry, actor, "mediator", "inquiry_update", action="mediator_joined")


def propose_period(
    inquiry: Inquiry,
    actor: User,
    first_day: date,
    last_day: date,
    body: str = "",
    *,
    today: date | None = None,
    now: datetime | None = None,
) -> None:
    """Suggest another period: the owner's proposal waits for the applicant, and back."""
    role = role_of(inquiry, actor)
    if role not in ("owner", "applicant"):
        raise Forbidden(_("Only the owner and the applicant can propose a period."))
    _require_active(inquiry)
    check_period(inquiry.space, first_day, last_day, today or local_today())
    now = now or utcnow()
    before = inquiry.status
    inquiry.period_from, inquiry.period_until = first_day, last_day
    if role == "owner":
        inquiry.status = "proposed"
        inquiry.awaiting_owner_since = None
    else:
        inquiry.status = "open"
        inquiry.awaiting_owner_since = now
    text = (body or "").strip()[:MESSAGE_MAX]
    _record(
        inquiry,
        actor,
        role,
        "proposed",
        body=text,
        period=(first_day, last_day),
        from_status=before,
        now=now,
    )
    db.session.flush()
    _tell(inquiry, actor, role, "inquiry_update", action="proposed", body=text)


def accept(
    inquiry: Inquiry,
    actor: User,
    first_day: date | None = None,
    last_day: date | None = None,
    body: str = "",
    *,
    today: date | None = None,
    now: datetime | None = None,
) -> Reservation:
    """Agree on a period: the space is booked for it (refused if it overlaps another use).

    The owner accepts the period under discussion or names one; the applicant can
    accept only the period the owner proposed.
    """
    role = role_of(inquiry, actor)
    if role not in ("owner", "applicant"):
        raise Forbidden(_("Only the owner can accept an inquiry."))
    _require_active(inquiry)
    current = (inquiry.period_from, inquiry.period_until)
    if role == "applicant":
        if inquiry.status != "proposed":
            raise Forbidden(_("You can accept a period once the owner has proposed one."))
        if (first_day or current[0], last_day or current[1]) != current:
            raise DomainError(_("You can accept only the period the owner proposed."))
    first = first_day or current[0]
    last = last_day or current[1]
    check_period(inquiry.space, first, last, today or local_today())
    if inquiry.applicant is None:
        raise Conflict(_("The applicant's account no longer exists."))
    now = now or utcnow()
    text = (body or "").strip()[:MESSAGE_MAX]
    start, end = day_period(first, last)
    from app.booking.service import book_space

    reservation = book_space(
        inquiry.space,
        inquiry.applicant,
        start,
        end,
        actor,
        text or _("Interim use agreed in inquiry %(id)s.", id=inquiry.id),
    )
    before = inquiry.status
    inquiry.reservation = reservation
    inquiry.status = "accepted"
    inquiry.decided_at = now
    inquiry.awaiting_owner_since = None
    inquiry.period_from, inquiry.period_until = first, last
    _record(
        inquiry,
        actor,
        role,
        "accepted",
        body=text,
        period=(first, last),
        from_status=before,
        now=now,
    )
    db.session.flush()
    _tell(inquiry, actor, role, "inquiry_update", action="accepted", body=text)
    return reservation


def decline(inquiry: Inquiry, actor: User, reason: str, *, now: datetime | None = None) -> None:
    """The owner declines, saying why."""
    role = role_of(inquiry, actor)
    if role != "owner":
        raise Forbidden(_("Only the owner can decline an inquiry."))
    _require_active(inquiry)
    text = _clean_text(reason, MESSAGE_MAX, "reason", _("Please give a reason."))
    now = now or utcnow()
    before = inquiry.status
    inquiry.status = "declined"
    inquiry.decline_reason = text
    inquiry.decided_at = now
    inquiry.awaiting_owner_since = None
    _record(inquiry, actor, role, "declined", body=text, from_status=before, now=now)
    db.session.flush()
    _tell(inquiry, actor, role, "inquiry_update", action="declined", body=text)


def withdraw(
    inquiry: Inquiry, actor: User, reason: str = "", *, now: datetime | None = None
) -> None:
    """The applicant takes the inquiry back."""
    role = role_of(inquiry, actor)
    if role != "applicant":
        raise Forbidden(_("Only the applicant can withdraw an inquiry."))
    _require_active(inquiry)
    text = (reason or "").strip()[:MESSAGE_MAX]
    now = now or utcnow()
    before = inquiry.status
    inquiry.status = "withdrawn"
    inquiry.decided_at = now
    inquiry.awaiting_owner_since = None
    _record(inquiry, actor, role, "withdrawn", body=text, from_status=before, now=now)
    db.session.flush()
    _tell(inquiry, actor, role, "inquiry_update", action="withdrawn", body=text)


# ----------------------------------------------------------- reminders ----
def remind_unanswered(now: datetime) -> int:
    """Remind owners, and tell the project office, of inquiries left unanswered too long.

    An inquiry is unanswered when the owner has not acted for INQUIRY_UNANSWERED_DAYS
    since it was sent (or since the applicant's last counter-proposal). Each such
    occasion is written once per person (dedup keys), however often this runs.
    Returns how many messages were written; the caller commits.
    """
    days = current_app.config["INQUIRY_UNANSWERED_DAYS"]
    cutoff = now - timedelta(days=days)
    inquiries = db.session.scalars(
        sa.select(Inquiry)
        .where(
            Inquiry.status == "open",
            Inquiry.awaiting_owner_since.is_not(None),
            Inquiry.awaiting_owner_since <= cutoff,
        )
        .options(
            so.selectinload(Inquiry.applicant),
            so.selectinload(Inquiry.space).selectinload(Resource.owner_user),
            so.selectinload(Inquiry.space)
            .selectinload(Resource.owner_org)
            .selectinload(Organisation.memberships)
            .selectinload(Membership.user),
        )
        .order_by(Inquiry.id)
    ).all()
    if not inquiries:
        return 0
    office = db.session.scalars(
        sa.select(User).where(
            User.is_admin.is_(True), User.deleted_at.is_(None), User.blocked_at.is_(None)
        )
    ).all()
    written = 0
    for inquiry in inquiries:
        occasion = int(inquiry.awaiting_owner_since.timestamp())
        key = f"inquiry:{inquiry.id}:unanswered:{occasion}"
        common = {
            "related": ("inquiry", inquiry.id),
            "link": thread_path(inquiry),
            "inquiry": inquiry,
            "space_title": inquiry.space.title,
            "use": use_label(inquiry.intended_use),
            "days": days,
        }
        for owner in space_managers(inquiry.space):
            if not owner.is_active:
                continue
            note = outbox.queue(
                "inquiry_unanswered",
                recipient=owner,
                kind="request_pending",
                dedup_key=f"{key}:owner:{owner.id}",
                send_mail=owner.wants("request_pending"),
                audience="owner",
                **common,
            )
            written += note is not None
        if office:
            for person in office:
                note = outbox.queue(
                    "inquiry_unanswered",
                    recipient=person,
                    kind="inquiry_unanswered",
                    dedup_key=f"{key}:office:{person.id}",
                    audience="office",
                    **common,
                )
                written += note is not None
        else:
            note = outbox.queue(
                "inquiry_unanswered",
                to_address=current_app.config["CONTACT_EMAIL"],
                kind="inquiry_unanswered",
                dedup_key=f"{key}:office",
                audience="office",
                **common,
            )
            written += note is not None
    return written
