"""Error pages for people, problem+json (RFC 9457) for the API."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError


class DomainError(Exception):
    """A refusal by the domain layer; views turn it into a message, the API into a problem."""

    status = 422
    code = "invalid"

    def __init__(self, message: str, *, errors: dict | None = None, **extra) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or {}
        self.extra = extra


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class Conflict(DomainError):
    status = 409
    code = "conflict"


def wants_problem_json() -> bool:
    return request.path.startswith("/api/")


def problem(status: int, title: str, detail: str | None = None, **extra):
    """A problem+json response."""
    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update({k: v for k, v in extra.items() if v is not None})
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def titles() -> dict[int, str]:
    return {
        400: _("Bad request"),
        401: _("Please log in"),
        403: _("Not allowed"),
        404: _("Page not found"),
        405: _("Method not allowed"),
        409: _("Conflict"),
        413: _("File too large"),
        422: _("Could not process the input"),
        429: _("Too many requests"),
        500: _("Something went wrong"),
    }


def explanations() -> dict[int, str]:
    return {
        400: _("The request could not be understood. Please go back and try again."),
        401: _("Please log in to see this page."),
        403: _("You are not allowed to do this."),
        404: _("There is no page at this address. Perhaps it has moved or was removed."),
        405: _("This address does not accept that kind of request."),
        413: _("The file you sent is too large."),
        429: _("You have tried this too often. Please wait a moment and try again."),
        500: _("An error on our side. Nothing you saved is lost; please try again later."),
    }


def register(app: Flask) -> None:
    def render_error(status: int, detail: str | None = None):
        if wants_problem_json():
            return problem(status, titles().get(status, "Error"), detail)
        return (
            render_template(
                "errors/error.html",
                status=status,
                title=titles().get(status, _("Error")),
                explanation=detail or explanations().get(status, ""),
            ),
            status,
        )

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_error(
            400, _("The form had expired or was sent twice. Please reload the page and try again.")
        )

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        if wants_problem_json():
            return problem(
                error.status,
                titles().get(error.status, "Error"),
                error.message,
                errors=error.errors or None,
                **error.extra,
            )
        return render_error(error.status, error.message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        # A message given to abort() is shown; werkzeug's generic English text is not.
        detail = None
        if error.description and error.description != type(error).description and status != 500:
            detail = error.description
        response = render_error(status, detail)
        if status == 405 and getattr(error, "valid_methods", None) and isinstance(response, tuple):
            body, code = response
            return body, code, {"Allow": ", ".join(error.valid_methods)}
        return response

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        app.logger.exception("Unhandled error", exc_info=error)
        return render_error(500)

    app.register_error_handler(InternalServerError, lambda e: render_error(500))
