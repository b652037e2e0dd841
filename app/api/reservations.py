"""Reservations through the API: availability, reserving, my reservations, decisions."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app, jsonify, request, url_for
from flask_babel import gettext as _

from app.api import bp, current_api_user, document, problem_response, token_required
from app.booking import service
from app.booking.availability import (
    busy_periods,
    closed_days,
    day_period,
    local_date,
    local_midnight,
    open_periods,
)
from app.booking.periods import isoformat, parse_moment
from app.db import utcnow, write_transaction
from app.errors import DomainError, NotFound
from app.extensions import db
from app.models import Membership, Organisation, Reservation, Resource

MAX_WINDOW_DAYS = 366
MAX_PER_PAGE = 100


def reservation_json(reservation: Reservation, user) -> dict:
    """A reservation as its two sides (and the office) see it."""
    roles = service.roles_of(reservation, user)
    body = {
        "id": reservation.id,
        "resource_id": reservation.resource_id,
        "resource_title": reservation.resource.title,
        "status": reservation.status,
        "start": isoformat(reservation.start),
        "end": isoformat(reservation.end),
        "units": reservation.units,
        "message": reservation.message or "",
        "sequence": reservation.sequence,
        "overdue": reservation.is_overdue(),
        "created_at": isoformat(reservation.created_at),
        "url": current_app.config["SITE_URL"].rstrip("/")
        + url_for("reservations.detail", reservation_id=reservation.id),
        "actions": service.allowed_actions(reservation, user),
    }
    if reservation.decline_reason:
        body["decline_reason"] = reservation.decline_reason
    if reservation.cancel_reason:
        body["cancel_reason"] = reservation.cancel_reason
    if reservation.handover_code and roles & {"requester", "lender"}:
        body["handover_code"] = reservation.handover_code
    return body


def invalid(errors: dict[str, str], detail: str | None = None) -> DomainError:
    return DomainError(detail or _("Please check your input."), errors=errors)


def json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise invalid({"body": _("Please send a JSON object.")})
    return body


def read_period(body: dict, errors: dict[str, str], start_key="start", end_key="end"):
    """(start, end) from ISO dates or date-times; missing or bad ones go into errors."""
    moments: dict[str, datetime] = {}
    for key in (start_key, end_key):
        value = body.get(key)
        if not isinstance(value, str) or not value.strip():
            errors[key] = _("Required: an ISO 8601 date or date-time.")
            continue
        try:
            moments[key] = parse_moment(value)
        except ValueError:
            errors[key] = _("Not an ISO 8601 date or date-time.")
    if len(moments) == 2 and moments[end_key] <= moments[start_key]:
        errors[end_key] = _("The end must come after the start.")
    return moments.get(start_key), moments.get(end_key)


def read_int(body: dict, key: str, errors: dict[str, str], *, default=None, minimum=0):
    value = body.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        errors[key] = _("Please send a whole number of at least %(n)s.", n=minimum)
        return None
    return value


def read_text(body: dict, key: str, errors: dict[str, str], limit: int = 2000) -> str:
    value = body.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > limit:
        errors[key] = _("Please send a text of at most %(n)s characters.", n=limit)
        return ""
    return value


# ----------------------------------------------------------- availability ----
def closed_runs(days: dict[date, str]) -> list[dict]:
    """Consecutive closed days with the same reason as one period each."""
    runs: list[list] = []
    for day in sorted(days):
        if runs and runs[-1][1] + timedelta(days=1) == day and runs[-1][2] == days[day]:
            runs[-1][1] = day
        else:
            runs.append([day, day, days[day]])
    result = []
    for first, last, reason in runs:
        start, end = day_period(first, last)
        result.append({"start": isoformat(start), "end": isoformat(end), "reason": reason})
    return result


@bp.get("/resources/<int:resource_id>/availability")
def resource_availability(resource_id: int):
    """Busy times (units held), closed days and opening hours in a window; no personal data."""
    resource = db.session.get(Resource, resource_id)
    if resource is None or not resource.can_see(current_api_user()):
        raise NotFound(_("There is no such offer, or it is not available to you."))
    errors: dict[str, str] = {}
    start = end = None
    try:
        start = (parse_moment(request.args["from"]) if request.args.get("from")
                 else local_midnight(local_date(utcnow())))
    except ValueError:
        errors["from"] = _("Not an ISO 8601 date or date-time.")
    try:
        if request.args.get("to"):
            end = parse_moment(request.args["to"])
        elif start is not None:
            end = local_midnight(local_date(start) + timedelta(days=31))
    except ValueError:
        errors["to"] = _("Not an ISO 8601 date or date-time.")
    if start is not None and end is not None:
        if end <= start:
            errors["to"] = _("The end must come after the start.")
        elif end - start > timedelta(days=MAX_WINDOW_DAYS):
            errors["to"] = _("At most %(n)s days at a time.", n=MAX_WINDOW_DAYS)
    if errors:
        raise invalid(errors)
    first, last = local_date(start), local_date(end - timedelta(microseconds=1))
    opening = open_periods(resource, first, last)
    return jsonify(
        {
            "resource_id": resource.id,
            "units": resource.units,
            "from": isoformat(start),
            "to": isoformat(end),
            "busy": [
                {"start": isoformat(s), "end": isoformat(e), "units": units}
                for s, e, units in busy_periods(resource, start, end)
            ],
            "closed": closed_runs(closed_days(resource, first, last)),
            "open": [
                {"start": isoformat(max(s, start)), "end": isoformat(min(e, end))}
                for day in sorted(opening)
                for s, e in opening[day]
                if s < end and e > start
            ],
        }
    )


# ------------------------------------------------------------- reserving ----
@bp.post("/reservations")
@token_required
def create_reservation(user):
    """Reserve an item or a room: 201 confirmed or requested; 409 overbooked; 422 refused.

    With `repeat` the same local times every N weeks: 201 with {series_id, items, skipped}.
    """
    from app.api import lending

    body = json_body()
    errors: dict[str, str] = {}
    resource_id = read_int(body, "resource_id", errors, minimum=1)
    if resource_id is None and "resource_id" not in errors:
        errors["resource_id"] = _("Required.")
    start, end = read_period(body, errors)
    units = read_int(body, "units", errors, default=1, minimum=1)
    message = read_text(body, "message", errors)
    confirmations = lending.read_confirmations(body, errors)
    repeat = lending.read_repeat(body, errors)
    resource = None
    if resource_id is not None:
        resource = db.session.get(Resource, resource_id)
        if resource is None or not resource.can_see(user):
            errors["resource_id"] = _("There is no such offer, or it is not available to you.")
    if resource is not None and resource.kind == "space":
        raise DomainError(
            _("Vacant spaces are not reserved directly: please send an inquiry."),
            reason="space",
            inquiries="/api/v1/inquiries",
        )
    if errors:
        raise invalid(errors)
    if repeat is not None:
        return lending.book_series(user, resource, start, end, repeat, units=units,
                                   message=message, **confirmations)
    with write_transaction():
        reservation = service.reserve(resource, user, start, end, units=units, message=message,
                                      **confirmations)
        body = reservation_json(reservation, user)
    response = jsonify(body)
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_reservation", reservation_id=body["id"])
    return response


def lender_condition(user):
    managed = sa.select(Membership.organisation_id).where(
        Membership.user_id == user.id, Membership.role == "manager"
    )
    return Reservation.resource_id.in_(
        sa.select(Resource.id).where(
            sa.or_(Resource.owner_user_id == user.id, Resource.owner_org_id.in_(managed))
        )
    )


@bp.get("/reservations")
@token_required
def list_reservations(user):
    """My reservations, or with ?role=lender those of what I lend; newest start first."""
    role = request.args.get("role", "requester")
    if role not in ("requester", "lender"):
        raise invalid({"role": _("Either requester or lender.")})
    condition = lender_condition(user) if role == "lender" else Reservation.requester_id == user.id
    query = sa.select(Reservation).where(condition)
    status = request.args.get("status")
    if status:
        query = query.where(Reservation.status.in_(status.split(",")))
    try:
        page = max(1, int(request.args.get("page", 1)))
        per_page = min(MAX_PER_PAGE, max(1, int(request.args.get("per_page", 50))))
    except ValueError:
        raise invalid({"page": _("Please send a whole number.")}) from None
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    items = db.session.scalars(
        query.options(
            sa.orm.joinedload(Reservation.resource)
            .joinedload(Resource.owner_org)
            .selectinload(Organisation.memberships)
        )
        .order_by(Reservation.start.desc(), Reservation.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return jsonify(
        {
            "items": [reservation_json(r, user) for r in items],
            "total": total,
            "page": page,
            "per_page": per_page,
        }
    )


def visible_reservation(reservation_id: int, user) -> Reservation:
    reservation = db.session.get(Reservation, reservation_id)
    if reservation is None or not service.can_view(reservation, user):
        raise NotFound(_("There is no such reservation."))
    return reservation


@bp.get("/reservations/<int:reservation_id>")
@token_required
def get_reservation(user, reservation_id: int):
    """One reservation of mine, or of something I lend."""
    return jsonify(reservation_json(visible_reservation(reservation_id, user), user))


@bp.post("/reservations/<int:reservation_id>/<any(approve,decline,cancel,handover,return):verb>")
@token_required
def reservation_action(user, reservation_id: int, verb: str):
    """Approve, decline (reason), cancel (reason for lenders), hand over, take back.

    Handover and return take the borrower's handover `code` (checked when sent) and,
    for things that need a briefing, `briefing_given: true` at handover.
    """
    from app.api.lending import read_flag
    from app.booking import handover

    reservation = db.session.get(Reservation, reservation_id)
    if reservation is None:
        raise NotFound(_("There is no such reservation."))
    body = request.get_json(silent=True) or {}
    if not isinstance(body, dict):
        raise invalid({"body": _("Please send a JSON object.")})
    errors: dict[str, str] = {}
    reason = read_text(body, "reason", errors)
    note = read_text(body, "note", errors)
    code = body.get("code")
    if code is not None and not isinstance(code, str):
        errors["code"] = _("Please send the code as text.")
    if verb == "handover":
        deposit = read_int(body, "deposit_taken_cents", errors)
        fee = read_int(body, "fee_paid_cents", errors)
        briefing_given = read_flag(body, "briefing_given", errors, default=False)
    if verb == "return":
        condition = read_text(body, "condition", errors)
        returned = read_int(body, "deposit_returned_cents", errors)
    if errors:
        raise invalid(errors)
    with write_transaction():
        if verb == "approve":
            service.approve(reservation, user, note=note)
        elif verb == "decline":
            service.decline(reservation, user, reason)
        elif verb == "cancel":
            service.cancel(reservation, user, reason)
        elif verb == "handover" and code is not None:
            handover.hand_over_with_code(reservation, user, code, briefing_given=briefing_given,
                                         deposit_taken_cents=deposit, fee_paid_cents=fee,
                                         note=note)
        elif verb == "handover":
            service.hand_over(reservation, user, deposit_taken_cents=deposit, fee_paid_cents=fee,
                              note=note, briefing_given=briefing_given)
        elif code is not None:
            handover.return_with_code(reservation, user, code, condition=condition,
                                      deposit_returned_cents=returned)
        else:
            service.record_return(reservation, user, condition=condition,
                                  deposit_returned_cents=returned)
        body = reservation_json(reservation, user)
    return jsonify(body)


@bp.post("/reservations/<int:reservation_id>/change")
@token_required
def change_reservation(user, reservation_id: int):
    """Move, shorten or extend: the same checks as a new reservation."""
    reservation = db.session.get(Reservation, reservation_id)
    if reservation is None:
        raise NotFound(_("There is no such reservation."))
    body = json_body()
    errors: dict[str, str] = {}
    start, end = read_period(body, errors)
    units = read_int(body, "units", errors, minimum=1)
    if errors:
        raise invalid(errors)
    with write_transaction():
        service.change(reservation, user, start, end, units=units)
        result = reservation_json(reservation, user)
    return jsonify(result)


# ---------------------------------------------------------------- OpenAPI ----
_RESERVATION = {"$ref": "#/components/schemas/Reservation"}
_PERIOD = {
    "type": "object",
    "properties": {
        "start": {"type": "string", "format": "date-time"},
        "end": {"type": "string", "format": "date-time"},
    },
}


def _ok(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _action(summary: str, body_properties: dict) -> dict:
    return {
        "post": {
            "summary": summary,
            "security": [{"bearer": []}],
            "parameters": [{"name": "reservation_id", "in": "path", "required": True,
                            "schema": {"type": "integer"}}],
            "requestBody": {
                "required": False,
                "content": {"application/json": {"schema": {
                    "type": "object", "properties": body_properties}}},
            },
            "responses": {
                "200": _ok("The reservation after the action", _RESERVATION),
                "401": problem_response("No valid token"),
                "403": problem_response("Not this person's decision"),
                "404": problem_response("No such reservation"),
                "409": problem_response("Not possible in the reservation's state"),
                "422": problem_response("Missing reason or bad input"),
            },
        }
    }


document(
    paths={
        "/resources/{resource_id}/availability": {
            "get": {
                "summary": "Busy times, closed days and opening hours of a resource",
                "description": "No token needed for public resources. `from`/`to` accept a "
                "date (local midnight) or a date-time; without an offset, site-local time. "
                "Default: the next 31 days.",
                "parameters": [
                    {"name": "resource_id", "in": "path", "required": True,
                     "schema": {"type": "integer"}},
                    {"name": "from", "in": "query", "schema": {"type": "string"}},
                    {"name": "to", "in": "query", "schema": {"type": "string"}},
                ],
                "responses": {
                    "200": _ok("Availability", {"$ref": "#/components/schemas/Availability"}),
                    "404": problem_response("No such resource, or not visible"),
                    "422": problem_response("Bad window"),
                },
            }
        },
        "/reservations": {
            "get": {
                "summary": "My reservations (role=requester) or those of what I lend",
                "security": [{"bearer": []}],
                "parameters": [
                    {"name": "role", "in": "query",
                     "schema": {"type": "string", "enum": ["requester", "lender"]}},
                    {"name": "status", "in": "query", "schema": {"type": "string"},
                     "description": "Comma-separated statuses"},
                    {"name": "page", "in": "query", "schema": {"type": "integer"}},
                    {"name": "per_page", "in": "query",
                     "schema": {"type": "integer", "maximum": MAX_PER_PAGE}},
                ],
                "responses": {
                    "200": _ok("A page of reservations", {
                        "type": "object",
                        "properties": {
                            "items": {"type": "array", "items": _RESERVATION},
                            "total": {"type": "integer"},
                            "page": {"type": "integer"},
                            "per_page": {"type": "integer"},
                        },
                    }),
                    "401": problem_response("No valid token"),
                },
            },
            "post": {
                "summary": "Reserve an item or a room",
                "description": "Confirmed at once, or requested when the lender approves "
                "each request. Refusals say why (`reason`) and carry `suggestions` of free "
                "periods that would fit. Spaces answer 422: they go through inquiries.",
                "security": [{"bearer": []}],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {
                        "$ref": "#/components/schemas/ReservationRequest"}}},
                },
                "responses": {
                    "201": _ok("The new reservation", _RESERVATION),
                    "401": problem_response("No valid token"),
                    "403": problem_response("Email address not confirmed, or not allowed"),
                    "409": problem_response("Already booked then (with suggestions)"),
                    "422": problem_response("Breaks a rule or malformed (with suggestions)"),
                },
            },
        },
        "/reservations/{reservation_id}": {
            "get": {
                "summary": "One reservation",
                "security": [{"bearer": []}],
                "parameters": [{"name": "reservation_id", "in": "path", "required": True,
                                "schema": {"type": "integer"}}],
                "responses": {
                    "200": _ok("The reservation", _RESERVATION),
                    "401": problem_response("No valid token"),
                    "404": problem_response("No such reservation of yours"),
                },
            }
        },
        "/reservations/{reservation_id}/approve": _action(
            "Approve a request (lender)", {"note": {"type": "string"}}),
        "/reservations/{reservation_id}/decline": _action(
            "Decline a request, with a reason (lender)", {"reason": {"type": "string"}}),
        "/reservations/{reservation_id}/cancel": _action(
            "Cancel: the requester until the start, the lender with a reason",
            {"reason": {"type": "string"}}),
        "/reservations/{reservation_id}/handover": _action(
            "Record the handover (lender), confirmed with the borrower's handover code",
            {"code": {"type": "string", "description": "The reservation's handover code; "
                      "checked when sent (422 when it does not match)"},
             "briefing_given": {"type": "boolean",
                                "description": "Required true for things that need a briefing"},
             "deposit_taken_cents": {"type": "integer"}, "fee_paid_cents": {"type": "integer"},
             "note": {"type": "string"}}),
        "/reservations/{reservation_id}/return": _action(
            "Record the return (lender), confirmed with the borrower's handover code",
            {"code": {"type": "string"},
             "condition": {"type": "string"}, "deposit_returned_cents": {"type": "integer"}}),
        "/reservations/{reservation_id}/change": {
            "post": {
                **_action("Move, shorten or extend (same checks as reserving)", {})["post"],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {
                        "type": "object",
                        "properties": {"start": {"type": "string"}, "end": {"type": "string"},
                                       "units": {"type": "integer"}},
                        "required": ["start", "end"],
                    }}},
                },
            }
        },
    },
    schemas={
        "Reservation": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "resource_id": {"type": "integer"},
                "resource_title": {"type": "string"},
                "status": {"type": "string", "enum": [
                    "requested", "confirmed", "handed_over", "returned", "declined",
                    "cancelled", "expired"]},
                "start": {"type": "string", "format": "date-time"},
                "end": {"type": "string", "format": "date-time"},
                "units": {"type": "integer"},
                "message": {"type": "string"},
                "sequence": {"type": "integer"},
                "overdue": {"type": "boolean"},
                "handover_code": {"type": "string",
                                  "description": "Only for the requester and the lender"},
                "actions": {"type": "array", "items": {"type": "string"}},
                "url": {"type": "string"},
            },
            "required": ["id", "resource_id", "resource_title", "status", "start", "end",
                         "units"],
        },
        "ReservationRequest": {
            "type": "object",
            "properties": {
                "resource_id": {"type": "integer"},
                "start": {"type": "string", "description": "ISO 8601 date or date-time"},
                "end": {"type": "string", "description": "ISO 8601 date or date-time"},
                "units": {"type": "integer", "minimum": 1, "default": 1},
                "message": {"type": "string", "maxLength": 2000},
                "accept_terms": {"type": "boolean", "default": False,
                                 "description": "Accept the lender's current terms (see "
                                 "/resources/{id}/terms); needed once per version"},
                "confirm_min_age": {"type": "boolean", "default": True,
                                    "description": "Confirms the resource's minimum age"},
                "repeat": {
                    "type": "object",
                    "description": "Book the same local times every N weeks; answers 201 "
                    "with {series_id, items, skipped} (skipped with reason and detail)",
                    "properties": {
                        "every_weeks": {"type": "integer", "minimum": 1, "default": 1},
                        "until": {"type": "string", "format": "date"},
                        "count": {"type": "integer", "minimum": 1, "maximum": 52},
                    },
                },
            },
            "required": ["resource_id", "start", "end"],
        },
        "Availability": {
            "type": "object",
            "properties": {
                "resource_id": {"type": "integer"},
                "units": {"type": "integer"},
                "busy": {"type": "array", "items": {
                    **_PERIOD,
                    "properties": {**_PERIOD["properties"], "units": {"type": "integer"}}}},
                "closed": {"type": "array", "items": {
                    **_PERIOD,
                    "properties": {**_PERIOD["properties"], "reason": {"type": "string"}}}},
                "open": {"type": "array", "items": _PERIOD},
            },
            "required": ["resource_id", "units", "busy", "closed"],
        },
    },
)
