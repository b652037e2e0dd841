"""The lender's desk: what a person who lends things has to do, and when.

A person lends the resources they own and those of every organisation they manage.
Everything on the desk comes from three queries, however many reservations there are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.booking.availability import local_date, local_midnight
from app.extensions import db
from app.models import Membership, Reservation, Resource, User
from app.models.reservation import HOLDING_STATUSES

CALENDAR_DAYS = 14


def managed_org_ids(user_id: int) -> sa.Select:
    """Organisations the person manages (as a subquery)."""
    return sa.select(Membership.organisation_id).where(
        Membership.user_id == user_id, Membership.role == "manager"
    )


def lent_by(user_id: int) -> sa.ColumnElement[bool]:
    """SQL condition on Resource: the person owns it or manages its organisation."""
    return sa.or_(
        Resource.owner_user_id == user_id,
        Resource.owner_org_id.in_(managed_org_ids(user_id)),
    )


def lent_resource_ids(user_id: int) -> sa.Select:
    return sa.select(Resource.id).where(lent_by(user_id))


def last_day(reservation: Reservation) -> date:
    """The local day a reservation ends on (a day booking ends at the next midnight)."""
    return local_date(reservation.end - timedelta(microseconds=1))


def contact_of(reservation: Reservation) -> dict[str, str | None]:
    """How to reach the borrower: account email and phone, or a guest's contact."""
    person = reservation.requester
    if person is not None:
        return {"name": person.display_name, "email": person.email, "phone": person.phone}
    return {"name": reservation.guest_name, "email": None, "phone": reservation.guest_contact}


@dataclass
class Waiting:
    reservation: Reservation
    waiting: timedelta


@dataclass
class Day:
    day: date
    reservations: list[Reservation] = field(default_factory=list)


@dataclass
class Desk:
    today: date
    requests: list[Waiting]
    handovers: dict[date, list[Reservation]]
    returns: dict[date, list[Reservation]]
    overdue: list[Reservation]
    days: list[Day]
    offers: list[Resource]

    @property
    def tomorrow(self) -> date:
        return self.today + timedelta(days=1)

    @property
    def lends_anything(self) -> bool:
        return bool(self.offers)


def desk_reservations(user: User, now: datetime) -> list[Reservation]:
    """Every reservation the desk may show: open requests, things out, the next two weeks."""
    today = local_date(now)
    window_start = local_midnight(today)
    window_end = local_midnight(today + timedelta(days=CALENDAR_DAYS))
    return list(
        db.session.scalars(
            sa.select(Reservation)
            .where(
                Reservation.resource_id.in_(lent_resource_ids(user.id)),
                Reservation.status.in_(HOLDING_STATUSES),
                sa.or_(
                    Reservation.status.in_(("requested", "handed_over")),
                    sa.and_(Reservation.start < window_end, Reservation.end > window_start),
                ),
            )
            .options(so.joinedload(Reservation.resource), so.joinedload(Reservation.requester))
            .order_by(Reservation.start, Reservation.id)
        ).unique()
    )


def my_offers(user: User) -> list[Resource]:
    """Resources the person lends, theirs and their organisations'."""
    return list(
        db.session.scalars(
            sa.select(Resource)
            .where(lent_by(user.id))
            .options(so.joinedload(Resource.owner_org))
            .order_by(Resource.title, Resource.id)
        ).unique()
    )


def lender_desk(user: User, now: datetime) -> Desk:
    """Everything on the person's desk as of `now`."""
    today = local_date(now)
    tomorrow = today + timedelta(days=1)
    reservations = desk_reservations(user, now)

    requests = sorted(
        (Waiting(r, now - r.created_at) for r in reservations if r.status == "requested"),
        key=lambda w: (w.reservation.created_at, w.reservation.id),
    )
    handovers: dict[date, list[Reservation]] = {today: [], tomorrow: []}
    returns: dict[date, list[Reservation]] = {today: [], tomorrow: []}
    overdue: list[Reservation] = []
    for r in reservations:
        if r.is_overdue(now):
            overdue.append(r)
            continue
        if not r.resource.handover_required:
            continue
        if r.status == "confirmed" and local_date(r.start) in handovers:
            handovers[local_date(r.start)].append(r)
        if r.status in ("confirmed", "handed_over") and last_day(r) in returns:
            returns[last_day(r)].append(r)
    overdue.sort(key=lambda r: r.end)

    days = [Day(today + timedelta(days=n)) for n in range(CALENDAR_DAYS)]
    bounds = [local_midnight(today + timedelta(days=n)) for n in range(CALENDAR_DAYS + 1)]
    for r in reservations:
        if r.is_overdue(now):
            continue
        for entry, start, end in zip(days, bounds, bounds[1:], strict=False):
            if r.start < end and r.end > start:
                entry.reservations.append(r)
    return Desk(
        today=today,
        requests=requests,
        handovers=handovers,
        returns=returns,
        overdue=overdue,
        days=days,
        offers=my_offers(user),
    )

