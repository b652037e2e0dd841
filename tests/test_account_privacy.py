"""Privacy self-service: download one's data, delete (anonymise) the account."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.db import utcnow
from app.extensions import db
from app.models import (
    ApiToken,
    Inquiry,
    Membership,
    Notification,
    Reservation,
    ReservationEvent,
    Resource,
    Wish,
)


def page(response) -> str:
    return response.get_data(as_text=True)


# ------------------------------------------------------------------- export ----
def test_export_holds_the_persons_data_and_no_secrets(
    client, auth, make_user, make_org, make_thing, make_booked, make_note
):
    user = make_user("erika@example.org", name="Erika", locale="en")
    other = make_user("fritz@example.org", name="Fritz")
    make_org("Repair Café", members=(user,))
    drill = make_thing(user, "Erika's drill")
    bike = make_thing(other, "Fritz's cargo bike")
    make_booked(bike, user, "confirmed")
    make_booked(drill, other, "requested")  # someone else's reservation: not in her export
    make_note(user, "Your reservation is confirmed")
    make_note(other, "Fritz's private message")
    token, plain = ApiToken.issue(user, "Script")
    db.session.commit()

    auth.login("erika@example.org")
    response = client.get("/account/export")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(page(response))

    assert data["profile"]["email"] == "erika@example.org"
    assert data["profile"]["display_name"] == "Erika"
    assert [m["organisation"] for m in data["memberships"]] == ["Repair Café"]
    assert [r["title"] for r in data["resources"]] == ["Erika's drill"]
    [reservation] = data["reservations"]
    assert reservation["resource_title"] == "Fritz's cargo bike"
    assert reservation["status"] == "confirmed" and reservation["history"]
    assert [n["subject"] for n in data["notifications"]] == ["Your reservation is confirmed"]
    assert data["api_tokens"] == [
        {
            "name": "Script",
            "prefix": token.prefix,
            "created_at": token.created_at.isoformat(),
            "last_used_at": None,
            "revoked_at": None,
        }
    ]
    text = page(response)
    for secret in (plain, token.token_hash, user.password_hash, user.feed_token):
        assert secret not in text
    assert "Fritz's private message" not in text and "fritz@example.org" not in text


# ------------------------------------------------------------------- delete ----
def test_delete_needs_the_password(client, auth, make_user):
    user = make_user("hold@example.org", locale="en")
    auth.login("hold@example.org")
    response = client.post("/account/delete", data={"password": "wrong"})
    assert response.status_code == 422
    assert "The current password is not correct." in page(response)
    response = client.post("/account/delete", data={"password": ""})
    assert response.status_code == 422
    db.session.refresh(user)
    assert user.deleted_at is None and user.email == "hold@example.org"
    assert client.get("/account").status_code == 200


def test_delete_anonymises_cancels_and_logs_out(
    client, auth, make_user, make_org, make_thing, make_booked, make_note
):
    user = make_user("gone@example.org", name="Gustav", locale="de")
    user.phone = "0555 123"
    lender = make_user("lender@example.org")
    borrower = make_user("borrower@example.org")
    org = make_org(members=(user,))
    bike = make_thing(lender, "Lastenrad")
    mine = make_thing(user, "Gustavs Leiter")
    upcoming = make_booked(bike, user, "confirmed")
    waiting = make_booked(bike, user, "requested", days_ahead=10)
    past = make_booked(bike, user, "returned", days_ahead=-10)
    lent_out = make_booked(mine, borrower, "confirmed", days_ahead=5)
    make_note(user, "Persönliche Nachricht")
    ApiToken.issue(user, "Skript")
    db.session.commit()
    old_feed = user.feed_token

    auth.login("gone@example.org")
    assert "Lastenrad" in page(client.get("/account/delete"))  # shown before confirming
    response = client.post("/account/delete", data={"password": "correct horse"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/account").status_code == 302  # logged out

    db.session.refresh(user)
    assert user.email == f"deleted-{user.id}@invalid"
    assert user.display_name == "Deleted person"
    assert user.phone is None and user.password_hash is None
    assert user.deleted_at is not None and user.feed_token != old_feed
    assert db.session.scalars(select(Membership).where(Membership.user_id == user.id)).all() == []
    assert db.session.get(type(org), org.id) is not None
    tokens = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).all()
    assert tokens and all(t.revoked_at is not None for t in tokens)
    assert (
        db.session.scalars(select(Notification).where(Notification.recipient_id == user.id)).all()
        == []
    )

    # Open reservations are cancelled with a recorded event; history stays attributed.
    for reservation in (upcoming, waiting, lent_out, past):
        db.session.refresh(reservation)
    assert (upcoming.status, waiting.status, lent_out.status) == ("cancelled",) * 3
    assert past.status == "returned" and past.requester_id == user.id
    event = db.session.scalars(
        select(ReservationEvent)
        .where(ReservationEvent.reservation_id == upcoming.id)
        .order_by(ReservationEvent.id.desc())
    ).first()
    assert (event.action, event.to_status, event.actor_id) == ("cancel", "cancelled", user.id)
    db.session.refresh(mine)
    assert mine.status == "archived"
    # The other sides are told (the lender of the bike, the borrower of her ladder).
    for person in (lender, borrower):
        assert (
            db.session.scalars(
                select(Notification).where(Notification.recipient_id == person.id)
            ).first()
            is not None
        )

    # The old address can neither log in nor is it blocked for a new account.
    assert auth.login("gone@example.org").status_code == 401
    response = client.post(
        "/auth/register",
        data={
            "display_name": "Neu",
            "email": "gone@example.org",
            "password": "geheim123",
            "password2": "geheim123",
        },
    )
    assert response.status_code == 302


def test_delete_is_refused_while_something_is_handed_over(
    client, auth, make_user, make_thing, make_booked
):
    user = make_user("keeper@example.org", locale="en")
    bike = make_thing(make_user(), "Cargo bike")
    loan = make_booked(bike, user, "handed_over", days_ahead=-1)
    other = make_booked(bike, user, "confirmed", days_ahead=20)
    auth.login("keeper@example.org")
    assert "First, these things must be returned" in page(client.get("/account/delete"))
    response = client.post("/account/delete", data={"password": "correct horse"})
    assert response.status_code == 409
    assert "Cargo bike" in page(response)
    db.session.refresh(user)
    db.session.refresh(other)
    assert user.deleted_at is None and other.status == "confirmed"
    assert loan.status == "handed_over"


def test_delete_withdraws_inquiries_and_closes_wishes(client, auth, make_user, make_thing):
    user = make_user("asker@example.org", locale="en")
    owner = make_user("owner@example.org")
    space = make_thing(owner, "Empty shop", kind="space", granularity="day")
    today = date.today()
    inquiry = Inquiry(
        space=space,
        applicant=user,
        intended_use="workshop",
        concept="Repair café",
        wished_from=today + timedelta(days=30),
        wished_until=today + timedelta(days=40),
        period_from=today + timedelta(days=30),
        period_until=today + timedelta(days=40),
        status="open",
        awaiting_owner_since=utcnow(),
    )
    wish = Wish(author=user, title="A ladder", description="", expires_on=today + timedelta(days=9))
    db.session.add_all([inquiry, wish])
    db.session.commit()
    auth.login("asker@example.org")
    assert client.post("/account/delete", data={"password": "correct horse"}).status_code == 302
    db.session.refresh(inquiry)
    db.session.refresh(wish)
    assert inquiry.status == "withdrawn" and wish.status == "closed"


def test_lenders_side_keeps_history(client, auth, make_user, make_thing, make_booked):
    user = make_user("lends@example.org", locale="en")
    thing = make_thing(user, "Tent")
    done = make_booked(thing, make_user(), "returned", days_ahead=-5)
    auth.login("lends@example.org")
    client.post("/account/delete", data={"password": "correct horse"})
    db.session.refresh(done)
    resource = db.session.get(Resource, thing.id)
    assert done.status == "returned" and resource.owner_user_id == user.id
    assert db.session.get(Reservation, done.id) is not None


@pytest.mark.parametrize(
    ("locale", "heading"), [("de", "Konto löschen"), ("en", "Delete your account")]
)
def test_delete_page_in_both_languages(client, auth, make_user, locale, heading):
    make_user("words@example.org", locale=locale)
    auth.login("words@example.org")
    assert heading in page(client.get("/account/delete"))


@pytest.mark.parametrize(("locale", "name"), [("de", "Gelöschte Person"), ("en", "Deleted person")])
def test_deleted_person_is_named_in_the_viewers_language(app, make_user, locale, name):
    from flask_babel import force_locale

    from app.account import service

    user = make_user("named@example.org", name="Hanna")
    with app.test_request_context():
        assert service.shown_name(user) == "Hanna"
        service.delete_account(user, "correct horse")
        with force_locale(locale):
            assert service.shown_name(user) == name
