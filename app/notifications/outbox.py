"""Writing messages to the outbox, and delivering what is due with retries and backoff."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.db import utcnow, write_transaction
from app.extensions import db
from app.models import Notification, User
from app.notifications.mail import DeliveryError, build_message, send


def absolute_url(path: str) -> str:
    """A link for a message: SITE_URL plus the path."""
    if path.startswith("http://") or path.startswith("https://"):
        return path
    return current_app.config["SITE_URL"] + path


def render_message(template: str, locale: str, **context: Any) -> tuple[str, str, str]:
    """Subject, plain text and HTML of templates/mail/<template>.{subject,txt,html}."""
    context.setdefault("site_name", current_app.config["SITE_NAME"])
    context.setdefault("site_url", current_app.config["SITE_URL"])
    context.setdefault("settings_url", absolute_url("/account/notifications/settings"))
    with force_locale(locale):
        subject = render_template(f"mail/{template}.subject.txt", **context).strip()
        text = render_template(f"mail/{template}.txt", **context)
        html = render_template(f"mail/{template}.html", **context)
    return " ".join(subject.split()), text, html


def queue(
    template: str,
    *,
    recipient: User | None = None,
    to_address: str | None = None,
    locale: str | None = None,
    kind: str | None = None,
    link: str | None = None,
    dedup_key: str | None = None,
    related: tuple[str, int] | None = None,
    attachment: tuple[str, str, str] | None = None,
    due_at: datetime | None = None,
    send_mail: bool = True,
    **context: Any,
) -> Notification | None:
    """Write one message to the outbox, in the recipient's language.

    With a `dedup_key` that already exists nothing is written and None is returned,
    so a job that runs twice cannot queue a message twice. The caller commits.
    """
    if recipient is not None:
        to_address = to_address or recipient.email
        locale = locale or recipient.locale
    if not to_address:
        raise ValueError("a message needs a recipient or an address")
    locale = locale or current_app.config["DEFAULT_LOCALE"]
    if dedup_key is not None:
        exists = db.session.scalar(
            select(Notification.id).where(Notification.dedup_key == dedup_key)
        )
        if exists:
            return None
    full_link = absolute_url(link) if link else None
    subject, text, html = render_message(
        template, locale, recipient=recipient, link=full_link, **context
    )
    now = utcnow()
    note = Notification(
        recipient_id=recipient.id if recipient is not None else None,
        to_address=to_address,
        locale=locale,
        kind=kind or template,
        subject=subject[:200],
        body_text=text,
        body_html=html,
        link=full_link,
        dedup_key=dedup_key,
        related_type=related[0] if related else None,
        related_id=related[1] if related else None,
        attachment_name=attachment[0] if attachment else None,
        attachment_type=attachment[1] if attachment else None,
        attachment_data=attachment[2] if attachment else None,
        due_at=due_at or now,
        next_attempt_at=due_at or now,
        send_mail=send_mail,
        state="queued" if send_mail else "skipped",
        # Account mails (confirmation, reset links) are not in-app news.
        read_at=now if kind == "account" else None,
    )
    if dedup_key is None:
        db.session.add(note)
        return note
    # A concurrent writer may insert the same key between our check and insert.
    try:
        with db.session.begin_nested():
            db.session.add(note)
    except IntegrityError:
        return None
    return note


def retry_delay(attempts: int) -> timedelta:
    """First retry after at most 5 minutes, then growing: 1, 2, 4, 8 ... minutes, at most 6 h."""
    first = current_app.config["MAIL_RETRY_FIRST_SECONDS"]
    seconds = min(first * 2 ** max(attempts - 1, 0), 6 * 3600)
    return timedelta(seconds=seconds)


def deliver_due(now: datetime | None = None, batch_size: int = 100) -> dict[str, int]:
    """Send every queued message whose next attempt is due; returns counts.

    Each message is claimed and marked in its own short transaction, and marked
    sent only after the server accepted it.
    """
    now = now or utcnow()
    counts = {"sent": 0, "retry": 0, "failed": 0}
    max_attempts = current_app.config["MAIL_MAX_ATTEMPTS"]
    last_id = 0
    while True:
        ids = db.session.scalars(
            select(Notification.id)
            .where(
                Notification.state == "queued",
                Notification.next_attempt_at <= now,
                Notification.id > last_id,
            )
            .order_by(Notification.id)
            .limit(batch_size)
        ).all()
        db.session.commit()
        if not ids:
            break
        last_id = ids[-1]
        for note_id in ids:
            outcome = _deliver_one(note_id, now, max_attempts)
            if outcome:
                counts[outcome] += 1
    return counts


CLAIM = timedelta(minutes=5)


def _deliver_one(note_id: int, now: datetime, max_attempts: int) -> str | None:
    # 1. Claim the message in a short transaction, so a second deliverer skips it
    #    and no lock is held while we talk to the mail server.
    with write_transaction():
        note = db.session.get(Notification, note_id)
        if note is None or note.state != "queued" or note.next_attempt_at > now:
            return None  # another deliverer got there first
        note.next_attempt_at = now + CLAIM
        message = build_message(note)
    # 2. Talk to the mail server outside any transaction.
    error: DeliveryError | None = None
    try:
        send(message)
    except DeliveryError as exc:
        error = exc
    # 3. Record the outcome; a crash before this resends after the claim runs out.
    with write_transaction():
        note = db.session.get(Notification, note_id)
        note.attempts += 1
        if error is None:
            note.state = "sent"
            note.sent_at = utcnow()
            note.last_error = None
            return "sent"
        note.last_error = str(error)[:2000]
        if note.attempts >= max_attempts:
            note.state = "failed"
            return "failed"
        note.next_attempt_at = now + retry_delay(note.attempts)
        return "retry"
