"""Reporting a problem with a listing or a message, and the office's queue of reports.

Other areas link to the report form of a message with
`url_for("admin.report", target_type="inquiry_message", target_id=event.id)`
(also "wish_answer" and "reservation_message"); listings use `/resources/<id>/report`.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.db import utcnow
from app.errors import Conflict, DomainError, Forbidden, NotFound
from app.extensions import db
from app.models import Report, Resource, User
from app.models.report import REPORT_REASONS, REPORT_TARGETS
from app.notifications import outbox

from .service import ensure_admin

REASON_LABELS = {
    "spam": _l("Spam or advertising"),
    "wrong_information": _l("Wrong information"),
    "inappropriate": _l("Inappropriate content"),
    "safety": _l("Safety problem"),
    "other": _l("Something else"),
}
STATE_LABELS = {"open": _l("open"), "resolved": _l("resolved"), "dismissed": _l("dismissed")}
TARGET_LABELS = {
    "resource": _l("Listing"),
    "inquiry_message": _l("Message about a space"),
    "wish_answer": _l("Answer to a wish"),
    "reservation_message": _l("Message with a reservation"),
}


@dataclass
class Target:
    """What a report is about: a short label, where it lives, and who may see it."""

    type: str
    id: int
    label: str
    link: str | None
    obj: object

    def visible_to(self, user: User) -> bool:
        if getattr(user, "is_admin", False):
            return True
        return _VISIBLE[self.type](self.obj, user)


def _excerpt(text: str | None, limit: int = 140) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _model(name: str):
    import app.models as models

    return getattr(models, name, None)


def _resource(target_id: int) -> Target | None:
    resource = db.session.get(Resource, target_id)
    if resource is None:
        return None
    return Target("resource", resource.id, resource.title, f"/resources/{resource.id}", resource)


def _inquiry_message(target_id: int) -> Target | None:
    model = _model("InquiryEvent")
    event = db.session.get(model, target_id) if model is not None else None
    if event is None or event.action != "message":
        return None
    return Target(
        "inquiry_message",
        event.id,
        _excerpt(event.body),
        f"/spaces/inquiries/{event.inquiry_id}",
        event,
    )


def _wish_answer(target_id: int) -> Target | None:
    model = _model("WishAnswer")
    answer = db.session.get(model, target_id) if model is not None else None
    if answer is None:
        return None
    return Target(
        "wish_answer", answer.id, _excerpt(answer.message), f"/wanted/{answer.wish_id}", answer
    )


def _reservation_message(target_id: int) -> Target | None:
    from app.models import Reservation

    reservation = db.session.get(Reservation, target_id)
    if reservation is None or not (reservation.message or "").strip():
        return None
    return Target(
        "reservation_message",
        reservation.id,
        _excerpt(reservation.message),
        f"/reservations/{reservation.id}",
        reservation,
    )


def _sees_inquiry_message(event, user: User) -> bool:
    inquiry = event.inquiry
    return (
        user.id in (inquiry.applicant_id, inquiry.mediator_id)
        or inquiry.space.can_manage(user)
    )


def _sees_wish_answer(answer, user: User) -> bool:
    return user.id in (answer.author_id, getattr(answer.wish, "author_id", None))


def _sees_reservation_message(reservation, user: User) -> bool:
    return reservation.requester_id == user.id or reservation.resource.can_manage(user)


_RESOLVE = {
    "resource": _resource,
    "inquiry_message": _inquiry_message,
    "wish_answer": _wish_answer,
    "reservation_message": _reservation_message,
}
_VISIBLE = {
    "resource": lambda resource, user: resource.can_see(user),
    "inquiry_message": _sees_inquiry_message,
    "wish_answer": _sees_wish_answer,
    "reservation_message": _sees_reservation_message,
}


def resolve(target_type: str, target_id: int) -> Target | None:
    """The thing a report names, or None when it does not exist (any more)."""
    if target_type not in REPORT_TARGETS:
        return None
    return _RESOLVE[target_type](target_id)


def target_for(reporter: User, target_type: str, target_id: int) -> Target:
    """The target a person may report: it exists and they can see it."""
    target = resolve(target_type, target_id)
    if target is None or not target.visible_to(reporter):
        raise NotFound(_("There is nothing to report at this address."))
    return target


def create_report(
    reporter: User, target_type: str, target_id: int, reason: str, text: str
) -> Report:
    """Put a report into the office's queue and tell the office by mail."""
    if reporter is None or not getattr(reporter, "is_authenticated", False):
        raise Forbidden(_("Please log in to report a problem."))
    target = target_for(reporter, target_type, target_id)
    text = (text or "").strip()
    if reason not in REPORT_REASONS:
        raise DomainError(
            _("Please choose a reason."), errors={"reason": [_("Please choose a reason.")]}
        )
    if reason == "other" and not text:
        raise DomainError(
            _("Please describe the problem."),
            errors={"text": [_("Please describe the problem.")]},
        )
    duplicate = db.session.scalar(
        sa.select(Report.id).where(
            Report.reporter_id == reporter.id,
            Report.target_type == target.type,
            Report.target_id == target.id,
            Report.state == "open",
        )
    )
    if duplicate:
        raise Conflict(_("You have reported this already; the project office will look at it."))
    report = Report(
        reporter_id=reporter.id,
        target_type=target.type,
        target_id=target.id,
        target_label=target.label[:200],
        reason=reason,
        text=text[:4000],
        state="open",
    )
    db.session.add(report)
    db.session.flush()
    office = db.session.scalars(
        sa.select(User).where(
            User.is_admin.is_(True), User.blocked_at.is_(None), User.deleted_at.is_(None)
        )
    ).all()
    for person in office:
        outbox.queue(
            "admin_report_new",
            recipient=person,
            kind="moderation",
            link=f"/admin/reports/{report.id}",
            related=("report", report.id),
            dedup_key=f"report-new:{report.id}:{person.id}",
            target_kind=str(TARGET_LABELS[target.type]),
            target_label=target.label,
            reason_label=str(REASON_LABELS[reason]),
        )
    return report


def decide_report(actor: User, report: Report, state: str, outcome: str) -> None:
    """Close a report as resolved or dismissed, saying what was done."""
    ensure_admin(actor)
    outcome = (outcome or "").strip()
    if state not in ("resolved", "dismissed"):
        raise DomainError(
            _("Please choose how the report ends."),
            errors={"decision": [_("Please choose how the report ends.")]},
        )
    if not outcome:
        raise DomainError(
            _("Please write down what was done."),
            errors={"outcome": [_("Please write down what was done.")]},
        )
    report.state = state
    report.outcome = outcome
    report.handled_by_id = actor.id
    report.handled_at = utcnow()
    db.session.flush()


def reopen_report(actor: User, report: Report) -> None:
    ensure_admin(actor)
    report.state = "open"
    report.handled_at = None
    report.handled_by_id = None
    db.session.flush()


def queue(state: str | None) -> sa.Select:
    query = sa.select(Report)
    if state in ("open", "resolved", "dismissed"):
        query = query.where(Report.state == state)
    if state == "open":
        # A queue: the oldest report waits longest.
        return query.order_by(Report.created_at, Report.id)
    return query.order_by(Report.created_at.desc(), Report.id.desc())
