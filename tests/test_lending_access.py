"""Who may open and use each lending page: anonymous, requester, lender, org manager,
another user and the office (admin). Deny by default.

The scene: an organisation (managed by `manager`) lends a drill, a person (`lender`)
lends a room. `requester` has a confirmed, coded reservation of the drill, a series of
the room, a waiting-list entry and a defect report with a photo; the drill has a repair.
"""

from __future__ import annotations

import io
from datetime import date, time, timedelta

import pytest
from PIL import Image

from app.booking import defects, series, waitlist
from app.booking.availability import day_period, local_datetime
from app.extensions import db
from app.models import Closure, DefectReport, Reservation, WaitlistEntry

ROLES = ("anonymous", "requester", "lender", "manager", "other", "admin")


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 20), (0, 90, 0)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def scene(app, offers, lending_people, lending_org, make_reservation):
    drill, room = offers["drill"], offers["room"]
    first = date.today() + timedelta(days=7)
    with app.test_request_context():
        loan = make_reservation(drill, *day_period(first, first + timedelta(days=1)),
                                requester=lending_people.requester, handover_code="K7M3QX")
        start = local_datetime(first, time(18))
        booked = series.book(room, lending_people.requester,
                             series.dates(start, start + timedelta(hours=2),
                                          series.Repeat(1, count=2)))
        taken = make_reservation(room, *day_period(first + timedelta(days=2)))
        entry = waitlist.join(room, lending_people.requester, taken.start,
                              taken.start + timedelta(hours=1))
        report = defects.report(drill, lending_people.requester, "Loose chuck", photo=jpeg(),
                                reservation=loan)
        closure = defects.take_out_of_service(drill, lending_people.manager,
                                              first + timedelta(days=20),
                                              first + timedelta(days=21))
        db.session.commit()
    yield {
        "drill": drill.id, "room": room.id, "loan": loan.id, "series": booked.series_id,
        "entry": entry.id, "report": report.id, "closure": closure.id,
        "slug": lending_org.slug, "first": first, "taken_start": taken.start,
    }
    with app.test_request_context():
        defects.discard_photo(db.session.get(DefectReport, report.id))


def url(template: str, s: dict) -> str:
    return template.format(**s)


# (path, expected status per role in ROLES order); 302 for anonymous is the login redirect
GETS = (
    ("/lending", (302, 200, 200, 200, 200, 200)),
    ("/waitlist", (302, 200, 200, 200, 200, 200)),
    ("/lending/settings", (302, 200, 200, 200, 200, 200)),
    ("/lending/code", (302, 200, 200, 200, 200, 200)),
    ("/orgs/{slug}/lending", (302, 403, 403, 200, 403, 403)),
    ("/resources/{drill}/terms", (200, 200, 200, 200, 200, 200)),
    ("/resources/{room}/series", (302, 200, 200, 200, 200, 200)),
    ("/reservations/series/{series}", (302, 200, 200, 404, 404, 200)),
    ("/resources/{drill}/defects/new", (302, 200, 403, 200, 403, 200)),
    ("/resources/{drill}/defects", (302, 403, 403, 200, 403, 200)),
    ("/defects/{report}/photo", (302, 200, 404, 200, 404, 200)),
    ("/resources/{drill}/repairs/{closure}", (302, 403, 403, 200, 403, 403)),
    ("/resources/{drill}/counter", (302, 403, 403, 200, 403, 403)),
    ("/resources/{room}/counter", (302, 403, 200, 403, 403, 403)),
)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("path", "expected"), GETS, ids=[g[0] for g in GETS])
def test_pages(client, as_person, scene, path, expected, role):
    as_person(None if role == "anonymous" else role)
    response = client.get(url(path, scene))
    assert response.status_code == expected[ROLES.index(role)], response.get_data(as_text=True)[
        :500]
    if response.status_code == 302:
        assert "/auth/login" in response.headers["Location"]


def post_data(name: str, s: dict) -> dict:
    first: date = s["first"]
    return {
        "waitlist": {"waitlist-start": s["taken_start"].isoformat(),
                     "waitlist-end": (s["taken_start"] + timedelta(hours=2)).isoformat()},
        "withdraw": {},
        "settings": {"terms": "Please clean it.", "per_week": "3"},
        "series_cancel": {"series-reason": "No longer needed"},
        "defect": {"description": "Battery does not charge"},
        "resolve": {},
        "repair": {"repair-start_date": (first + timedelta(days=30)).isoformat(),
                   "repair-end_date": (first + timedelta(days=31)).isoformat()},
        "repair_cancel": {"affected-reason": "Sorry"},
        "counter": {"guest_name": "Gast", "pickup": (first + timedelta(days=10)).isoformat(),
                    "return_day": (first + timedelta(days=10)).isoformat()},
        "code": {"code-code": "K7M3QX"},
        "message": {"message-body": "Hello there"},
        "lookup": {"code": "K7M3QX"},
    }[name]


# (name, path, expected status per role); 302/303 for allowed writes (redirect after POST)
POSTS = (
    ("waitlist", "/resources/{room}/waitlist", (302, 302, 302, 302, 302, 302)),
    ("withdraw", "/waitlist/{entry}/withdraw", (302, 302, 404, 404, 404, 404)),
    ("settings", "/lending/settings", (302, 302, 302, 302, 302, 302)),
    ("settings", "/orgs/{slug}/lending", (302, 403, 403, 302, 403, 403)),
    ("series_cancel", "/reservations/series/{series}/cancel", (302, 302, 302, 404, 404, 302)),
    ("defect", "/resources/{drill}/defects/new", (302, 302, 403, 302, 403, 302)),
    ("resolve", "/defects/{report}/resolve", (302, 403, 404, 302, 404, 403)),
    ("repair", "/resources/{drill}/repairs", (302, 403, 403, 302, 403, 403)),
    ("repair_cancel", "/resources/{drill}/repairs/{closure}/cancel",
     (302, 403, 403, 302, 403, 403)),
    ("counter", "/resources/{drill}/counter", (302, 403, 403, 302, 403, 403)),
    ("code", "/reservations/{loan}/code/handover", (302, 403, 404, 302, 404, 403)),
    ("message", "/reservations/{loan}/messages", (302, 302, 404, 302, 404, 403)),
    ("lookup", "/lending/code", (302, 422, 422, 302, 422, 422)),
)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "path", "expected"), POSTS,
                         ids=[f"{p[0]}:{p[1]}" for p in POSTS])
def test_actions(client, as_person, scene, name, path, expected, role):
    as_person(None if role == "anonymous" else role)
    response = client.post(url(path, scene), data=post_data(name, scene))
    assert response.status_code == expected[ROLES.index(role)], response.get_data(as_text=True)[
        :800]
    if role == "anonymous":
        assert "/auth/login" in response.headers["Location"]


# What an allowed write did (checked once, for the role that may do it).
def test_allowed_writes_change_what_they_should(client, as_person, scene, lending_people,
                                                lending_org):
    as_person("manager")
    client.post(url("/reservations/{loan}/code/handover", scene),
                data=post_data("code", scene))
    assert db.session.get(Reservation, scene["loan"]).status == "handed_over"
    client.post(url("/orgs/{slug}/lending", scene), data=post_data("settings", scene))
    db.session.refresh(lending_org)
    assert (lending_org.lending_terms, lending_org.terms_version) == ("Please clean it.", 1)
    client.post(url("/defects/{report}/resolve", scene), data={})
    assert db.session.get(DefectReport, scene["report"]).status == "resolved"
    as_person("requester")
    client.post(url("/waitlist/{entry}/withdraw", scene), data={})
    assert db.session.get(WaitlistEntry, scene["entry"]).status == "withdrawn"
    client.post(url("/reservations/series/{series}/cancel", scene),
                data=post_data("series_cancel", scene))
    assert {r.status for r in series.reservations_of(scene["series"])} == {"cancelled"}


def test_anonymous_cannot_see_a_waitlist_or_write(client, scene):
    assert client.post(url("/resources/{room}/waitlist", scene)).status_code == 302
    assert db.session.query(WaitlistEntry).count() == 1
    assert db.session.query(Closure).filter_by(is_repair=True).count() == 1
