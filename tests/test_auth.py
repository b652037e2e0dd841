"""Accounts: register, confirm by mail, log in and out, reset a password, unsafe redirects."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import User


def link_in(text: str) -> str:
    match = re.search(r"http://allmende\.test(/\S+)", text)
    assert match, text
    return match.group(1)


def test_register_sends_a_confirmation_that_works_once(client, deliver):
    response = client.post(
        "/auth/register",
        data={
            "display_name": "Rosa",
            "email": "Rosa@Example.org",
            "password": "geheim123",
            "password2": "geheim123",
        },
        headers={"Accept-Language": "de"},
    )
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "rosa@example.org"))
    assert user is not None and user.confirmed_at is None

    box = deliver()
    [message] = box.to("rosa@example.org")
    assert "bestätigen" in message["Subject"]
    text = box.text(message)
    assert "Hallo Rosa," in text
    assert "/account/notifications/settings" in text  # the footer says where to change settings
    path = link_in(text)
    assert client.get(path).status_code == 200  # a button, no change on GET
    db.session.refresh(user)
    assert user.confirmed_at is None
    assert client.post(path).status_code == 302
    db.session.refresh(user)
    assert user.confirmed_at is not None


def test_register_refuses_a_taken_address_case_insensitively(client, make_user):
    make_user("taken@example.org")
    response = client.post(
        "/auth/register",
        data={
            "display_name": "X",
            "email": "TAKEN@example.org",
            "password": "geheim123",
            "password2": "geheim123",
        },
    )
    assert response.status_code == 422
    assert "Zu dieser E-Mail-Adresse gibt es bereits ein Konto." in response.get_data(as_text=True)


def test_login_and_logout(client, auth, make_user):
    make_user("anna@example.org")
    response = auth.login("ANNA@example.org")
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    auth.logout()
    assert client.get("/account").status_code == 302


def test_wrong_password_is_refused_with_a_message(client, auth, make_user):
    make_user("ben@example.org")
    response = auth.login("ben@example.org", "wrong password")
    assert response.status_code == 401
    assert client.get("/account").status_code == 302


def test_logout_needs_post(client, auth, make_user):
    make_user("carl@example.org")
    auth.login("carl@example.org")
    assert client.get("/auth/logout").status_code == 405
    assert client.get("/account").status_code == 200


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "////evil.example",
        "/\\evil.example",
        "https://evil.example",
        "http:evil.example",
        "\\\\evil.example",
    ],
)
def test_unsafe_next_is_ignored(client, make_user, target):
    make_user("dora@example.org")
    response = client.post(
        "/auth/login",
        data={"email": "dora@example.org", "password": "correct horse", "next": target},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_safe_next_is_followed(client, make_user):
    make_user("emil@example.org")
    response = client.post(
        "/auth/login",
        data={"email": "emil@example.org", "password": "correct horse", "next": "/account"},
    )
    assert response.headers["Location"] == "/account"


def test_password_reset_link_works_once(client, make_user, deliver, auth):
    user = make_user("frida@example.org", locale="en")
    assert client.post("/auth/reset", data={"email": "frida@example.org"}).status_code == 302
    box = deliver()
    [message] = box.to("frida@example.org")
    assert "new password" in message["Subject"]
    path = link_in(box.text(message))
    response = client.post(path, data={"password": "brandnew123", "password2": "brandnew123"})
    assert response.status_code == 302
    assert auth.login("frida@example.org", "brandnew123").status_code == 302
    auth.logout()
    # The same link again: refused, the password stays.
    client.post(path, data={"password": "another123", "password2": "another123"})
    assert auth.login("frida@example.org", "another123").status_code == 401
    db.session.refresh(user)
    assert user.check_password("brandnew123")


def test_reset_for_unknown_address_says_the_same(client, deliver):
    response = client.post("/auth/reset", data={"email": "nobody@example.org"})
    assert response.status_code == 302
    assert deliver().messages == []


def test_session_renewed_on_login(client, make_user):
    make_user("gert@example.org")
    with client.session_transaction() as session:
        session["planted"] = "attacker"
    client.post("/auth/login", data={"email": "gert@example.org", "password": "correct horse"})
    with client.session_transaction() as session:
        assert "planted" not in session


def test_password_change_ends_other_sessions(app, client, make_user):
    user = make_user("hans@example.org")
    client.post("/auth/login", data={"email": "hans@example.org", "password": "correct horse"})
    user.session_version += 1
    db.session.commit()
    assert client.get("/account").status_code == 302


def test_blocked_person_cannot_log_in(client, make_user):
    from app.db import utcnow

    user = make_user("ida@example.org")
    user.blocked_at = utcnow()
    db.session.commit()
    response = client.post(
        "/auth/login", data={"email": "ida@example.org", "password": "correct horse"}
    )
    assert response.status_code == 401


def test_cli_user_is_confirmed(runner):
    result = runner.invoke(
        args=["users", "create", "--email", "Cli@Example.org", "--password", "secret123"]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "cli@example.org"))
    assert user.confirmed_at is not None
    result = runner.invoke(args=["tokens", "create", "--email", "cli@example.org"])
    assert result.exit_code == 0
    assert result.output.strip().splitlines()[-1].startswith("alm_")
