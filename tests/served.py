"""A real server for storm and browser tests: the app on a free local port, own database.

    def test_something(served_app):
        served = served_app(seed=lambda: ...)    # seed runs inside the served app's context
        urllib.request.urlopen(served.url + "/healthz")

Such tests must not use `db_session`/`client` (those patch the session of the in-process
test database); talk to the server over HTTP and read its database with `served.session()`.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade
from werkzeug.serving import BaseWSGIServer, make_server

from app import create_app
from app.extensions import db

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Served:
    url: str
    app: Flask
    database_url: str
    server: BaseWSGIServer

    @contextmanager
    def context(self):
        """An app context of the served app (its own database)."""
        with self.app.app_context():
            try:
                yield
            finally:
                db.session.remove()


def _admin_url(database_url: str) -> sa.URL:
    return sa.make_url(database_url).set(database="postgres")


def fresh_database(database_url: str, folder: Path) -> str:
    """A new empty database next to the test database."""
    name = f"served_{uuid.uuid4().hex[:12]}"
    if database_url.startswith("sqlite"):
        return f"sqlite:///{folder / (name + '.db')}"
    engine = sa.create_engine(_admin_url(database_url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()
    return sa.make_url(database_url).set(database=name).render_as_string(hide_password=False)


def drop_database(database_url: str) -> None:
    if database_url.startswith("sqlite"):
        return
    name = sa.make_url(database_url).database
    engine = sa.create_engine(_admin_url(database_url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    engine.dispose()


@pytest.fixture
def served_app(database_url, smtp_server, tmp_path) -> Iterator[Callable[..., Served]]:
    from tests.conftest import free_port, make_config

    started: list[tuple[Served, threading.Thread]] = []

    def serve(seed: Callable[[], object] | None = None, **overrides) -> Served:
        url = fresh_database(database_url, tmp_path)
        port = free_port()
        config = make_config(
            url,
            smtp_server[0].port,
            tmp_path / f"uploads-{port}",
            SITE_URL=f"http://127.0.0.1:{port}",
            TESTING=False,
            WTF_CSRF_ENABLED=True,
        )
        config.update(overrides)
        app = create_app(config)
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            if seed is not None:
                seed()
                db.session.commit()
            db.session.remove()
        server = make_server("127.0.0.1", port, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        served = Served(url=f"http://127.0.0.1:{port}", app=app, database_url=url, server=server)
        started.append((served, thread))
        return served

    yield serve

    for served, thread in started:
        served.server.shutdown()
        thread.join(timeout=10)
        with served.app.app_context():
            db.engine.dispose()
        drop_database(served.database_url)
