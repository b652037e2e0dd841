"""Test fixtures: one migrated database per test session, each test in its own transaction.

The database is SQLite in a temporary folder, or PostgreSQL when TEST_DATABASE_URL is set
(`make test` runs the suite once on each). Mail goes to a real SMTP server (aiosmtpd).
"""

from __future__ import annotations

import email
import email.policy
import os
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy.orm import Session, scoped_session, sessionmaker

from app import create_app
from app.extensions import db

pytest_plugins = [
    "tests.factories",
    "tests.served",
    "tests.browser",
    "tests.factories_booking",
    "tests.factories_orgs",
    "tests.factories_network",
    "tests.factories_feeds",
    "tests.factories_account",
    "tests.factories_spaces",
    "tests.factories_notifications",
    "tests.factories_catalogue",
    "tests.factories_admin",
    "tests.factories_lending",
]

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ---------------------------------------------------------------- mail ----
@dataclass
class Mailbox:
    """What the SMTP server received, parsed with the modern email policy."""

    messages: list[EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if address.lower() in m["To"].lower()]

    @staticmethod
    def text(message: EmailMessage) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()

    @staticmethod
    def html(message: EmailMessage) -> str:
        return message.get_body(preferencelist=("html",)).get_content()


class Handler:
    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox
        self.refuse = False

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return "451 Requested action aborted: local error in processing"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.mailbox.lock:
            self.mailbox.messages.append(message)
        return "250 Message accepted for delivery"


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[tuple[Controller, Handler, Mailbox]]:
    mailbox = Mailbox()
    handler = Handler(mailbox)
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, handler, mailbox
    controller.stop()


@pytest.fixture
def mailbox(smtp_server) -> Iterator[Mailbox]:
    """The received mail of this test (emptied before and after)."""
    _, handler, box = smtp_server
    box.clear()
    handler.refuse = False
    yield box
    handler.refuse = False
    box.clear()


@pytest.fixture
def smtp_handler(smtp_server) -> Handler:
    return smtp_server[1]


# ------------------------------------------------------------ database ----
def is_postgres(url: str) -> bool:
    return url.startswith("postgresql")


def reset_postgres(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        url = url.replace("postgresql://", "postgresql+psycopg://", 1)
        reset_postgres(url)
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def make_config(database_url: str, smtp_port: int, upload_folder: Path, **extra) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_port,
        "MAIL_USE_TLS": False,
        "MAIL_FROM": "Allmende Test <noreply@allmende.test>",
        "SITE_URL": "http://allmende.test",
        "SERVER_NAME": None,
        "UPLOAD_FOLDER": str(upload_folder),
        "SCHEDULER_LEASE_SECONDS": 5,
    }
    config.update(extra)
    return config


@pytest.fixture(scope="session")
def app(database_url, smtp_server, tmp_path_factory) -> Iterator[Flask]:
    controller = smtp_server[0]
    application = create_app(
        make_config(database_url, controller.port, tmp_path_factory.mktemp("uploads"))
    )
    with application.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        db.session.remove()
    yield application
    with application.app_context():
        db.engine.dispose()


class TestSession(scoped_session):
    """One session for the whole test, shared by the test body and every request.

    Flask-SQLAlchemy removes the session when an app context ends; here that is a
    no-op, so objects a test holds stay attached across requests. The fixture
    closes it at the end.
    """

    def remove(self) -> None:
        pass

    def really_remove(self) -> None:
        super().remove()


@pytest.fixture
def db_session(app) -> Iterator[Session]:
    """Run the test in one outer transaction; every commit inside becomes a savepoint.

    No app context stays pushed during the test, so each request gets a fresh one
    (as in production); use the `app_ctx` fixture where a test needs one itself.
    """
    with app.app_context():
        connection = db.engine.connect()
    outer = connection.begin()
    original = db.session
    db.session = TestSession(
        sessionmaker(bind=connection, join_transaction_mode="create_savepoint"),
        scopefunc=lambda: "test",
    )
    try:
        yield db.session
    finally:
        db.session.really_remove()
        db.session = original
        outer.rollback()
        connection.close()


@pytest.fixture
def app_ctx(app, db_session):
    """An application context inside the test's transaction."""
    with app.test_request_context():
        yield app


@pytest.fixture
def client(app, db_session):
    return app.test_client()


@pytest.fixture
def runner(app, db_session):
    return app.test_cli_runner()


@pytest.fixture
def deliver(app, db_session, mailbox) -> Callable[..., Mailbox]:
    """Deliver every queued message to the SMTP server and return the mailbox."""
    from app.notifications.outbox import deliver_due

    def _deliver(now=None) -> Mailbox:
        with app.test_request_context():
            deliver_due(now)
        return mailbox

    return _deliver


class AuthActions:
    def __init__(self, client) -> None:
        self.client = client

    def login(self, email: str, password: str = "correct horse"):
        return self.client.post(
            "/auth/login", data={"email": email, "password": password}, follow_redirects=False
        )

    def logout(self):
        return self.client.post("/auth/logout")


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)
