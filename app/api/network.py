"""API: organisations, public events and wishes."""

from __future__ import annotations

from datetime import date

from flask import abort, request
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from app.api import bp, document, problem_response, token_required
from app.db import write_transaction
from app.errors import DomainError, problem
from app.extensions import db
from app.models import Organisation, Resource, Wish
from app.network import service
from app.notifications.outbox import absolute_url


def page_args(max_per_page: int = 100) -> tuple[int, int]:
    try:
        page = int(request.args.get("page", 1))
        per_page = int(request.args.get("per_page", 20))
    except ValueError:
        abort(400, "page and per_page must be whole numbers")
    if page < 1 or not 1 <= per_page <= max_per_page:
        abort(400, f"page must be at least 1 and per_page between 1 and {max_per_page}")
    return page, per_page


def paginate(query, serialise, page: int, per_page: int) -> dict:
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).all()
    return {
        "items": [serialise(r) for r in rows],
        "total": total,
        "page": page,
        "per_page": per_page,
    }


def org_json(org: Organisation) -> dict:
    return {
        "id": org.id,
        "slug": org.slug,
        "name": org.name,
        "kind": org.kind,
        "description": org.description,
        "district": org.district,
        "fields": org.fields or [],
        "looking_for": org.looking_for or [],
        "contact_email": org.contact_email,
        "website": org.website,
        "verified": org.verified_at is not None,
        "url": absolute_url(f"/orgs/{org.slug}"),
    }


def event_json(event) -> dict:
    reservation = event.reservation
    resource = reservation.resource
    return {
        "id": event.id,
        "title": event.title,
        "description": event.description,
        "start": reservation.start.isoformat(),
        "end": reservation.end.isoformat(),
        "access": event.access,
        "contact": event.contact,
        "place": {
            "resource_id": resource.id,
            "title": resource.title,
            "district": resource.district,
        },
        "organisation": event.organisation.slug if event.organisation else None,
        "url": absolute_url(f"/events/{event.id}"),
    }


def wish_json(wish: Wish) -> dict:
    return {
        "id": wish.id,
        "title": wish.title,
        "description": wish.description,
        "category": wish.category.slug if wish.category else None,
        "district": wish.district,
        "wanted_from": wish.wanted_from.isoformat() if wish.wanted_from else None,
        "wanted_until": wish.wanted_until.isoformat() if wish.wanted_until else None,
        "expires_on": wish.expires_on.isoformat(),
        "status": wish.status,
        "organisation": wish.organisation.slug if wish.organisation else None,
        "url": absolute_url(f"/wanted/{wish.id}"),
    }


def parse_date(value: str | None, name: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError as error:
        raise DomainError(_("Not a date."), errors={name: _("Use the form YYYY-MM-DD.")}) from error


@bp.get("/orgs")
def list_orgs():
    """The directory of organisations."""
    page, per_page = page_args()
    query = select(Organisation).order_by(Organisation.name)
    if q := request.args.get("q", "").strip():
        pattern = f"%{q.lower()}%"
        query = query.where(
            or_(
                func.lower(Organisation.name).like(pattern),
                func.lower(Organisation.description).like(pattern),
            )
        )
    if kind := request.args.get("kind"):
        query = query.where(Organisation.kind == kind)
    if district := request.args.get("district"):
        query = query.where(Organisation.district == district)
    return paginate(query, org_json, page, per_page)


@bp.get("/events")
def list_events():
    """Upcoming public events."""
    page, per_page = page_args()
    try:
        start = parse_date(request.args.get("from"), "from")
        end = parse_date(request.args.get("to"), "to")
    except DomainError as error:
        return problem(400, "Bad request", error.message, errors=error.errors)
    start_at = service.local_midnight(start or service.local_today())
    end_at = service.local_midnight(end) if end else None
    org_id = None
    if slug := request.args.get("org"):
        org_id = db.session.scalar(select(Organisation.id).where(Organisation.slug == slug)) or -1
    query = service.events_query(
        start=start_at, end=end_at, organisation_id=org_id, district=request.args.get("district")
    )
    return paginate(query, event_json, page, per_page)


@bp.get("/wishes")
def list_wishes():
    """Open wishes on the board."""
    page, per_page = page_args()
    query = service.board_query(service.local_today(), q=request.args.get("q") or None).options(
        selectinload(Wish.category)
    )
    return paginate(query, wish_json, page, per_page)


@bp.post("/wishes")
@token_required
def create_wish(user):
    """Post a wish."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return problem(422, "Could not process the input", "Send a JSON object.")
    title = str(data.get("title") or "").strip()
    if not title or len(title) > 140:
        return problem(
            422,
            "Could not process the input",
            "A title is required.",
            errors={"title": "required, at most 140 characters"},
        )
    organisation = None
    if data.get("organisation"):
        organisation = db.session.scalar(
            select(Organisation).where(Organisation.slug == str(data["organisation"]))
        )
        if organisation is None:
            return problem(422, "Could not process the input", errors={"organisation": "unknown"})
    with write_transaction():
        wish = service.post_wish(
            user,
            title=title,
            description=str(data.get("description") or ""),
            district=data.get("district"),
            wanted_from=parse_date(data.get("wanted_from"), "wanted_from"),
            wanted_until=parse_date(data.get("wanted_until"), "wanted_until"),
            expires_on=parse_date(data.get("expires_on"), "expires_on"),
            organisation=organisation,
        )
    return wish_json(wish), 201


@bp.post("/wishes/<int:wish_id>/answers")
@token_required
def answer_wish(user, wish_id: int):
    """Answer a wish with a message and/or one of your resources."""
    wish = db.session.get(Wish, wish_id)
    if wish is None:
        return problem(404, "Not found")
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return problem(422, "Could not process the input", "Send a JSON object.")
    resource = None
    if data.get("resource_id") is not None:
        try:
            resource = db.session.get(Resource, int(data["resource_id"]))
        except (TypeError, ValueError):
            resource = None
        if resource is None:
            return problem(422, "Could not process the input", errors={"resource_id": "unknown"})
    with write_transaction():
        answer = service.answer_wish(
            wish, user, message=str(data.get("message") or ""), resource=resource
        )
    body = {"id": answer.id, "wish_id": wish.id, "resource_id": answer.resource_id}
    if resource is not None:
        body["reservation_url"] = absolute_url(
            service.reservation_link(resource.id, answer.start, answer.end)
        )
    return body, 201


_list = {
    "parameters": [
        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
        {
            "name": "per_page",
            "in": "query",
            "schema": {"type": "integer", "minimum": 1, "maximum": 100},
        },
    ]
}


def _page_of(ref: str) -> dict:
    return {
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{ref}"}},
            "total": {"type": "integer"},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
        },
        "required": ["items", "total", "page", "per_page"],
    }


def _json(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


document(
    paths={
        "/orgs": {
            "get": {
                "summary": "The directory of organisations",
                **_list,
                "responses": {
                    "200": {
                        "description": "A page of organisations",
                        **_json(_page_of("Organisation")),
                    },
                    "400": problem_response("Bad paging"),
                },
            }
        },
        "/events": {
            "get": {
                "summary": "Upcoming public events",
                "parameters": _list["parameters"]
                + [
                    {"name": "from", "in": "query", "schema": {"type": "string", "format": "date"}},
                    {"name": "to", "in": "query", "schema": {"type": "string", "format": "date"}},
                    {"name": "org", "in": "query", "schema": {"type": "string"}},
                    {"name": "district", "in": "query", "schema": {"type": "string"}},
                ],
                "responses": {
                    "200": {"description": "A page of events", **_json(_page_of("Event"))},
                    "400": problem_response("Bad filter"),
                },
            }
        },
        "/wishes": {
            "get": {
                "summary": "Open wishes on the board",
                **_list,
                "responses": {
                    "200": {"description": "A page of wishes", **_json(_page_of("Wish"))}
                },
            },
            "post": {
                "summary": "Post a wish",
                "security": [{"bearer": []}],
                "requestBody": {
                    "required": True,
                    **_json(
                        {
                            "type": "object",
                            "required": ["title"],
                            "properties": {
                                "title": {"type": "string"},
                                "description": {"type": "string"},
                                "district": {"type": "string"},
                                "wanted_from": {"type": "string", "format": "date"},
                                "wanted_until": {"type": "string", "format": "date"},
                                "expires_on": {"type": "string", "format": "date"},
                                "organisation": {"type": "string"},
                            },
                        }
                    ),
                },
                "responses": {
                    "201": {
                        "description": "The new wish",
                        **_json({"$ref": "#/components/schemas/Wish"}),
                    },
                    "401": problem_response("No token"),
                    "422": problem_response("Invalid"),
                },
            },
        },
        "/wishes/{wish_id}/answers": {
            "post": {
                "summary": "Answer a wish with a message or a resource",
                "security": [{"bearer": []}],
                "parameters": [
                    {
                        "name": "wish_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer"},
                    }
                ],
                "requestBody": {
                    "required": True,
                    **_json(
                        {
                            "type": "object",
                            "properties": {
                                "message": {"type": "string"},
                                "resource_id": {"type": "integer"},
                            },
                        }
                    ),
                },
                "responses": {
                    "201": {"description": "The answer"},
                    "401": problem_response("No token"),
                    "403": problem_response("Not your resource"),
                    "404": problem_response("No such wish"),
                    "422": problem_response("Invalid"),
                },
            }
        },
    },
    schemas={
        "Organisation": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "slug": {"type": "string"},
                "name": {"type": "string"},
                "kind": {
                    "type": "string",
                    "enum": ["initiative", "business", "property_owner", "public_body"],
                },
                "district": {"type": ["string", "null"]},
                "fields": {"type": "array", "items": {"type": "string"}},
                "looking_for": {"type": "array", "items": {"type": "string"}},
                "verified": {"type": "boolean"},
                "url": {"type": "string"},
            },
        },
        "Event": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "title": {"type": "string"},
                "start": {"type": "string", "format": "date-time"},
                "end": {"type": "string", "format": "date-time"},
                "access": {"type": "string", "enum": ["open", "registration"]},
                "url": {"type": "string"},
            },
        },
        "Wish": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "title": {"type": "string"},
                "status": {"type": "string"},
                "expires_on": {"type": "string", "format": "date"},
                "url": {"type": "string"},
            },
        },
    },
)
