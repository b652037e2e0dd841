"""JSON API v1 under /api/v1: token auth, problem+json errors, the OpenAPI document.

Each area adds its routes in its own module below and its paths with `document(...)`,
so /api/v1/openapi.json always describes what the API does.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, g, jsonify, request
from sqlalchemy import select, update

from app.db import utcnow, write_transaction
from app.errors import problem
from app.extensions import csrf, db

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # token-authenticated, no cookies

PATHS: dict[str, dict] = {}
SCHEMAS: dict[str, dict] = {
    "Problem": {
        "type": "object",
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "errors": {"type": "object", "additionalProperties": {"type": "string"}},
            "suggestions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "start": {"type": "string", "format": "date-time"},
                        "end": {"type": "string", "format": "date-time"},
                    },
                },
            },
        },
        "required": ["title", "status"],
    }
}


def document(paths: dict[str, dict] | None = None, schemas: dict[str, dict] | None = None) -> None:
    """Add paths and schemas to the OpenAPI document (called at import by each API module)."""
    for path, operations in (paths or {}).items():
        PATHS.setdefault(path, {}).update(operations)
    SCHEMAS.update(schemas or {})


def problem_response(description: str) -> dict:
    return {
        "description": description,
        "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        },
    }


def current_api_user():
    """The person behind the Bearer token, or None."""
    if "api_user" in g:
        return g.api_user
    from app.models import ApiToken
    from app.models.user import hash_token

    g.api_user = None
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        plain = header[7:].strip()
        token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(plain)))
        if token is not None and token.revoked_at is None and token.user.is_active:
            g.api_user = token.user
            g.api_token = token
    return g.api_user


def token_required(view: Callable) -> Callable:
    """Refuse with 401 problem+json unless a valid personal token is sent."""
    from app.models import ApiToken

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any):
        user = current_api_user()
        if user is None:
            response = problem(401, "Unauthorized", "A personal API token is required.")
            response.headers["WWW-Authenticate"] = 'Bearer realm="allmende"'
            return response
        token = g.api_token
        now = utcnow()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
            # A write of its own: on SQLite a write inside the read transaction fails
            # under concurrent requests ("database is locked").
            with write_transaction():
                db.session.execute(
                    update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now)
                )
        return view(user, *args, **kwargs)

    return wrapped


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of this API."""
    from flask import current_app

    return jsonify(
        {
            "openapi": "3.1.0",
            "info": {
                "title": f"{current_app.config['SITE_NAME']} API",
                "version": "1",
                "description": "Public data without a token; personal data and writes "
                "with a personal token as `Authorization: Bearer ...`.",
            },
            "servers": [{"url": "/api/v1"}],
            "paths": PATHS,
            "components": {
                "schemas": SCHEMAS,
                "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            },
        }
    )


from app.api import routes  # noqa: E402, F401
