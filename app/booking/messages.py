"""Messages on a reservation: the borrower and the lender write to each other.

Each message is kept with the reservation and mailed to the other side through the
outbox. The mail comes from the site and links back to the reservation; neither side
sees the other's address.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from app.booking.service import roles_of
from app.db import utcnow
from app.errors import DomainError, Forbidden
from app.extensions import db
from app.models import Reservation, ReservationMessage, User
from app.notifications import outbox
from app.notifications.context import lenders_of, reservation_link

BODY_MAX = 2000


def author_role(reservation: Reservation, user: User | None) -> str | None:
    """"requester" or "lender" if the person may write on this reservation, else None."""
    roles = roles_of(reservation, user) if user is not None else set()
    if "requester" in roles:
        return "requester"
    if "lender" in roles:
        return "lender"
    return None


def thread(reservation: Reservation) -> list[ReservationMessage]:
    return list(db.session.scalars(
        sa.select(ReservationMessage)
        .where(ReservationMessage.reservation_id == reservation.id)
        .options(sa.orm.joinedload(ReservationMessage.author))
        .order_by(ReservationMessage.created_at, ReservationMessage.id)
    ))


def recipients(reservation: Reservation, author: User, role: str) -> list[User]:
    """The other side: the borrower for a lender's message, the lenders for the borrower's."""
    if role == "lender":
        people = [reservation.requester] if reservation.requester is not None else []
    else:
        people = lenders_of(reservation.resource)
    return [p for p in people if p is not None and p.id != author.id and p.deleted_at is None]


def post(
    reservation: Reservation, author: User, body: str, *, now: datetime | None = None
) -> ReservationMessage:
    """Write a message on the reservation; the other side gets it by mail too."""
    role = author_role(reservation, author)
    if role is None:
        raise Forbidden(_("Only the borrower and the lender can write here."))
    text = (body or "").strip()
    if not text:
        message = _("Please write a message.")
        raise DomainError(message, errors={"body": message})
    if len(text) > BODY_MAX:
        message = _("Please write at most %(n)s characters.", n=BODY_MAX)
        raise DomainError(message, errors={"body": message})
    note = ReservationMessage(reservation_id=reservation.id, author_id=author.id,
                              author_role=role, body=text, created_at=now or utcnow())
    db.session.add(note)
    db.session.flush()
    for person in recipients(reservation, author, role):
        outbox.queue(
            "lending_message",
            recipient=person,
            kind="messages",
            link=reservation_link(reservation) + "#messages",
            related=("reservation", reservation.id),
            send_mail=person.wants("messages"),
            title=reservation.resource.title,
            author_name=author.display_name,
            author_role=role,
            body=text,
        )
    return note
