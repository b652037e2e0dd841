"""Finding resources: German-friendly word folding, the search index, filters and visibility.

Search works on `SearchTerm` rows (one per folded word of a resource's title and
description) kept up to date by session events whenever a resource is saved, so every
code path that saves a resource (forms, seed, other areas, tests) keeps the index right.
A query word matches every indexed word it is a prefix of: `term LIKE 'bohr%'`, backed by
an index that supports prefix LIKE on both databases.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import gettext as _

from app.errors import DomainError
from app.extensions import db
from app.models import Category, Membership, Organisation, Resource, SearchTerm
from app.models.catalogue import KINDS

# ------------------------------------------------------------------ folding ----
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss"})
_WORD = re.compile(r"[0-9a-z]+(?:-[0-9a-z]+)*")
TERM_MAX = 80
MIN_WORD = 2
MAX_QUERY_WORDS = 8


def fold(text: str) -> str:
    """Lower case with umlauts spelt out and other accents dropped ("Größe" -> "groesse")."""
    text = unicodedata.normalize("NFC", text or "").lower().translate(_GERMAN)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """Folded words, in order, without duplicates; compounds with hyphens also whole.

    "Lasten-Fahrrad" gives "lasten", "fahrrad" and "lastenfahrrad", so that "lastenf"
    finds it as well as "fahrr".
    """
    seen: dict[str, None] = {}
    for match in _WORD.finditer(fold(text)):
        chunk = match.group(0)
        parts = chunk.split("-")
        candidates = parts + (["".join(parts)] if len(parts) > 1 else [])
        for word in candidates:
            if len(word) >= MIN_WORD:
                seen.setdefault(word[:TERM_MAX], None)
    return list(seen)


def query_words(q: str) -> list[str]:
    """The words of a search query (each must match; extra words beyond a few are ignored)."""
    found: dict[str, None] = {}
    for match in _WORD.finditer(fold(q)):
        for word in match.group(0).split("-"):
            if len(word) >= MIN_WORD:
                found.setdefault(word[:TERM_MAX], None)
    return list(found)[:MAX_QUERY_WORDS]


def search_text_of(title: str, description: str) -> str:
    """The folded title first (so sorting by it sorts by name), then the description."""
    return " ".join(words(title)) + " | " + " ".join(words(description or ""))


def terms_of(resource: Resource) -> list[dict]:
    title_words = set(words(resource.title or ""))
    rows = {w: True for w in title_words}
    for word in words(resource.description or ""):
        rows.setdefault(word, False)
    return [{"resource_id": resource.id, "term": w, "in_title": t} for w, t in rows.items()]


def term_matches(word: str) -> sa.ColumnElement[bool]:
    """`term LIKE 'word%'`; on SQLite also the equivalent range, which its plain index serves."""
    condition = SearchTerm.term.like(word + "%")
    # SQLite's LIKE is case-insensitive, so it only uses a NOCASE index for it; the range
    # (word <= term < next word) uses the ordinary one. Words are [0-9a-z] only.
    upper = word[:-1] + chr(ord(word[-1]) + 1)
    bind = db.session.get_bind()
    if bind.dialect.name == "sqlite":
        condition = sa.and_(condition, SearchTerm.term >= word, SearchTerm.term < upper)
    return condition


# ------------------------------------------------- keeping the index current ----
def _text_changed(resource: Resource) -> bool:
    state = sa.inspect(resource)
    if state.pending or state.transient:
        return True
    return state.attrs.title.history.has_changes() or state.attrs.description.history.has_changes()


def _resources_to_index(session: so.Session) -> list[Resource]:
    return [
        obj
        for obj in (*session.new, *session.dirty)
        if isinstance(obj, Resource) and obj not in session.deleted and _text_changed(obj)
    ]


def _before_flush(session: so.Session, flush_context, instances) -> None:
    for resource in _resources_to_index(session):
        resource.search_text = search_text_of(resource.title or "", resource.description or "")


def _after_flush(session: so.Session, flush_context) -> None:
    resources = _resources_to_index(session)
    if not resources:
        return
    connection = session.connection()
    ids = [r.id for r in resources]
    connection.execute(sa.delete(SearchTerm).where(SearchTerm.resource_id.in_(ids)))
    rows = [row for r in resources for row in terms_of(r)]
    if rows:
        connection.execute(sa.insert(SearchTerm), rows)


def install_index_events() -> None:
    """Keep SearchTerm rows current for every session (idempotent)."""
    if not sa.event.contains(so.Session, "before_flush", _before_flush):
        sa.event.listen(so.Session, "before_flush", _before_flush)
        sa.event.listen(so.Session, "after_flush", _after_flush)


install_index_events()


def reindex(resources: Iterable[Resource]) -> int:
    """Rebuild the search terms of the given resources (e.g. rows written without the ORM)."""
    count = 0
    for resource in resources:
        resource.search_text = search_text_of(resource.title, resource.description or "")
        db.session.execute(sa.delete(SearchTerm).where(SearchTerm.resource_id == resource.id))
        rows = terms_of(resource)
        if rows:
            db.session.execute(sa.insert(SearchTerm), rows)
        count += 1
    db.session.flush()
    return count


# --------------------------------------------------------------- visibility ----
def visibility_clause(viewer) -> sa.ColumnElement[bool]:
    """Which resources a person may find: public active ones, their organisations', their own.

    Members-only resources only to members; paused, archived or hidden ones only to
    whoever manages them; admins see everything.
    """
    listed = sa.and_(Resource.status == "active", Resource.hidden_at.is_(None))
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return sa.and_(listed, Resource.visibility == "public")
    if getattr(viewer, "is_admin", False):
        return sa.true()
    member_of = sa.select(Membership.organisation_id).where(Membership.user_id == viewer.id)
    manager_of = member_of.where(Membership.role == "manager")
    return sa.or_(
        sa.and_(
            listed,
            sa.or_(Resource.visibility == "public", Resource.owner_org_id.in_(member_of)),
        ),
        Resource.owner_user_id == viewer.id,
        Resource.owner_org_id.in_(manager_of),
    )


def listing_options() -> tuple:
    """Eager loads for lists: owner, organisation, category and photos in a fixed few queries."""
    return (
        so.selectinload(Resource.owner_user),
        so.selectinload(Resource.owner_org),
        so.selectinload(Resource.category),
        so.selectinload(Resource.photos),
    )


# ------------------------------------------------------------------ filters ----
SORTS = ("relevance", "newest", "name")
FILTER_NAMES = (
    "q",
    "kind",
    "category",
    "district",
    "org",
    "capacity_min",
    "area_min",
    "available_from",
    "available_to",
    "sort",
)
MAX_PAGE = 10_000


class FilterError(DomainError):
    """A search filter that cannot be understood (answered with 400)."""

    status = 400
    code = "bad_filter"


@dataclass(frozen=True)
class Filters:
    q: str = ""
    kind: str | None = None
    category: str | None = None
    district: str | None = None
    org: str | None = None
    capacity_min: int | None = None
    area_min: float | None = None
    available_from: datetime | None = None
    available_to: datetime | None = None
    # What the person typed for the dates, to show them again.
    raw: dict[str, str] = field(default_factory=dict)
    sort: str | None = None
    page: int = 1

    @property
    def effective_sort(self) -> str:
        return self.sort or ("relevance" if query_words(self.q) else "newest")

    def active(self) -> dict[str, str]:
        """The filters in effect, as URL parameters (page left out)."""
        return {name: value for name, value in self.raw.items() if name != "page" and value}

    def without(self, name: str) -> dict[str, str]:
        params = self.active()
        params.pop(name, None)
        if name == "available_from":
            params.pop("available_to", None)
        return params

    def with_page(self, page: int) -> Filters:
        return replace(self, page=page)


def parse_moment(value: str, tz: ZoneInfo, *, end_of_day: bool) -> tuple[datetime, bool]:
    """A date or date-time as aware UTC; a date means local midnight (or the end of that day).

    Returns the moment and whether only a date was given.
    """
    value = value.strip()
    if len(value) == 10:
        day = date.fromisoformat(value)
        if end_of_day:
            day += timedelta(days=1)
        return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC), True
    moment = datetime.fromisoformat(value.replace(" ", "T", 1))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(UTC), False


def _int(value: str, name: str, errors: dict, *, minimum: int, maximum: int) -> int | None:
    try:
        number = int(value.strip())
    except ValueError:
        errors[name] = _("Please enter a whole number.")
        return None
    if not minimum <= number <= maximum:
        errors[name] = _("Please enter a number from %(min)s to %(max)s.", min=minimum, max=maximum)
        return None
    return number


def parse_filters(
    args: Mapping[str, str], *, districts: list[str], timezone: str, categories: list[str] | None
) -> Filters:
    """Read the filters of a search from URL parameters; raise FilterError for bad values."""
    errors: dict[str, str] = {}
    raw = {name: (args.get(name) or "").strip() for name in (*FILTER_NAMES, "page")}
    values: dict = {"raw": {k: v for k, v in raw.items() if v}}

    q = raw["q"]
    if len(q) > 200:
        errors["q"] = _("Please use at most 200 characters.")
    values["q"] = q[:200]

    if raw["kind"]:
        if raw["kind"] not in KINDS:
            errors["kind"] = _("Unknown kind: choose item, room or space.")
        values["kind"] = raw["kind"]
    if raw["category"]:
        if categories is not None and raw["category"] not in categories:
            errors["category"] = _("There is no such category.")
        values["category"] = raw["category"]
    if raw["district"]:
        if raw["district"] not in districts:
            errors["district"] = _("There is no such district.")
        values["district"] = raw["district"]
    if raw["org"]:
        if not re.fullmatch(r"[a-z0-9-]{1,80}", raw["org"]):
            errors["org"] = _("There is no such organisation.")
        values["org"] = raw["org"]
    if raw["capacity_min"]:
        values["capacity_min"] = _int(
            raw["capacity_min"], "capacity_min", errors, minimum=0, maximum=100_000
        )
    if raw["area_min"]:
        try:
            area = float(raw["area_min"].replace(",", "."))
        except ValueError:
            area = None
        if area is None or not math.isfinite(area) or not 0 <= area <= 1_000_000:
            errors["area_min"] = _("Please enter an area in square metres.")
        else:
            values["area_min"] = area
    if raw["sort"]:
        if raw["sort"] not in SORTS:
            errors["sort"] = _("Unknown sort order.")
        values["sort"] = raw["sort"]
    if raw["page"]:
        values["page"] = _int(raw["page"], "page", errors, minimum=1, maximum=MAX_PAGE) or 1

    tz = ZoneInfo(timezone)
    start = end = None
    start_is_date = False
    for name in ("available_from", "available_to"):
        if not raw[name]:
            continue
        try:
            moment, is_date = parse_moment(raw[name], tz, end_of_day=name == "available_to")
        except ValueError:
            errors[name] = _("Please enter a date like 2027-03-01 (or a date and time).")
            continue
        if not 2000 <= moment.year <= 2200:
            errors[name] = _("Please enter a date between the years 2000 and 2200.")
            continue
        if name == "available_from":
            start, start_is_date = moment, is_date
        else:
            end = moment
    if raw["available_to"] and not raw["available_from"] and "available_to" not in errors:
        errors["available_from"] = _("Please give the first day too.")
    if start is not None and end is None and "available_to" not in errors:
        # Only a first day: free for that day (or the hour from the given time).
        end = start + (timedelta(days=1) if start_is_date else timedelta(hours=1))
    if start is not None and end is not None and end <= start:
        errors["available_to"] = _("The end must be after the start.")
    values["available_from"], values["available_to"] = start, end

    if errors:
        raise FilterError(
            _("Some search filters could not be understood: %(names)s.", names=", ".join(errors)),
            errors=errors,
        )
    return Filters(**values)


# ------------------------------------------------------------------- search ----
@dataclass
class Results:
    items: list[Resource]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def filtered_query(filters: Filters, viewer) -> sa.Select:
    """The resources matching the filters that the viewer may see (without order or paging)."""
    from app.booking.search import restrict_to_available

    query = sa.select(Resource).where(visibility_clause(viewer))
    if filters.kind:
        query = query.where(Resource.kind == filters.kind)
    if filters.category:
        query = query.where(
            Resource.category_id.in_(
                sa.select(Category.id).where(Category.slug == filters.category)
            )
        )
    if filters.district:
        query = query.where(Resource.district == filters.district)
    if filters.org:
        query = query.where(
            Resource.owner_org_id.in_(
                sa.select(Organisation.id).where(Organisation.slug == filters.org)
            )
        )
    if filters.capacity_min is not None:
        query = query.where(Resource.capacity >= filters.capacity_min)
    if filters.area_min is not None:
        query = query.where(Resource.area_m2 >= filters.area_min)
    for word in query_words(filters.q):
        query = query.where(
            Resource.id.in_(sa.select(SearchTerm.resource_id).where(term_matches(word)))
        )
    if filters.available_from is not None and filters.available_to is not None:
        query = restrict_to_available(query, filters.available_from, filters.available_to)
    return query


def ordered(query: sa.Select, filters: Filters) -> sa.Select:
    sort = filters.effective_sort
    newest = (Resource.created_at.desc(), Resource.id.desc())
    if sort == "name":
        return query.order_by(Resource.search_text, Resource.id)
    if sort == "relevance":
        qwords = query_words(filters.q)
        if qwords:
            title_hits = (
                sa.select(sa.func.count())
                .where(
                    SearchTerm.resource_id == Resource.id,
                    SearchTerm.in_title.is_(True),
                    sa.or_(*(term_matches(w) for w in qwords)),
                )
                .correlate(Resource)
                .scalar_subquery()
            )
            exact = (
                sa.select(sa.func.count())
                .where(SearchTerm.resource_id == Resource.id, SearchTerm.term.in_(qwords))
                .correlate(Resource)
                .scalar_subquery()
            )
            return query.order_by(title_hits.desc(), exact.desc(), *newest)
    return query.order_by(*newest)


def search(filters: Filters, viewer, *, per_page: int = 24) -> Results:
    """One page of matching resources, eager-loaded: a fixed number of queries."""
    base = filtered_query(filters, viewer)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(base.subquery())) or 0
    page_query = (
        ordered(base, filters)
        .options(*listing_options())
        .limit(per_page)
        .offset((filters.page - 1) * per_page)
    )
    items = list(db.session.scalars(page_query)) if total else []
    return Results(items=items, total=total, page=filters.page, per_page=per_page)
