"""Mail backends: SMTP for real delivery, console for development."""

from __future__ import annotations

import smtplib
import sys
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app

from app.models import Notification


class DeliveryError(Exception):
    """The mail server did not accept the message; it stays queued."""


def build_message(note: Notification) -> EmailMessage:
    config = current_app.config
    message = EmailMessage()
    message["Subject"] = note.subject
    message["From"] = config["MAIL_FROM"]
    message["To"] = note.to_address
    message["Date"] = formatdate(localtime=False)
    domain = config["MAIL_FROM"].rsplit("@", 1)[-1].strip("> ") or "localhost"
    # A stable Message-ID per outbox row lets receiving servers drop a rare duplicate.
    message["Message-ID"] = make_msgid(idstring=f"notification-{note.id}", domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(note.body_text)
    if note.body_html:
        message.add_alternative(note.body_html, subtype="html")
    if note.attachment_data and note.attachment_name:
        maintype, _, subtype = (note.attachment_type or "text/calendar").partition("/")
        message.add_attachment(
            note.attachment_data.encode("utf-8"),
            maintype=maintype,
            subtype=subtype or "calendar",
            filename=note.attachment_name,
        )
    return message


def send(message: EmailMessage) -> None:
    """Hand one message to the configured backend; raise DeliveryError on failure."""
    backend = current_app.config["MAIL_BACKEND"]
    if backend == "console":
        print(message.as_string(), file=sys.stdout, flush=True)
        return
    if backend != "smtp":
        raise DeliveryError(f"unknown MAIL_BACKEND {backend!r}")
    config = current_app.config
    try:
        with smtplib.SMTP(
            config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=config["MAIL_TIMEOUT"]
        ) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise DeliveryError(f"{type(error).__name__}: {error}") from error
