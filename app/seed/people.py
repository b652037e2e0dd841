"""Demo people and organisations of a small town (idempotent: looks up by email and slug).

Seeds of other areas run after this one and find people with `EMAILS` and
organisations with `SLUGS`, e.g. `find_user(EMAILS["repair"])`.
"""

from __future__ import annotations

from sqlalchemy import select

from app.auth.service import create_user, find_user
from app.db import utcnow, write_transaction
from app.extensions import db
from app.models import Membership, Organisation, User
from app.orgs.service import Profile, create_org

PASSWORD = "allmende-demo"

EMAILS = {
    "office": "office@allmende.example",  # administrator, the town's project office
    "repair": "jonas.becker@allmende.example",  # manages the Repair-Café
    "garden": "aylin.demir@allmende.example",  # manages the community garden
    "mobility": "lukas.hoffmann@allmende.example",  # manages the cargo bike initiative
    "culture": "marta.nowak@allmende.example",  # manages the cultural association
    "shop": "petra.schulz@allmende.example",  # runs the zero-waste shop
    "owner": "klaus.vogt@allmende.example",  # property management, offers vacant shops
    "resident": "emma.fischer@allmende.example",  # resident, member of two initiatives
    "resident_en": "tom.weber@allmende.example",  # resident who prefers English
}

# key: (display name, locale, admin)
PEOPLE = {
    "office": ("Sabine Krüger (Projektbüro)", "de", True),
    "repair": ("Jonas Becker", "de", False),
    "garden": ("Aylin Demir", "de", False),
    "mobility": ("Lukas Hoffmann", "de", False),
    "culture": ("Marta Nowak", "de", False),
    "shop": ("Petra Schulz", "de", False),
    "owner": ("Klaus Vogt", "de", False),
    "resident": ("Emma Fischer", "de", False),
    "resident_en": ("Tom Weber", "en", False),
}

SLUGS = {
    "repair": "repair-cafe-witzenhausen",
    "garden": "gemeinschaftsgarten-nordbahnhof",
    "mobility": "lastenrad-initiative",
    "culture": "kulturverein-werraland",
    "shop": "unverpackt-laden-witzenhausen",
    "owner": "hausverwaltung-steinweg",
    "office": "projektbuero-wirtschaftsfoerderung-4-0",
}

# key: (profile, manager key, member keys, verified)
ORGS: dict[str, tuple[Profile, str, tuple[str, ...], bool]] = {
    "repair": (
        Profile(
            name="Repair-Café Witzenhausen",
            kind="initiative",
            description=(
                "Jeden ersten Samstag im Monat reparieren wir gemeinsam Toaster, Fahrräder, "
                "Kleidung und alles, was noch zu retten ist. Werkzeug verleihen wir auch "
                "zwischendurch.\n\nEhrenamtlich, kostenlos, mit Kaffee und Kuchen."
            ),
            contact_email="repaircafe@allmende.example",
            website="https://repaircafe-witzenhausen.example",
            address="Walburger Straße 12, 37213 Witzenhausen",
            district="Kernstadt",
            fields=["repair", "sharing", "crafts"],
            looking_for=["volunteers", "equipment"],
        ),
        "repair",
        ("resident",),
        False,
    ),
    "garden": (
        Profile(
            name="Gemeinschaftsgarten Nordbahnhof",
            kind="initiative",
            description=(
                "Ein offener Garten am alten Nordbahnhof: Beete, Kompost, Saatgut-Tausch "
                "und Gartengeräte zum Ausleihen."
            ),
            contact_email="garten@allmende.example",
            address="Am Nordbahnhof 3, 37213 Witzenhausen",
            district="Kernstadt",
            fields=["garden", "food", "sharing"],
            looking_for=["volunteers", "space"],
        ),
        "garden",
        ("resident", "resident_en"),
        False,
    ),
    "mobility": (
        Profile(
            name="Lastenrad-Initiative",
            kind="initiative",
            description=(
                "Zwei Lastenräder und ein Fahrradanhänger für alle in Witzenhausen und den "
                "Ortsteilen – kostenlos zu leihen, gegen eine kleine Spende."
            ),
            contact_email="lastenrad@allmende.example",
            district="Ermschwerd",
            fields=["mobility", "sharing"],
            looking_for=["partners", "space"],
        ),
        "mobility",
        ("resident_en",),
        False,
    ),
    "culture": (
        Profile(
            name="Kulturverein Werraland",
            kind="initiative",
            description=(
                "Lesungen, Konzerte und Filmabende im Werratal. Wir teilen unsere "
                "Veranstaltungstechnik und unseren Vereinsraum."
            ),
            contact_email="kultur@allmende.example",
            contact_phone="05542 123456",
            district="Wendershausen",
            fields=["culture"],
            looking_for=["volunteers", "partners"],
        ),
        "culture",
        (),
        False,
    ),
    "shop": (
        Profile(
            name="Unverpackt-Laden Witzenhausen",
            kind="business",
            description=(
                "Lebensmittel ohne Verpackung, regional und saisonal. Wir verleihen "
                "Einkochtöpfe und Dörrautomaten."
            ),
            contact_email="laden@allmende.example",
            contact_phone="05542 654321",
            website="https://unverpackt-witzenhausen.example",
            address="Steinstraße 8, 37213 Witzenhausen",
            district="Kernstadt",
            fields=["food", "sharing"],
            looking_for=["suppliers"],
        ),
        "shop",
        (),
        False,
    ),
    "owner": (
        Profile(
            name="Hausverwaltung Steinweg",
            kind="property_owner",
            description=(
                "Wir verwalten Wohn- und Geschäftshäuser in der Altstadt und vermitteln "
                "leerstehende Läden zur Zwischennutzung."
            ),
            contact_email="info@hv-steinweg.example",
            contact_phone="05542 777000",
            address="Steinweg 21, 37213 Witzenhausen",
            district="Kernstadt",
            fields=[],
            looking_for=["partners"],
        ),
        "owner",
        (),
        False,
    ),
    "office": (
        Profile(
            name="Projektbüro Wirtschaftsförderung 4.0",
            kind="public_body",
            description=(
                "Das Projektbüro der Stadt Witzenhausen stärkt Teilen, Kooperation und "
                "regionale Wertschöpfung und bringt Initiativen mit Eigentümern zusammen."
            ),
            contact_email="projektbuero@allmende.example",
            contact_phone="05542 508000",
            address="Am Markt 1, 37213 Witzenhausen",
            district="Kernstadt",
            fields=["sharing", "energy", "mobility"],
            looking_for=["partners"],
        ),
        "office",
        ("repair",),
        True,
    ),
}


def _person(key: str) -> tuple[User, bool]:
    email = EMAILS[key]
    user = find_user(email)
    if user is not None:
        return user, False
    name, locale, admin = PEOPLE[key]
    user = create_user(email, PASSWORD, name, locale=locale, confirmed=True)
    user.is_admin = admin
    return user, True


def _organisation(key: str, people: dict[str, User]) -> tuple[Organisation, bool]:
    profile, manager, members, verified = ORGS[key]
    org = db.session.scalar(select(Organisation).where(Organisation.slug == SLUGS[key]))
    if org is not None:
        return org, False
    org = create_org(people[manager], profile)
    org.slug = SLUGS[key]  # the slug others look it up by, whatever exists already
    if verified:
        org.verified_at = utcnow()
    for member in members:
        db.session.add(Membership(organisation=org, user=people[member], role="member"))
    db.session.flush()
    return org, True


def run() -> list[str]:
    """Create the demo people and organisations that do not exist yet."""
    lines: list[str] = []
    with write_transaction():
        people: dict[str, User] = {}
        for key in EMAILS:
            people[key], created = _person(key)
            if created:
                lines.append(f"people: created {people[key].email}")
        for key in ORGS:
            org, created = _organisation(key, people)
            if created:
                lines.append(f"people: created organisation {org.name} (/orgs/{org.slug})")
    if not lines:
        lines.append("people: demo people and organisations exist already")
    lines.append(f"people: admin login {EMAILS['office']} / password {PASSWORD}")
    lines.append(f"people: every other demo person also has the password {PASSWORD}")
    return lines
