"""Demo wishes and a month of public events (idempotent: looks up by title and date)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from app.auth.service import find_user
from app.booking import service as booking
from app.db import write_transaction
from app.errors import DomainError
from app.extensions import db
from app.models import Category, Organisation, PublicEvent, Reservation, Resource, Wish
from app.network.service import local_today, site_zone
from app.seed.people import EMAILS, SLUGS

# (title, description, wisher, organisation key or None, category slug, days from today, status)
WISHES = [
    (
        "Anhänger für Gartenabfälle am Samstag",
        "Für einen Vormittag, Kupplung ist vorhanden.",
        "resident",
        None,
        "mobility",
        5,
        "open",
    ),
    (
        "Raum für 12 Personen donnerstags",
        "Für unsere Nähgruppe, gern mit Tischen und Steckdosen.",
        "culture",
        "culture",
        "meeting-rooms",
        14,
        "open",
    ),
    (
        "Schaufenster für einen Pop-up im März",
        "Kleine Ausstellung regionaler Keramik.",
        "shop",
        "shop",
        "shop-spaces",
        60,
        "open",
    ),
    (
        "Hochdruckreiniger für die Terrasse",
        "Ein Wochenende reicht.",
        "resident_en",
        None,
        "tools",
        10,
        "open",
    ),
    (
        "Festzeltgarnituren für das Hoffest",
        "Sechs Garnituren für Sonntag.",
        "garden",
        "garden",
        "kitchen-party",
        -20,
        "fulfilled",
    ),
]

# (title, description, room title, organiser key, weekday (0=Mon), start hour, end hour, access)
EVENTS = [
    (
        "Repair-Café",
        "Wir reparieren gemeinsam Toaster, Fahrräder und Kleidung. Kaffee und Kuchen inklusive.",
        "Werkstattraum des Repair-Cafés",
        "repair",
        5,
        14,
        17,
        "open",
    ),
    (
        "Saatgut-Tausch",
        "Samen aus eigenen Gärten tauschen, Tipps zur Anzucht.",
        "Vereinsraum Kulturverein",
        "culture",
        3,
        15,
        17,
        "open",
    ),
    (
        "Netzwerktreffen Wirtschaftsförderung 4.0",
        "Initiativen, Betriebe und Eigentümer lernen sich kennen.",
        "Besprechungsraum am Markt",
        "office",
        2,
        16,
        18,
        "registration",
    ),
]


def run() -> list[str]:
    today = local_today()
    with write_transaction():
        wishes = _wishes(today)
    events = _events(today)
    return [f"network: created {wishes} wishes and {events} public events"]


def _wishes(today: date) -> int:
    existing = set(db.session.scalars(select(Wish.title)))
    categories = {c.slug: c.id for c in db.session.scalars(select(Category))}
    created = 0
    for title, description, person, org_key, category, days, status in WISHES:
        author = find_user(EMAILS[person])
        if title in existing or author is None:
            continue
        org = None
        if org_key:
            org = db.session.scalar(select(Organisation).where(Organisation.slug == SLUGS[org_key]))
        day = today + timedelta(days=days)
        db.session.add(
            Wish(
                author=author,
                organisation=org,
                title=title,
                description=description,
                category_id=categories.get(category),
                wanted_from=day,
                wanted_until=day,
                expires_on=max(day, today) if status == "open" else day,
                status=status,
            )
        )
        created += 1
    return created


def _events(today: date) -> int:
    zone = site_zone()
    created = 0
    for title, description, room_title, organiser, weekday, start_hour, end_hour, access in EVENTS:
        with write_transaction():
            room = db.session.scalar(select(Resource).where(Resource.title == room_title))
            booker = find_user(EMAILS[organiser])
            org = db.session.scalar(
                select(Organisation).where(Organisation.slug == SLUGS[organiser])
            )
            if room is None or booker is None:
                continue
            known = {
                e.reservation.start
                for e in db.session.scalars(select(PublicEvent).where(PublicEvent.title == title))
            }
        # The next four weekly dates, at least two days ahead.
        first = today + timedelta(days=2)
        first += timedelta(days=(weekday - first.weekday()) % 7)
        for week in range(4):
            day = first + timedelta(weeks=week)
            start = datetime.combine(day, time(start_hour), tzinfo=zone)
            end = datetime.combine(day, time(end_hour), tzinfo=zone)
            if any(k == start for k in known):
                continue
            try:
                with write_transaction():
                    reservation: Reservation = booking.reserve(room, booker, start, end)
                    db.session.add(
                        PublicEvent(
                            reservation=reservation,
                            title=title,
                            description=description,
                            access=access,
                            contact=booker.email if access == "registration" else None,
                            organisation=org,
                            created_by_id=booker.id,
                        )
                    )
                created += 1
            except DomainError:
                continue  # taken or closed that day: the demo does without it
    return created
