"""Pages every visitor meets: start, information pages, errors, health, language."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "path", ["/", "/imprint", "/privacy", "/accessibility", "/auth/login", "/auth/register"]
)
def test_public_pages_answer_with_lang(client, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="de">' in html
    assert 'class="skip-link"' in html


def test_browser_language_english(client):
    html = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en">' in html


def test_language_switch_keeps_the_page(client):
    response = client.post("/language", data={"locale": "en", "next": "/imprint"})
    assert response.status_code == 302 and response.headers["Location"] == "/imprint"
    assert '<html lang="en">' in client.get("/imprint").get_data(as_text=True)


def test_language_switch_ignores_foreign_next(client):
    response = client.post("/language", data={"locale": "en", "next": "//evil.example"})
    assert response.headers["Location"] == "/"


def test_not_found_is_a_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "<h1>" in response.get_data(as_text=True)


def test_api_not_found_is_problem_json(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 404


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["database"] == "ok"
    assert "scheduler" in body


def test_healthz_without_database(tmp_path):
    from app import create_app

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none",
            "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 2}},
            "UPLOAD_FOLDER": str(tmp_path),
        }
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unavailable"


def test_production_needs_a_secret_key(monkeypatch):
    from app import create_app

    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError):
        create_app()


def test_cookies_secure_on_https(monkeypatch):
    from config import Config

    monkeypatch.setenv("SITE_URL", "https://allmende.example")
    config = Config()
    assert config.SESSION_COOKIE_SECURE and config.REMEMBER_COOKIE_SECURE


def test_csrf_is_required(app, db_session):
    from app import create_app

    strict = create_app({**app.config, "WTF_CSRF_ENABLED": True})
    response = strict.test_client().post(
        "/auth/login", data={"email": "x@example.org", "password": "whatever1"}
    )
    assert response.status_code == 400
