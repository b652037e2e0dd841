"""Rate limits: failed logins, registrations and reset requests per person and per address.

The default test app runs without limits; these tests build one with RATELIMIT_ENABLED and a
fresh in-memory storage. The limiter object is global (its `enabled` flag and storage are
shared by every app), so the fixture puts its state back afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from app import create_app
from app.extensions import db, limiter

ENGLISH = {"Accept-Language": "en"}


@pytest.fixture
def limited_app(app, db_session) -> Iterator[Flask]:
    saved = {
        name: getattr(limiter, name) for name in ("enabled", "initialized", "_storage", "_limiter")
    }
    limited = create_app(
        {**app.config, "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"}
    )
    try:
        yield limited
    finally:
        for name, value in saved.items():
            setattr(limiter, name, value)
        with limited.app_context():
            db.engine.dispose()


def client_from(limited_app: Flask, address: str = "192.0.2.1"):
    """A browser at a given IP address."""
    client = limited_app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def log_in(client, email: str, password: str):
    return client.post("/auth/login", data={"email": email, "password": password}, headers=ENGLISH)


def register(client, email: str):
    return client.post(
        "/auth/register",
        data={
            "display_name": "R",
            "email": email,
            "password": "geheim123",
            "password2": "geheim123",
        },
        headers=ENGLISH,
    )


def test_eleventh_failed_login_in_a_minute_is_refused_kindly(limited_app, make_user):
    make_user("lock@example.org")
    browser = client_from(limited_app)
    for n in range(10):
        assert log_in(browser, f"guess{n}@example.org", "wrong").status_code == 401
    response = log_in(browser, "lock@example.org", "wrong")
    assert response.status_code == 429
    body = response.get_data(as_text=True)
    assert "Too many requests" in body and "Please wait a moment" in body
    assert "per 1 minute" not in body
    assert "Retry-After" in response.headers
    # Now even the right password waits; another person (another address) is not affected.
    assert log_in(browser, "lock@example.org", "correct horse").status_code == 429
    other = client_from(limited_app, "192.0.2.99")
    assert log_in(other, "lock@example.org", "correct horse").status_code == 302


def test_successful_logins_do_not_count(limited_app, make_user):
    make_user("often@example.org")
    browser = client_from(limited_app)
    for _ in range(11):
        assert log_in(browser, "often@example.org", "correct horse").status_code == 302
    for n in range(10):
        assert log_in(browser, f"guess{n}@example.org", "wrong").status_code == 401
    assert log_in(browser, "often@example.org", "wrong").status_code == 429


def test_limit_page_is_in_german_too(limited_app):
    browser = client_from(limited_app)
    for _ in range(10):
        browser.post("/auth/login", data={"email": "x@example.org", "password": "wrong"})
    response = browser.post(
        "/auth/login",
        data={"email": "x@example.org", "password": "wrong"},
        headers={"Accept-Language": "de"},
    )
    assert response.status_code == 429
    body = response.get_data(as_text=True)
    assert "Zu viele Anfragen" in body and "Sie haben das zu oft versucht" in body


def test_fourth_registration_for_one_address_in_an_hour_is_refused(limited_app):
    # Each attempt from another IP address: the limit follows the address typed in.
    attempts = ["same@example.org", "Same@Example.org", "SAME@example.org", "same@example.org"]
    statuses = [
        register(client_from(limited_app, f"198.51.100.{n}"), email).status_code
        for n, email in enumerate(attempts, start=1)
    ]
    assert statuses[0] == 302  # created
    assert statuses[1:3] == [422, 422]  # taken, but counted
    assert statuses[3] == 429
    # Another address is not affected.
    assert register(client_from(limited_app, "198.51.100.50"), "new@example.org").status_code == 302


def test_registrations_from_one_person_are_limited(limited_app):
    # Every attempt counts, also those the form refuses (here: the passwords differ).
    browser = client_from(limited_app, "203.0.113.7")
    statuses = [
        browser.post(
            "/auth/register",
            data={
                "display_name": "R",
                "email": f"many{n}@example.org",
                "password": "geheim123",
                "password2": "different",
            },
        ).status_code
        for n in range(11)
    ]
    assert statuses == [422] * 10 + [429]


def test_fourth_reset_request_for_one_address_is_refused(limited_app, make_user):
    make_user("forgetful@example.org")
    statuses = [
        client_from(limited_app, f"198.51.100.{n}")
        .post("/auth/reset", data={"email": "Forgetful@example.org"}, headers=ENGLISH)
        .status_code
        for n in range(1, 5)
    ]
    assert statuses == [302, 302, 302, 429]
    # Unknown addresses are limited the same way, so the limit reveals nothing.
    statuses = [
        client_from(limited_app, f"198.51.100.{n}")
        .post("/auth/reset", data={"email": "nobody@example.org"}, headers=ENGLISH)
        .status_code
        for n in range(10, 14)
    ]
    assert statuses == [302, 302, 302, 429]


def test_email_change_requests_are_limited_per_person(limited_app, make_user):
    make_user("mover@example.org")
    browser = client_from(limited_app)
    assert log_in(browser, "mover@example.org", "correct horse").status_code == 302
    statuses = [
        browser.post(
            "/account/email", data={"email": "not-an-address", "password": ""}, headers=ENGLISH
        ).status_code
        for _ in range(6)
    ]
    assert statuses == [422] * 5 + [429]


def test_default_test_app_stays_unlimited_afterwards(client):
    for _ in range(12):
        response = client.post(
            "/auth/login", data={"email": "nobody@example.org", "password": "wrong"}
        )
        assert response.status_code == 401
