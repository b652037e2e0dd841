"""Lending features through the API: waiting lists, series, messages, terms, defects.

`repeat` on POST /reservations and `code` on POST /reservations/<id>/handover|return
are handled by the reservation module with app.booking.series and app.booking.handover.
"""

from __future__ import annotations

from datetime import date

from flask import jsonify, request, url_for
from flask_babel import gettext as _

from app.api import bp, current_api_user, document, problem_response, token_required
from app.api.reservations import (
    invalid,
    json_body,
    read_int,
    read_period,
    read_text,
    reservation_json,
    visible_reservation,
)
from app.booking import defects, messages, series, terms, waitlist
from app.booking.periods import isoformat
from app.db import write_transaction
from app.errors import DomainError, Forbidden, NotFound
from app.extensions import db
from app.models import Resource, WaitlistEntry


def entry_json(entry: WaitlistEntry) -> dict:
    return {
        "id": entry.id,
        "resource_id": entry.resource_id,
        "resource_title": entry.resource.title,
        "start": isoformat(entry.start),
        "end": isoformat(entry.end),
        "units": entry.units,
        "status": entry.status,
        "created_at": isoformat(entry.created_at),
    }


def visible_resource(resource_id: int, user) -> Resource:
    resource = db.session.get(Resource, resource_id)
    if resource is None or not resource.can_see(user):
        raise NotFound(_("There is no such offer, or it is not available to you."))
    return resource


# ------------------------------------------- reserving: confirmations, repeat ----
def read_flag(body: dict, key: str, errors: dict[str, str], *, default: bool) -> bool:
    value = body.get(key, default)
    if not isinstance(value, bool):
        errors[key] = _("Please send true or false.")
        return default
    return value


def read_confirmations(body: dict, errors: dict[str, str]) -> dict[str, bool]:
    """accept_terms (default false) and confirm_min_age for POST /reservations.

    Reserving through the API with a personal token confirms the minimum age unless
    `confirm_min_age: false` is sent; the lender's terms must be accepted explicitly.
    """
    return {
        "accept_terms": read_flag(body, "accept_terms", errors, default=False),
        "confirm_min_age": read_flag(body, "confirm_min_age", errors, default=True),
    }


def read_repeat(body: dict, errors: dict[str, str]) -> series.Repeat | None:
    """`repeat: {every_weeks, until | count}` of POST /reservations, or None."""
    if body.get("repeat") is None:
        return None
    raw = body["repeat"]
    if not isinstance(raw, dict):
        errors["repeat"] = _("Please send an object with every_weeks and until or count.")
        return None
    every = raw.get("every_weeks", 1)
    if isinstance(every, bool) or not isinstance(every, int):
        errors["repeat.every_weeks"] = _("Please send a whole number of at least %(n)s.", n=1)
        every = 1
    count = raw.get("count")
    if count is not None and (isinstance(count, bool) or not isinstance(count, int)):
        errors["repeat.count"] = _("Please send a whole number of at least %(n)s.", n=1)
        count = None
    until = raw.get("until")
    if until is not None:
        try:
            until = date.fromisoformat(until[:10]) if isinstance(until, str) else None
        except ValueError:
            until = None
        if until is None:
            errors["repeat.until"] = _("Please send a date such as 2027-06-30.")
    return series.Repeat(every_weeks=every, until=until, count=count)


def book_series(user, resource: Resource, start, end, repeat: series.Repeat, *, units: int,
                message: str, accept_terms: bool, confirm_min_age: bool):
    """201 with {series_id, items, skipped}; 409 when no date is possible."""
    with write_transaction():
        periods = series.dates(start, end, repeat)
        booked = series.book(resource, user, periods, units=units, message=message,
                             accept_terms=accept_terms, confirm_min_age=confirm_min_age)
        result = {
            "series_id": booked.series_id,
            "items": [reservation_json(r, user) for r in booked.items],
            "skipped": [planned.as_json() for planned in booked.skipped],
        }
    response = jsonify(result)
    response.status_code = 201
    response.headers["Location"] = url_for("api.api_series", series_id=result["series_id"])
    return response


# --------------------------------------------------------------- waitlist ----
@bp.post("/resources/<int:resource_id>/waitlist")
@token_required
def api_waitlist_join(user, resource_id: int):
    """Be told when a taken period frees up: 201 with the entry; 422 when it is free."""
    resource = visible_resource(resource_id, user)
    body = json_body()
    errors: dict[str, str] = {}
    start, end = read_period(body, errors)
    units = read_int(body, "units", errors, default=1, minimum=1)
    if errors:
        raise invalid(errors)
    with write_transaction():
        entry = waitlist.join(resource, user, start, end, units=units)
        result = entry_json(entry)
    response = jsonify(result)
    response.status_code = 201
    return response


@bp.get("/waitlist")
@token_required
def api_waitlist(user):
    """My waiting-list entries that have not lapsed."""
    return jsonify({"items": [entry_json(e) for e in waitlist.entries_of(user)]})


@bp.delete("/waitlist/<int:entry_id>")
@token_required
def api_waitlist_withdraw(user, entry_id: int):
    """Leave a waiting list."""
    entry = db.session.get(WaitlistEntry, entry_id)
    if entry is None or entry.user_id != user.id:
        raise NotFound(_("There is no such waiting-list entry."))
    with write_transaction():
        waitlist.withdraw(entry, user)
    return "", 204


# ----------------------------------------------------------------- series ----
@bp.get("/reservations/series/<series_id>")
@token_required
def api_series(user, series_id: str):
    """Every date of a recurring reservation."""
    items = series.visible_series(series_id, user)
    return jsonify({"series_id": series_id, "items": [reservation_json(r, user)
                                                      for r in items]})


@bp.post("/reservations/series/<series_id>/cancel")
@token_required
def api_series_cancel(user, series_id: str):
    """Cancel every date of the series that can still be cancelled (lenders: a reason)."""
    body = request.get_json(silent=True) or {}
    if not isinstance(body, dict):
        raise invalid({"body": _("Please send a JSON object.")})
    errors: dict[str, str] = {}
    reason = read_text(body, "reason", errors)
    if errors:
        raise invalid(errors)
    with write_transaction():
        cancelled = series.cancel(series_id, user, reason)
        result = [reservation_json(r, user) for r in cancelled]
    return jsonify({"series_id": series_id, "cancelled": result})


# --------------------------------------------------------------- messages ----
def message_json(message) -> dict:
    return {
        "id": message.id,
        "author": message.author.display_name if message.author else None,
        "author_role": message.author_role,
        "body": message.body,
        "created_at": isoformat(message.created_at),
    }


@bp.get("/reservations/<int:reservation_id>/messages")
@token_required
def api_messages(user, reservation_id: int):
    """The messages between the two sides of a reservation."""
    reservation = visible_reservation(reservation_id, user)
    return jsonify({"items": [message_json(m) for m in messages.thread(reservation)]})


@bp.post("/reservations/<int:reservation_id>/messages")
@token_required
def api_message_post(user, reservation_id: int):
    """Write to the other side (also mailed; addresses stay private)."""
    reservation = visible_reservation(reservation_id, user)
    body = json_body()
    errors: dict[str, str] = {}
    text = read_text(body, "body", errors)
    if errors:
        raise invalid(errors)
    with write_transaction():
        message = messages.post(reservation, user, text)
        result = message_json(message)
    response = jsonify(result)
    response.status_code = 201
    return response


# ------------------------------------------------------- terms, defects ----
@bp.get("/resources/<int:resource_id>/terms")
def api_terms(resource_id: int):
    """The lending terms of the resource's lender, and its minimum age and briefing."""
    user = current_api_user()
    resource = visible_resource(resource_id, user)
    current = terms.terms_for(resource)
    body = {
        "resource_id": resource.id,
        "terms": terms.terms_json(current) if current else None,
        "min_age": resource.min_age,
        "briefing_required": resource.briefing_required,
    }
    if user is not None:
        body["accepted"] = current is None or terms.pending_terms(resource, user) is None
    return jsonify(body)


@bp.post("/resources/<int:resource_id>/defects")
@token_required
def api_defect_report(user, resource_id: int):
    """Report a defect (its lenders and people who borrowed it)."""
    resource = visible_resource(resource_id, user)
    if not defects.may_report(resource, user):
        raise Forbidden(_("Only its lender and people who borrowed it can report a defect."))
    body = json_body()
    errors: dict[str, str] = {}
    description = read_text(body, "description", errors, limit=defects.DESCRIPTION_MAX)
    reservation_id = read_int(body, "reservation_id", errors, minimum=1)
    if errors:
        raise invalid(errors)
    reservation = None
    if reservation_id is not None:
        try:
            reservation = visible_reservation(reservation_id, user)
        except DomainError:
            raise invalid({"reservation_id": _("There is no such reservation.")}) from None
    with write_transaction():
        report = defects.report(resource, user, description, reservation=reservation)
        result = {"id": report.id, "resource_id": resource.id, "status": report.status,
                  "description": report.description, "created_at": isoformat(report.created_at)}
    response = jsonify(result)
    response.status_code = 201
    return response


# ---------------------------------------------------------------- OpenAPI ----
_ENTRY = {"$ref": "#/components/schemas/WaitlistEntry"}
_AUTH = [{"bearer": []}]


def _ok(description: str, schema: dict, status: str = "200") -> dict:
    return {status: {"description": description,
                     "content": {"application/json": {"schema": schema}}}}


def _path_param(name: str, kind: str = "integer") -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": kind}}


document(
    paths={
        "/resources/{resource_id}/waitlist": {"post": {
            "summary": "Ask to be told when a taken period frees up",
            "description": "The people waiting are told in the order they asked, by mail "
            "with a link to the prefilled reservation form. The period is not held.",
            "security": _AUTH,
            "parameters": [_path_param("resource_id")],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["start", "end"],
                "properties": {"start": {"type": "string"}, "end": {"type": "string"},
                               "units": {"type": "integer", "minimum": 1}}}}}},
            "responses": {
                **_ok("The waiting-list entry", _ENTRY, "201"),
                "401": problem_response("No valid token"),
                "404": problem_response("No such resource"),
                "422": problem_response("Malformed, or the period is free (reason: free)"),
            },
        }},
        "/waitlist": {"get": {
            "summary": "My waiting-list entries", "security": _AUTH,
            "responses": {**_ok("Entries", {"type": "object", "properties": {
                "items": {"type": "array", "items": _ENTRY}}}),
                "401": problem_response("No valid token")},
        }},
        "/waitlist/{entry_id}": {"delete": {
            "summary": "Leave a waiting list", "security": _AUTH,
            "parameters": [_path_param("entry_id")],
            "responses": {"204": {"description": "Left"},
                          "401": problem_response("No valid token"),
                          "404": problem_response("No such entry of mine")},
        }},
        "/reservations/series/{series_id}": {"get": {
            "summary": "Every date of a recurring reservation", "security": _AUTH,
            "parameters": [_path_param("series_id", "string")],
            "responses": {**_ok("The dates", {"type": "object", "properties": {
                "series_id": {"type": "string"},
                "items": {"type": "array", "items": {"$ref": "#/components/schemas/Reservation"}},
            }}), "401": problem_response("No valid token"),
                "404": problem_response("No such series of mine")},
        }},
        "/reservations/series/{series_id}/cancel": {"post": {
            "summary": "Cancel the remaining dates of a series", "security": _AUTH,
            "parameters": [_path_param("series_id", "string")],
            "requestBody": {"required": False, "content": {"application/json": {"schema": {
                "type": "object", "properties": {"reason": {"type": "string"}}}}}},
            "responses": {**_ok("The cancelled dates", {"type": "object"}),
                          "401": problem_response("No valid token"),
                          "404": problem_response("No such series of mine"),
                          "409": problem_response("No date can be cancelled any more"),
                          "422": problem_response("A lender must give a reason")},
        }},
        "/reservations/{reservation_id}/messages": {
            "get": {
                "summary": "Messages between borrower and lender", "security": _AUTH,
                "parameters": [_path_param("reservation_id")],
                "responses": {**_ok("Messages", {"type": "object"}),
                              "401": problem_response("No valid token"),
                              "404": problem_response("No such reservation of mine")},
            },
            "post": {
                "summary": "Write to the other side (also mailed, addresses stay private)",
                "security": _AUTH,
                "parameters": [_path_param("reservation_id")],
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["body"],
                    "properties": {"body": {"type": "string", "maxLength": 2000}}}}}},
                "responses": {**_ok("The message", {"type": "object"}, "201"),
                              "401": problem_response("No valid token"),
                              "403": problem_response("Not a side of this reservation"),
                              "404": problem_response("No such reservation"),
                              "422": problem_response("Empty or too long")},
            },
        },
        "/resources/{resource_id}/terms": {"get": {
            "summary": "The lender's terms, the minimum age and whether a briefing is needed",
            "description": "With a token, `accepted` says whether the person has accepted "
            "the current version. Send `accept_terms: true` with the reservation to accept.",
            "parameters": [_path_param("resource_id")],
            "responses": {**_ok("Terms", {"type": "object"}),
                          "404": problem_response("No such resource")},
        }},
        "/resources/{resource_id}/defects": {"post": {
            "summary": "Report a defect (its lenders and people who borrowed it)",
            "security": _AUTH,
            "parameters": [_path_param("resource_id")],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["description"],
                "properties": {"description": {"type": "string"},
                               "reservation_id": {"type": "integer"}}}}}},
            "responses": {**_ok("The report", {"type": "object"}, "201"),
                          "401": problem_response("No valid token"),
                          "403": problem_response("Never borrowed it"),
                          "422": problem_response("No description")},
        }},
    },
    schemas={
        "WaitlistEntry": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"}, "resource_id": {"type": "integer"},
                "resource_title": {"type": "string"},
                "start": {"type": "string", "format": "date-time"},
                "end": {"type": "string", "format": "date-time"},
                "units": {"type": "integer"},
                "status": {"type": "string",
                           "enum": ["waiting", "notified", "expired", "withdrawn"]},
            },
        },
    },
)
