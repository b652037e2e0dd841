"""Figures for the office's dashboard and the public /stats page.

Every figure is one aggregate query (GROUP BY in the database), on SQLite and PostgreSQL.
The definitions below are shown on the dashboard too; tests check each against known data.

- Period: the local dates `first`..`last`, both included, i.e. the instants
  [local midnight of `first`, local midnight of the day after `last`) in the site's time zone.
- Counted reservations: status `confirmed`, `handed_over` or `returned`.
- A reservation *belongs* to the period when its start lies in it. Counts per month (local month
  of the start), people, categories, resources, organisations and estimates use these.
- Time measures count only the time inside the period:
  - item loan days: for every counted item reservation, the local calendar days it touches,
    times its units (a weekend loan Friday..Sunday of 2 units is 6 loan days);
  - room hours: the hours of counted room reservations, times units;
  - space interim-use days: as loan days, for spaces.
- Utilisation of a resource = booked opening hours / available opening hours in the period:
  - available: for each day of the period, the opening hours of its weekday (the resource's own
    `OpeningHours` rows, or its organisation's when it uses theirs), times its units;
  - booked: for each counted reservation and each day it touches, its overlap with that day, but
    at most that day's opening hours, times units. So a whole-day loan fills the day's hours, a
    two-hour room booking counts two hours, and days without opening hours count nothing.
  - Closures and public holidays are not subtracted. Resources without opening hours are not
    listed (their share is undefined).
- People who borrowed: distinct accounts with a counted reservation (counter loans to guests
  without an account are not counted). People who lent: distinct private owners of the reserved
  resources; lending organisations are counted as active organisations.
- Open requests: reservations still `requested` that were asked for (created) in the period;
  unanswered requests: those that `expired` without an answer, asked for in the period.
- Estimates: for every counted reservation, its category's estimate per loan of an avoided new
  purchase (euros) and of avoided CO2e, times its units. Reservations whose category has no
  estimate add nothing. These are estimates, never measurements.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from app.db import UTCDateTime
from app.errors import DomainError
from app.extensions import db
from app.models import Category, OpeningHours, Organisation, Reservation, Resource

COUNTED = ("confirmed", "handed_over", "returned")
KINDS = ("item", "room", "space")
MAX_DAYS = 3 * 366
TOP = 10


class PeriodError(DomainError):
    status = 400
    code = "bad_period"


# ------------------------------------------------------------- periods ----
def site_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def local_today(zone: ZoneInfo | None = None) -> date:
    return datetime.now(zone or site_zone()).date()


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def add_months(day: date, months: int) -> date:
    """The first of the month `months` after (or before) the month of `day`."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """Local dates first..last, both included."""

    first: date
    last: date
    zone: ZoneInfo

    @property
    def start(self) -> datetime:
        return local_midnight(self.first, self.zone)

    @property
    def end(self) -> datetime:
        return local_midnight(self.last + timedelta(days=1), self.zone)

    @property
    def day_count(self) -> int:
        return (self.last - self.first).days + 1

    def months(self) -> list[tuple[str, datetime, datetime]]:
        """(label "YYYY-MM", start, end) of each local month the period touches, clipped."""
        out = []
        month = self.first.replace(day=1)
        while month <= self.last:
            following = add_months(month, 1)
            first = max(month, self.first)
            last = min(following - timedelta(days=1), self.last)
            out.append(
                (
                    f"{month:%Y-%m}",
                    local_midnight(first, self.zone),
                    local_midnight(last + timedelta(days=1), self.zone),
                )
            )
            month = following
        return out

    def days(self) -> list[tuple[datetime, datetime, int]]:
        """(start, end, weekday) of each local day; 23 or 25 hours long on DST changes."""
        out = []
        day = self.first
        start = self.start
        while day <= self.last:
            following = day + timedelta(days=1)
            end = local_midnight(following, self.zone)
            out.append((start, end, day.weekday()))
            day, start = following, end
        return out

    @classmethod
    def last_twelve_months(cls, today: date | None = None, zone: ZoneInfo | None = None) -> Period:
        """The current month and the eleven before it, up to today."""
        zone = zone or site_zone()
        today = today or local_today(zone)
        return cls(add_months(today, -11), today, zone)

    @classmethod
    def parse(
        cls, raw_from: str | None, raw_to: str | None, today: date | None = None
    ) -> Period:
        """A period from ISO dates in the URL; either may be missing (then the default)."""
        zone = site_zone()
        default = cls.last_twelve_months(today, zone)
        try:
            first = date.fromisoformat(raw_from) if raw_from else default.first
            last = date.fromisoformat(raw_to) if raw_to else default.last
        except ValueError as error:
            raise PeriodError(_("Please give dates as YYYY-MM-DD.")) from error
        if first > last:
            raise PeriodError(_("The start of the period must not lie after its end."))
        if (last - first).days + 1 > MAX_DAYS:
            raise PeriodError(_("Please choose a period of at most three years."))
        return cls(first, last, zone)


# ---------------------------------------------------- portable SQL bits ----
def is_postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def epoch_hours(expr) -> sa.ColumnElement[float]:
    """Hours since a fixed origin, for differences: works for timestamps and times of day."""
    if is_postgres():
        return sa.extract("epoch", expr) / 3600.0
    return sa.func.julianday(expr) * 24.0


def hours_between(start, end) -> sa.ColumnElement[float]:
    return epoch_hours(end) - epoch_hours(start)


def later(a, b):
    name = "greatest" if is_postgres() else "max"
    return getattr(sa.func, name)(a, b, type_=UTCDateTime())


def earlier(a, b):
    name = "least" if is_postgres() else "min"
    return getattr(sa.func, name)(a, b, type_=UTCDateTime())


def smaller(a, b):
    name = "least" if is_postgres() else "min"
    return getattr(sa.func, name)(a, b, type_=sa.Float())


def at(moment: datetime):
    """A bound timestamp stored the way the columns store it (matters on SQLite)."""
    return sa.literal(moment, UTCDateTime())


def month_bucket(column, period: Period) -> sa.ColumnElement[str]:
    """The local month ("YYYY-MM") of a UTC timestamp column.

    PostgreSQL converts with the time zone database. SQLite knows no time zones, so the
    column is compared with the UTC instants at which the local months begin (correct
    across daylight saving time as well). Rows outside the period give NULL there.
    """
    if is_postgres():
        return sa.func.to_char(sa.func.timezone(period.zone.key, column), "YYYY-MM")
    return sa.case(
        *[
            (sa.and_(column >= at(start), column < at(end)), label)
            for label, start, end in period.months()
        ],
        else_=sa.null(),
    )


def period_days(period: Period):
    """The days of the period as a small table (start, end, weekday), for clipping by day."""
    return (
        sa.values(
            sa.column("day_start", UTCDateTime()),
            sa.column("day_end", UTCDateTime()),
            sa.column("weekday", sa.Integer()),
            name="period_days",
        )
        .data(period.days())
        .cte("period_days")
    )


def counted():
    return Reservation.status.in_(COUNTED)


def starts_in(period: Period):
    return sa.and_(Reservation.start >= at(period.start), Reservation.start < at(period.end))


def overlaps(period: Period):
    return sa.and_(Reservation.start < at(period.end), Reservation.end > at(period.start))


def num(value) -> float:
    return float(value) if value is not None else 0.0


# ------------------------------------------------------------- figures ----
def reservations_by_month(period: Period) -> dict[str, dict[str, int]]:
    """month -> kind -> counted reservations starting in that month (every month present)."""
    bucket = month_bucket(Reservation.start, period).label("month")
    inner = (
        sa.select(bucket, Resource.kind.label("kind"))
        .join(Resource, Resource.id == Reservation.resource_id)
        .where(counted(), starts_in(period))
        .subquery()
    )
    rows = db.session.execute(
        sa.select(inner.c.month, inner.c.kind, sa.func.count())
        .group_by(inner.c.month, inner.c.kind)
    ).all()
    result = {label: dict.fromkeys(KINDS, 0) for label, _s, _e in period.months()}
    for month, kind, count in rows:
        if month in result:
            result[month][kind] = count
    return result


def people(period: Period) -> dict[str, int]:
    """Distinct borrowers, private lenders and lending organisations; reservations counted."""
    row = db.session.execute(
        sa.select(
            sa.func.count(),
            sa.func.count(sa.distinct(Reservation.requester_id)),
            sa.func.count(sa.distinct(Resource.owner_user_id)),
            sa.func.count(sa.distinct(Resource.owner_org_id)),
        )
        .select_from(Reservation)
        .join(Resource, Resource.id == Reservation.resource_id)
        .where(counted(), starts_in(period))
    ).one()
    return {
        "reservations": row[0],
        "borrowers": row[1],
        "lenders": row[2],
        "organisations": row[3],
    }


def time_totals(period: Period) -> dict[str, float]:
    """Item loan days, room hours and space interim-use days inside the period."""
    days = period_days(period)
    day_rows = db.session.execute(
        sa.select(Resource.kind, sa.func.sum(Reservation.units))
        .select_from(Reservation)
        .join(Resource, Resource.id == Reservation.resource_id)
        .join(
            days,
            sa.and_(Reservation.start < days.c.day_end, Reservation.end > days.c.day_start),
        )
        .where(counted(), overlaps(period), Resource.kind.in_(("item", "space")))
        .group_by(Resource.kind)
    ).all()
    per_kind = {kind: int(total or 0) for kind, total in day_rows}
    clipped = hours_between(
        later(Reservation.start, at(period.start)), earlier(Reservation.end, at(period.end))
    )
    room_hours = db.session.scalar(
        sa.select(sa.func.sum(clipped * Reservation.units))
        .select_from(Reservation)
        .join(Resource, Resource.id == Reservation.resource_id)
        .where(counted(), overlaps(period), Resource.kind == "room")
    )
    return {
        "item_days": per_kind.get("item", 0),
        "room_hours": round(num(room_hours), 2),
        "space_days": per_kind.get("space", 0),
    }


def weekly_hours_table():
    """Per resource and weekday, the opening hours that apply to it (own or its organisation's)."""
    hours = OpeningHours
    own = sa.and_(
        sa.or_(Resource.own_hours.is_(True), Resource.owner_org_id.is_(None)),
        hours.resource_id == Resource.id,
    )
    inherited = sa.and_(
        Resource.own_hours.is_(False),
        Resource.owner_org_id.is_not(None),
        hours.organisation_id == Resource.owner_org_id,
    )
    return (
        sa.select(
            Resource.id.label("resource_id"),
            hours.weekday.label("weekday"),
            sa.func.sum(hours_between(hours.opens, hours.closes)).label("open_hours"),
        )
        .select_from(Resource)
        .join(hours, sa.or_(own, inherited))
        .group_by(Resource.id, hours.weekday)
        .subquery("weekly")
    )


@dataclass
class Utilisation:
    resource_id: int
    title: str
    kind: str
    available_hours: float
    booked_hours: float

    @property
    def share(self) -> float:
        return self.booked_hours / self.available_hours if self.available_hours else 0.0


def utilisation(period: Period) -> list[Utilisation]:
    """Booked share of opening hours per resource, highest first (definition above)."""
    days = period_days(period)
    weekly = weekly_hours_table()
    available = db.session.execute(
        sa.select(
            Resource.id,
            Resource.title,
            Resource.kind,
            (sa.func.sum(weekly.c.open_hours) * Resource.units).label("available"),
        )
        .select_from(Resource)
        .join(weekly, weekly.c.resource_id == Resource.id)
        .join(days, days.c.weekday == weekly.c.weekday)
        .group_by(Resource.id, Resource.title, Resource.kind, Resource.units)
    ).all()
    overlap = hours_between(
        later(Reservation.start, days.c.day_start), earlier(Reservation.end, days.c.day_end)
    )
    booked_rows = db.session.execute(
        sa.select(
            Reservation.resource_id,
            sa.func.sum(smaller(overlap, weekly.c.open_hours) * Reservation.units),
        )
        .select_from(Reservation)
        .join(
            days,
            sa.and_(Reservation.start < days.c.day_end, Reservation.end > days.c.day_start),
        )
        .join(
            weekly,
            sa.and_(
                weekly.c.resource_id == Reservation.resource_id,
                weekly.c.weekday == days.c.weekday,
            ),
        )
        .where(counted(), overlaps(period))
        .group_by(Reservation.resource_id)
    ).all()
    booked = {resource_id: num(hours) for resource_id, hours in booked_rows}
    result = [
        Utilisation(rid, title, kind, round(num(hours), 2), round(booked.get(rid, 0.0), 2))
        for rid, title, kind, hours in available
        if num(hours) > 0
    ]
    result.sort(key=lambda u: (-u.share, u.title, u.resource_id))
    return result


def top_categories(period: Period, locale: str, limit: int | None = None) -> list[tuple]:
    """(category name, reservations, units) of counted reservations, most first."""
    name = Category.name_en if locale == "en" else Category.name_de
    query = (
        sa.select(name, sa.func.count(), sa.func.sum(Reservation.units))
        .select_from(Reservation)
        .join(Resource, Resource.id == Reservation.resource_id)
        .join(Category, Category.id == Resource.category_id)
        .where(counted(), starts_in(period))
        .group_by(Category.id, name)
        .order_by(sa.func.count().desc(), name)
    )
    if limit:
        query = query.limit(limit)
    return [(n, c, int(u or 0)) for n, c, u in db.session.execute(query).all()]


def top_resources(period: Period, limit: int | None = TOP) -> list[tuple]:
    """(resource id, title, kind, reservations) of counted reservations, most first."""
    query = (
        sa.select(Resource.id, Resource.title, Resource.kind, sa.func.count())
        .select_from(Reservation)
        .join(Resource, Resource.id == Reservation.resource_id)
        .where(counted(), starts_in(period))
        .group_by(Resource.id, Resource.title, Resource.kind)
        .order_by(sa.func.count().desc(), Resource.title, Resource.id)
    )
    if limit:
        query = query.limit(limit)
    return [tuple(row) for row in db.session.execute(query).all()]


def active_organisations(period: Period) -> list[tuple]:
    """(organisation name, reservations, resources used) for organisations that lent."""
    query = (
        sa.select(
            Organisation.name,
            sa.func.count(),
            sa.func.count(sa.distinct(Resource.id)),
        )
        .select_from(Reservation)
        .join(Resource, Resource.id == Reservation.resource_id)
        .join(Organisation, Organisation.id == Resource.owner_org_id)
        .where(counted(), starts_in(period))
        .group_by(Organisation.id, Organisation.name)
        .order_by(sa.func.count().desc(), Organisation.name)
    )
    return [tuple(row) for row in db.session.execute(query).all()]


def requests(period: Period) -> dict[str, int]:
    """Requests asked for in the period that are still open, or expired without an answer."""
    rows = db.session.execute(
        sa.select(Reservation.status, sa.func.count())
        .where(
            Reservation.status.in_(("requested", "expired", "declined")),
            Reservation.created_at >= at(period.start),
            Reservation.created_at < at(period.end),
        )
        .group_by(Reservation.status)
    ).all()
    counts = dict(rows)
    return {
        "open": counts.get("requested", 0),
        "unanswered": counts.get("expired", 0),
        "declined": counts.get("declined", 0),
    }


@dataclass
class Estimates:
    purchase_cents: int = 0
    co2_grams: int = 0
    loans_with: int = 0
    loans_without: int = 0
    by_category: list[tuple] = field(default_factory=list)


def estimates(period: Period, locale: str) -> Estimates:
    """Avoided new purchases and CO2e, from the category factors per loan, times units."""
    name = Category.name_en if locale == "en" else Category.name_de
    rows = db.session.execute(
        sa.select(
            name,
            Category.avoided_purchase_cents,
            Category.avoided_co2_grams,
            sa.func.count(),
            sa.func.sum(Reservation.units),
        )
        .select_from(Reservation)
        .join(Resource, Resource.id == Reservation.resource_id)
        .join(Category, Category.id == Resource.category_id)
        .where(
            counted(),
            starts_in(period),
            sa.or_(
                Category.avoided_purchase_cents.is_not(None),
                Category.avoided_co2_grams.is_not(None),
            ),
        )
        .group_by(Category.id, name, Category.avoided_purchase_cents, Category.avoided_co2_grams)
        .order_by(name)
    ).all()
    total = people(period)["reservations"]
    result = Estimates()
    for cat_name, cents, grams, loans, units in rows:
        units = int(units or 0)
        purchase = (cents or 0) * units
        co2 = (grams or 0) * units
        result.purchase_cents += purchase
        result.co2_grams += co2
        result.loans_with += loans
        result.by_category.append((cat_name, loans, units, cents, grams, purchase, co2))
    result.by_category.sort(key=lambda row: (-row[5], -row[6], row[0]))
    result.loans_without = total - result.loans_with
    return result


# -------------------------------------------------------------- tables ----
@dataclass
class Column:
    key: str
    label: str
    # text, int, dec (one decimal), pct (a share 0..1), money (cents), kg (grams shown as kg)
    format: str = "text"


@dataclass
class Table:
    name: str
    title: str
    columns: list[Column]
    rows: list[list[Any]]
    note: str = ""


@dataclass
class Figures:
    period: Period
    summary: dict[str, Any]
    tables: dict[str, Table]


def kind_labels() -> dict[str, str]:
    """Plural names of the kinds, as series of the charts."""
    return {"item": _("Things"), "room": _("Rooms"), "space": _("Vacant spaces")}


def kind_label(kind: str) -> str:
    """The kind of one resource, in the catalogue's words."""
    return {"item": _("Thing"), "room": _("Room"), "space": _("Vacant space")}.get(kind, kind)


def build(period: Period, locale: str, *, public: bool = False) -> Figures:
    """Every figure of the period as named tables; `public` leaves out names of things."""
    months = reservations_by_month(period)
    who = people(period)
    spans = time_totals(period)
    asks = requests(period)
    saved = estimates(period, locale)
    kinds = kind_labels()

    summary = {**who, **spans, **asks, "estimates": saved}
    per_kind = {kind: sum(m[kind] for m in months.values()) for kind in KINDS}
    tables: dict[str, Table] = {}

    summary_rows = [
        [_("Reservations (confirmed, handed over or returned)"), who["reservations"], "int"],
        [_("of which things"), per_kind["item"], "int"],
        [_("of which rooms"), per_kind["room"], "int"],
        [_("of which spaces"), per_kind["space"], "int"],
        [_("People who borrowed"), who["borrowers"], "int"],
        [_("People who lent"), who["lenders"], "int"],
        [_("Active organisations"), who["organisations"], "int"],
        [_("Item loan days"), spans["item_days"], "int"],
        [_("Room hours"), spans["room_hours"], "dec"],
        [_("Space interim-use days"), spans["space_days"], "int"],
        [_("Open requests"), asks["open"], "int"],
        [_("Unanswered requests (expired)"), asks["unanswered"], "int"],
        [_("Avoided new purchases (estimate, euros)"), saved.purchase_cents, "money"],
        [_("Avoided CO2e (estimate, kg)"), saved.co2_grams, "kg"],
    ]
    tables["summary"] = Table(
        "summary",
        _("Key figures"),
        [Column("figure", _("Figure")), Column("value", _("Value"), "cell")],
        [[label, (value, fmt)] for label, value, fmt in summary_rows],
    )
    tables["months"] = Table(
        "months",
        _("Reservations per month by kind"),
        [Column("month", _("Month"))]
        + [Column(kind, kinds[kind], "int") for kind in KINDS]
        + [Column("total", _("Total"), "int")],
        [
            [month, *[counts[k] for k in KINDS], sum(counts.values())]
            for month, counts in months.items()
        ],
    )
    tables["categories"] = Table(
        "categories",
        _("Top categories"),
        [
            Column("category", _("Category")),
            Column("reservations", _("Reservations"), "int"),
            Column("units", _("Units"), "int"),
        ],
        [list(row) for row in top_categories(period, locale)],
    )
    tables["estimates"] = Table(
        "estimates",
        _("Estimated effect by category"),
        [
            Column("category", _("Category")),
            Column("reservations", _("Reservations"), "int"),
            Column("units", _("Units"), "int"),
            Column("purchase_per_loan", _("Avoided purchase per loan (estimate)"), "money"),
            Column("co2_per_loan", _("CO2e per loan (estimate, kg)"), "kg"),
            Column("purchase", _("Avoided purchases (estimate)"), "money"),
            Column("co2", _("Avoided CO2e (estimate, kg)"), "kg"),
        ],
        [list(row) for row in saved.by_category],
        note=_(
            "Estimates from the office's factors per loan; %(n)s reservations in categories "
            "without a factor are not included.",
            n=saved.loans_without,
        ),
    )
    if public:
        return Figures(period, summary, tables)

    tables["utilisation"] = Table(
        "utilisation",
        _("Utilisation per resource"),
        [
            Column("resource", _("Resource")),
            Column("resource_id", _("No.")),
            Column("kind", _("Kind")),
            Column("open_hours", _("Opening hours in the period"), "dec"),
            Column("booked_hours", _("Booked opening hours"), "dec"),
            Column("share", _("Utilisation"), "pct"),
        ],
        [
            [u.title, u.resource_id, kind_label(u.kind), u.available_hours, u.booked_hours,
             round(u.share, 4)]
            for u in utilisation(period)
        ],
    )
    tables["resources"] = Table(
        "resources",
        _("Top resources"),
        [
            Column("resource", _("Resource")),
            Column("resource_id", _("No.")),
            Column("kind", _("Kind")),
            Column("reservations", _("Reservations"), "int"),
        ],
        [
            [title, rid, kind_label(kind), count]
            for rid, title, kind, count in top_resources(period)
        ],
    )
    tables["organisations"] = Table(
        "organisations",
        _("Active organisations"),
        [
            Column("organisation", _("Organisation")),
            Column("reservations", _("Reservations"), "int"),
            Column("resources", _("Resources reserved"), "int"),
        ],
        [list(row) for row in active_organisations(period)],
    )
    tables["requests"] = Table(
        "requests",
        _("Requests asked for in the period"),
        [Column("state", _("State")), Column("count", _("Number"), "int")],
        [
            [_("Still waiting for an answer"), asks["open"]],
            [_("Expired without an answer"), asks["unanswered"]],
            [_("Declined"), asks["declined"]],
        ],
    )
    return Figures(period, summary, tables)


TABLE_NAMES = (
    "summary",
    "months",
    "categories",
    "estimates",
    "utilisation",
    "resources",
    "organisations",
    "requests",
)


def csv_value(value: Any, fmt: str) -> Any:
    """Plain machine-readable values: euros with a dot, kilograms, shares as fractions."""
    if isinstance(value, tuple):
        value, fmt = value
    if value is None:
        return ""
    if fmt == "money":
        return f"{value / 100:.2f}"
    if fmt == "kg":
        return f"{value / 1000:.3f}".rstrip("0").rstrip(".")
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        # A cell that a spreadsheet would run as a formula.
        return "'" + value
    return value


def to_csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([column.key for column in table.columns])
    for row in table.rows:
        pairs = zip(row, table.columns, strict=True)
        writer.writerow([csv_value(value, column.format) for value, column in pairs])
    return out.getvalue()


def chart_series(table: Table, columns: list[str]) -> list[tuple[str, list[float]]]:
    """(label, values) series of some numeric columns of a table."""
    index = {c.key: i for i, c in enumerate(table.columns)}
    labels = {c.key: c.label for c in table.columns}
    return [(labels[key], [num(row[index[key]]) for row in table.rows]) for key in columns]
