"""Writing messages to the outbox, and delivering what is due with retries and backoff."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import force_locale, get_translations
from flask_babel import gettext as _
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.db import utcnow, write_transaction
from app.errors import Conflict, NotFound
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
        # The context processors run once for the three parts, not once each, and
        # the catalogue is looked up once, not once per string (it matters when a
        # sweep renders thousands of reminders).
        current_app.update_template_context(context)
        context["gettext"] = _catalogue_gettext(get_translations().ugettext)
        environment = current_app.jinja_env
        subject, text, html = (
            environment.get_template(f"mail/{template}.{part}").render(context)
            for part in ("subject.txt", "txt", "html")
        )
    return " ".join(subject.split()), text, html


def prepare(
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
) -> Notification:
    """Render one message in the recipient's language, as a row not yet added to the session."""
    if recipient is not None:
        to_address = to_address or recipient.email
        locale = locale or recipient.locale
    if not to_address:
        raise ValueError("a message needs a recipient or an address")
    locale = locale or current_app.config["DEFAULT_LOCALE"]
    full_link = absolute_url(link) if link else None
    subject, text, html = render_message(
        template, locale, recipient=recipient, link=full_link, **context
    )
    now = utcnow()
    return Notification(
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
        created_at=now,
        due_at=due_at or now,
        next_attempt_at=due_at or now,
        send_mail=send_mail,
        state="queued" if send_mail else "skipped",
    )


def _catalogue_gettext(translate: Callable[[str], str]) -> Callable[..., str]:
    """Jinja's new-style `gettext` (and so `_`), bound to one catalogue."""

    @pass_context
    def gettext(context: Context, string: str, **variables: Any) -> str:
        text = translate(string)
        if context.eval_ctx.autoescape:
            # As in Jinja's own gettext: the catalogue's text is ours and trusted,
            # and Markup's % escapes the variables (what people typed).
            text = Markup(text)  # noqa: S704
        return text % variables

    return gettext


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
    if dedup_key is not None and existing_keys([dedup_key]):
        return None
    note = prepare(
        template,
        recipient=recipient,
        to_address=to_address,
        locale=locale,
        kind=kind,
        link=link,
        dedup_key=dedup_key,
        related=related,
        attachment=attachment,
        due_at=due_at,
        send_mail=send_mail,
        **context,
    )
    if dedup_key is None:
        db.session.add(note)
        return note
    return note if _add_unique(note) else None


def existing_keys(keys: list[str]) -> set[str]:
    """Which of these dedup keys the outbox already holds (one indexed query)."""
    if not keys:
        return set()
    return set(
        db.session.scalars(select(Notification.dedup_key).where(Notification.dedup_key.in_(keys)))
    )


def _add_unique(note: Notification) -> bool:
    # A concurrent writer may insert the same key between our check and insert.
    try:
        with db.session.begin_nested():
            db.session.add(note)
    except IntegrityError:
        return False
    return True


def queue_prepared(notes: list[Notification]) -> int:
    """Add prepared rows whose dedup keys are new, in one flush; returns how many were added.

    Should another writer have inserted one of the keys meanwhile, the rows are
    added one by one instead, each in its own savepoint. The caller commits.
    """
    taken = existing_keys([n.dedup_key for n in notes if n.dedup_key])
    fresh: list[Notification] = []
    keys: set[str] = set()
    for note in notes:
        if note.dedup_key and (note.dedup_key in taken or note.dedup_key in keys):
            continue
        if note.dedup_key:
            keys.add(note.dedup_key)
        fresh.append(note)
    if not fresh:
        return 0
    try:
        with db.session.begin_nested():
            db.session.add_all(fresh)
    except IntegrityError:
        return sum(1 for note in fresh if _add_unique(_copy(note)))
    return len(fresh)


def _copy(note: Notification) -> Notification:
    columns = Notification.__table__.columns.keys()
    return Notification(**{name: getattr(note, name) for name in columns if name != "id"})


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
    counts = {"sent": 0, "retry": 0, "failed": 0, "skipped": 0}
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


def _claim(note_id: int, now: datetime) -> bool:
    """Move the next attempt past the claim, only if nobody else did: one atomic UPDATE.

    On PostgreSQL a second deliverer's UPDATE waits for the first and then finds
    the condition no longer true; on SQLite writers are serialised anyway.
    """
    table = Notification.__table__
    result = db.session.execute(
        update(table)
        .where(
            table.c.id == note_id,
            table.c.state == "queued",
            table.c.next_attempt_at <= now,
        )
        .values(next_attempt_at=now + CLAIM)
    )
    return result.rowcount == 1


def _deliver_one(note_id: int, now: datetime, max_attempts: int) -> str | None:
    from app.notifications.reminders import stale_reason

    # 1. Claim the message in a short transaction, so a second deliverer skips it
    #    and no lock is held while we talk to the mail server.
    with write_transaction():
        if not _claim(note_id, now):
            return None  # another deliverer got there first
        note = db.session.get(Notification, note_id)
        db.session.refresh(note)
        # A reminder whose reservation was cancelled or moved meanwhile is not sent.
        reason = stale_reason(note, now)
        if reason:
            note.state = "skipped"
            note.last_error = reason
            return "skipped"
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


def retry_failed(notification_id: int, now: datetime | None = None) -> Notification:
    """Queue a failed message again for a fresh round of attempts (the caller commits).

    The last error stays visible until the next attempt replaces it.
    """
    note = db.session.get(Notification, notification_id)
    if note is None:
        raise NotFound(_("This message does not exist."))
    if note.state != "failed":
        raise Conflict(_("Only messages whose delivery failed can be sent again."))
    note.state = "queued"
    note.attempts = 0
    note.next_attempt_at = now or utcnow()
    db.session.flush()
    return note
