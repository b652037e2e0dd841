"""Who may open the account pages: anonymous people are sent to log in, nothing changes."""

from __future__ import annotations

import pytest

from app.extensions import db

# (method, path): every account page; the email confirmation link is public on purpose.
ROUTES = [
    ("GET", "/account"),
    ("POST", "/account"),
    ("POST", "/account/feed/renew"),
    ("GET", "/account/password"),
    ("POST", "/account/password"),
    ("GET", "/account/email"),
    ("POST", "/account/email"),
    ("GET", "/account/notifications/settings"),
    ("POST", "/account/notifications/settings"),
    ("GET", "/account/notifications"),
    ("POST", "/account/notifications/read-all"),
    ("POST", "/account/notifications/1/open"),
    ("GET", "/account/tokens"),
    ("POST", "/account/tokens"),
    ("POST", "/account/tokens/1/revoke"),
    ("GET", "/account/export"),
    ("GET", "/account/delete"),
    ("POST", "/account/delete"),
]

PAGES = [path for method, path in ROUTES if method == "GET"]


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_anonymous_is_sent_to_login(client, method, path):
    response = client.open(path, method=method, data={"password": "x", "name": "x"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")


def test_anonymous_post_changes_nothing(client, make_user):
    user = make_user("quiet@example.org")
    token = user.feed_token
    client.post("/account/feed/renew")
    client.post("/account/delete", data={"password": "correct horse"})
    db.session.refresh(user)
    assert user.feed_token == token and user.deleted_at is None


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize(("locale", "word"), [("de", 'lang="de"'), ("en", 'lang="en"')])
def test_the_person_sees_every_page_in_their_language(client, auth, make_user, path, locale, word):
    make_user("page@example.org", locale=locale)
    auth.login("page@example.org")
    response = client.get(path)
    assert response.status_code == 200
    if response.mimetype == "text/html":
        assert word in response.get_data(as_text=True)


@pytest.mark.parametrize(("locale", "heading"), [("de", "Ihr Konto"), ("en", "Your account")])
def test_account_page_is_translated(client, auth, make_user, locale, heading):
    make_user("words@example.org", locale=locale)
    auth.login("words@example.org")
    assert f"<h1>{heading}</h1>" in client.get("/account").get_data(as_text=True)


def test_forms_carry_a_csrf_token_and_posts_without_one_are_refused(app, db_session, make_user):
    import re

    from app import create_app

    guarded = create_app({**app.config, "WTF_CSRF_ENABLED": True})
    user = make_user("csrf@example.org", locale="en")
    token = user.feed_token
    browser = guarded.test_client()
    login_page = browser.get("/auth/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    browser.post(
        "/auth/login",
        data={"email": "csrf@example.org", "password": "correct horse", "csrf_token": csrf},
    )
    assert browser.post("/account/feed/renew").status_code == 400
    db.session.refresh(user)
    assert user.feed_token == token
    account = browser.get("/account").get_data(as_text=True)
    csrf = re.search(
        r'action="/account/feed/renew">\s*<input type="hidden" name="csrf_token" '
        r'value="([^"]+)"',
        account,
    ).group(1)
    assert browser.post("/account/feed/renew", data={"csrf_token": csrf}).status_code == 302
    db.session.refresh(user)
    assert user.feed_token != token
