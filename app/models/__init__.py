"""All models, imported here so that Alembic and the app see the whole schema."""

from app.models.availability import Closure, OpeningHours
from app.models.catalogue import Category, Photo, Resource, SearchTerm
from app.models.inquiry import Inquiry, InquiryEvent
from app.models.lending import (
    DefectReport,
    LenderPolicy,
    ReservationMessage,
    TermsAcceptance,
    WaitlistEntry,
)
from app.models.network import PublicEvent, Wish, WishAnswer
from app.models.notification import Notification, SchedulerLease
from app.models.org import Invitation, Membership, Organisation
from app.models.report import Report
from app.models.reservation import Reservation, ReservationEvent
from app.models.user import ApiToken, User

__all__ = [
    "ApiToken",
    "Category",
    "Closure",
    "DefectReport",
    "Inquiry",
    "InquiryEvent",
    "Invitation",
    "LenderPolicy",
    "Membership",
    "Notification",
    "OpeningHours",
    "Organisation",
    "Photo",
    "PublicEvent",
    "Report",
    "Reservation",
    "ReservationEvent",
    "ReservationMessage",
    "Resource",
    "SchedulerLease",
    "SearchTerm",
    "TermsAcceptance",
    "User",
    "WaitlistEntry",
    "Wish",
    "WishAnswer",
]
