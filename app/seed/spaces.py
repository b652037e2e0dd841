"""Demo vacant spaces around Witzenhausen and inquiries in every state (idempotent).

Spaces are found by title, inquiries by space and applicant, so running this twice
changes nothing. The catalogue seeds spaces of its own; these titles are distinct.
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from app.auth.service import create_user, find_user
from app.booking.availability import day_period, local_date
from app.db import utcnow, write_transaction
from app.extensions import db
from app.models import Inquiry, InquiryEvent, Organisation, Resource, User

OWNER_ORG_SLUG = "hausverwaltung-steinweg"
FALLBACK_OWNER = ("eigentuemer@allmende.example", "Eigentümer Demo")
DEMO_PASSWORD = "allmende-demo"

# title: (district, address, lat, lon, fields, owned by the organisation?)
SPACES: dict[str, tuple[str, str, float, float, dict, bool]] = {
    "Ehemaliger Buchladen am Marktplatz": (
        "Kernstadt",
        "Marktplatz 5, 37213 Witzenhausen",
        51.3427,
        9.8585,
        {
            "area_m2": 85,
            "floor": 0,
            "step_free": True,
            "shop_window": True,
            "rent_model": "utilities",
            "permitted_uses": ["popup_shop", "exhibition", "event"],
            "description": (
                "Heller Laden mit zwei großen Schaufenstern direkt am Marktplatz. "
                "Regale und Theke sind noch vorhanden, Strom und Wasser angeschlossen."
            ),
        },
        True,
    ),
    "Werkstatt im Hinterhof Walburger Straße": (
        "Kernstadt",
        "Walburger Straße 18, 37213 Witzenhausen",
        51.3405,
        9.8612,
        {
            "area_m2": 120,
            "floor": 0,
            "step_free": False,
            "shop_window": False,
            "rent_model": "reduced",
            "permitted_uses": ["workshop", "other"],
            "description": (
                "Ehemalige Tischlerei mit Starkstrom, Werkbänken und Tor zum Hof. "
                "Eine Stufe am Eingang."
            ),
        },
        True,
    ),
    "Büroetage über der Apotheke": (
        "Kernstadt",
        "Ermschwerder Straße 3, 37213 Witzenhausen",
        51.3446,
        9.8556,
        {
            "area_m2": 95,
            "floor": 1,
            "step_free": False,
            "shop_window": False,
            "rent_model": "negotiable",
            "permitted_uses": ["office", "workshop"],
            "description": (
                "Drei Büroräume und eine kleine Küche im ersten Stock, Treppe ohne Aufzug. "
                "Ideal für ein Gemeinschaftsbüro."
            ),
        },
        True,
    ),
    "Altes Postamt Gertenbach": (
        "Gertenbach",
        "Hauptstraße 40, 37217 Witzenhausen-Gertenbach",
        51.3722,
        9.8196,
        {
            "area_m2": 140,
            "floor": 0,
            "step_free": True,
            "shop_window": True,
            "rent_model": "negotiable",
            "permitted_uses": ["exhibition", "event", "office"],
            "description": (
                "Der frühere Schalterraum mit hoher Decke eignet sich für Ausstellungen "
                "und Veranstaltungen. Barrierefreier Zugang über die Rampe."
            ),
        },
        True,
    ),
    "Dorfladen Ermschwerd": (
        "Ermschwerd",
        "Kirchstraße 2, 37213 Witzenhausen-Ermschwerd",
        51.3587,
        9.8430,
        {
            "area_m2": 70,
            "floor": 0,
            "step_free": True,
            "shop_window": True,
            "rent_model": "free",
            "permitted_uses": ["popup_shop", "workshop", "event"],
            "description": (
                "Der alte Dorfladen steht seit einem Jahr leer. Das Dorf wünscht sich "
                "wieder einen Treffpunkt, gern einen Hofladen oder ein Café auf Zeit."
            ),
        },
        True,
    ),
    "Scheune am Ortsrand Hubenrode": (
        "Hubenrode",
        "Am Anger 7, 37213 Witzenhausen-Hubenrode",
        51.3229,
        9.8841,
        {
            "area_m2": 200,
            "floor": 0,
            "step_free": True,
            "shop_window": False,
            "rent_model": "utilities",
            "permitted_uses": ["event", "exhibition", "workshop"],
            "description": (
                "Große, trockene Scheune mit befestigtem Boden, privat vermietet. "
                "Für Feste, Ausstellungen und Werkstatt-Wochenenden."
            ),
        },
        False,
    ),
}

# (space title, applicant email, organisation slug or None, use, start in days, length, status)
INQUIRIES = (
    (
        "Ehemaliger Buchladen am Marktplatz",
        "emma.fischer@allmende.example",
        None,
        "popup_shop",
        21,
        30,
        "open",
        "Ich möchte für einen Monat einen Laden für reparierte und upgecycelte Kleidung "
        "eröffnen, mit Nähcafé an zwei Nachmittagen pro Woche.",
    ),
    (
        "Dorfladen Ermschwerd",
        "lukas.hoffmann@allmende.example",
        "lastenrad-initiative",
        "workshop",
        14,
        10,
        "open",  # left unanswered: the reminder to owner and office is due
        "Eine Lastenrad-Werkstatt auf Zeit: Räder warten, Probefahrten anbieten und "
        "zeigen, wie man im Dorf ohne Auto einkauft.",
    ),
    (
        "Altes Postamt Gertenbach",
        "marta.nowak@allmende.example",
        "kulturverein-werraland",
        "exhibition",
        30,
        21,
        "proposed",
        "Eine Ausstellung mit Fotografien aus 100 Jahren Werratal, mit Lesungen am Wochenende.",
    ),
    (
        "Werkstatt im Hinterhof Walburger Straße",
        "jonas.becker@allmende.example",
        "repair-cafe-witzenhausen",
        "workshop",
        0,
        60,
        "accepted",
        "Das Repair-Café sucht eine Werkstatt für die Wintermonate, um wöchentlich statt "
        "monatlich reparieren zu können.",
    ),
    (
        "Büroetage über der Apotheke",
        "tom.weber@allmende.example",
        None,
        "office",
        10,
        90,
        "declined",
        "A shared office for three freelancers working on regional food projects.",
    ),
    (
        "Dorfladen Ermschwerd",
        "petra.schulz@allmende.example",
        "unverpackt-laden-witzenhausen",
        "popup_shop",
        40,
        14,
        "withdrawn",
        "Ein Unverpackt-Laden auf Zeit im Dorf, zwei Wochen zur Probe.",
    ),
)


def _owners() -> tuple[Organisation | None, User, list[str]]:
    """The property management (from the people seed) and its manager, or a stand-in."""
    lines: list[str] = []
    org = db.session.scalar(sa.select(Organisation).where(Organisation.slug == OWNER_ORG_SLUG))
    if org is not None and org.managers:
        return org, org.managers[0], lines
    email, name = FALLBACK_OWNER
    person = find_user(email)
    if person is None:
        person = create_user(email, DEMO_PASSWORD, name, locale="de", confirmed=True)
        lines.append(f"spaces: created property owner {email}")
    return None, person, lines


def _space(
    title: str, org: Organisation | None, person: User, today: date
) -> tuple[Resource, bool]:
    from app.catalogue.service import create_resource

    existing = db.session.scalar(
        sa.select(Resource).where(Resource.kind == "space", Resource.title == title)
    )
    if existing is not None:
        return existing, False
    district, address, lat, lon, fields, by_org = SPACES[title]
    data = {
        "title": title,
        "district": district,
        "address": address,
        "lat": lat,
        "lon": lon,
        "available_from": today - timedelta(days=30),
        "available_until": today + timedelta(days=365),
        **fields,
    }
    space = create_resource(person, "space", data, organisation=org if by_org else None)
    return space, True


def _event(inquiry: Inquiry, actor, role, action, status, *, body="", period=None, at=None):
    inquiry.events.append(
        InquiryEvent(
            actor=actor,
            role=role,
            action=action,
            body=body,
            period_from=period[0] if period else None,
            period_until=period[1] if period else None,
            from_status=inquiry.status if action != "created" else None,
            to_status=status,
            at=at or utcnow(),
        )
    )
    inquiry.status = status


def _inquiry(row, spaces: dict[str, Resource], owner: User, today: date) -> bool:
    from app.booking.service import book_space

    title, email, slug, use, offset, length, status, concept = row
    space = spaces[title]
    applicant = find_user(email)
    if applicant is None:
        return False
    exists = db.session.scalar(
        sa.select(Inquiry.id).where(
            Inquiry.space_id == space.id, Inquiry.applicant_id == applicant.id
        )
    )
    if exists is not None:
        return False
    org = None
    if slug:
        org = db.session.scalar(sa.select(Organisation).where(Organisation.slug == slug))
    first = today + timedelta(days=offset)
    last = first + timedelta(days=length - 1)
    now = utcnow()
    sent = now - timedelta(days=8 if status == "open" and slug else 3)
    inquiry = Inquiry(
        space=space,
        applicant=applicant,
        organisation=org if org is not None and org.is_member(applicant) else None,
        intended_use=use,
        concept=concept,
        wished_from=first,
        wished_until=last,
        period_from=first,
        period_until=last,
        status="open",
        awaiting_owner_since=sent,
        created_at=sent,
    )
    db.session.add(inquiry)
    _event(inquiry, applicant, "applicant", "created", "open", period=(first, last), at=sent)
    answered = sent + timedelta(days=1)
    if status == "open":
        return True
    inquiry.awaiting_owner_since = None
    if status == "proposed":
        later = (first + timedelta(days=14), last + timedelta(days=14))
        inquiry.period_from, inquiry.period_until = later
        _event(
            inquiry,
            owner,
            "owner",
            "proposed",
            "proposed",
            period=later,
            at=answered,
            body="Im gewünschten Zeitraum wird noch renoviert. Passt es zwei Wochen später?",
        )
    elif status == "accepted":
        start, end = day_period(first, last)
        reservation = book_space(
            space, applicant, start, end, owner, "Zwischennutzung: Werkstatt des Repair-Cafés"
        )
        inquiry.reservation = reservation
        inquiry.decided_at = answered
        _event(
            inquiry,
            owner,
            "owner",
            "message",
            "open",
            at=answered,
            body="Gern! Der Schlüssel liegt bei uns im Büro am Steinweg.",
        )
        _event(inquiry, owner, "owner", "accepted", "accepted", period=(first, last), at=now)
    elif status == "declined":
        reason = "Die Etage ist ab dem Frühjahr fest vermietet."
        inquiry.decline_reason = reason
        inquiry.decided_at = answered
        _event(inquiry, owner, "owner", "declined", "declined", body=reason, at=answered)
    elif status == "withdrawn":
        inquiry.decided_at = answered
        _event(
            inquiry,
            applicant,
            "applicant",
            "withdrawn",
            "withdrawn",
            at=answered,
            body="Wir haben inzwischen einen festen Laden gefunden.",
        )
    return True


def run() -> list[str]:
    """Create the demo spaces and inquiries that do not exist yet."""
    lines: list[str] = []
    with write_transaction():
        today = local_date(utcnow())
        org, person, created_lines = _owners()
        lines.extend(created_lines)
        spaces: dict[str, Resource] = {}
        for title in SPACES:
            spaces[title], created = _space(title, org, person, today)
            if created:
                lines.append(f"spaces: created {title}")
        db.session.flush()
        made = sum(_inquiry(row, spaces, person, today) for row in INQUIRIES)
        if made:
            lines.append(f"spaces: created {made} inquiries (open, proposed, accepted ...)")
    if not lines:
        lines.append("spaces: demo spaces and inquiries exist already")
    return lines
