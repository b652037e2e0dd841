"""Configuration read from the environment, with defaults for development."""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def env_bool(name: str, default: bool) -> bool:
    """Read a flag written as 1/0, true/false, yes/no or on/off."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [part.strip() for part in value.split(",") if part.strip()]


DEFAULT_DISTRICTS = [
    "Kernstadt",
    "Dohrenbach",
    "Ellingerode",
    "Ermschwerd",
    "Gertenbach",
    "Hubenrode",
    "Albshausen",
    "Roßbach",
    "Unterrieden",
    "Wendershausen",
    "Werleshausen",
    "Ziegenhagen",
]


class Config:
    """Settings for every environment; values come from the environment first."""

    def __init__(self) -> None:
        env = os.environ
        self.APP_ENV = env.get("APP_ENV", "development")
        self.SECRET_KEY = env.get("SECRET_KEY") or (
            None if self.APP_ENV == "production" else "dev-only-not-secret"
        )
        self.SQLALCHEMY_DATABASE_URI = env.get(
            "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'allmende.db'}"
        )
        self.UPLOAD_FOLDER = env.get("UPLOAD_FOLDER", str(INSTANCE_DIR / "uploads"))
        self.MAX_CONTENT_LENGTH = env_int("MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
        self.PHOTO_MAX_BYTES = env_int("PHOTO_MAX_BYTES", 8 * 1024 * 1024)
        self.PDF_MAX_BYTES = env_int("PDF_MAX_BYTES", 8 * 1024 * 1024)

        self.SITE_NAME = env.get("SITE_NAME", "Allmende Witzenhausen")
        self.SITE_TOWN = env.get("SITE_TOWN", "Witzenhausen")
        self.SITE_URL = env.get("SITE_URL", "http://127.0.0.1:5000").rstrip("/")
        self.TIMEZONE = env.get("TIMEZONE", "Europe/Berlin")
        self.DEFAULT_LOCALE = env.get("DEFAULT_LOCALE", "de")
        self.LANGUAGES = ["de", "en"]
        self.HOLIDAY_REGION = env.get("HOLIDAY_REGION", "HE")
        self.DISTRICTS = env_list("DISTRICTS", DEFAULT_DISTRICTS)
        self.ACCENT_COLOUR = env.get("ACCENT_COLOUR", "#1f6f4a")
        self.CONTACT_EMAIL = env.get("CONTACT_EMAIL", "projektbuero@example.org")
        self.IMPRINT_TEXT = env.get(
            "IMPRINT_TEXT",
            "Stadt Witzenhausen, Projektbüro Wirtschaftsförderung 4.0, "
            "Am Markt 1, 37213 Witzenhausen",
        )
        self.PRIVACY_CONTROLLER = env.get("PRIVACY_CONTROLLER", self.IMPRINT_TEXT)
        self.MAP_TILE_URL = env.get("MAP_TILE_URL", "")
        self.MAP_TILE_ATTRIBUTION = env.get("MAP_TILE_ATTRIBUTION", "")

        secure = self.SITE_URL.startswith("https://")
        self.SESSION_COOKIE_SECURE = secure
        self.REMEMBER_COOKIE_SECURE = secure
        self.SESSION_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        self.SESSION_PROTECTION = "strong"
        self.PREFERRED_URL_SCHEME = "https" if secure else "http"

        self.MAIL_BACKEND = env.get("MAIL_BACKEND", "console")
        self.MAIL_SERVER = env.get("MAIL_SERVER", "localhost")
        self.MAIL_PORT = env_int("MAIL_PORT", 25)
        self.MAIL_USE_TLS = env_bool("MAIL_USE_TLS", False)
        self.MAIL_USERNAME = env.get("MAIL_USERNAME") or None
        self.MAIL_PASSWORD = env.get("MAIL_PASSWORD") or None
        self.MAIL_FROM = env.get("MAIL_FROM", "Allmende <noreply@example.org>")
        self.MAIL_TIMEOUT = env_int("MAIL_TIMEOUT", 10)
        self.MAIL_MAX_ATTEMPTS = env_int("MAIL_MAX_ATTEMPTS", 8)
        self.MAIL_RETRY_FIRST_SECONDS = env_int("MAIL_RETRY_FIRST_SECONDS", 60)

        # How many reverse proxies in front of the app set X-Forwarded-For (0: none).
        self.PROXY_COUNT = env_int("PROXY_COUNT", 0)
        self.RATELIMIT_ENABLED = env_bool("RATELIMIT_ENABLED", True)
        self.RATELIMIT_STORAGE_URI = env.get("RATELIMIT_STORAGE_URI", "memory://")
        self.RATELIMIT_HEADERS_ENABLED = True

        self.SCHEDULER_LEASE_SECONDS = env_int("SCHEDULER_LEASE_SECONDS", 60)
        self.SCHEDULER_SWEEP_SECONDS = env_int("SCHEDULER_SWEEP_SECONDS", 60)
        self.SCHEDULER_DELIVERY_SECONDS = env_int("SCHEDULER_DELIVERY_SECONDS", 30)
        self.LENDER_DIGEST_HOUR = env_int("LENDER_DIGEST_HOUR", 17)  # local time
        self.REMINDER_BEFORE_START_HOURS = env_int("REMINDER_BEFORE_START_HOURS", 24)
        self.RETURN_REMINDER_HOURS = env_int("RETURN_REMINDER_HOURS", 3)
        self.OVERDUE_MAX_NOTICES = env_int("OVERDUE_MAX_NOTICES", 3)
        self.REQUEST_EXPIRY_HOURS = env_int("REQUEST_EXPIRY_HOURS", 72)
        self.REQUEST_REMINDER_HOURS = env_int("REQUEST_REMINDER_HOURS", 24)
        self.INQUIRY_UNANSWERED_DAYS = env_int("INQUIRY_UNANSWERED_DAYS", 5)
        # Counter loans: the guest's name and contact are removed this many days after return.
        self.GUEST_DATA_RETENTION_DAYS = env_int("GUEST_DATA_RETENTION_DAYS", 30)

        self.TOKEN_MAX_AGE_SECONDS = env_int("TOKEN_MAX_AGE_SECONDS", 2 * 24 * 3600)
        self.WTF_CSRF_TIME_LIMIT = None
        self.BABEL_DEFAULT_TIMEZONE = "UTC"

    def as_dict(self) -> dict:
        return {k: v for k, v in vars(self).items() if k.isupper()}
