"""Reading resources through the API: the list with the page's filters, and one resource."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, jsonify, request, url_for

from app.api import bp, current_api_user, document, problem_response
from app.catalogue.photos import DETAIL_SIZE, LIST_SIZE, file_name
from app.catalogue.search import FilterError, parse_filters, search
from app.catalogue.service import get_resource
from app.extensions import db
from app.models import Category, Resource

MAX_PER_PAGE = 100
KIND_FIELDS = {
    "item": (),
    "room": ("capacity", "equipment"),
    "space": (
        "area_m2",
        "floor",
        "shop_window",
        "step_free",
        "rent_model",
        "permitted_uses",
        "available_from",
        "available_until",
    ),
}


def absolute(path: str) -> str:
    return current_app.config["SITE_URL"].rstrip("/") + path


def resource_json(resource: Resource) -> dict:
    """A resource as the API shows it (no address, no personal data of a private lender)."""
    body = {
        "id": resource.id,
        "kind": resource.kind,
        "title": resource.title,
        "description": resource.description or "",
        "category": resource.category.slug if resource.category else None,
        "owner": resource.owner_name,
        "organisation": resource.owner_org.slug if resource.owner_org else None,
        "district": resource.district,
        "units": resource.units,
        "requires_approval": resource.requires_approval,
        "fee_cents": resource.fee_cents,
        "deposit_cents": resource.deposit_cents,
        "visibility": resource.visibility,
        "status": resource.status,
        "granularity": resource.granularity,
        "briefing_required": resource.briefing_required,
        "min_age": resource.min_age,
        "photos": [
            {
                "url": absolute(
                    url_for("catalogue.media_photo", name=file_name(p.stem, p.ext, DETAIL_SIZE))
                ),
                "thumbnail_url": absolute(
                    url_for("catalogue.media_photo", name=file_name(p.stem, p.ext, LIST_SIZE))
                ),
                "alt": p.alt_text,
                "width": p.width,
                "height": p.height,
            }
            for p in resource.photos
        ],
        "url": absolute(url_for("catalogue.detail", resource_id=resource.id)),
    }
    for name in KIND_FIELDS.get(resource.kind, ()):
        value = getattr(resource, name)
        if name in ("available_from", "available_until") and value is not None:
            value = value.isoformat()
        if name == "permitted_uses":
            value = list(value or [])
        body[name] = value
    return body


@bp.get("/resources")
def list_resources():
    """Resources matching the filters that the caller may see, a page at a time."""
    config = current_app.config
    slugs = list(db.session.scalars(sa.select(Category.slug)))
    filters = parse_filters(
        request.args, districts=config["DISTRICTS"], timezone=config["TIMEZONE"], categories=slugs
    )
    raw = (request.args.get("per_page") or "").strip()
    per_page = 20
    if raw:
        try:
            per_page = int(raw)
        except ValueError:
            per_page = 0
        if not 1 <= per_page <= MAX_PER_PAGE:
            message = f"per_page must be a whole number from 1 to {MAX_PER_PAGE}."
            raise FilterError(message, errors={"per_page": message})
    results = search(filters, current_api_user(), per_page=per_page)
    return jsonify(
        {
            "items": [resource_json(r) for r in results.items],
            "total": results.total,
            "page": results.page,
            "per_page": results.per_page,
        }
    )


@bp.get("/resources/<int:resource_id>")
def show_resource(resource_id: int):
    """One resource, if the caller may see it."""
    return jsonify(resource_json(get_resource(resource_id, current_api_user())))


# ------------------------------------------------------------------ OpenAPI ----
def _query(name: str, description: str, schema: dict) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


DATE_OR_TIME = {"type": "string", "examples": ["2027-03-01", "2027-03-01T10:00:00+01:00"]}
FILTER_PARAMETERS = [
    _query(
        "q",
        "Search words; case-insensitive, ä = ae, ß = ss, word prefixes match.",
        {"type": "string", "maxLength": 200},
    ),
    _query("kind", "Only this kind.", {"type": "string", "enum": ["item", "room", "space"]}),
    _query("category", "Category slug.", {"type": "string"}),
    _query("district", "One of the town's districts.", {"type": "string"}),
    _query("org", "Slug of the owning organisation.", {"type": "string"}),
    _query(
        "capacity_min", "Rooms for at least this many people.", {"type": "integer", "minimum": 0}
    ),
    _query("area_min", "Spaces of at least this many m².", {"type": "number", "minimum": 0}),
    _query(
        "available_from",
        "Free from (a date means local midnight; a date-time without offset is local time).",
        DATE_OR_TIME,
    ),
    _query("available_to", "Free until (a date means the end of that day).", DATE_OR_TIME),
    _query(
        "sort", "Order of the results.", {"type": "string", "enum": ["relevance", "newest", "name"]}
    ),
    _query("page", "Page number, from 1.", {"type": "integer", "minimum": 1, "default": 1}),
    _query(
        "per_page",
        "Results per page.",
        {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": 20},
    ),
]

RESOURCE_SCHEMA = {
    "type": "object",
    "required": [
        "id",
        "kind",
        "title",
        "description",
        "category",
        "owner",
        "district",
        "units",
        "requires_approval",
        "fee_cents",
        "deposit_cents",
        "url",
    ],
    "properties": {
        "id": {"type": "integer"},
        "kind": {"type": "string", "enum": ["item", "room", "space"]},
        "title": {"type": "string"},
        "description": {"type": "string"},
        "category": {"type": ["string", "null"], "description": "Category slug."},
        "owner": {
            "type": "string",
            "description": "Name of the organisation or display name of the person.",
        },
        "organisation": {
            "type": ["string", "null"],
            "description": "Slug of the owning organisation.",
        },
        "district": {"type": ["string", "null"]},
        "units": {"type": "integer", "minimum": 1},
        "requires_approval": {"type": "boolean"},
        "fee_cents": {"type": "integer"},
        "deposit_cents": {"type": "integer"},
        "visibility": {"type": "string", "enum": ["public", "members"]},
        "status": {"type": "string", "enum": ["active", "paused", "archived"]},
        "granularity": {"type": "string", "enum": ["slot", "day"]},
        "briefing_required": {"type": "boolean"},
        "min_age": {"type": ["integer", "null"]},
        "photos": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "url": {"type": "string", "format": "uri"},
                    "thumbnail_url": {"type": "string", "format": "uri"},
                    "alt": {"type": "string"},
                    "width": {"type": "integer"},
                    "height": {"type": "integer"},
                },
            },
        },
        "url": {"type": "string", "format": "uri"},
        "capacity": {"type": ["integer", "null"], "description": "Rooms only."},
        "equipment": {"type": ["string", "null"], "description": "Rooms only."},
        "area_m2": {"type": ["number", "null"], "description": "Spaces only."},
        "floor": {"type": ["integer", "null"], "description": "Spaces only."},
        "shop_window": {"type": ["boolean", "null"], "description": "Spaces only."},
        "step_free": {"type": ["boolean", "null"], "description": "Spaces only."},
        "rent_model": {
            "type": ["string", "null"],
            "enum": ["free", "utilities", "reduced", "negotiable", None],
            "description": "Spaces only.",
        },
        "permitted_uses": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Spaces only.",
        },
        "available_from": {
            "type": ["string", "null"],
            "format": "date",
            "description": "Spaces only.",
        },
        "available_until": {
            "type": ["string", "null"],
            "format": "date",
            "description": "Spaces only.",
        },
    },
}

document(
    paths={
        "/resources": {
            "get": {
                "summary": "Find resources",
                "description": "Public resources without a token; members-only ones of your "
                "organisations with a token.",
                "operationId": "listResources",
                "tags": ["resources"],
                "security": [{}, {"bearer": []}],
                "parameters": FILTER_PARAMETERS,
                "responses": {
                    "200": {
                        "description": "A page of resources.",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/ResourcePage"}
                            }
                        },
                    },
                    "400": problem_response("A filter could not be understood."),
                },
            }
        },
        "/resources/{resource_id}": {
            "get": {
                "summary": "One resource",
                "operationId": "getResource",
                "tags": ["resources"],
                "security": [{}, {"bearer": []}],
                "parameters": [
                    {
                        "name": "resource_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer"},
                    }
                ],
                "responses": {
                    "200": {
                        "description": "The resource.",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Resource"}
                            }
                        },
                    },
                    "404": problem_response("No such resource, or not visible to you."),
                },
            }
        },
    },
    schemas={
        "Resource": RESOURCE_SCHEMA,
        "ResourcePage": {
            "type": "object",
            "required": ["items", "total", "page", "per_page"],
            "properties": {
                "items": {"type": "array", "items": {"$ref": "#/components/schemas/Resource"}},
                "total": {"type": "integer"},
                "page": {"type": "integer"},
                "per_page": {"type": "integer"},
            },
        },
    },
)
