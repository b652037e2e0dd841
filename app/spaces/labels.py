"""Words for the values of spaces and inquiries, translated when shown."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

USE_LABELS = {
    "popup_shop": _l("Pop-up shop"),
    "workshop": _l("Workshop space"),
    "exhibition": _l("Exhibition"),
    "office": _l("Office space"),
    "event": _l("Event (party, reading, market)"),
    "other": _l("Other use"),
}

RENT_MODEL_LABELS = {
    "free": _l("Free of charge"),
    "utilities": _l("Utilities only"),
    "reduced": _l("Reduced rent"),
    "negotiable": _l("Rent negotiable"),
}

STATUS_LABELS = {
    "open": _l("Awaiting answer"),
    "proposed": _l("Period proposed"),
    "accepted": _l("Accepted"),
    "declined": _l("Declined"),
    "withdrawn": _l("Withdrawn"),
}

ACTION_LABELS = {
    "created": _l("Inquiry sent"),
    "message": _l("Message"),
    "proposed": _l("Period proposed"),
    "accepted": _l("Accepted"),
    "declined": _l("Declined"),
    "withdrawn": _l("Withdrawn"),
    "mediator_joined": _l("Project office joined as mediator"),
}

ROLE_LABELS = {
    "applicant": _l("Applicant"),
    "owner": _l("Owner"),
    "mediator": _l("Project office"),
}


def use_label(value: str) -> str:
    return str(USE_LABELS.get(value, value))


def rent_model_label(value: str | None) -> str:
    return str(RENT_MODEL_LABELS.get(value, value or ""))
