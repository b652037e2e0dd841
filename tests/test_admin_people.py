"""The office looks after people: search, administrator rights, blocking with a reason."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import Reservation, ReservationEvent


@pytest.fixture
def office(admin_person, auth):
    person = admin_person("office@example.org", name="Sabine Büro", admin=True)
    auth.login("office@example.org")
    return person


@pytest.mark.parametrize(
    ("query", "found"),
    (
        ("emma", ["Emma Fischer"]),             # part of a name, any case
        ("FISCHER", ["Emma Fischer"]),
        ("tom.weber@", ["Tom Weber"]),          # part of an email address
        ("example.org", ["Emma Fischer", "Sabine Büro", "Tom Weber"]),
        ("100%", []),                           # wildcards are taken literally
    ),
)
def test_search_people_by_name_or_email(client, office, admin_person, query, found):
    admin_person("emma.fischer@example.org", name="Emma Fischer")
    admin_person("tom.weber@example.org", name="Tom Weber")
    html = client.get("/admin/people", query_string={"q": query}).get_data(as_text=True)
    for name in ["Emma Fischer", "Tom Weber"]:
        assert (name in html) == (name in found), name


def test_make_and_unmake_an_administrator(client, office, admin_person):
    person = admin_person("helper@example.org")
    response = client.post(f"/admin/people/{person.id}/admin", data={"value": "1"})
    assert response.status_code == 302
    db.session.refresh(person)
    assert person.is_admin
    client.post(f"/admin/people/{person.id}/admin", data={"value": "0"})
    db.session.refresh(person)
    assert not person.is_admin


def test_nobody_takes_away_their_own_rights(client, office):
    response = client.post(f"/admin/people/{office.id}/admin", data={"value": "0"})
    assert response.status_code == 302
    db.session.refresh(office)
    assert office.is_admin


def test_admin_value_must_be_given(client, office, admin_person):
    person = admin_person()
    assert client.post(f"/admin/people/{person.id}/admin", data={}).status_code == 400


def test_block_needs_a_reason(client, office, admin_person):
    person = admin_person()
    response = client.post(f"/admin/people/{person.id}/block", data={"reason": "  "})
    assert response.status_code == 422
    db.session.refresh(person)
    assert person.blocked_at is None


def test_blocking_declines_open_requests_and_tells_the_person(
    client, office, admin_person, admin_resource, admin_reservation, admin_local, deliver
):
    lender = admin_person("lender@example.org")
    person = admin_person("troll@example.org", name="Trude Troll")
    drill = admin_resource("item", owner=lender, requires_approval=True)
    waiting = admin_reservation(drill, person, admin_local(2030, 5, 6), admin_local(2030, 5, 7),
                                status="requested")
    confirmed = admin_reservation(drill, person, admin_local(2030, 6, 3),
                                  admin_local(2030, 6, 4), status="confirmed")

    response = client.post(f"/admin/people/{person.id}/block",
                           data={"reason": "Wiederholt Spam verschickt"})
    assert response.status_code == 302

    db.session.refresh(person)
    assert person.blocked_at is not None
    assert person.blocked_reason == "Wiederholt Spam verschickt"
    db.session.refresh(waiting)
    assert waiting.status == "declined"
    assert waiting.decline_reason  # with a message
    event = db.session.scalar(
        db.select(ReservationEvent).where(ReservationEvent.reservation_id == waiting.id)
        .order_by(ReservationEvent.id.desc())
    )
    assert (event.to_status, event.actor_id) == ("declined", office.id)
    # Only requests are declined; what is confirmed stays for the lender to handle.
    assert db.session.get(Reservation, confirmed.id).status == "confirmed"

    box = deliver()
    (mail,) = [m for m in box.to("troll@example.org") if "gesperrt" in m["Subject"]
               or "blocked" in m["Subject"]]
    assert "Wiederholt Spam verschickt" in box.text(mail)


def test_blocked_person_cannot_log_in_until_unblocked(client, auth, office, admin_person):
    person = admin_person("troll@example.org")
    client.post(f"/admin/people/{person.id}/block", data={"reason": "Spam"})
    auth.logout()
    assert auth.login("troll@example.org").status_code != 302

    auth.login("office@example.org")
    assert client.post(f"/admin/people/{person.id}/unblock").status_code == 302
    auth.logout()
    assert auth.login("troll@example.org").status_code == 302


def test_nobody_blocks_themselves(client, office):
    client.post(f"/admin/people/{office.id}/block", data={"reason": "Versehen"})
    db.session.refresh(office)
    assert office.blocked_at is None


def test_person_page_shows_state(client, office, admin_person):
    person = admin_person("troll@example.org", name="Trude Troll")
    client.post(f"/admin/people/{person.id}/block", data={"reason": "Spam"})
    html = client.get(f"/admin/people/{person.id}").get_data(as_text=True)
    assert "Trude Troll" in html and "Spam" in html
    assert 'class="status status-declined"' in html
