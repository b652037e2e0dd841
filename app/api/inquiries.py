"""API: inquiries for vacant spaces (a person's own, and sending a new one)."""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _

from app.api import bp, document, problem_response, token_required
from app.booking.availability import day_period
from app.booking.periods import isoformat, parse_moment, whole_days
from app.db import write_transaction
from app.errors import DomainError
from app.extensions import db
from app.models import Inquiry, Organisation, Resource
from app.models.inquiry import INQUIRY_STATUSES, USES
from app.notifications.outbox import absolute_url
from app.spaces import service


def inquiry_json(inquiry: Inquiry, user) -> dict:
    start, end = day_period(inquiry.period_from, inquiry.period_until)
    wished_start, wished_end = day_period(inquiry.wished_from, inquiry.wished_until)
    return {
        "id": inquiry.id,
        "space_id": inquiry.space_id,
        "space_title": inquiry.space.title,
        "status": inquiry.status,
        "role": service.role_of(inquiry, user),
        "intended_use": inquiry.intended_use,
        "concept": inquiry.concept,
        "organisation_id": inquiry.organisation_id,
        "applicant": inquiry.applicant.display_name if inquiry.applicant else None,
        # The period under discussion (or agreed); end is exclusive, as everywhere here.
        "start": isoformat(start),
        "end": isoformat(end),
        "first_day": inquiry.period_from.isoformat(),
        "last_day": inquiry.period_until.isoformat(),
        "wished_start": isoformat(wished_start),
        "wished_end": isoformat(wished_end),
        "reservation_id": inquiry.reservation_id,
        "created_at": isoformat(inquiry.created_at),
        "url": absolute_url(service.thread_path(inquiry)),
    }


@bp.get("/inquiries")
@token_required
def list_inquiries(user):
    """The person's inquiries, as applicant or as owner of the space."""
    query = service.visible_inquiries(user, everything=False)
    status = request.args.get("status")
    if status:
        if status not in INQUIRY_STATUSES:
            raise DomainError(_("Unknown status."), errors={"status": ", ".join(INQUIRY_STATUSES)})
        query = query.where(Inquiry.status == status)
    items = db.session.scalars(query.order_by(Inquiry.created_at.desc(), Inquiry.id.desc())).all()
    return {"items": [inquiry_json(item, user) for item in items], "total": len(items)}


@bp.get("/inquiries/<int:inquiry_id>")
@token_required
def get_inquiry(user, inquiry_id: int):
    """One inquiry the person takes part in (the project office may read every one)."""
    inquiry, _role = service.inquiry_for(inquiry_id, user)
    return inquiry_json(inquiry, user)


def _days(body: dict) -> tuple:
    """The wished whole days from `start` and `end` (end exclusive, dates or midnights)."""
    errors: dict[str, str] = {}
    moments = {}
    for name in ("start", "end"):
        value = body.get(name)
        if not isinstance(value, str) or not value.strip():
            errors[name] = _("Required: a date such as 2027-03-01.")
            continue
        try:
            moments[name] = parse_moment(value)
        except ValueError:
            errors[name] = _("Not a date or date-time in ISO 8601.")
    if errors:
        return None, errors
    if moments["end"] <= moments["start"]:
        return None, {"end": _("The end must come after the start.")}
    days = whole_days(moments["start"], moments["end"])
    if days is None:
        return None, {"start": _("Spaces are inquired for whole days: please give dates.")}
    return days, {}


@bp.post("/inquiries")
@token_required
def create_inquiry(user):
    """Send an inquiry for a vacant space."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise DomainError(_("The body must be a JSON object."))
    errors: dict[str, str] = {}
    space_id = body.get("space_id")
    space = None
    if not isinstance(space_id, int) or isinstance(space_id, bool):
        errors["space_id"] = _("Required: the id of a vacant space.")
    else:
        space = db.session.get(Resource, space_id)
        if (
            space is None
            or space.kind != "space"
            or not space.is_visible_publicly
            or not space.can_see(user)
        ):
            errors["space_id"] = _("There is no such space.")
    use = body.get("intended_use")
    if use not in USES:
        errors["intended_use"] = _("One of: %(values)s.", values=", ".join(USES))
    concept = body.get("concept")
    if not isinstance(concept, str):
        errors["concept"] = _("Please describe your idea in a few sentences.")
    organisation = None
    org_id = body.get("organisation_id")
    if org_id is not None:
        if not isinstance(org_id, int) or isinstance(org_id, bool):
            errors["organisation_id"] = _("The id of an organisation you belong to.")
        else:
            organisation = db.session.get(Organisation, org_id)
            if organisation is None or not organisation.is_member(user):
                errors["organisation_id"] = _(
                    "You can only ask on behalf of an organisation you belong to."
                )
    days, period_errors = _days(body)
    errors.update(period_errors)
    if errors:
        raise DomainError(_("Please check your inquiry."), errors=errors)
    with write_transaction():
        space = db.session.get(Resource, space_id)
        inquiry = service.create_inquiry(
            space,
            user,
            intended_use=use,
            first_day=days[0],
            last_day=days[1],
            concept=concept,
            organisation=db.session.get(Organisation, org_id) if organisation else None,
        )
        inquiry_id = inquiry.id
    inquiry = db.session.get(Inquiry, inquiry_id)
    response = inquiry_json(inquiry, user)
    return response, 201, {"Location": absolute_url(f"/api/v1/inquiries/{inquiry_id}")}


INQUIRY_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "space_id": {"type": "integer"},
        "space_title": {"type": "string"},
        "status": {"type": "string", "enum": list(INQUIRY_STATUSES)},
        "role": {"type": "string", "enum": ["applicant", "owner", "mediator"]},
        "intended_use": {"type": "string", "enum": list(USES)},
        "concept": {"type": "string"},
        "organisation_id": {"type": ["integer", "null"]},
        "applicant": {"type": ["string", "null"]},
        "start": {"type": "string", "format": "date-time"},
        "end": {
            "type": "string",
            "format": "date-time",
            "description": "Exclusive: local midnight after the last day.",
        },
        "first_day": {"type": "string", "format": "date"},
        "last_day": {"type": "string", "format": "date"},
        "wished_start": {"type": "string", "format": "date-time"},
        "wished_end": {"type": "string", "format": "date-time"},
        "reservation_id": {"type": ["integer", "null"]},
        "created_at": {"type": "string", "format": "date-time"},
        "url": {"type": "string", "format": "uri"},
    },
    "required": ["id", "space_id", "status", "intended_use", "start", "end"],
}

document(
    paths={
        "/inquiries": {
            "get": {
                "summary": "Your inquiries for vacant spaces, as applicant or as owner",
                "security": [{"bearer": []}],
                "parameters": [
                    {
                        "name": "status",
                        "in": "query",
                        "schema": {"type": "string", "enum": list(INQUIRY_STATUSES)},
                    }
                ],
                "responses": {
                    "200": {
                        "description": "The inquiries, newest first",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "items": {
                                            "type": "array",
                                            "items": {"$ref": "#/components/schemas/Inquiry"},
                                        },
                                        "total": {"type": "integer"},
                                    },
                                }
                            }
                        },
                    },
                    "401": problem_response("No valid personal token"),
                    "422": problem_response("Unknown status"),
                },
            },
            "post": {
                "summary": "Send an inquiry for a vacant space",
                "description": "A date means local midnight; `end` is exclusive, so "
                "start=2027-03-01, end=2027-04-01 asks for the whole of March. "
                "The owner answers in the thread at `url`.",
                "security": [{"bearer": []}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/InquiryInput"}
                        }
                    },
                },
                "responses": {
                    "201": {
                        "description": "The inquiry was sent",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Inquiry"}}
                        },
                    },
                    "401": problem_response("No valid personal token"),
                    "403": problem_response("Unconfirmed email address, or your own space"),
                    "409": problem_response("You already have an open inquiry for this space"),
                    "422": problem_response("Malformed input or a period outside availability"),
                },
            },
        },
        "/inquiries/{id}": {
            "get": {
                "summary": "One inquiry you take part in",
                "security": [{"bearer": []}],
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
                ],
                "responses": {
                    "200": {
                        "description": "The inquiry",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Inquiry"}}
                        },
                    },
                    "401": problem_response("No valid personal token"),
                    "403": problem_response("You take no part in this inquiry"),
                    "404": problem_response("No such inquiry"),
                },
            }
        },
    },
    schemas={
        "Inquiry": INQUIRY_SCHEMA,
        "InquiryInput": {
            "type": "object",
            "properties": {
                "space_id": {"type": "integer"},
                "intended_use": {"type": "string", "enum": list(USES)},
                "start": {"type": "string", "description": "Date or date-time at midnight"},
                "end": {"type": "string", "description": "Exclusive; date or midnight"},
                "concept": {"type": "string", "maxLength": service.CONCEPT_MAX},
                "organisation_id": {"type": "integer"},
            },
            "required": ["space_id", "intended_use", "start", "end", "concept"],
        },
    },
)
