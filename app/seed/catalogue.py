"""Categories and demo offers of a small town (idempotent), with illustrations drawn here.

`ensure_categories()` creates the town's categories that are missing (no migration
needed); `run()` adds demo things, rooms and spaces of the people and organisations
seeded by app/seed/people.py, including the bookable core the Contract promises: at
least 5 things and 3 rooms that are public, have one unit, need no approval, are open
Monday to Saturday 09:00-18:00, can be booked from today and up to 90 days ahead.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass, field
from datetime import date, time, timedelta

import sqlalchemy as sa
from PIL import Image, ImageDraw, ImageFont

from app.booking.rules import apply_defaults
from app.catalogue.photos import remove_files, store_photo
from app.db import write_transaction
from app.extensions import db
from app.models import Category, OpeningHours, Organisation, Photo, Resource, User

# slug: (name_de, name_en, label_de, label_en, avoided purchase cents, avoided CO2 grams)
CATEGORIES: dict[str, tuple[str, str, str, str, int | None, int | None]] = {
    "tools": (
        "Werkzeug",
        "Tools",
        "Bohrmaschinen, Sägen, Leitern",
        "Drills, saws, ladders",
        8000,
        15000,
    ),
    "garden": (
        "Garten",
        "Garden",
        "Rasenmäher, Häcksler, Schubkarren",
        "Mowers, shredders, wheelbarrows",
        12000,
        25000,
    ),
    "kitchen-party": (
        "Küche & Feiern",
        "Kitchen & parties",
        "Bierzeltgarnituren, Einkochtöpfe, Geschirr",
        "Beer tent sets, preserving pots, dishes",
        6000,
        10000,
    ),
    "mobility": (
        "Mobilität & Lastenräder",
        "Mobility & cargo bikes",
        "Lastenräder, Anhänger, Fahrradwerkzeug",
        "Cargo bikes, trailers, bike tools",
        30000,
        40000,
    ),
    "electronics": (
        "Elektronik",
        "Electronics",
        "Beamer, Lautsprecher, Messgeräte",
        "Projectors, speakers, meters",
        15000,
        30000,
    ),
    "leisure-sport": (
        "Freizeit & Sport",
        "Leisure & sport",
        "Zelte, Boards, Spiele",
        "Tents, boards, games",
        10000,
        12000,
    ),
    "children": (
        "Kinder",
        "Children",
        "Anhänger, Tragen, Laufräder",
        "Trailers, carriers, balance bikes",
        7000,
        8000,
    ),
    "meeting-rooms": (
        "Besprechungsräume",
        "Meeting rooms",
        "Räume für Treffen, Kurse und Feiern",
        "Rooms for meetings, courses and parties",
        None,
        None,
    ),
    "workshops": (
        "Werkstätten",
        "Workshops",
        "Holz-, Fahrrad- und Lehrküchen",
        "Wood, bike and teaching kitchens",
        None,
        None,
    ),
    "shop-spaces": (
        "Ladenflächen",
        "Shop spaces",
        "Leerstehende Läden zur Zwischennutzung",
        "Vacant shops for interim use",
        None,
        None,
    ),
}

COLOURS = {
    "tools": "#c8553d",
    "garden": "#4f772d",
    "kitchen-party": "#d08c29",
    "mobility": "#2a6f97",
    "electronics": "#5e548e",
    "leisure-sport": "#2d8a7d",
    "children": "#c05780",
    "meeting-rooms": "#3d5a80",
    "workshops": "#7f5539",
    "shop-spaces": "#6c757d",
}


def ensure_categories() -> list[Category]:
    """Create the town's categories that are missing; existing ones are left as edited."""
    existing = {c.slug: c for c in db.session.scalars(sa.select(Category))}
    for position, (slug, values) in enumerate(CATEGORIES.items()):
        if slug in existing:
            continue
        name_de, name_en, label_de, label_en, purchase, co2 = values
        category = Category(
            slug=slug,
            name_de=name_de,
            name_en=name_en,
            label_de=label_de,
            label_en=label_en,
            position=position,
            avoided_purchase_cents=purchase,
            avoided_co2_grams=co2,
        )
        db.session.add(category)
        existing[slug] = category
    db.session.flush()
    return sorted(existing.values(), key=lambda c: (c.position, c.slug))


# ------------------------------------------------------------------- offers ----
@dataclass
class Offer:
    owner: str  # "org:<key>" or "person:<key>" (keys of app/seed/people.py)
    kind: str
    category: str
    title: str
    description: str
    fee_cents: int = 0
    deposit_cents: int = 0
    units: int = 1
    core: bool = False  # part of the bookable core (see the module docstring)
    requires_approval: bool = False
    visibility: str = "public"
    district: str | None = None
    address: str | None = None
    fields: dict = field(default_factory=dict)


def _items() -> list[Offer]:
    o = Offer
    return [
        # Repair-Café
        o(
            "org:repair",
            "item",
            "tools",
            "Akku-Bohrschrauber mit Bitset",
            "18-Volt-Akkuschrauber mit zwei Akkus, Ladegerät und 32-teiligem Bitset. "
            "Ideal für Möbelaufbau und Regale.",
            deposit_cents=2000,
            core=True,
        ),
        o(
            "org:repair",
            "item",
            "tools",
            "Schlagbohrmaschine",
            "Kräftige Schlagbohrmaschine (850 W) für Beton und Mauerwerk, mit Steinbohrern "
            "6–10 mm und Tiefenanschlag.",
            deposit_cents=2000,
            core=True,
        ),
        o(
            "org:repair",
            "item",
            "tools",
            "Stichsäge mit Sägeblättern",
            "Pendelhub-Stichsäge mit Blättern für Holz, Metall und Kunststoff.",
            core=True,
        ),
        o(
            "org:repair",
            "item",
            "electronics",
            "Lötstation",
            "Temperaturgeregelte Lötstation mit Lötzinn, Entlötlitze und Halter.",
            fields={"briefing_required": True},
        ),
        o(
            "org:repair",
            "item",
            "electronics",
            "Digital-Multimeter",
            "Zum Messen von Spannung, Strom und Widerstand – mit kurzer Anleitung.",
        ),
        o(
            "org:repair",
            "item",
            "tools",
            "Nähmaschine",
            "Robuste mechanische Nähmaschine, näht auch Jeans. Mit Nadeln und Garn.",
        ),
        o(
            "org:repair",
            "item",
            "mobility",
            "Fahrrad-Werkzeugkoffer",
            "Alles für die Fahrradreparatur: Kettennieter, Konusschlüssel, Reifenheber, "
            "Flickzeug und Standpumpe.",
        ),
        # Gemeinschaftsgarten
        o(
            "org:garden",
            "item",
            "garden",
            "Elektro-Rasenmäher",
            "Leiser Elektro-Rasenmäher mit 40 cm Schnittbreite und Fangkorb, 20 m Kabeltrommel "
            "inklusive.",
            core=True,
        ),
        o(
            "org:garden",
            "item",
            "garden",
            "Gartenhäcksler",
            "Walzenhäcksler für Äste bis 4 cm. Bitte nur trockenes Schnittgut.",
            deposit_cents=5000,
            requires_approval=True,
            fields={"briefing_required": True},
        ),
        o(
            "org:garden",
            "item",
            "garden",
            "Schubkarre",
            "Stabile Schubkarre mit Luftreifen, 100 Liter.",
            units=3,
        ),
        o(
            "org:garden",
            "item",
            "garden",
            "Heckenschere (Akku)",
            "Akku-Heckenschere für Vereinsmitglieder, Schnittlänge 50 cm.",
            visibility="members",
        ),
        o(
            "org:garden",
            "item",
            "garden",
            "Obstpflücker mit Teleskopstiel",
            "Für Äpfel und Birnen bis in 5 m Höhe – Erntezeit ist Teilzeit!",
        ),
        o(
            "org:garden",
            "item",
            "garden",
            "Bodenfräse",
            "Motorhacke zum Auflockern großer Beete. Einweisung erforderlich.",
            fee_cents=1000,
            deposit_cents=5000,
            requires_approval=True,
            fields={"briefing_required": True, "min_age": 18},
        ),
        # Lastenrad-Initiative
        o(
            "org:mobility",
            "item",
            "mobility",
            "Lastenrad „Werra-Esel“",
            "Zweirädriges Lastenrad mit Elektromotor und Transportbox (bis 80 kg). "
            "Schloss und Regencape liegen bei.",
            deposit_cents=5000,
            core=True,
            fields={"min_age": 16},
        ),
        o(
            "org:mobility",
            "item",
            "mobility",
            "Lastenrad „Kirschblüte“ mit Kindersitzen",
            "Dreirad-Lastenrad mit zwei Kindersitzen und Gurten.",
            deposit_cents=5000,
            requires_approval=True,
            fields={"briefing_required": True},
        ),
        o(
            "org:mobility",
            "item",
            "mobility",
            "Fahrradanhänger",
            "Einachsiger Lastenanhänger für Einkäufe und Umzüge, bis 40 kg.",
        ),
        # Kulturverein
        o(
            "org:culture",
            "item",
            "electronics",
            "Beamer (Full HD)",
            "Heller Beamer mit HDMI-Kabel und Fernbedienung, ideal für Filmabende.",
            deposit_cents=10000,
        ),
        o(
            "org:culture",
            "item",
            "electronics",
            "Lautsprecheranlage mit Mikrofon",
            "Zwei aktive Boxen, Mischpult und Funkmikrofon für Feste bis 150 Personen.",
            fee_cents=1500,
            deposit_cents=10000,
            requires_approval=True,
        ),
        o(
            "org:culture",
            "item",
            "electronics",
            "Leinwand 2 m",
            "Stativleinwand 2 × 1,5 m, schnell aufgebaut.",
        ),
        o(
            "org:culture",
            "item",
            "kitchen-party",
            "Bierzeltgarnitur",
            "Tisch und zwei Bänke, für Hof- und Straßenfeste.",
            fee_cents=500,
            units=6,
        ),
        # Unverpackt-Laden
        o(
            "org:shop",
            "item",
            "kitchen-party",
            "Einkochtopf 27 Liter",
            "Einkochautomat mit Thermostat – für Marmelade, Apfelmus und Eingemachtes.",
            units=2,
        ),
        o(
            "org:shop",
            "item",
            "kitchen-party",
            "Dörrautomat",
            "Zum Trocknen von Obst, Gemüse und Kräutern, fünf Etagen.",
        ),
        o(
            "org:shop",
            "item",
            "kitchen-party",
            "Getreidemühle",
            "Steinmahlwerk für frisches Vollkornmehl.",
        ),
        # Projektbüro
        o(
            "org:office",
            "item",
            "kitchen-party",
            "Klapptische",
            "Zehn leichte Klapptische (180 × 75 cm) für Versammlungen und Märkte.",
            units=10,
        ),
        o(
            "org:office",
            "item",
            "leisure-sport",
            "Faltpavillon 3 × 3 m",
            "Wasserdichter Pavillon mit Seitenwänden und Gewichten.",
            units=2,
        ),
        # private lenders
        o(
            "person:resident",
            "item",
            "tools",
            "Leiter, dreiteilig",
            "Aluminium-Mehrzweckleiter, bis 5 m Arbeitshöhe.",
            core=True,
            district="Kernstadt",
            address="Nordbahnhofstraße 5",
        ),
        o(
            "person:resident",
            "item",
            "children",
            "Kinderfahrradanhänger",
            "Zweisitzer-Anhänger mit Regenverdeck, auch als Jogger nutzbar.",
            deposit_cents=3000,
            district="Kernstadt",
            address="Nordbahnhofstraße 5",
        ),
        o(
            "person:resident",
            "item",
            "children",
            "Babytrage",
            "Ergonomische Trage für Babys ab 3,5 kg, waschbar.",
            district="Kernstadt",
            address="Nordbahnhofstraße 5",
        ),
        o(
            "person:resident_en",
            "item",
            "leisure-sport",
            "Zelt für vier Personen",
            "Kuppelzelt mit Vorraum, in 10 Minuten aufgebaut.",
            district="Ermschwerd",
            address="Am Anger 2",
        ),
        o(
            "person:resident_en",
            "item",
            "leisure-sport",
            "Stand-up-Paddleboard",
            "Aufblasbares Board mit Paddel, Pumpe und Rucksack – perfekt für die Werra.",
            deposit_cents=5000,
            district="Ermschwerd",
            address="Am Anger 2",
            fields={"min_age": 14},
        ),
        o(
            "person:resident_en",
            "item",
            "kitchen-party",
            "Raclette-Grill für acht",
            "Raclette mit heißem Stein und acht Pfännchen.",
            district="Ermschwerd",
            address="Am Anger 2",
        ),
        o(
            "person:garden",
            "item",
            "tools",
            "Hochdruckreiniger",
            "Für Terrasse, Fahrrad und Gartenmöbel; Schlauch 8 m.",
            requires_approval=True,
            district="Gertenbach",
            address="Mühlenweg 9",
        ),
        o(
            "person:culture",
            "item",
            "children",
            "Kinder-Laufrad",
            "Holzlaufrad für Kinder von 2 bis 4 Jahren.",
            district="Wendershausen",
            address="Lindenstraße 4",
        ),
        o(
            "person:culture",
            "item",
            "leisure-sport",
            "Federballset",
            "Vier Schläger, Bälle und ein Netz mit Stangen.",
            district="Wendershausen",
            address="Lindenstraße 4",
        ),
        o(
            "person:owner",
            "item",
            "tools",
            "Tapeziertisch",
            "Klappbarer Tapeziertisch, 3 m, mit Tragegriff.",
            district="Kernstadt",
            address="Steinweg 21",
        ),
    ]


def _rooms() -> list[Offer]:
    o = Offer
    return [
        o(
            "org:repair",
            "room",
            "workshops",
            "Werkstattraum des Repair-Cafés",
            "Werkstatt mit zwei Werkbänken, Ständerbohrmaschine und Lötplätzen.",
            core=True,
            fields={"capacity": 12, "equipment": "Werkbänke, Ständerbohrmaschine, Lötplätze"},
        ),
        o(
            "org:culture",
            "room",
            "meeting-rooms",
            "Vereinsraum Kulturverein",
            "Heller Raum im Dorfgemeinschaftshaus Wendershausen mit Teeküche.",
            core=True,
            fields={"capacity": 30, "equipment": "Beamer, Flipchart, Teeküche, WLAN"},
        ),
        o(
            "org:office",
            "room",
            "meeting-rooms",
            "Besprechungsraum am Markt",
            "Besprechungsraum im Projektbüro, barrierefrei erreichbar.",
            core=True,
            fields={"capacity": 10, "equipment": "Bildschirm, Whiteboard, WLAN"},
        ),
        o(
            "org:garden",
            "room",
            "meeting-rooms",
            "Gartenhaus am Nordbahnhof",
            "Das Gartenhaus für Treffen der Gartengruppe.",
            visibility="members",
            fields={"capacity": 15, "equipment": "Tische, Bänke, Wasserkocher"},
        ),
        o(
            "org:shop",
            "room",
            "workshops",
            "Seminarküche im Unverpackt-Laden",
            "Lehrküche für Koch- und Einmachkurse.",
            fee_cents=2500,
            requires_approval=True,
            fields={"capacity": 8, "equipment": "Herd, Backofen, Einkochtöpfe, Geschirr"},
        ),
        o(
            "org:office",
            "room",
            "meeting-rooms",
            "Saal im Bürgerhaus Ermschwerd",
            "Großer Saal für Versammlungen und Feiern.",
            fee_cents=5000,
            deposit_cents=10000,
            requires_approval=True,
            district="Ermschwerd",
            fields={"capacity": 80, "equipment": "Bühne, Tonanlage, Küche"},
        ),
    ]


def _spaces() -> list[Offer]:
    o = Offer
    today = date.today()
    return [
        o(
            "org:owner",
            "space",
            "shop-spaces",
            "Ehemalige Bäckerei am Marktplatz",
            "Ladenlokal mit großem Schaufenster, Tresen und Lagerraum in bester Lage.",
            fields={
                "area_m2": 65,
                "floor": 0,
                "shop_window": True,
                "step_free": True,
                "rent_model": "utilities",
                "permitted_uses": ["popup_shop", "exhibition", "event"],
            },
        ),
        o(
            "org:owner",
            "space",
            "shop-spaces",
            "Laden in der Steinstraße",
            "Kleiner Laden in der Fußgängerzone, frisch gestrichen.",
            fields={
                "area_m2": 45,
                "floor": 0,
                "shop_window": True,
                "step_free": False,
                "rent_model": "reduced",
                "permitted_uses": ["popup_shop", "office"],
            },
        ),
        o(
            "org:owner",
            "space",
            "shop-spaces",
            "Zwei Büroräume in der Brückenstraße",
            "Zwei helle Räume im ersten Stock, ruhig gelegen, mit Teeküche.",
            fields={
                "area_m2": 38,
                "floor": 1,
                "shop_window": False,
                "step_free": False,
                "rent_model": "negotiable",
                "permitted_uses": ["office", "workshop"],
            },
        ),
        o(
            "org:office",
            "space",
            "shop-spaces",
            "Scheune in Ziegenhagen",
            "Große Scheune am Dorfplatz für Märkte und Werkstätten.",
            district="Ziegenhagen",
            fields={
                "area_m2": 120,
                "floor": 0,
                "shop_window": False,
                "step_free": True,
                "rent_model": "free",
                "permitted_uses": ["event", "workshop", "other"],
            },
        ),
        o(
            "org:office",
            "space",
            "shop-spaces",
            "Pop-up-Fläche im Bahnhof",
            "Ehemaliger Fahrkartenschalter, ideal für Ausstellungen auf Zeit.",
            fields={
                "area_m2": 30,
                "floor": 0,
                "shop_window": True,
                "step_free": True,
                "rent_model": "free",
                "permitted_uses": ["exhibition", "event"],
                "available_from": today,
                "available_until": today + timedelta(days=365),
            },
        ),
    ]


def offers() -> list[Offer]:
    return [*_items(), *_rooms(), *_spaces()]


# ------------------------------------------------------------- illustration ----
def title_font(size: int):
    """A system font with umlauts if one is installed, else Pillow's own."""
    for name in ("DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf", "Arial Bold.ttf"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def illustration(title: str, kind: str, colour: str) -> bytes:
    """A simple picture: coloured background, a shape for the kind, the title."""
    width, height = 1280, 960
    image = Image.new("RGB", (width, height), colour)
    draw = ImageDraw.Draw(image)
    light = "#fdfcf7"
    if kind == "item":
        draw.ellipse((440, 140, 840, 540), fill=light)
        draw.ellipse((540, 240, 740, 440), fill=colour)
    elif kind == "room":
        draw.polygon([(390, 330), (640, 130), (890, 330)], fill=light)
        draw.rectangle((430, 330, 850, 580), fill=light)
        draw.rectangle((590, 430, 690, 580), fill=colour)
    else:
        draw.rectangle((360, 170, 920, 580), fill=light)
        draw.rectangle((400, 260, 880, 460), fill=colour)
        draw.rectangle((360, 150, 920, 230), fill="#f2c14e")
    font = title_font(80)
    lines = textwrap.wrap(title, width=24)[:3]
    y = 620
    for line in lines:
        box = draw.textbbox((0, 0), line, font=font)
        draw.text(((width - (box[2] - box[0])) / 2, y), line, fill=light, font=font)
        y += 100
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92)
    return out.getvalue()


# --------------------------------------------------------------------- run ----
def _lenders() -> tuple[dict[str, User], dict[str, Organisation]]:
    """People and organisations of app/seed/people.py; a few own lenders if it is missing."""
    try:
        from app.seed.people import EMAILS, SLUGS
    except ModuleNotFoundError:
        EMAILS, SLUGS = {}, {}  # noqa: N806
    users = {
        key: user
        for key, email in EMAILS.items()
        if (user := db.session.scalar(sa.select(User).where(User.email == email))) is not None
    }
    orgs = {
        key: org
        for key, slug in SLUGS.items()
        if (org := db.session.scalar(sa.select(Organisation).where(Organisation.slug == slug)))
        is not None
    }
    if not users:
        from app.auth.service import create_user

        for key, name in (("resident", "Emma Fischer"), ("resident_en", "Tom Weber")):
            email = f"{key.replace('_', '.')}@allmende.example"
            user = db.session.scalar(sa.select(User).where(User.email == email))
            users[key] = user or create_user(email, "allmende-demo", name, confirmed=True)
    return users, orgs


def _owner(offer: Offer, users: dict[str, User], orgs: dict[str, Organisation]):
    kind, key = offer.owner.split(":", 1)
    if kind == "org" and key in orgs:
        return None, orgs[key]
    fallback = users.get(key) or users.get("resident") or next(iter(users.values()))
    return fallback, None


def _make(
    offer: Offer, owner: User | None, org: Organisation | None, category: Category
) -> Resource:
    district = offer.district or (org.district if org else None) or "Kernstadt"
    address = offer.address or (org.address if org else None)
    resource = Resource(
        kind=offer.kind,
        title=offer.title,
        description=offer.description,
        category=category,
        owner_user=owner,
        owner_org=org,
        created_by_id=owner.id if owner else (org.managers[0].id if org.managers else None),
        district=district,
        address=address,
        visibility=offer.visibility if org else "public",
        status="active",
        fee_cents=offer.fee_cents,
        deposit_cents=offer.deposit_cents,
        units=offer.units,
        permitted_uses=[],
    )
    for name, value in offer.fields.items():
        setattr(resource, name, value)
    apply_defaults(resource)
    resource.requires_approval = offer.requires_approval
    if offer.core:
        # The bookable core: Monday to Saturday 09-18, no lead time, 90 days ahead.
        resource.units = 1
        resource.visibility = "public"
        resource.requires_approval = False
        resource.min_lead_minutes = 0
        resource.max_advance_days = max(resource.max_advance_days or 0, 90)
        resource.own_hours = True
        resource.opening_hours = [
            OpeningHours(weekday=day, opens=time(9), closes=time(18)) for day in range(6)
        ]
    return resource


def run() -> list[str]:
    """Create the categories and demo offers that do not exist yet."""
    lines: list[str] = []
    stored: list[tuple[str, str]] = []
    try:
        created = _seed(stored)
    except BaseException:
        for stem, ext in stored:  # the transaction was rolled back: drop its pictures too
            remove_files(stem, ext)
        raise
    categories = db.session.scalar(sa.select(sa.func.count(Category.id)))
    lines.append(f"catalogue: {categories} categories")
    lines.append(
        f"catalogue: created {created} offers"
        if created
        else "catalogue: demo offers exist already"
    )
    return lines


def _seed(stored: list[tuple[str, str]]) -> int:
    with write_transaction():
        categories = {c.slug: c for c in ensure_categories()}
        users, orgs = _lenders()
        existing = set(db.session.scalars(sa.select(Resource.title)))
        created = 0
        for offer in offers():
            if offer.title in existing:
                continue
            owner, org = _owner(offer, users, orgs)
            resource = _make(offer, owner, org, categories[offer.category])
            db.session.add(resource)
            picture = store_photo(illustration(offer.title, offer.kind, COLOURS[offer.category]))
            stored.append((picture.stem, picture.ext))
            resource.photos.append(
                Photo(
                    stem=picture.stem,
                    ext=picture.ext,
                    width=picture.width,
                    height=picture.height,
                    alt_text=f"Illustration: {offer.title}",
                    position=0,
                )
            )
            created += 1
        db.session.flush()
    return created
