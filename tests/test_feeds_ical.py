"""iCalendar: one reservation, public busy feeds and personal feeds, parsed back and compared."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from app.db import utcnow
from app.extensions import db
from app.feeds.ical import calendar_ics, reservation_ics
from app.models import Reservation
from tests.factories_feeds import next_monday

HOST = "allmende.test"  # SITE_URL of the test app
ZONE = ZoneInfo("Europe/Berlin")


def parse(body: bytes) -> Calendar:
    calendar = Calendar.from_ical(body)
    # a VTIMEZONE for every TZID used
    assert calendar.get_missing_tzids() == set()
    return calendar


def events_by_uid(calendar: Calendar) -> dict[str, object]:
    return {str(event.uid): event for event in calendar.events}


def as_utc(value) -> datetime:
    return value.astimezone(UTC)


def period_of(event) -> tuple[datetime, datetime]:
    """DTSTART/DTEND as aware UTC; a DATE is local midnight."""

    def utc(value) -> datetime:
        if isinstance(value, datetime):
            return value.astimezone(UTC)
        return datetime.combine(value, time(0), tzinfo=ZONE).astimezone(UTC)

    return utc(event.start), utc(event.end)


def assert_matches(event, reservation: Reservation) -> None:
    """The event says what the database says."""
    assert period_of(event) == (reservation.start, reservation.end)
    if isinstance(event.start, datetime):
        assert str(event.start.tzinfo) == "Europe/Berlin"
    assert event.sequence == reservation.sequence
    assert event.get("DTSTAMP").dt.utcoffset() == timedelta(0)


# ------------------------------------------------------------ one booking ----
@pytest.mark.parametrize(
    ("status", "ical_status"),
    (
        ("requested", "TENTATIVE"),
        ("confirmed", "CONFIRMED"),
        ("handed_over", "CONFIRMED"),
        ("returned", "CONFIRMED"),
        ("declined", "CANCELLED"),
        ("cancelled", "CANCELLED"),
        ("expired", "CANCELLED"),
    ),
)
def test_reservation_status_in_icalendar(app_ctx, feeds_resource, feeds_reservation,
                                         status, ical_status):
    room = feeds_resource("room")
    reservation = feeds_reservation(room, "2027-03-02 10:00", "2027-03-02 12:00", status=status)
    (event,) = parse(reservation_ics(reservation)).events
    assert event.status == ical_status


def test_reservation_ics_round_trip(app_ctx, feeds_resource, feeds_reservation):
    room = feeds_resource("room", title="Gemeinschaftsraum")
    reservation = feeds_reservation(room, "2027-03-02 10:00", "2027-03-02 12:30", sequence=3)
    calendar = parse(reservation_ics(reservation))
    (event,) = calendar.events
    assert str(event.uid) == f"reservation-{reservation.id}@{HOST}"
    assert event.summary == "Gemeinschaftsraum"
    assert event.get("URL") == f"http://{HOST}/reservations/{reservation.id}"
    assert event.start == datetime(2027, 3, 2, 9, 0, tzinfo=UTC)
    assert event.end == datetime(2027, 3, 2, 11, 30, tzinfo=UTC)
    assert_matches(event, reservation)
    assert event.sequence == 3
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/Berlin"]
    assert b"DTSTART;TZID=Europe/Berlin:20270302T100000" in reservation_ics(reservation)


def test_uid_and_stamp_are_stable(app_ctx, feeds_resource, feeds_reservation):
    room = feeds_resource("room")
    reservation = feeds_reservation(room, "2027-03-02 10:00", "2027-03-02 12:00")
    assert reservation_ics(reservation) == reservation_ics(reservation)


def test_whole_day_item_bookings_are_dates(app_ctx, feeds_resource, feeds_reservation):
    item = feeds_resource("item")
    reservation = feeds_reservation(item, "2027-03-02 00:00", "2027-03-05 00:00")  # 2-4 March
    body = reservation_ics(reservation)
    (event,) = parse(body).events
    assert event.start == date(2027, 3, 2)
    assert event.end == date(2027, 3, 5)  # DTEND is exclusive
    assert b"DTSTART;VALUE=DATE:20270302" in body


def test_a_booking_over_the_clock_change_has_both_offsets(app_ctx, feeds_resource,
                                                         feeds_reservation):
    item = feeds_resource("item", granularity="slot")
    reservation = feeds_reservation(item, "2027-03-27 10:00", "2027-03-29 10:00")
    calendar = parse(reservation_ics(reservation))
    (timezone,) = calendar.timezones
    assert timezone.daylight and timezone.standard
    (event,) = calendar.events
    assert as_utc(event.start) == datetime(2027, 3, 27, 9, tzinfo=UTC)  # CET
    assert as_utc(event.end) == datetime(2027, 3, 29, 8, tzinfo=UTC)  # CEST


@pytest.mark.parametrize(
    ("lender", "status", "shows_address"),
    (
        ("person", "requested", False),  # a private lender's address only once confirmed
        ("person", "confirmed", True),
        ("person", "cancelled", False),
        ("org", "requested", True),  # an initiative's address is public anyway
    ),
)
def test_location_respects_the_lenders_privacy(app_ctx, make_org, feeds_resource,
                                               feeds_reservation, lender, status, shows_address):
    org = make_org() if lender == "org" else None
    item = feeds_resource("item", org=org, address="Steinstraße 7", district="Kernstadt")
    reservation = feeds_reservation(item, "2027-03-02 00:00", "2027-03-03 00:00", status=status)
    (event,) = parse(reservation_ics(reservation)).events
    location = str(event.get("LOCATION"))
    assert "Kernstadt" in location
    assert ("Steinstraße 7" in location) is shows_address


def test_lenders_copy_names_the_borrower(app_ctx, make_user, feeds_resource, feeds_reservation):
    owner = make_user(name="Olga Owner")
    borrower = make_user(name="Bert Borrower")
    item = feeds_resource("item", owner=owner)
    reservation = feeds_reservation(item, "2027-03-02 00:00", "2027-03-03 00:00",
                                    requester=borrower)
    (event,) = parse(reservation_ics(reservation, viewer=owner)).events
    assert "Bert Borrower" in event.summary
    (event,) = parse(reservation_ics(reservation, viewer=borrower)).events
    assert "Bert" not in event.summary


def test_public_calendar_ics_has_only_busy_blocks(app_ctx, make_user, feeds_resource,
                                                  feeds_reservation):
    item = feeds_resource("item")
    person = make_user(name="Paula Private", email="paula@example.org")
    kept = [
        feeds_reservation(item, "2027-03-02 00:00", "2027-03-03 00:00", requester=person,
                          message="secret plans"),
        feeds_reservation(item, "2027-03-05 00:00", "2027-03-06 00:00", status="requested"),
    ]
    feeds_reservation(item, "2027-03-08 00:00", "2027-03-09 00:00", status="cancelled")
    body = calendar_ics(db.session.scalars(db.select(Reservation)).all(), "Drill", public=True)
    events = parse(body).events
    assert sorted(str(e.uid) for e in events) == sorted(f"busy-{r.id}@{HOST}" for r in kept)
    for text in (b"Paula", b"paula@", b"secret", b"/reservations/"):
        assert text not in body


# --------------------------------------------------------------- the routes ----
def test_public_feed_route(client, make_user, feeds_resource, feeds_reservation):
    item = feeds_resource("item", title="Bohrmaschine")
    person = make_user(name="Paula Private", email="paula@example.org")
    monday = next_monday(2)
    held = [
        feeds_reservation(item, monday, monday + timedelta(days=1), requester=person,
                          message="secret plans"),
        feeds_reservation(item, monday + timedelta(days=2), monday + timedelta(days=3),
                          status="handed_over"),
    ]
    feeds_reservation(item, monday + timedelta(days=4), monday + timedelta(days=5),
                      status="declined")
    response = client.get(f"/resources/{item.id}/calendar.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    body = response.get_data()
    calendar = parse(body)
    by_uid = events_by_uid(calendar)
    assert set(by_uid) == {f"busy-{r.id}@{HOST}" for r in held}
    for reservation in held:
        event = by_uid[f"busy-{reservation.id}@{HOST}"]
        assert event.summary == "Belegt"  # German is the site's language
        assert period_of(event) == (reservation.start, reservation.end)
    for text in (b"Paula", b"paula@", b"secret", b"/reservations/"):
        assert text not in body


@pytest.fixture
def people(make_user, make_org, feeds_resource, feeds_reservation):
    """Anna borrows, lends her own drill and manages an initiative's cargo bike."""
    anna = make_user("anna@example.org", name="Anna")
    bert = make_user("bert@example.org", name="Bert")
    carla = make_user("carla@example.org", name="Carla")
    dora = make_user("dora@example.org", name="Dora")
    member = make_user("member@example.org", name="Mo Member")
    org = make_org("Lastenrad e.V.", managers=(anna,), members=(member,))
    drill = feeds_resource("item", owner=anna, title="Anna's drill")
    bike = feeds_resource("item", org=org, title="Cargo bike")
    ladder = feeds_resource("item", owner=bert, title="Bert's ladder")
    room = feeds_resource("room", owner=dora, title="Dora's room")
    monday = next_monday(2)
    day = timedelta(days=1)
    r = {
        "own": feeds_reservation(ladder, monday, monday + day, requester=anna),
        "own_cancelled": feeds_reservation(ladder, monday + 2 * day, monday + 3 * day,
                                           requester=anna, status="cancelled", sequence=1),
        "lent": feeds_reservation(drill, monday, monday + 2 * day, requester=carla),
        "org": feeds_reservation(bike, monday + day, monday + 2 * day, requester=dora,
                                 status="requested"),
        "unrelated": feeds_reservation(room, f"{monday.isoformat()} 10:00",
                                       f"{monday.isoformat()} 12:00", requester=carla),
        "old": feeds_reservation(ladder, monday - 200 * day, monday - 199 * day,
                                 requester=anna, status="returned"),
    }
    return {"anna": anna, "bert": bert, "carla": carla, "dora": dora, "member": member,
            "r": r}


def test_personal_feed_has_own_and_lent_reservations(client, people):
    response = client.get(f"/feeds/{people['anna'].feed_token}.ics")
    assert response.status_code == 200
    assert response.headers["Cache-Control"].startswith("private")
    calendar = parse(response.get_data())
    by_uid = events_by_uid(calendar)
    r = people["r"]
    expected = {"own", "own_cancelled", "lent", "org"}
    assert set(by_uid) == {f"reservation-{r[k].id}@{HOST}" for k in expected}
    for key in expected:
        reservation = db.session.get(Reservation, r[key].id)
        event = by_uid[f"reservation-{reservation.id}@{HOST}"]
        assert event.sequence == reservation.sequence
        assert event.get("URL") == f"http://{HOST}/reservations/{reservation.id}"
        assert_matches(event, reservation)
    assert by_uid[f"reservation-{r['own_cancelled'].id}@{HOST}"].status == "CANCELLED"
    assert by_uid[f"reservation-{r['org'].id}@{HOST}"].status == "TENTATIVE"
    # as the lender, Anna sees who borrows her things
    assert "Carla" in by_uid[f"reservation-{r['lent'].id}@{HOST}"].summary
    assert "Dora" in by_uid[f"reservation-{r['org'].id}@{HOST}"].summary


def test_personal_feed_of_a_plain_member_or_borrower(client, people):
    r = people["r"]
    carla = parse(client.get(f"/feeds/{people['carla'].feed_token}.ics").get_data())
    assert set(events_by_uid(carla)) == {
        f"reservation-{r['lent'].id}@{HOST}", f"reservation-{r['unrelated'].id}@{HOST}"
    }
    member = parse(client.get(f"/feeds/{people['member'].feed_token}.ics").get_data())
    assert member.events == []  # members do not manage the initiative's bookings


def test_feed_times_match_the_database(client, people):
    r = people["r"]
    by_uid = events_by_uid(parse(client.get(f"/feeds/{people['dora'].feed_token}.ics").get_data()))
    for key in ("unrelated", "org"):  # a room in slots, an item by whole days
        reservation = db.session.get(Reservation, r[key].id)
        assert_matches(by_uid[f"reservation-{reservation.id}@{HOST}"], reservation)


@pytest.mark.parametrize("token", ("nope", "x" * 30, "A" * 80))
def test_unknown_feed_token_is_404(client, token):
    assert client.get(f"/feeds/{token}.ics").status_code == 404


def test_feed_of_a_blocked_person_is_404(client, db_session, people):
    anna = people["anna"]
    anna.blocked_at = utcnow()
    db_session.commit()
    assert client.get(f"/feeds/{anna.feed_token}.ics").status_code == 404


def test_feed_speaks_the_persons_language(client, db_session, people):
    anna = people["anna"]
    calendar = parse(client.get(f"/feeds/{anna.feed_token}.ics").get_data())
    assert "meine Reservierungen" in str(calendar.get("X-WR-CALNAME"))
    anna.locale = "en"
    db_session.commit()
    calendar = parse(client.get(f"/feeds/{anna.feed_token}.ics").get_data())
    assert "my reservations" in str(calendar.get("X-WR-CALNAME"))


# who          requester  lender  org manager  other  admin  member
RESERVATION_ACCESS = (
    (None, 302),
    ("carla", 200),  # requester
    ("anna", 200),  # the owner of the drill
    ("bert", 404),
    ("member", 404),
    ("admin", 404),  # the office reads reservations on its own pages, not as files
)


@pytest.mark.parametrize(("who", "expected"), RESERVATION_ACCESS)
def test_who_may_download_a_reservation(client, auth, make_user, people, who, expected):
    make_user("admin@example.org", admin=True)
    if who:
        auth.login(f"{who}@example.org")
    reservation = people["r"]["lent"]
    response = client.get(f"/reservations/{reservation.id}.ics")
    assert response.status_code == expected
    if expected == 302:
        assert "/auth/login" in response.headers["Location"]
    if expected == 200:
        assert "attachment" in response.headers["Content-Disposition"]
        (event,) = parse(response.get_data()).events
        assert str(event.uid) == f"reservation-{reservation.id}@{HOST}"


def test_org_manager_may_download_the_initiatives_booking(client, auth, people):
    auth.login("anna@example.org")
    assert client.get(f"/reservations/{people['r']['org'].id}.ics").status_code == 200
    auth.logout()
    auth.login("member@example.org")
    assert client.get(f"/reservations/{people['r']['org'].id}.ics").status_code == 404


def test_unknown_reservation_file_is_404(client, auth, people):
    auth.login("anna@example.org")
    assert client.get("/reservations/999999.ics").status_code == 404


def test_feeds_take_the_same_queries_for_2_and_20_reservations(
    client, make_user, feeds_resource, feeds_reservation, feeds_count_queries
):
    few, many = make_user(), make_user()
    lent = feeds_resource("room", owner=many)
    elsewhere = feeds_resource("room")
    monday = next_monday(2)
    for n in range(2):
        feeds_reservation(elsewhere, f"{(monday + timedelta(days=n)).isoformat()} 10:00",
                          f"{(monday + timedelta(days=n)).isoformat()} 11:00", requester=few)
    for n in range(20):
        day = (monday + timedelta(days=n)).isoformat()
        resource = lent if n % 2 else elsewhere
        feeds_reservation(resource, f"{day} 14:00", f"{day} 15:00",
                          requester=many if resource is elsewhere else None)
    tokens = few.feed_token, many.feed_token
    ids = lent.id, elsewhere.id

    def feed(token):
        def get():
            assert client.get(f"/feeds/{token}.ics").status_code == 200
        return get

    feeds_count_queries(feed(tokens[0]))  # warm up
    assert feeds_count_queries(feed(tokens[0])) == feeds_count_queries(feed(tokens[1]))
    assert feeds_count_queries(
        lambda: client.get(f"/resources/{ids[0]}/calendar.ics")
    ) == feeds_count_queries(lambda: client.get(f"/resources/{ids[1]}/calendar.ics"))


@pytest.mark.parametrize("who", (None, "anna", "carla", "admin"))
def test_the_token_alone_decides_whose_feed_it_is(client, auth, make_user, people, who):
    make_user("admin@example.org", admin=True)
    if who:
        auth.login(f"{who}@example.org")
    r = people["r"]
    calendar = parse(client.get(f"/feeds/{people['bert'].feed_token}.ics").get_data())
    # Bert lends the ladder: Anna's bookings of it, nothing of anyone else
    assert set(events_by_uid(calendar)) == {
        f"reservation-{r['own'].id}@{HOST}", f"reservation-{r['own_cancelled'].id}@{HOST}"
    }
    assert client.get("/feeds/not-a-real-token-at-all.ics").status_code == 404
