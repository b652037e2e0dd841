"""All models, imported here so that Alembic and the app see the whole schema."""

from app.models.availability import Closure, OpeningHours
from app.models.catalogue import Category, Photo, Resource, SearchTerm
from app.models.notification import Notification, SchedulerLease
from app.models.org import Invitation, Membership, Organisation
from app.models.reservation import Reservation, ReservationEvent
from app.models.user import ApiToken, User

__all__ = [
    "ApiToken",
    "Category",
    "Closure",
    "Invitation",
    "Membership",
    "Notification",
    "OpeningHours",
    "Organisation",
    "Photo",
    "Reservation",
    "ReservationEvent",
    "Resource",
    "SchedulerLease",
    "SearchTerm",
    "User",
]
