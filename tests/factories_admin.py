"""Creator fixtures for the project office's tests: admin_resource(), admin_reservation() ..."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from app.db import utcnow
from app.extensions import db
from app.models import (
    Category,
    Notification,
    OpeningHours,
    Organisation,
    Report,
    Reservation,
    Resource,
    User,
)

_counter = itertools.count(1)
BERLIN = ZoneInfo("Europe/Berlin")


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A wall-clock time in the site's zone (Europe/Berlin) as an aware UTC datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN).astimezone(UTC)


@pytest.fixture
def admin_person(db_session, make_user) -> Callable[..., User]:
    """A confirmed person with the default password, hashed cheaply (make_user)."""

    def _make(email: str | None = None, *, name: str | None = None, admin: bool = False,
              locale: str = "de") -> User:
        n = next(_counter)
        return make_user(email or f"admin-test-{n}@example.org", name=name or f"Mensch {n}",
                         admin=admin, locale=locale)

    return _make


@pytest.fixture
def admin_local() -> Callable[..., datetime]:
    return local


@pytest.fixture
def admin_category(db_session) -> Callable[..., Category]:
    def _make(
        name: str | None = None,
        *,
        purchase_cents: int | None = None,
        co2_grams: int | None = None,
        position: int = 0,
        name_en: str | None = None,
    ) -> Category:
        n = next(_counter)
        category = Category(
            slug=f"category-{n}",
            name_de=name or f"Kategorie {n}",
            name_en=name_en or name or f"Category {n}",
            position=position,
            avoided_purchase_cents=purchase_cents,
            avoided_co2_grams=co2_grams,
        )
        db.session.add(category)
        db.session.commit()
        return category

    return _make


@pytest.fixture
def admin_hours(db_session) -> Callable[..., list[OpeningHours]]:
    """Weekly opening hours for a resource or an organisation (0 = Monday)."""

    def _make(
        *,
        resource: Resource | None = None,
        org: Organisation | None = None,
        weekdays: Iterable[int] = range(6),
        opens: time = time(9),
        closes: time = time(18),
    ) -> list[OpeningHours]:
        rows = [
            OpeningHours(
                resource_id=resource.id if resource else None,
                organisation_id=org.id if org else None,
                weekday=weekday,
                opens=opens,
                closes=closes,
            )
            for weekday in weekdays
        ]
        db.session.add_all(rows)
        db.session.commit()
        return rows

    return _make


@pytest.fixture
def admin_resource(db_session) -> Callable[..., Resource]:
    def _make(
        kind: str = "item",
        *,
        owner: User | None = None,
        org: Organisation | None = None,
        title: str | None = None,
        category: Category | None = None,
        units: int = 1,
        status: str = "active",
        own_hours: bool = True,
        requires_approval: bool = False,
    ) -> Resource:
        assert (owner is None) != (org is None), "a resource has one owner"
        n = next(_counter)
        resource = Resource(
            kind=kind,
            owner_user_id=owner.id if owner else None,
            owner_org_id=org.id if org else None,
            title=title or f"Sache {n}",
            description="",
            search_text="",
            category_id=category.id if category else None,
            district="Kernstadt",
            units=units,
            status=status,
            visibility="public",
            own_hours=own_hours,
            granularity="slot" if kind == "room" else "day",
            requires_approval=requires_approval,
            permitted_uses=[],
        )
        db.session.add(resource)
        db.session.commit()
        return resource

    return _make


@pytest.fixture
def admin_reservation(db_session) -> Callable[..., Reservation]:
    def _make(
        resource: Resource,
        requester: User | None,
        start: datetime,
        end: datetime,
        *,
        status: str = "returned",
        units: int = 1,
        created_at: datetime | None = None,
        message: str = "",
        guest_name: str | None = None,
    ) -> Reservation:
        reservation = Reservation(
            resource_id=resource.id,
            requester_id=requester.id if requester else None,
            guest_name=guest_name,
            start=start,
            end=end,
            units=units,
            status=status,
            message=message,
            created_at=created_at or utcnow(),
        )
        db.session.add(reservation)
        db.session.commit()
        return reservation

    return _make


@pytest.fixture
def admin_failed_mail(db_session) -> Callable[..., Notification]:
    def _make(recipient: User, *, subject: str = "Erinnerung", attempts: int = 5) -> Notification:
        note = Notification(
            recipient_id=recipient.id,
            to_address=recipient.email,
            locale="de",
            kind="reminder_start",
            subject=subject,
            body_text="Hallo",
            state="failed",
            attempts=attempts,
            last_error="451 local error",
        )
        db.session.add(note)
        db.session.commit()
        return note

    return _make


@pytest.fixture
def admin_report(db_session) -> Callable[..., Report]:
    def _make(
        reporter: User,
        resource: Resource,
        *,
        reason: str = "spam",
        text: str = "",
        state: str = "open",
    ) -> Report:
        report = Report(
            reporter_id=reporter.id,
            target_type="resource",
            target_id=resource.id,
            target_label=resource.title,
            reason=reason,
            text=text,
            state=state,
        )
        db.session.add(report)
        db.session.commit()
        return report

    return _make
