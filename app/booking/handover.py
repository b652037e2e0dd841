"""Handover codes: a short code both sides see, entered by the lender at handover and return.

Each confirmed reservation of something whose handover is recorded gets a code of six
characters without look-alikes (no I, O, 0, 1), set by the booking service. The
borrower shows it at the counter or leaves it with the key box; the lender confirms
the handover (and later the return) by entering it, which proves that the person in
front of them is the borrower. Resources that need a briefing ask the lender to
confirm at handover that the briefing was given.
"""

from __future__ import annotations

import hmac
import re
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from app.booking import service
from app.db import utcnow
from app.errors import Conflict, DomainError
from app.extensions import db
from app.models import Membership, Reservation, Resource, User

CODE_PATTERN = re.compile(r"^[A-Z2-9]{6}$")


def normalise(code: str | None) -> str:
    """Upper case without spaces and dashes ("ab3-k7x" -> "AB3K7X")."""
    return re.sub(r"[\s\-]", "", code or "").upper()


def _wrong_code() -> DomainError:
    message = _("The code does not match this reservation.")
    return DomainError(message, errors={"code": message}, reason="wrong_code")


def check_code(reservation: Reservation, code: str | None) -> None:
    """Raise unless `code` is the reservation's handover code."""
    if not reservation.handover_code:
        raise Conflict(_("This reservation has no handover code."))
    given = normalise(code)
    if not given:
        message = _("Please enter the code.")
        raise DomainError(message, errors={"code": message})
    if not hmac.compare_digest(given.encode(), reservation.handover_code.upper().encode()):
        raise _wrong_code()


def find_by_code(actor: User, code: str | None) -> Reservation | None:
    """A reservation to hand over or take back with this code, among what the person lends."""
    given = normalise(code)
    if not CODE_PATTERN.match(given):
        return None
    managed = sa.select(Membership.organisation_id).where(
        Membership.user_id == actor.id, Membership.role == "manager"
    )
    return db.session.scalar(
        sa.select(Reservation)
        .join(Resource, Resource.id == Reservation.resource_id)
        .where(
            Reservation.handover_code == given,
            Reservation.status.in_(("confirmed", "handed_over")),
            sa.or_(Resource.owner_user_id == actor.id, Resource.owner_org_id.in_(managed)),
        )
        .order_by(Reservation.start)
        .limit(1)
    )


def hand_over_with_code(
    reservation: Reservation,
    actor: User,
    code: str | None,
    *,
    briefing_given: bool = False,
    deposit_taken_cents: int | None = None,
    fee_paid_cents: int | None = None,
    note: str = "",
    now: datetime | None = None,
) -> Reservation:
    """The lender confirms the handover by entering the borrower's code."""
    now = now or utcnow()
    if "hand_over" not in service.allowed_actions(reservation, actor, now):
        # the service says why (not allowed, wrong state ...) before the code is looked at
        return service.hand_over(reservation, actor, now=now)
    check_code(reservation, code)
    return service.hand_over(
        reservation, actor, briefing_given=briefing_given,
        deposit_taken_cents=deposit_taken_cents, fee_paid_cents=fee_paid_cents, note=note,
        now=now,
    )


def return_with_code(
    reservation: Reservation,
    actor: User,
    code: str | None,
    *,
    condition: str = "",
    deposit_returned_cents: int | None = None,
    now: datetime | None = None,
) -> Reservation:
    """The lender confirms the return by entering the borrower's code."""
    now = now or utcnow()
    if "return" not in service.allowed_actions(reservation, actor, now):
        return service.record_return(reservation, actor, now=now)
    check_code(reservation, code)
    return service.record_return(reservation, actor, condition=condition,
                                 deposit_returned_cents=deposit_returned_cents, now=now)
