"""Accounts: creation, confirmation and password-reset tokens. No request objects here."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from app.db import utcnow
from app.errors import DomainError
from app.extensions import db
from app.models import User


class AccountError(DomainError):
    pass


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(
    email: str,
    password: str,
    display_name: str,
    *,
    locale: str | None = None,
    confirmed: bool = False,
) -> User:
    """A new account; the caller commits. Refuses an address already registered."""
    email = normalise_email(email)
    if find_user(email) is not None:
        raise AccountError(_("An account with this email address exists already."))
    if len(password) < 8:
        raise AccountError(_("The password must have at least 8 characters."))
    user = User(
        email=email,
        display_name=display_name.strip() or email.split("@")[0],
        locale=locale,
        notifications_off=[],
    )
    user.set_password(password)
    if confirmed:
        user.confirmed_at = utcnow()
    db.session.add(user)
    db.session.flush()
    return user


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"allmende-{purpose}")


def _fingerprint(user: User) -> str:
    # Changes once the token has been used (password or email changed), so links work once.
    return f"{user.email}|{(user.password_hash or '')[-16:]}|{user.session_version}"


def make_token(user: User, purpose: str, **extra) -> str:
    return _serializer(purpose).dumps({"uid": user.id, "fp": _fingerprint(user), **extra})


def read_token(token: str, purpose: str, max_age: int | None = None) -> tuple[User, dict]:
    """The user a token was made for; raises AccountError when expired, used or forged."""
    max_age = max_age or current_app.config["TOKEN_MAX_AGE_SECONDS"]
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise AccountError(_("This link has expired. Please ask for a new one.")) from error
    except BadSignature as error:
        raise AccountError(_("This link is not valid.")) from error
    user = db.session.get(User, data.get("uid"))
    if user is None or data.get("fp") != _fingerprint(user):
        raise AccountError(_("This link has been used already or is no longer valid."))
    return user, data


def confirm_email(user: User) -> None:
    if user.confirmed_at is None:
        user.confirmed_at = utcnow()


def reset_password(user: User, password: str) -> None:
    if len(password) < 8:
        raise AccountError(_("The password must have at least 8 characters."))
    user.set_password(password)
    user.session_version += 1
