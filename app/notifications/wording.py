"""Sentences the reservation mails share, said at render time in the recipient's language.

Templates call these as `texts.<name>(...)`. They return plain strings, so the HTML
templates escape what people typed (titles, names) while the text templates keep it.
"""

from __future__ import annotations

from typing import Any

from flask_babel import format_date, format_time
from flask_babel import gettext as _


def period(p: dict[str, Any]) -> str:
    """"Monday, 4 March 2030, 15:00–17:00", or whole days "Tuesday ... to Wednesday ..."."""
    if p["whole_days"]:
        if p["first_day"] == p["last_day"]:
            return format_date(p["first_day"], "full")
        return _(
            "%(first)s to %(last)s",
            first=format_date(p["first_day"], "full"),
            last=format_date(p["last_day"], "full"),
        )
    if p["same_day"]:
        return (
            f"{format_date(p['first_day'], 'full')}, "
            f"{format_time(p['start'], 'short')}–{format_time(p['end'], 'short')}"
        )
    first = f"{format_date(p['first_day'], 'full')}, {format_time(p['start'], 'short')}"
    last = f"{format_date(p['end_day'], 'full')}, {format_time(p['end'], 'short')}"
    return _("%(first)s to %(last)s", first=first, last=last)


def when_short(p: dict[str, Any]) -> str:
    """The start, short: "04.03.2030, 15:00" (only the day for whole days)."""
    day = format_date(p["first_day"], "medium")
    return day if p["whole_days"] else f"{day}, {format_time(p['start'], 'short')}"


def due_back(p: dict[str, Any]) -> str:
    """When a loan ends: the last day for whole days, else day and time."""
    if p["whole_days"]:
        return format_date(p["last_day"], "full")
    return f"{format_date(p['end_day'], 'full')}, {format_time(p['end'], 'short')}"


def event_subject(action: str, role: str, title: str) -> str:
    if action == "requested":
        if role == "lender":
            return _("New request: %(title)s", title=title)
        return _("Request sent: %(title)s", title=title)
    if action == "confirmed" and role == "lender":
        return _("New reservation: %(title)s", title=title)
    subjects = {
        "confirmed": _("Confirmed: %(title)s", title=title),
        "approved": _("Approved: %(title)s", title=title),
        "declined": _("Declined: %(title)s", title=title),
        "cancelled": _("Cancelled: %(title)s", title=title),
        "changed": _("Changed: %(title)s", title=title),
        "handed_over": _("Handed over: %(title)s", title=title),
        "returned": _("Returned: %(title)s", title=title),
        "expired": _("Request expired: %(title)s", title=title),
    }
    return subjects.get(action, title)


def event_text(action: str, role: str, title: str, name: str) -> str:
    """What happened, said to the lender or to the requester."""
    if role == "lender":
        texts = {
            "requested": _(
                "%(name)s would like to reserve %(title)s. "
                "Please approve or decline the request.",
                name=name,
                title=title,
            ),
            "confirmed": _("%(name)s has reserved %(title)s.", name=name, title=title),
            "approved": _(
                "The request of %(name)s for %(title)s has been approved.", name=name, title=title
            ),
            "declined": _(
                "The request of %(name)s for %(title)s has been declined.", name=name, title=title
            ),
            "cancelled": _(
                "The reservation of %(name)s for %(title)s has been cancelled.",
                name=name,
                title=title,
            ),
            "changed": _(
                "The reservation of %(name)s for %(title)s has been changed.",
                name=name,
                title=title,
            ),
            "handed_over": _("%(title)s has been handed over to %(name)s.", name=name, title=title),
            "returned": _("%(name)s has returned %(title)s.", name=name, title=title),
            "expired": _(
                "The request of %(name)s for %(title)s has expired because it was not answered "
                "in time.",
                name=name,
                title=title,
            ),
        }
    else:
        texts = {
            "requested": _(
                "A reservation of %(title)s has been requested for you. "
                "You will hear from us as soon as it is answered.",
                title=title,
            ),
            "confirmed": _("Your reservation of %(title)s is confirmed.", title=title),
            "approved": _(
                "Your request for %(title)s has been approved. The reservation is confirmed.",
                title=title,
            ),
            "declined": _(
                "Unfortunately, your request for %(title)s has been declined.", title=title
            ),
            "cancelled": _("Your reservation of %(title)s has been cancelled.", title=title),
            "changed": _(
                "Your reservation of %(title)s has been changed. Please note the period below.",
                title=title,
            ),
            "handed_over": _(
                "You have received %(title)s. Please return it by the end of the period.",
                title=title,
            ),
            "returned": _("%(title)s has been returned. Thank you for sharing!", title=title),
            "expired": _(
                "Your request for %(title)s has expired because it was not answered in time. "
                "You are welcome to choose another period or another offer.",
                title=title,
            ),
        }
    return texts.get(action, "")
