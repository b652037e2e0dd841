"""The person's own settings: profile, notification choices, password, email, calendar link."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from app.extensions import db
from app.models import Notification
from app.models.user import NOTIFICATION_KINDS


def link_in(text: str) -> str:
    match = re.search(r"http://allmende\.test(/\S+)", text)
    assert match, text
    return match.group(1)


def page(response) -> str:
    return response.get_data(as_text=True)


# ------------------------------------------------------------------ profile ----
def test_profile_is_saved_and_the_language_follows(client, auth, make_user):
    user = make_user("rosa@example.org", name="Rosa", locale="de")
    auth.login("rosa@example.org")
    assert "Ihr Konto" in page(client.get("/account"))
    response = client.post(
        "/account", data={"display_name": "  Rosa R. ", "phone": "+49 5542 1234", "locale": "en"}
    )
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.display_name, user.phone, user.locale) == ("Rosa R.", "+49 5542 1234", "en")
    body = page(client.get("/account"))
    assert '<html lang="en">' in body and "Your profile is saved." in body


def test_phone_can_be_removed(client, auth, make_user):
    user = make_user("paul@example.org")
    user.phone = "0555 1"
    db.session.commit()
    auth.login("paul@example.org")
    client.post("/account", data={"display_name": "Paul", "phone": "", "locale": "de"})
    db.session.refresh(user)
    assert user.phone is None


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"display_name": "", "phone": "", "locale": "en"}, "This field is required."),
        ({"display_name": "   ", "phone": "", "locale": "en"}, "This field is required."),
        ({"display_name": "x" * 81, "phone": "", "locale": "en"}, "80"),
        ({"display_name": "Ok", "phone": "call me", "locale": "en"}, "digits"),
        ({"display_name": "Ok", "phone": "", "locale": "fr"}, "Not a valid choice"),
    ],
)
def test_bad_profile_input_is_refused_with_a_message(client, auth, make_user, form, message):
    user = make_user("bad@example.org", name="Before", locale="en")
    auth.login("bad@example.org")
    response = client.post("/account", data=form)
    assert response.status_code == 422
    assert message in page(response)
    db.session.refresh(user)
    assert user.display_name == "Before"


def test_profile_errors_are_in_german(client, auth, make_user):
    make_user("deutsch@example.org", locale="de")
    auth.login("deutsch@example.org")
    response = client.post(
        "/account", data={"display_name": "Ok", "phone": "ruf an", "locale": "de"}
    )
    assert response.status_code == 422
    assert "nur Ziffern" in page(response)


# ------------------------------------------------------------ notifications ----
def test_notification_settings_store_what_is_switched_off(client, auth, make_user):
    user = make_user("nora@example.org", locale="en")
    auth.login("nora@example.org")
    body = page(client.get("/account/notifications/settings"))
    assert body.count('type="checkbox"') == len(NOTIFICATION_KINDS)
    assert body.count("checked") == len(NOTIFICATION_KINDS)  # everything on by default
    response = client.post(
        "/account/notifications/settings", data={"reminder_start": "y", "messages": "y"}
    )
    assert response.status_code == 302
    db.session.refresh(user)
    assert set(user.notifications_off) == set(NOTIFICATION_KINDS) - {"reminder_start", "messages"}
    assert user.wants("messages") and not user.wants("lender_digest")
    body = page(client.get("/account/notifications/settings"))
    assert body.count("checked") == 2


@pytest.mark.parametrize(("locale", "label"), [("de", "Erinnerung"), ("en", "Reminder")])
def test_notification_settings_are_labelled_in_both_languages(
    client, auth, make_user, locale, label
):
    make_user("labels@example.org", locale=locale)
    auth.login("labels@example.org")
    assert label in page(client.get("/account/notifications/settings"))


# ----------------------------------------------------------------- password ----
def second_client(app) -> FlaskClient:
    other = app.test_client()
    response = other.post(
        "/auth/login", data={"email": "pia@example.org", "password": "correct horse"}
    )
    assert response.status_code == 302
    return other


def test_password_change_keeps_this_session_and_ends_the_others(
    app, client, auth, make_user, deliver
):
    user = make_user("pia@example.org", locale="en")
    auth.login("pia@example.org")
    laptop = second_client(app)
    assert laptop.get("/account").status_code == 200
    response = client.post(
        "/account/password",
        data={
            "current_password": "correct horse",
            "password": "brand new 1",
            "password2": "brand new 1",
        },
    )
    assert response.status_code == 302
    assert client.get("/account").status_code == 200  # still logged in here
    assert laptop.get("/account").status_code == 302  # logged out elsewhere
    db.session.refresh(user)
    assert user.check_password("brand new 1")
    [message] = deliver().to("pia@example.org")
    assert "password" in message["Subject"]
    assert "http://allmende.test/account/notifications/settings" in deliver().text(message)


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        (
            {"current_password": "wrong", "password": "brand new 1", "password2": "brand new 1"},
            "current_password",
            "The current password is not correct.",
        ),
        (
            {"current_password": "correct horse", "password": "short", "password2": "short"},
            "password",
            "at least 8",
        ),
        (
            {
                "current_password": "correct horse",
                "password": "brand new 1",
                "password2": "other 12",
            },
            "password2",
            "The passwords differ.",
        ),
        (
            {"current_password": "", "password": "brand new 1", "password2": "brand new 1"},
            "current_password",
            "This field is required.",
        ),
    ],
)
def test_bad_password_change_is_refused(client, auth, make_user, form, field, message):
    user = make_user("pwd@example.org", locale="en")
    auth.login("pwd@example.org")
    response = client.post("/account/password", data=form)
    assert response.status_code == 422
    body = page(response)
    assert message in body and f'id="{field}-error"' in body
    db.session.refresh(user)
    assert user.check_password("correct horse")
    assert client.get("/account").status_code == 200


# -------------------------------------------------------------------- email ----
def ask_for_new_email(client, new="Rosa.Neu@Example.org", password="correct horse"):
    return client.post("/account/email", data={"email": new, "password": password})


def test_email_changes_only_after_the_new_address_confirms(client, auth, make_user, deliver):
    user = make_user("rosa@example.org", locale="de")
    auth.login("rosa@example.org")
    assert ask_for_new_email(client).status_code == 302
    db.session.refresh(user)
    assert user.email == "rosa@example.org"

    box = deliver()
    [message] = box.to("rosa.neu@example.org")
    assert "bestätigen" in message["Subject"]
    path = link_in(box.text(message))
    assert path.startswith("/account/email/confirm/")
    # The link is not in the in-app list: only the new mailbox can prove the address.
    assert "/account/email/confirm/" not in page(client.get("/account/notifications"))

    confirm_page = client.get(path)
    assert confirm_page.status_code == 200 and "rosa.neu@example.org" in page(confirm_page)
    db.session.refresh(user)
    assert user.email == "rosa@example.org"  # GET changes nothing

    assert client.post(path).status_code == 302
    db.session.refresh(user)
    assert user.email == "rosa.neu@example.org"
    assert client.get("/account").status_code == 200  # still logged in
    # The old address is told.
    [notice] = deliver().to("rosa@example.org")
    assert "rosa.neu@example.org" in deliver().text(notice)
    # The link works once.
    assert client.post(path).status_code == 400


def test_email_confirmation_works_when_logged_out(client, auth, make_user, deliver):
    make_user("otto@example.org", locale="en")
    auth.login("otto@example.org")
    ask_for_new_email(client, "otto@new.example.org")
    auth.logout()
    path = link_in(deliver().text(deliver().to("otto@new.example.org")[0]))
    response = client.post(path)
    assert response.headers["Location"] == "/auth/login"
    assert auth.login("otto@new.example.org").status_code == 302
    auth.logout()
    assert auth.login("otto@example.org").status_code == 401


@pytest.mark.parametrize(
    ("new", "password", "status", "message"),
    [
        ("TAKEN@example.org", "correct horse", 409, "exists already"),  # case-insensitive
        ("me@example.org", "correct horse", 422, "already your email address"),
        ("ME@Example.org", "correct horse", 422, "already your email address"),
        ("not-an-address", "correct horse", 422, "Invalid email address"),
        ("fine@example.org", "wrong", 422, "The current password is not correct."),
        ("", "correct horse", 422, "This field is required."),
    ],
)
def test_bad_email_change_is_refused(
    client, auth, make_user, deliver, new, password, status, message
):
    make_user("taken@example.org")
    make_user("me@example.org", locale="en")
    auth.login("me@example.org")
    response = ask_for_new_email(client, new, password)
    assert response.status_code == status
    assert message in page(response)
    assert deliver().messages == []


def test_address_taken_before_confirming_is_refused(client, auth, make_user, deliver):
    user = make_user("first@example.org", locale="en")
    auth.login("first@example.org")
    ask_for_new_email(client, "wanted@example.org")
    path = link_in(deliver().text(deliver().to("wanted@example.org")[0]))
    make_user("Wanted@example.org")  # someone registers it in between
    response = client.post(path)
    assert response.status_code == 409
    db.session.refresh(user)
    assert user.email == "first@example.org"


@pytest.mark.parametrize("token", ["nonsense", "a.b.c"])
def test_forged_confirmation_link_is_refused(client, token):
    assert client.get(f"/account/email/confirm/{token}").status_code == 400
    assert client.post(f"/account/email/confirm/{token}").status_code == 400


def test_confirmation_link_for_another_purpose_is_refused(app_ctx, make_user):
    from app.account import service
    from app.auth.service import make_token
    from app.errors import DomainError

    user = make_user("purpose@example.org")
    reset_token = make_token(user, "reset", new="evil@example.org")
    with pytest.raises(DomainError):
        service.confirm_email_change(reset_token)


# --------------------------------------------------------------------- feed ----
def test_calendar_link_is_shown_and_can_be_renewed(client, auth, make_user):
    user = make_user("cal@example.org", locale="en")
    auth.login("cal@example.org")
    old = user.feed_token
    assert f"http://allmende.test/feeds/{old}.ics" in page(client.get("/account"))
    response = client.post("/account/feed/renew")
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.feed_token != old
    body = page(client.get("/account"))
    assert f"http://allmende.test/feeds/{user.feed_token}.ics" in body and old not in body


def test_every_mail_footer_links_to_the_settings_page(app_ctx, make_user):
    from app.notifications import outbox

    user = make_user("foot@example.org")
    note = outbox.queue(
        "account_password_changed",
        recipient=user,
        kind="account",
        link="/auth/reset",
        name="Foot",
        contact="office@example.org",
    )
    db.session.commit()
    assert "http://allmende.test/account/notifications/settings" in note.body_text
    assert 'href="http://allmende.test/account/notifications/settings"' in note.body_html
    assert db.session.get(Notification, note.id) is not None


def test_confirming_while_someone_else_is_logged_in_leaves_them_logged_in(
    client, auth, make_user, deliver
):
    make_user("owner@example.org", locale="en")
    make_user("friend@example.org")
    auth.login("owner@example.org")
    ask_for_new_email(client, "owner@new.example.org")
    auth.logout()
    path = link_in(deliver().text(deliver().to("owner@new.example.org")[0]))
    auth.login("friend@example.org")
    response = client.post(path)
    assert response.headers["Location"] == "/"
    assert client.get("/account").status_code == 200
    assert "friend@example.org" in page(client.get("/account"))
