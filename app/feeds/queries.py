"""The reservations that feeds show, each list in one query."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.manage.desk import lent_resource_ids
from app.models import Reservation, Resource, User
from app.models.reservation import HOLDING_STATUSES


def feed_reservations(user: User, since: datetime) -> list[Reservation]:
    """A person's feed: their own reservations and those of everything they lend."""
    return list(
        db.session.scalars(
            sa.select(Reservation)
            .where(
                sa.or_(
                    Reservation.requester_id == user.id,
                    Reservation.resource_id.in_(lent_resource_ids(user.id)),
                ),
                Reservation.end >= since,
            )
            .options(so.joinedload(Reservation.resource), so.joinedload(Reservation.requester))
            .order_by(Reservation.start, Reservation.id)
        ).unique()
    )


def busy_reservations(resource: Resource, since: datetime, until: datetime) -> list[Reservation]:
    """Holding reservations of one resource between two instants (for the public feed)."""
    return list(
        db.session.scalars(
            sa.select(Reservation)
            .where(
                Reservation.resource_id == resource.id,
                Reservation.status.in_(HOLDING_STATUSES),
                Reservation.start < until,
                sa.or_(Reservation.end >= since, Reservation.status == "handed_over"),
            )
            .order_by(Reservation.start, Reservation.id)
        )
    )
