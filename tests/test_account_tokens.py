"""Personal API tokens: created with a name, shown once, listed, revoked; only one's own."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import ApiToken
from app.models.user import hash_token


def page(response) -> str:
    return response.get_data(as_text=True)


def plain_token(body: str) -> str:
    match = re.search(r'id="new-token"[^>]*value="(alm_[^"]+)"', body)
    assert match, "the new token is not shown"
    return match.group(1)


def api_user(app, plain: str):
    from app.api import current_api_user

    with app.test_request_context(headers={"Authorization": f"Bearer {plain}"}):
        return current_api_user()


def test_token_is_shown_once_and_works(app, client, auth, make_user):
    user = make_user("tina@example.org", locale="en")
    auth.login("tina@example.org")
    response = client.post("/account/tokens", data={"name": "Calendar script"})
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    plain = plain_token(page(response))
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert token.token_hash == hash_token(plain) and plain not in token.token_hash
    assert api_user(app, plain).id == user.id

    listing = page(client.get("/account/tokens"))
    assert plain not in listing  # never again
    assert "Calendar script" in listing and token.prefix in listing and "never" in listing


def test_revoked_token_stops_working_and_leaves_the_list(app, client, auth, make_user):
    user = make_user("rolf@example.org", locale="en")
    auth.login("rolf@example.org")
    plain = plain_token(page(client.post("/account/tokens", data={"name": "Old phone"})))
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    response = client.post(f"/account/tokens/{token.id}/revoke")
    assert response.status_code == 302
    db.session.refresh(token)
    assert token.revoked_at is not None
    assert api_user(app, plain) is None
    assert "is revoked" in page(client.get("/account/tokens"))
    assert "Old phone" not in page(client.get("/account/tokens"))
    # Revoking again is harmless.
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 302


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "This field is required."),
        ("   ", "This field is required."),
        ("x" * 81, "80"),
    ],
)
def test_token_needs_a_sensible_name(client, auth, make_user, name, message):
    user = make_user("nameless@example.org", locale="en")
    auth.login("nameless@example.org")
    response = client.post("/account/tokens", data={"name": name})
    assert response.status_code == 422
    assert message in page(response)
    assert db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id)) is None


def test_number_of_active_tokens_is_limited(app_ctx, make_user):
    from app.account import service
    from app.errors import DomainError

    user = make_user()
    for n in range(service.MAX_ACTIVE_TOKENS):
        service.issue_token(user, f"t{n}")
    with pytest.raises(DomainError):
        service.issue_token(user, "one too many")


def test_another_persons_token_cannot_be_revoked_or_seen(app, client, auth, make_user):
    owner = make_user("owner@example.org")
    token, plain = ApiToken.issue(owner, "Owner's laptop")
    db.session.commit()
    make_user("mallory@example.org", locale="en")
    auth.login("mallory@example.org")
    assert "Owner's laptop" not in page(client.get("/account/tokens"))
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 404
    assert client.post("/account/tokens/999999/revoke").status_code == 404
    db.session.refresh(token)
    assert token.revoked_at is None
    assert api_user(app, plain).id == owner.id


@pytest.mark.parametrize(("locale", "heading"), [("de", "API-Schlüssel"), ("en", "API tokens")])
def test_tokens_page_in_both_languages(client, auth, make_user, locale, heading):
    make_user("lang@example.org", locale=locale)
    auth.login("lang@example.org")
    assert f"<h1>{heading}</h1>" in page(client.get("/account/tokens"))
