"""In-app notifications: the person's own, newest first, paged, unread marked, read on opening."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.db import utcnow
from app.extensions import db


def page(response) -> str:
    return response.get_data(as_text=True)


def test_list_is_newest_first_with_unread_marked(client, auth, make_user, make_note):
    user = make_user("lena@example.org", locale="en")
    now = utcnow()
    make_note(user, "Older news", created_at=now - timedelta(days=2), read=True)
    make_note(user, "Fresh news", created_at=now - timedelta(hours=1))
    auth.login("lena@example.org")
    body = page(client.get("/account/notifications"))
    assert body.index("Fresh news") < body.index("Older news")
    assert body.count("Unread") == 1
    assert '<span class="badge">1' in body  # the header badge counts it


def test_other_peoples_and_future_notifications_are_not_listed(client, auth, make_user, make_note):
    user = make_user("mine@example.org", locale="en")
    other = make_user("theirs@example.org")
    make_note(user, "For me")
    make_note(other, "Not for me")
    make_note(user, "Planned for later", due_at=utcnow() + timedelta(days=1))
    auth.login("mine@example.org")
    body = page(client.get("/account/notifications"))
    assert "For me" in body
    assert "Not for me" not in body and "Planned for later" not in body


def test_opening_marks_read_and_leads_to_the_link(client, auth, make_user, make_note):
    user = make_user("olga@example.org")
    note = make_note(user, link="http://allmende.test/reservations/7")
    auth.login("olga@example.org")
    response = client.post(f"/account/notifications/{note.id}/open")
    assert response.status_code == 302
    assert response.headers["Location"] == "/reservations/7"
    db.session.refresh(note)
    assert note.read_at is not None


@pytest.mark.parametrize(
    ("kind", "link"),
    [
        ("reservation_events", "https://evil.example/phish"),  # never to another host
        ("reservation_events", None),
        ("account", "http://allmende.test/auth/confirm/secret"),  # links prove the mailbox
    ],
)
def test_opening_without_a_followable_link_stays_on_the_list(
    client, auth, make_user, make_note, kind, link
):
    user = make_user("lisa@example.org", locale="en")
    note = make_note(user, "Something", kind=kind, link=link)
    auth.login("lisa@example.org")
    body = page(client.get("/account/notifications"))
    if link:
        assert link not in body
    response = client.post(f"/account/notifications/{note.id}/open")
    assert response.headers["Location"] == "/account/notifications"
    db.session.refresh(note)
    assert note.read_at is not None


def test_mark_all_read_touches_only_ones_own(client, auth, make_user, make_note):
    user = make_user("mark@example.org", locale="en")
    other = make_user("else@example.org")
    mine = [make_note(user) for _ in range(3)]
    theirs = make_note(other)
    auth.login("mark@example.org")
    response = client.post("/account/notifications/read-all")
    assert response.status_code == 302
    for note in [*mine, theirs]:
        db.session.refresh(note)
    assert all(note.read_at is not None for note in mine)
    assert theirs.read_at is None
    assert '<span class="badge">' not in page(client.get("/account/notifications"))


def test_another_persons_notification_cannot_be_opened(client, auth, make_user, make_note):
    other = make_user("victim@example.org")
    note = make_note(other)
    make_user("snoop@example.org")
    auth.login("snoop@example.org")
    assert client.post(f"/account/notifications/{note.id}/open").status_code == 404
    assert client.post("/account/notifications/999999/open").status_code == 404
    db.session.refresh(note)
    assert note.read_at is None


def test_pages_of_twenty(client, auth, make_user, make_note):
    user = make_user("many@example.org", locale="en")
    now = utcnow()
    for n in range(25):
        make_note(user, f"Note number {n:02d}", created_at=now - timedelta(minutes=n))
    auth.login("many@example.org")
    first = page(client.get("/account/notifications"))
    assert "Note number 00" in first and "Note number 19" in first
    assert "Note number 20" not in first and 'href="/account/notifications?page=2"' in first
    second = page(client.get("/account/notifications?page=2"))
    assert "Note number 20" in second and "Note number 24" in second
    assert "Note number 19" not in second
    assert client.get("/account/notifications?page=3").status_code == 404


@pytest.mark.parametrize("bad", ["0", "-1", "abc", "1.5", ""])
def test_bad_page_number_is_a_400(client, auth, make_user, bad):
    make_user("pager@example.org", locale="en")
    auth.login("pager@example.org")
    response = client.get(f"/account/notifications?page={bad}")
    assert response.status_code == 400
    assert "positive whole number" in page(response)


@pytest.mark.parametrize(
    ("locale", "text"),
    [("de", "Noch keine Benachrichtigungen"), ("en", "No notifications yet")],
)
def test_empty_list_in_both_languages(client, auth, make_user, locale, text):
    make_user("empty@example.org", locale=locale)
    auth.login("empty@example.org")
    assert text in page(client.get("/account/notifications"))
