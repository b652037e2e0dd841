"""The board of wishes and public events: posting, answering, closing, publishing, feeds."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from app.extensions import db
from app.models import PublicEvent, Wish, WishAnswer

SOON = date.today() + timedelta(days=10)


def at(day: date, hour: int) -> datetime:
    # Berlin is UTC+1 in winter and UTC+2 in summer; tests compare instants, so UTC is fine.
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def post(client, **fields):
    data = {"title": "Anhänger am Samstag", "description": "Für Gartenabfälle"}
    data.update(fields)
    return client.post("/wanted/new", data=data)


# ------------------------------------------------------------------ wishes ----
def test_anonymous_sees_the_board_but_must_log_in_to_post(client):
    assert client.get("/wanted").status_code == 200
    response = client.get("/wanted/new")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert client.post("/wanted/new", data={"title": "x"}).status_code == 302


def test_posted_wish_appears_on_the_board(client, auth, make_user):
    make_user("wisher@example.org")
    auth.login("wisher@example.org")
    response = post(client, wanted_from=SOON.isoformat())
    assert response.status_code == 302
    board = client.get("/wanted").get_data(as_text=True)
    assert "Anhänger am Samstag" in board


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": ""}, "title"),  # a title is required
        (
            {
                "wanted_from": SOON.isoformat(),
                "wanted_until": (SOON - timedelta(days=2)).isoformat(),
            },
            "wanted_until",
        ),  # the end before the start
        ({"expires_on": (date.today() - timedelta(days=1)).isoformat()}, "expires_on"),  # past
        ({"expires_on": (date.today() + timedelta(days=400)).isoformat()}, "expires_on"),  # far
        ({"wanted_from": "31.02.2027"}, "wanted_from"),  # not a date
    ],
)
def test_bad_wishes_are_refused_next_to_the_field(client, auth, make_user, fields, message):
    make_user("careful@example.org")
    auth.login("careful@example.org")
    response = post(client, **fields)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'href="#{message}"' in html  # the error summary points to the field
    assert db.session.scalar(select(Wish)) is None


def test_expired_wishes_leave_the_board(client, make_user):
    author = make_user()
    db.session.add(
        Wish(author=author, title="Alt und vergessen", expires_on=date.today() - timedelta(days=1))
    )
    db.session.add(Wish(author=author, title="Noch aktuell", expires_on=date.today()))
    db.session.commit()
    board = client.get("/wanted").get_data(as_text=True)
    assert "Noch aktuell" in board
    assert "Alt und vergessen" not in board


def test_answer_with_a_resource_mails_a_filled_in_reservation_link(
    client, auth, make_user, net_room, deliver
):
    wisher = make_user("wisher@example.org", locale="de")
    lender = make_user("lender@example.org")
    trailer = net_room(lender, title="Fahrradanhänger", kind="item")
    wish = Wish(
        author=wisher, title="Anhänger", wanted_from=SOON, wanted_until=SOON, expires_on=SOON
    )
    db.session.add(wish)
    db.session.commit()

    auth.login("lender@example.org")
    response = client.post(
        f"/wanted/{wish.id}/answer", data={"message": "Gern!", "resource": str(trailer.id)}
    )
    assert response.status_code == 302
    answer = db.session.scalar(select(WishAnswer))
    assert answer.resource_id == trailer.id

    box = deliver()
    [message] = box.to("wisher@example.org")
    assert "Anhänger" in message["Subject"]
    text = box.text(message)
    link = re.search(r"http://allmende\.test(/resources/\d+/reserve\S*)", text).group(1)
    assert link.startswith(f"/resources/{trailer.id}/reserve?start=")
    assert SOON.isoformat() in link

    # The wisher sees the answer with the same link on the wish page.
    auth.logout()
    auth.login("wisher@example.org")
    page = client.get(f"/wanted/{wish.id}").get_data(as_text=True)
    assert "Gern!" in page and f"/resources/{trailer.id}/reserve?start=" in page


def test_nobody_offers_a_resource_they_do_not_manage(client, auth, make_user, net_room):
    wisher, owner = make_user(), make_user()
    make_user("other@example.org")
    foreign = net_room(owner)
    wish = Wish(author=wisher, title="Raum", expires_on=SOON)
    db.session.add(wish)
    db.session.commit()
    auth.login("other@example.org")
    response = client.post(f"/wanted/{wish.id}/answer", data={"resource": str(foreign.id)})
    assert response.status_code == 303  # refused: back to the wish with a message
    assert db.session.scalar(select(WishAnswer)) is None


def test_own_wish_cannot_be_answered_but_closed(client, auth, make_user):
    wisher = make_user("self@example.org")
    other = make_user("nosy@example.org")
    wish = Wish(author=wisher, title="Leiter", expires_on=SOON)
    db.session.add(wish)
    db.session.commit()
    auth.login("nosy@example.org")
    assert client.post(f"/wanted/{wish.id}/close", data={"fulfilled": "y"}).status_code == 403
    auth.logout()
    auth.login("self@example.org")
    assert client.post(f"/wanted/{wish.id}/answer", data={"message": "hi"}).status_code == 403
    assert client.post(f"/wanted/{wish.id}/close", data={"fulfilled": "y"}).status_code == 302
    db.session.refresh(wish)
    assert wish.status == "fulfilled"
    assert "Leiter" not in client.get("/wanted").get_data(as_text=True)
    assert other  # the other person stays unaffected


# ------------------------------------------------------------------ events ----
def test_room_booking_becomes_a_public_event_without_the_booker(
    client, auth, make_user, make_org, net_room, net_booking
):
    booker = make_user("booker@example.org", name="Geheime Person")
    org = make_org("Verein für Reparaturkultur", members=(booker,))
    room = net_room(make_user(), title="Werkstattraum")
    reservation = net_booking(room, booker, at(SOON, 14), at(SOON, 17))

    auth.login("booker@example.org")
    page = client.get(f"/reservations/{reservation.id}").get_data(as_text=True)
    assert f"/reservations/{reservation.id}/event" in page  # offered on the reservation page
    response = client.post(
        f"/reservations/{reservation.id}/event",
        data={
            "title": "Repair-Café",
            "description": "Wir reparieren",
            "access": "open",
            "organisation": "",
        },
    )
    assert response.status_code == 302
    auth.logout()

    listing = client.get("/events").get_data(as_text=True)
    assert "Repair-Café" in listing and "Werkstattraum" in listing
    assert "Geheime Person" not in listing and "booker@example.org" not in listing
    event = db.session.scalar(select(PublicEvent))
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Wir reparieren" in page and "Geheime Person" not in page
    assert org.name not in page  # the organiser chose not to show the organisation


def test_only_the_booker_publishes(client, auth, make_user, net_room, net_booking):
    booker = make_user()
    make_user("other@example.org")
    reservation = net_booking(net_room(make_user()), booker, at(SOON, 10), at(SOON, 12))
    assert client.get(f"/reservations/{reservation.id}/event").status_code == 302  # anonymous
    auth.login("other@example.org")
    assert client.get(f"/reservations/{reservation.id}/event").status_code == 404
    assert (
        client.post(
            f"/reservations/{reservation.id}/event", data={"title": "Fremd", "access": "open"}
        ).status_code
        == 404
    )
    assert db.session.scalar(select(PublicEvent)) is None


def test_series_makes_a_recurring_event(client, auth, make_user, net_room, net_booking):
    booker = make_user("series@example.org")
    room = net_room(make_user())
    first = net_booking(room, booker, at(SOON, 18), at(SOON, 20), series_id="s-1")
    for week in (1, 2):
        day = SOON + timedelta(weeks=week)
        net_booking(room, booker, at(day, 18), at(day, 20), series_id="s-1")
    auth.login("series@example.org")
    client.post(
        f"/reservations/{first.id}/event",
        data={"title": "Chorprobe", "access": "registration", "contact": "chor@example.org"},
    )
    assert len(db.session.scalars(select(PublicEvent)).all()) == 3


def test_cancelled_bookings_leave_the_events(client, make_user, net_room, net_booking):
    booker = make_user()
    reservation = net_booking(net_room(make_user()), booker, at(SOON, 9), at(SOON, 11))
    db.session.add(PublicEvent(reservation=reservation, title="Pflanzenflohmarkt", access="open"))
    db.session.commit()
    assert "Pflanzenflohmarkt" in client.get("/events").get_data(as_text=True)
    reservation.status = "cancelled"
    db.session.commit()
    assert "Pflanzenflohmarkt" not in client.get("/events").get_data(as_text=True)


def test_events_feed_parses_and_matches(client, make_user, net_room, net_booking):
    booker = make_user(name="Nicht Öffentlich")
    room = net_room(make_user(), title="Bürgersaal")
    reservation = net_booking(room, booker, at(SOON, 18), at(SOON, 21))
    event = PublicEvent(reservation=reservation, title="Netzwerktreffen", access="open")
    db.session.add(event)
    db.session.commit()
    response = client.get("/events.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    [entry] = [c for c in calendar.walk("VEVENT")]
    assert str(entry["SUMMARY"]) == "Netzwerktreffen"
    assert entry.decoded("DTSTART") == reservation.start
    assert entry.decoded("DTEND") == reservation.end
    assert str(entry["UID"]) == f"event-{event.id}@allmende.test"
    assert calendar.walk("VTIMEZONE"), "a VTIMEZONE for the TZID used"
    assert b"Nicht" not in response.data


@pytest.mark.parametrize("query", ["start=gestern", "end=2027-13-01", "page=x"])
def test_bad_event_filters_are_400(client, query):
    assert client.get(f"/events?{query}").status_code == 400


# --------------------------------------------------------------------- API ----
def token_for(runner, email):
    result = runner.invoke(args=["tokens", "create", "--email", email])
    return result.output.strip().splitlines()[-1]


def test_api_wishes_events_orgs(client, runner, make_user, make_org, net_room, net_booking):
    make_user("api@example.org")
    make_org("Gemeinschaftsgarten", kind="initiative")
    token = token_for(runner, "api@example.org")
    headers = {"Authorization": f"Bearer {token}"}

    assert client.post("/api/v1/wishes", json={"title": "Schubkarre"}).status_code == 401
    response = client.post(
        "/api/v1/wishes",
        json={"title": "Schubkarre", "wanted_from": SOON.isoformat()},
        headers=headers,
    )
    assert response.status_code == 201
    wish_id = response.get_json()["id"]
    bad = client.post("/api/v1/wishes", json={"title": ""}, headers=headers)
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    assert "title" in bad.get_json()["errors"]

    listed = client.get("/api/v1/wishes").get_json()
    assert [w["id"] for w in listed["items"]] == [wish_id]

    orgs = client.get("/api/v1/orgs").get_json()
    assert orgs["total"] == 1 and orgs["items"][0]["name"] == "Gemeinschaftsgarten"

    reservation = net_booking(net_room(make_user()), make_user(), at(SOON, 10), at(SOON, 12))
    db.session.add(PublicEvent(reservation=reservation, title="Offene Werkstatt", access="open"))
    db.session.commit()
    events = client.get("/api/v1/events").get_json()
    assert [e["title"] for e in events["items"]] == ["Offene Werkstatt"]
    assert client.get("/api/v1/events?from=morgen").status_code == 400
    assert client.get("/api/v1/events?per_page=500").status_code == 400


def test_api_answer_with_resource(client, runner, make_user, net_room):
    wisher = make_user()
    lender = make_user("lender-api@example.org")
    drill = net_room(lender, title="Bohrmaschine", kind="item")
    wish = Wish(author=wisher, title="Bohrer", wanted_from=SOON, expires_on=SOON)
    db.session.add(wish)
    db.session.commit()
    headers = {"Authorization": f"Bearer {token_for(runner, 'lender-api@example.org')}"}
    response = client.post(
        f"/api/v1/wishes/{wish.id}/answers", json={"resource_id": drill.id}, headers=headers
    )
    assert response.status_code == 201
    assert f"/resources/{drill.id}/reserve?start=" in response.get_json()["reservation_url"]
    assert client.post("/api/v1/wishes/999999/answers", json={}, headers=headers).status_code == 404
