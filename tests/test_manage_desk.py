"""The lender's desk: requests to answer, handovers and returns, overdue things, offers."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from html import unescape

import pytest

from app.db import utcnow
from app.extensions import db
from app.manage.desk import lender_desk
from app.models import Reservation
from tests.factories_feeds import ZONE

NOW = datetime(2027, 3, 3, 9, 0, tzinfo=UTC)  # Wednesday 3 March 2027, 10:00 in Witzenhausen
TODAY, TOMORROW = date(2027, 3, 3), date(2027, 3, 4)


@pytest.fixture
def desk_scene(make_user, make_org, feeds_resource, feeds_reservation):
    olga = make_user("olga@example.org", name="Olga Owner")
    max_ = make_user("max@example.org", name="Max Manager")
    mia = make_user("mia@example.org", name="Mia Member")
    rita = make_user("rita@example.org", name="Rita Requester")
    otto = make_user("otto@example.org", name="Otto Other")
    otto.phone = "0170 1234567"
    org = make_org("Lastenrad e.V.", managers=(max_, olga), members=(mia,))
    drill = feeds_resource("item", owner=olga, title="Drill")
    saw = feeds_resource("item", owner=olga, title="Saw")
    room = feeds_resource("room", owner=olga, title="Room")
    bike = feeds_resource("item", org=org, title="Cargo bike")
    ladder = feeds_resource("item", owner=otto, title="Otto's ladder")
    r = {
        "request_old": feeds_reservation(drill, "2027-03-10", "2027-03-11", requester=rita,
                                         status="requested",
                                         created_at=NOW - timedelta(days=2)),
        "request_new": feeds_reservation(bike, "2027-03-12", "2027-03-13", requester=rita,
                                         status="requested",
                                         created_at=NOW - timedelta(hours=1)),
        "out_today": feeds_reservation(drill, "2027-03-03", "2027-03-05", requester=rita),
        "out_tomorrow": feeds_reservation(bike, "2027-03-04", "2027-03-05", requester=rita),
        "back_today": feeds_reservation(saw, "2027-03-01", "2027-03-04", requester=rita,
                                        status="handed_over"),
        "overdue": feeds_reservation(saw, "2027-02-20", "2027-03-01", requester=otto,
                                     status="handed_over"),
        "room_today": feeds_reservation(room, "2027-03-03 14:00", "2027-03-03 16:00",
                                        requester=rita),
        "far": feeds_reservation(drill, "2027-03-20", "2027-03-21", requester=rita),
        "past": feeds_reservation(drill, "2027-02-01", "2027-02-02", requester=rita,
                                  status="returned"),
        "elsewhere": feeds_reservation(ladder, "2027-03-03", "2027-03-04", requester=rita),
    }
    return {"olga": olga, "max": max_, "mia": mia, "rita": rita, "otto": otto, "r": r,
            "drill": drill, "saw": saw, "room": room, "bike": bike, "ladder": ladder}


def ids(reservations) -> list[int]:
    return [r.id for r in reservations]


def test_the_lenders_desk(app_ctx, desk_scene):
    r = desk_scene["r"]
    desk = lender_desk(desk_scene["olga"], NOW)
    # requests: oldest first, with how long they have waited
    assert [w.reservation.id for w in desk.requests] == [r["request_old"].id, r["request_new"].id]
    assert desk.requests[0].waiting == timedelta(days=2)
    assert desk.requests[1].waiting == timedelta(hours=1)
    # handovers and returns of today and tomorrow (rooms need neither)
    assert ids(desk.handovers[TODAY]) == [r["out_today"].id]
    assert ids(desk.handovers[TOMORROW]) == [r["out_tomorrow"].id]
    assert ids(desk.returns[TODAY]) == [r["back_today"].id]
    assert sorted(ids(desk.returns[TOMORROW])) == sorted([r["out_today"].id,
                                                          r["out_tomorrow"].id])
    # overdue: handed over and past its end
    assert ids(desk.overdue) == [r["overdue"].id]
    # two weeks, day by day
    assert [d.day for d in desk.days] == [TODAY + timedelta(days=n) for n in range(14)]
    today = desk.days[0]
    assert set(ids(today.reservations)) == {r["out_today"].id, r["back_today"].id,
                                            r["room_today"].id}
    listed = {x.id for d in desk.days for x in d.reservations}
    assert r["far"].id not in listed and r["past"].id not in listed
    assert r["elsewhere"].id not in listed and r["overdue"].id not in listed
    assert r["request_old"].id in listed  # requests show on their day too
    # offers: her own and her initiative's
    assert [o.title for o in desk.offers] == ["Cargo bike", "Drill", "Room", "Saw"]


@pytest.mark.parametrize(
    ("who", "offers", "requests"),
    (
        ("max", ["Cargo bike"], ["request_new"]),  # manages the initiative only
        ("mia", [], []),  # a member does not lend the initiative's things
        ("rita", [], []),  # borrowing is not lending
        ("otto", ["Otto's ladder"], []),
    ),
)
def test_each_person_sees_their_own_desk(app_ctx, desk_scene, who, offers, requests):
    desk = lender_desk(desk_scene[who], NOW)
    assert [o.title for o in desk.offers] == offers
    assert [w.reservation.id for w in desk.requests] == [desk_scene["r"][k].id for k in requests]


def test_a_day_booking_is_returned_on_its_last_day(app_ctx, make_user, feeds_resource,
                                                    feeds_reservation):
    owner = make_user()
    item = feeds_resource("item", owner=owner)
    # 3 March only: stored as [3 March 00:00, 4 March 00:00) local
    booking = feeds_reservation(item, "2027-03-03", "2027-03-04")
    desk = lender_desk(owner, NOW)
    assert ids(desk.returns[TODAY]) == [booking.id]
    assert desk.returns[TOMORROW] == []
    assert ids(desk.days[0].reservations) == [booking.id]
    assert desk.days[1].reservations == []


# --------------------------------------------------------------- the page ----
def local_day(days: int = 0) -> str:
    return (datetime.now(ZONE).date() + timedelta(days=days)).isoformat()


@pytest.fixture
def live(make_user, make_org, feeds_resource, feeds_reservation):
    """A desk around the real today (the page reads the clock)."""
    olga = make_user("olga@example.org", name="Olga Owner")
    rita = make_user("rita@example.org", name="Rita Requester")
    otto = make_user("otto@example.org", name="Otto Other")
    otto.phone = "0170 1234567"
    make_user("other@example.org", name="Nina Nobody")
    make_user("admin@example.org", name="Ada Admin", admin=True)
    drill = feeds_resource("item", owner=olga, title="Drill")
    saw = feeds_resource("item", owner=olga, title="Saw")
    r = {
        "older": feeds_reservation(drill, local_day(5), local_day(6), requester=rita,
                                   status="requested", created_at=utcnow() - timedelta(days=1),
                                   message="For the garden fence"),
        "newer": feeds_reservation(drill, local_day(8), local_day(9), requester=otto,
                                   status="requested", created_at=utcnow() - timedelta(hours=3)),
        "overdue": feeds_reservation(saw, local_day(-5), local_day(-1), requester=otto,
                                     status="handed_over"),
        "tomorrow": feeds_reservation(saw, local_day(1), local_day(2), requester=rita),
    }
    return {"olga": olga, "rita": rita, "otto": otto, "drill": drill, "saw": saw, "r": r}


def test_anonymous_is_sent_to_log_in(client):
    response = client.get("/manage")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]
    assert "manage" in response.headers["Location"]


def test_the_lender_sees_requests_oldest_first_with_answer_forms(client, auth, live):
    auth.login("olga@example.org")
    response = client.get("/manage")
    assert response.status_code == 200
    html = unescape(response.get_data(as_text=True))
    older, newer = live["r"]["older"], live["r"]["newer"]
    assert html.index(f"/reservations/{older.id}/approve") < html.index(
        f"/reservations/{newer.id}/approve"
    )
    assert f'action="/reservations/{older.id}/decline"' in html
    assert 'name="decline-reason"' in html
    assert f'id="decline-reason-{older.id}"' in html and f'for="decline-reason-{older.id}"' in html
    assert 'name="approve-csrf_token"' in html
    assert "For the garden fence" in html
    assert "Rita Requester" in html


def test_overdue_things_show_the_borrowers_contact(client, auth, live):
    auth.login("olga@example.org")
    html = client.get("/manage").get_data(as_text=True)
    overdue = html[html.index('id="overdue-title"'):html.index('id="agenda-title"')]
    assert "otto@example.org" in overdue and "0170 1234567" in overdue
    assert "Saw" in overdue


def test_tomorrows_handover_is_listed(client, auth, live):
    auth.login("olga@example.org")
    html = client.get("/manage").get_data(as_text=True)
    section = html[html.index('id="today-title"'):html.index('id="overdue-title"')]
    assert f"/reservations/{live['r']['tomorrow'].id}" in section


def test_my_offers_link_to_edit_and_availability(client, auth, live):
    auth.login("olga@example.org")
    html = client.get("/manage").get_data(as_text=True)
    for resource in (live["drill"], live["saw"]):
        assert f'href="/resources/{resource.id}/edit"' in html
        assert f'href="/resources/{resource.id}/availability"' in html
    assert 'href="/resources/new"' in html
    assert f"/feeds/{live['olga'].feed_token}.ics" in html


@pytest.mark.parametrize("who", ("rita@example.org", "other@example.org", "admin@example.org"))
def test_others_see_nothing_of_the_lenders_desk(client, auth, live, who):
    auth.login(who)
    response = client.get("/manage")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for reservation in live["r"].values():
        assert f"/reservations/{reservation.id}/approve" not in html
    assert "otto@example.org" not in html
    assert f"/resources/{live['drill'].id}/edit" not in html
    assert 'href="/resources/new"' in html  # everyone may offer something


def test_declining_from_the_desk_reaches_the_booking_area(client, auth, live):
    auth.login("olga@example.org")
    older = live["r"]["older"]
    response = client.post(f"/reservations/{older.id}/decline",
                           data={"decline-reason": "It is at the repair shop"})
    assert response.status_code == 302
    reservation = db.session.get(Reservation, older.id)
    db.session.refresh(reservation)
    assert reservation.status == "declined"
    assert reservation.decline_reason == "It is at the repair shop"


def test_approving_from_the_desk_reaches_the_booking_area(client, auth, live):
    auth.login("olga@example.org")
    newer = live["r"]["newer"]
    assert client.post(f"/reservations/{newer.id}/approve", data={}).status_code == 302
    reservation = db.session.get(Reservation, newer.id)
    db.session.refresh(reservation)
    assert reservation.status == "confirmed"


def test_the_desk_takes_the_same_queries_for_2_and_20_reservations(
    client, auth, make_user, feeds_resource, feeds_reservation, feeds_count_queries
):
    few, many = make_user("few@example.org"), make_user("many@example.org")
    states = ("requested", "confirmed", "handed_over")
    for owner, count in ((few, 2), (many, 20)):
        items = [feeds_resource("item", owner=owner) for _ in range(3)]
        for n in range(count):
            status = states[n % 3]
            start = -3 if status == "handed_over" else n % 10
            feeds_reservation(items[n % 3], local_day(start), local_day(start + 1),
                              status=status)

    def desk_of(email):
        def get():
            auth.login(email)
            assert client.get("/manage").status_code == 200
            auth.logout()
        return get

    def page_only(email):
        auth.login(email)
        count = feeds_count_queries(lambda: client.get("/manage"))
        auth.logout()
        return count

    desk_of("few@example.org")()  # warm up
    assert page_only("few@example.org") == page_only("many@example.org")


def test_waiting_time_is_shown_in_words(client, auth, live):
    auth.login("olga@example.org")
    html = client.get("/manage").get_data(as_text=True)
    assert re.search(r"(1 Tag|1 day|24 Stunden|24 hours)", html)
