"""The board of wishes and public events: plain functions, the actor passed in."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload

from app.errors import DomainError, Forbidden
from app.extensions import db
from app.models import (
    Organisation,
    PublicEvent,
    Reservation,
    Resource,
    User,
    Wish,
    WishAnswer,
)
from app.notifications import outbox

EVENT_STATUSES = ("confirmed", "handed_over", "returned")
MAX_WISH_DAYS = 180


def site_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def local_today() -> date:
    return datetime.now(site_zone()).date()


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=site_zone())


# ------------------------------------------------------------------ wishes ----
def post_wish(
    author: User,
    *,
    title: str,
    description: str = "",
    category_id: int | None = None,
    district: str | None = None,
    wanted_from: date | None = None,
    wanted_until: date | None = None,
    expires_on: date | None = None,
    organisation: Organisation | None = None,
    today: date | None = None,
) -> Wish:
    """A new wish on the board; it leaves the board by itself after `expires_on`."""
    today = today or local_today()
    if organisation is not None and not organisation.is_member(author):
        raise Forbidden(_("You can post for an organisation only as one of its members."))
    if wanted_from and wanted_until and wanted_until < wanted_from:
        raise DomainError(
            _("The end must not lie before the start."), errors={"wanted_until": _("Too early.")}
        )
    if expires_on is None:
        expires_on = wanted_until or wanted_from or today + timedelta(days=30)
    if expires_on < today:
        raise DomainError(
            _("The wish would be expired already."), errors={"expires_on": _("In the past.")}
        )
    if expires_on > today + timedelta(days=MAX_WISH_DAYS):
        raise DomainError(
            _("A wish can stay on the board for at most %(days)s days.", days=MAX_WISH_DAYS),
            errors={"expires_on": _("Too far ahead.")},
        )
    wish = Wish(
        author=author,
        organisation=organisation,
        title=title.strip(),
        description=description.strip(),
        category_id=category_id,
        district=district or None,
        wanted_from=wanted_from,
        wanted_until=wanted_until,
        expires_on=expires_on,
        status="open",
    )
    db.session.add(wish)
    db.session.flush()
    return wish


def board_query(
    today: date,
    *,
    q: str | None = None,
    category_id: int | None = None,
    district: str | None = None,
) -> Select:
    """Open wishes that have not expired, newest first."""
    query = (
        select(Wish)
        .where(Wish.status == "open", Wish.expires_on >= today)
        .options(selectinload(Wish.category), selectinload(Wish.organisation))
        .order_by(Wish.created_at.desc(), Wish.id.desc())
    )
    if q:
        pattern = f"%{q.strip().lower()}%"
        query = query.where(
            or_(
                db.func.lower(Wish.title).like(pattern),
                db.func.lower(Wish.description).like(pattern),
            )
        )
    if category_id:
        query = query.where(Wish.category_id == category_id)
    if district:
        query = query.where(Wish.district == district)
    return query


def reservation_link(resource_id: int, start: datetime | None, end: datetime | None) -> str:
    """The reservation form of a resource with the period filled in."""
    from urllib.parse import urlencode

    params = {}
    if start is not None:
        params["start"] = start.astimezone(site_zone()).isoformat(timespec="minutes")
    if end is not None:
        params["end"] = end.astimezone(site_zone()).isoformat(timespec="minutes")
    path = f"/resources/{resource_id}/reserve"
    return f"{path}?{urlencode(params)}" if params else path


def wish_period(wish: Wish) -> tuple[datetime | None, datetime | None]:
    """The wished days as a period [first day 00:00, last day + 1 00:00) local time."""
    if wish.wanted_from is None:
        return None, None
    last = wish.wanted_until or wish.wanted_from
    return local_midnight(wish.wanted_from), local_midnight(last + timedelta(days=1))


def answer_wish(
    wish: Wish,
    author: User,
    *,
    message: str = "",
    resource: Resource | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    today: date | None = None,
) -> WishAnswer:
    """Answer with a message or by offering a resource; the wisher is told at once."""
    today = today or local_today()
    if not wish.is_open(today):
        raise DomainError(_("This wish is no longer open."))
    if wish.author_id == author.id:
        raise Forbidden(_("You cannot answer your own wish."))
    if resource is not None and not resource.can_manage(author):
        raise Forbidden(_("You can only offer resources that you manage."))
    if resource is None and not message.strip():
        raise DomainError(
            _("Please write a message or offer a resource."),
            errors={"message": _("Please write a message or offer a resource.")},
        )
    if resource is not None and start is None:
        start, end = wish_period(wish)
    answer = WishAnswer(
        wish=wish, author=author, message=message.strip(), resource=resource, start=start, end=end
    )
    db.session.add(answer)
    db.session.flush()
    if wish.author is not None and wish.author.deleted_at is None:
        link = (
            reservation_link(resource.id, start, end)
            if resource is not None
            else f"/wanted/{wish.id}"
        )
        outbox.queue(
            "wish_answer",
            recipient=wish.author,
            kind="messages",
            link=link,
            related=("wish", wish.id),
            send_mail=wish.author.wants("messages"),
            wish=wish,
            answer=answer,
            answerer=author.display_name,
            resource_title=resource.title if resource is not None else None,
            wish_url=outbox.absolute_url(f"/wanted/{wish.id}"),
        )
    return answer


def close_wish(wish: Wish, actor: User, *, fulfilled: bool = True) -> None:
    if wish.author_id != actor.id and not actor.is_admin:
        raise Forbidden(_("Only the person who posted the wish can close it."))
    if wish.status != "open":
        raise DomainError(_("This wish is closed already."))
    from app.db import utcnow

    wish.status = "fulfilled" if fulfilled else "closed"
    wish.closed_at = utcnow()


# ------------------------------------------------------------------ events ----
def can_publish(reservation: Reservation, actor: User) -> bool:
    return (
        reservation.requester_id == actor.id
        and reservation.resource.kind in ("room", "space")
        and reservation.status in ("requested", "confirmed", "handed_over")
    )


def publish_event(
    reservation: Reservation,
    actor: User,
    *,
    title: str,
    description: str = "",
    access: str = "open",
    contact: str | None = None,
    organisation: Organisation | None = None,
) -> list[PublicEvent]:
    """Make a room booking a public event; a booking of a series makes the whole series one."""
    if not can_publish(reservation, actor):
        raise Forbidden(_("Only the person who booked a room can make it a public event."))
    if access not in ("open", "registration"):
        raise DomainError(_("Please choose who may come."), errors={"access": _("Invalid choice.")})
    if organisation is not None and not organisation.is_member(actor):
        raise Forbidden(_("You can name an organisation only as one of its members."))
    reservations = [reservation]
    if reservation.series_id:
        reservations = db.session.scalars(
            select(Reservation).where(
                Reservation.series_id == reservation.series_id,
                Reservation.requester_id == actor.id,
                Reservation.status.in_(("requested", "confirmed", "handed_over")),
            )
        ).all()
    existing = {
        e.reservation_id: e
        for e in db.session.scalars(
            select(PublicEvent).where(PublicEvent.reservation_id.in_([r.id for r in reservations]))
        )
    }
    events = []
    for item in reservations:
        event = existing.get(item.id) or PublicEvent(reservation=item, created_by_id=actor.id)
        event.title = title.strip()
        event.description = description.strip()
        event.access = access
        event.contact = (contact or "").strip() or None
        event.organisation = organisation
        db.session.add(event)
        events.append(event)
    db.session.flush()
    return events


def withdraw_event(event: PublicEvent, actor: User) -> None:
    if event.reservation.requester_id != actor.id and not actor.is_admin:
        raise Forbidden(_("Only the organiser can withdraw the event."))
    db.session.delete(event)


def events_query(
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    organisation_id: int | None = None,
    district: str | None = None,
) -> Select:
    """Public events of reservations that stand, in time order; never who booked."""
    query = (
        select(PublicEvent)
        .join(PublicEvent.reservation)
        .join(Reservation.resource)
        .where(
            Reservation.status.in_(EVENT_STATUSES),
            Resource.hidden_at.is_(None),
            Resource.visibility == "public",
        )
        .options(
            selectinload(PublicEvent.reservation).selectinload(Reservation.resource),
            selectinload(PublicEvent.organisation),
        )
        .order_by(Reservation.start, PublicEvent.id)
    )
    if start is not None:
        query = query.where(Reservation.end > start)
    if end is not None:
        query = query.where(Reservation.start < end)
    if organisation_id:
        query = query.where(PublicEvent.organisation_id == organisation_id)
    if district:
        query = query.where(Resource.district == district)
    return query


def visible_event(event_id: int) -> PublicEvent | None:
    return db.session.scalar(events_query().where(PublicEvent.id == event_id))
