"""Invitation mails in the right language, and invitations throttled per person and address."""

from __future__ import annotations

import re

import pytest

from app.extensions import db, limiter


def invite(client, org_people, email: str, role: str = "member"):
    return client.post(
        f"/orgs/{org_people.org.slug}/invitations", data={"email": email, "role": role}
    )


def login_manager(client, org_people):
    client.post(
        "/auth/login", data={"email": org_people.manager.email, "password": "correct horse"}
    )


# Who is invited, the inviter's language, and what the mail must say.
@pytest.mark.parametrize(
    ("invitee_locale", "inviter_locale", "subject", "greeting", "role"),
    [
        (None, "de", "Einladung zu Repair-Café Nord", "Guten Tag,", "als: Mitglied"),  # no account
        (None, "en", "Invitation to Repair-Café Nord", "Hello,", "as: Member"),
        ("en", "de", "Invitation to Repair-Café Nord", "Hello Nina,", "as: Member"),  # account
        ("de", "en", "Einladung zu Repair-Café Nord", "Hallo Nina,", "als: Mitglied"),
    ],
)
def test_invitation_mail_language(
    client, org_people, make_user, deliver, invitee_locale, inviter_locale, subject, greeting, role
):
    org_people.manager.locale = inviter_locale
    db.session.commit()
    if invitee_locale:
        make_user("nina@example.org", name="Nina", locale=invitee_locale)
    login_manager(client, org_people)
    assert invite(client, org_people, "nina@example.org").status_code == 302

    box = deliver()
    [message] = box.to("nina@example.org")
    assert message["Subject"].startswith(subject)
    for body in (box.text(message), box.html(message)):
        assert greeting in body
        assert "Mia Manager" in body and role in body
        assert re.search(r"http://allmende\.test/orgs/invitations/[\w-]{30,}", body)
    expected_lang = "en" if subject.startswith("Invitation") else "de"
    assert f'lang="{expected_lang}"' in box.html(message)


def test_invitation_mail_names_the_role_and_expiry(client, org_people, deliver):
    login_manager(client, org_people)
    invite(client, org_people, "chef@example.org", role="manager")
    [message] = deliver().to("chef@example.org")
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "als: Verwaltung" in text
    assert re.search(r"gilt bis \d{2}\.\d{2}\.\d{4}", text)


@pytest.fixture
def limited_client(app, db_session):
    """A client of an app with rate limits on; the shared limiter is switched back after."""
    from app import create_app

    was = limiter.enabled
    strict = create_app({**app.config, "RATELIMIT_ENABLED": True})
    limiter.reset()
    try:
        yield strict.test_client()
    finally:
        limiter.reset()
        limiter.enabled = was


def test_invitations_are_throttled_per_address(limited_client, org_people):
    login_manager(limited_client, org_people)
    statuses = [
        invite(limited_client, org_people, "flood@example.org").status_code for _ in range(6)
    ]
    assert statuses == [302] * 5 + [429]
    # Another address still works.
    assert invite(limited_client, org_people, "fine@example.org").status_code == 302


def test_invitations_are_throttled_per_person(limited_client, org_people):
    login_manager(limited_client, org_people)
    statuses = [
        invite(limited_client, org_people, f"person{n}@example.org").status_code
        for n in range(21)
    ]
    assert statuses == [302] * 20 + [429]


def test_limits_are_off_when_disabled(client, org_people):
    login_manager(client, org_people)
    statuses = {invite(client, org_people, "again@example.org").status_code for _ in range(7)}
    assert statuses == {302}
