"""Allmende: a town's platform for sharing goods and spaces."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from config import Config

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application; `config` overrides settings (tests pass a mapping)."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_mapping(Config().as_dict())
    if config:
        app.config.from_mapping(config)
    check_config(app)
    if app.config.get("PROXY_COUNT", 0):
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Behind a reverse proxy: trust its X-Forwarded-* headers, so rate limits
        # count each person's address rather than the proxy's.
        count = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)

    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def check_config(app: Flask) -> None:
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY must be set when APP_ENV=production")
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgresql://") or uri.startswith("postgres://"):
        # psycopg 3 is the driver; plain postgresql:// URLs mean it.
        uri = "postgresql+psycopg://" + uri.split("://", 1)[1]
        app.config["SQLALCHEMY_DATABASE_URI"] = uri
    if uri.startswith("sqlite"):
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
        app.config["SQLALCHEMY_ENGINE_OPTIONS"].setdefault("connect_args", {"timeout": 10})
        if uri.startswith("sqlite:///") and ":memory:" not in uri:
            Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    else:
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["TIMEZONE"]
    app.config["BABEL_DEFAULT_LOCALE"] = app.config["DEFAULT_LOCALE"]
    Path(app.config["UPLOAD_FOLDER"]).mkdir(parents=True, exist_ok=True)


def register_extensions(app: Flask) -> None:
    from app import db as _db_hooks  # noqa: F401  (SQLite connection hooks)
    from app.extensions import babel, csrf, db, limiter, login_manager, migrate
    from app.i18n import select_locale, select_timezone

    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(ROOT / "migrations"), compare_type=True, render_as_batch=True
    )
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    limiter.init_app(app)

    from app import models  # noqa: F401
    from app.auth.loader import load_user

    login_manager.user_loader(load_user)
    from flask_babel import lazy_gettext as _l

    login_manager.login_message = _l("Please log in to continue.")


def register_blueprints(app: Flask) -> None:
    from app.account.routes import bp as account_bp
    from app.admin.routes import bp as admin_bp
    from app.api import bp as api_bp
    from app.auth.routes import bp as auth_bp
    from app.catalogue.routes import bp as catalogue_bp
    from app.feeds.routes import bp as feeds_bp
    from app.main.routes import bp as main_bp
    from app.manage.routes import bp as manage_bp
    from app.network.routes import bp as network_bp
    from app.orgs.routes import bp as orgs_bp
    from app.reservations.routes import bp as reservations_bp
    from app.spaces.routes import bp as spaces_bp

    for blueprint in (
        main_bp,
        auth_bp,
        account_bp,
        catalogue_bp,
        reservations_bp,
        spaces_bp,
        orgs_bp,
        manage_bp,
        admin_bp,
        feeds_bp,
        network_bp,
        api_bp,
    ):
        app.register_blueprint(blueprint)


def register_errorhandlers(app: Flask) -> None:
    from app.errors import register

    register(app)


def register_template_helpers(app: Flask) -> None:
    from app.templating import register

    register(app)


def register_commands(app: Flask) -> None:
    from app.cli import register

    register(app)
