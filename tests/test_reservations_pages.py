"""The reservation pages: reserving from a resource, my reservations, one reservation."""

from __future__ import annotations

import re
from datetime import date, time, timedelta

import pytest

from app.booking.availability import day_period, local_datetime
from app.extensions import db
from app.models import Reservation

ALL_WEEK = {d: [("08:00", "22:00")] for d in range(7)}


def soon(days: int = 3) -> date:
    return date.today() + timedelta(days=days)


@pytest.fixture
def people(quick_user):
    return {
        "requester": quick_user("requester@example.org"),
        "lender": quick_user("lender@example.org"),
        "manager": quick_user("manager@example.org"),
        "other": quick_user("other@example.org"),
        "admin": quick_user("admin@example.org", admin=True),
    }


@pytest.fixture
def offers(people, make_org, make_bookable):
    """A room of a person (the lender) and a drill of an organisation (the manager)."""
    org = make_org(managers=(people["manager"],))
    room = make_bookable("room", owner=people["lender"], hours=ALL_WEEK,
                         follows_site_calendar=False, title="Meeting room")
    drill = make_bookable("item", org=org, hours=ALL_WEEK, follows_site_calendar=False,
                          title="Drill", requires_approval=True, deposit_cents=2000)
    return {"room": room, "drill": drill}


def reserve_room(client, room, day, start="10:00", end="12:00", **extra):
    return client.post(
        f"/resources/{room.id}/reserve",
        data={"day": day.isoformat(), "start_time": start, "end_time": end, **extra},
    )


def reserve_drill(client, drill, first, last, **extra):
    return client.post(
        f"/resources/{drill.id}/reserve",
        data={"pickup": first.isoformat(), "return_day": last.isoformat(), **extra},
    )


# ---------------------------------------------------------------- reserving ----
def test_reserving_needs_login(client, offers):
    response = client.get(f"/resources/{offers['room'].id}/reserve")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_room_form_is_prefilled_from_the_link(client, auth, people, offers):
    auth.login("requester@example.org")
    day = soon()
    response = client.get(
        f"/resources/{offers['room'].id}/reserve?start={day}T10:00&end={day}T11:30"
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'value="{day.isoformat()}"' in html
    assert re.search(r'<option selected value="10:00">|<option value="10:00" selected', html)
    assert re.search(r'<option selected value="11:30">|<option value="11:30" selected', html)


def test_item_form_is_prefilled_with_pickup_and_return(client, auth, offers):
    auth.login("requester@example.org")
    first = soon()
    response = client.get(
        f"/resources/{offers['drill'].id}/reserve?start={first}&end={first + timedelta(days=2)}"
    )
    html = response.get_data(as_text=True)
    assert f'id="pickup" name="pickup" required type="date" value="{first}"' in html or (
        f'value="{first}"' in html
    )
    assert f'value="{first + timedelta(days=1)}"' in html  # the return day, not the end


def test_bad_prefill_is_ignored(client, auth, offers):
    auth.login("requester@example.org")
    response = client.get(f"/resources/{offers['room'].id}/reserve?start=nonsense&end=x")
    assert response.status_code == 200


def test_reserve_a_room_is_confirmed_at_once(client, auth, people, offers):
    auth.login("requester@example.org")
    response = reserve_room(client, offers["room"], soon(), message="Board meeting")
    assert response.status_code == 302
    reservation = db.session.query(Reservation).one()
    assert response.headers["Location"].endswith(f"/reservations/{reservation.id}")
    assert (reservation.status, reservation.message) == ("confirmed", "Board meeting")
    assert reservation.requester_id == people["requester"].id
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Meeting room" in page and "status-confirmed" in page


def test_reserve_an_item_that_needs_approval(client, auth, offers):
    auth.login("requester@example.org")
    response = reserve_drill(client, offers["drill"], soon(), soon(4), follow_redirects=False)
    assert response.status_code == 302
    reservation = db.session.query(Reservation).one()
    assert reservation.status == "requested"
    assert (reservation.end - reservation.start) >= timedelta(hours=47)


# | offer                 | who       | status |
RESERVE_PAGE = (
    ("room", None, 302),
    ("room", "requester", 200),
    ("room", "lender", 200),      # may book their own room
    ("room", "manager", 200),
    ("room", "other", 200),
    ("room", "admin", 200),
    ("members", None, 302),
    ("members", "requester", 404),  # members-only, not a member
    ("members", "manager", 200),
    ("members", "admin", 200),      # the office sees everything
)


@pytest.mark.parametrize(("offer", "who", "status"), RESERVE_PAGE)
def test_who_may_open_the_reserve_page(client, auth, people, offers, offer, who, status):
    resource = offers["room"] if offer == "room" else offers["drill"]
    if offer == "members":
        resource.visibility = "members"
        db.session.commit()
    if who:
        auth.login(f"{who}@example.org")
    assert client.get(f"/resources/{resource.id}/reserve").status_code == status


def test_refusal_says_why_and_offers_free_periods(client, auth, offers, make_reservation,
                                                  people):
    room, day = offers["room"], soon()
    start = local_datetime(day, time(10))
    make_reservation(room, start, start + timedelta(hours=2))
    auth.login("requester@example.org")
    response = reserve_room(client, room, day, "11:00", "12:00")
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert 'role="alert"' in html
    links = re.findall(rf'href="(/resources/{room.id}/reserve\?start=[^"]+)"', html)
    assert links, html
    follow = client.get(links[0].replace("&amp;", "&"))
    assert re.search(r'<option selected value="12:00">|<option value="12:00" selected',
                     follow.get_data(as_text=True))
    assert db.session.query(Reservation).count() == 1


@pytest.mark.parametrize(
    ("start", "end", "status"),
    (
        ("10:00", "19:00", 422),  # longer than 8 hours
        ("06:00", "09:00", 422),  # before opening: not even offered as a time
        ("12:00", "10:00", 422),  # end before start
    ),
)
def test_rule_refusals_on_the_page(client, auth, offers, start, end, status):
    auth.login("requester@example.org")
    response = reserve_room(client, offers["room"], soon(), start, end)
    assert response.status_code == status
    assert db.session.query(Reservation).count() == 0


def test_unconfirmed_people_are_asked_to_confirm(client, auth, offers, quick_user):
    quick_user("new@example.org", confirmed=False)
    auth.login("new@example.org")
    page = client.get(f"/resources/{offers['room'].id}/reserve")
    assert page.status_code == 200 and 'href="/auth/unconfirmed"' in page.get_data(as_text=True)
    assert reserve_room(client, offers["room"], soon()).status_code == 403
    assert db.session.query(Reservation).count() == 0


def test_spaces_are_not_reserved_here(client, auth, make_bookable):
    space = make_bookable("space")
    auth.login(space.owner_user.email)
    assert client.get(f"/resources/{space.id}/reserve").status_code == 200
    response = client.post(f"/resources/{space.id}/reserve",
                           data={"pickup": soon().isoformat(), "return_day": soon().isoformat()})
    assert response.status_code == 422
    assert db.session.query(Reservation).count() == 0


def test_members_only_offers_are_hidden_from_others(client, auth, offers, people):
    offers["drill"].visibility = "members"
    db.session.commit()
    auth.login("other@example.org")
    assert client.get(f"/resources/{offers['drill'].id}/reserve").status_code == 404
    auth.logout()
    auth.login("manager@example.org")
    assert client.get(f"/resources/{offers['drill'].id}/reserve").status_code == 200


# ------------------------------------------------------- one reservation ----
@pytest.fixture
def requested(offers, people, make_reservation):
    """A request for the organisation's drill, from the requester."""
    start, end = day_period(soon(), soon(4))
    return make_reservation(offers["drill"], start, end, requester=people["requester"],
                            status="requested", message="For shelves")


# | who       | sees the reservation | may approve |
ACCESS = (
    (None, 302, 302),
    ("requester", 200, 403),
    ("manager", 200, 302),   # approves, redirected back to the page
    ("lender", 404, 404),    # lends something else: not theirs
    ("other", 404, 404),
    ("admin", 200, 403),     # the office sees it but does not decide
)


@pytest.mark.parametrize(("who", "view", "approve"), ACCESS)
def test_who_sees_and_decides(client, auth, people, requested, who, view, approve):
    if who:
        auth.login(f"{who}@example.org")
    response = client.get(f"/reservations/{requested.id}")
    assert response.status_code == view
    if view == 200:
        assert "For shelves" in response.get_data(as_text=True)
    response = client.post(f"/reservations/{requested.id}/approve")
    assert response.status_code == approve
    db.session.refresh(requested)
    assert requested.status == ("confirmed" if who == "manager" else "requested")


def test_lender_sees_actions_requester_sees_cancel(client, auth, requested):
    auth.login("manager@example.org")
    html = client.get(f"/reservations/{requested.id}").get_data(as_text=True)
    assert f"/reservations/{requested.id}/approve" in html
    assert f"/reservations/{requested.id}/decline" in html
    auth.logout()
    auth.login("requester@example.org")
    html = client.get(f"/reservations/{requested.id}").get_data(as_text=True)
    assert f"/reservations/{requested.id}/approve" not in html
    assert f"/reservations/{requested.id}/cancel" in html


def test_decline_needs_a_reason(client, auth, requested):
    auth.login("manager@example.org")
    client.post(f"/reservations/{requested.id}/decline", data={"decline-reason": ""})
    db.session.refresh(requested)
    assert requested.status == "requested"
    client.post(f"/reservations/{requested.id}/decline", data={"decline-reason": "Broken"})
    db.session.refresh(requested)
    assert (requested.status, requested.decline_reason) == ("declined", "Broken")
    page = client.get(f"/reservations/{requested.id}").get_data(as_text=True)
    assert "Broken" in page and "status-declined" in page


def test_requester_cancels(client, auth, requested):
    auth.login("requester@example.org")
    response = client.post(f"/reservations/{requested.id}/cancel", data={"cancel-reason": ""})
    assert response.status_code == 302
    db.session.refresh(requested)
    assert requested.status == "cancelled"
    # a second time: the state does not allow it, said in a message
    response = client.post(f"/reservations/{requested.id}/cancel", follow_redirects=True)
    assert response.status_code == 200 and "flash-error" in response.get_data(as_text=True)


def test_handover_and_return_on_the_page(client, auth, requested):
    auth.login("manager@example.org")
    client.post(f"/reservations/{requested.id}/approve")
    client.post(f"/reservations/{requested.id}/handover",
                data={"hand_over-deposit_taken": "20,00", "hand_over-fee_paid": "2.50"})
    db.session.refresh(requested)
    assert requested.status == "handed_over"
    assert (requested.deposit_taken_cents, requested.fee_paid_cents) == (2000, 250)
    client.post(f"/reservations/{requested.id}/return",
                data={"return-condition": "Clean", "return-deposit_returned": "20"})
    db.session.refresh(requested)
    assert requested.status == "returned"
    assert (requested.return_condition, requested.deposit_returned_cents) == ("Clean", 2000)
    html = client.get(f"/reservations/{requested.id}").get_data(as_text=True)
    assert html.count("<li>") >= 4  # history: requested, approved, handed over, returned


def test_bad_money_is_refused_kindly(client, auth, requested):
    auth.login("manager@example.org")
    client.post(f"/reservations/{requested.id}/approve")
    response = client.post(f"/reservations/{requested.id}/handover",
                           data={"hand_over-deposit_taken": "twenty"})
    assert response.status_code == 302
    db.session.refresh(requested)
    assert requested.status == "confirmed"


@pytest.mark.parametrize(
    ("who", "status"),
    ((None, 302), ("requester", 200), ("manager", 200), ("other", 404), ("admin", 403),
     ("lender", 404)),
)
def test_change_page_access(client, auth, requested, who, status):
    if who:
        auth.login(f"{who}@example.org")
    assert client.get(f"/reservations/{requested.id}/change").status_code == status


def test_change_moves_the_reservation(client, auth, requested):
    auth.login("requester@example.org")
    first = soon(5)
    response = client.post(f"/reservations/{requested.id}/change",
                           data={"pickup": first.isoformat(), "return_day": first.isoformat()})
    assert response.status_code == 302
    db.session.refresh(requested)
    assert requested.sequence == 1 and requested.status == "requested"


# ----------------------------------------------------------- my reservations ----
@pytest.mark.parametrize(
    ("who", "status", "sees_drill"),
    ((None, 302, False), ("requester", 200, True), ("manager", 200, False),
     ("other", 200, False), ("admin", 200, False), ("lender", 200, False)),
)
def test_my_reservations(client, auth, requested, who, status, sees_drill):
    if who:
        auth.login(f"{who}@example.org")
    response = client.get("/reservations")
    assert response.status_code == status
    assert ("Drill" in response.get_data(as_text=True)) is sees_drill


@pytest.mark.parametrize(
    ("who", "sees_drill"),
    (("requester", False), ("manager", True), ("lender", False), ("other", False),
     ("admin", False)),
)
def test_reservations_of_my_offers(client, auth, requested, who, sees_drill):
    auth.login(f"{who}@example.org")
    response = client.get("/reservations?role=lender")
    assert ("Drill" in response.get_data(as_text=True)) is sees_drill


def test_groups_on_my_page(client, auth, offers, people, make_reservation):
    future = day_period(soon(), soon())
    past = day_period(date.today() - timedelta(days=10), date.today() - timedelta(days=9))
    make_reservation(offers["drill"], *future, requester=people["requester"], status="requested")
    make_reservation(offers["room"], *past, requester=people["requester"], status="returned")
    auth.login("requester@example.org")
    html = client.get("/reservations").get_data(as_text=True)
    waiting = html.index('id="group-requested"')
    upcoming = html.index('id="group-upcoming"')
    past_at = html.index('id="group-past"')
    assert waiting < html.index("Drill") < upcoming < past_at < html.index("Meeting room")


def test_the_refusal_speaks_german(client, offers, quick_user):
    """German is the default: the reason and the suggestions heading are in German."""
    person = quick_user("deutsch@example.org")
    person.locale = "de"
    db.session.commit()
    client.post("/auth/login", data={"email": "deutsch@example.org", "password": "correct horse"})
    response = reserve_room(client, offers["room"], soon(), "10:00", "19:00")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Zu lang: höchstens 8 Stunden." in html
    assert "Freie Zeiträume, die passen würden" in html
