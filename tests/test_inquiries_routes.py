"""Inquiry pages: who may open, answer and mediate a thread; forms, refusals, messages."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Inquiry, InquiryEvent, Reservation
from tests.factories_spaces import in_days

PEOPLE = ("anonymous", "applicant", "owner", "other", "admin")


@pytest.fixture
def scene(make_person, make_space, make_inquiry):
    owner = make_person("owner@example.org", name="Olga Owner")
    applicant = make_person("applicant@example.org", name="Anton Applicant")
    other = make_person("other@example.org", name="Otto Other")
    admin = make_person("office@example.org", name="Office", admin=True)
    space = make_space(owner=owner, title="Laden am Markt")
    inquiry = make_inquiry(space, applicant=applicant, first=in_days(10), last=in_days(20))
    return {
        "owner": owner, "applicant": applicant, "other": other, "admin": admin,
        "space": space, "inquiry": inquiry,
    }


def login_as(auth, scene, who):
    if who != "anonymous":
        assert auth.login(scene[who].email).status_code == 302


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith("/auth/login")


# ----------------------------------------------------------------- pages ----
@pytest.mark.parametrize(
    ("who", "expected"),
    (
        ("anonymous", "login"),
        ("applicant", 200),
        ("owner", 200),
        ("other", 403),  # takes no part in the inquiry
        ("admin", 200),  # the project office sees every thread
    ),
)
def test_who_may_open_a_thread(client, auth, scene, who, expected):
    login_as(auth, scene, who)
    response = client.get(f"/spaces/inquiries/{scene['inquiry'].id}")
    if expected == "login":
        assert is_login_redirect(response)
    else:
        assert response.status_code == expected


def test_unknown_thread_is_not_found(client, auth, scene):
    login_as(auth, scene, "admin")
    assert client.get("/spaces/inquiries/999999").status_code == 404


@pytest.mark.parametrize(
    ("who", "sees_it"),
    (
        ("applicant", True),
        ("owner", True),
        ("other", False),
        ("admin", True),
    ),
)
def test_the_inquiry_list_shows_ones_own_and_the_office_all(client, auth, scene, who, sees_it):
    login_as(auth, scene, who)
    response = client.get("/spaces/inquiries")
    assert response.status_code == 200
    assert ("Laden am Markt" in response.get_data(as_text=True)) is sees_it


def test_the_inquiry_list_needs_a_login(client, scene):
    assert is_login_redirect(client.get("/spaces/inquiries"))


def test_the_inquiry_list_filters_by_status(client, auth, scene):
    login_as(auth, scene, "applicant")
    assert "Laden am Markt" in client.get("/spaces/inquiries?status=open").get_data(as_text=True)
    html = client.get("/spaces/inquiries?status=declined").get_data(as_text=True)
    assert "Laden am Markt" not in html


@pytest.mark.parametrize(
    ("who", "forms", "absent"),
    (
        ("owner", ["accept-period_from", "propose-period_from", "decline-reason"], ["withdraw-"]),
        ("applicant", ["propose-period_from", "withdraw-reason"], ["accept-period_from"]),
        ("admin", ["join-submit", "message-body"], ["decline-reason", "withdraw-reason"]),
    ),
)
def test_each_side_sees_what_it_can_do(client, auth, scene, who, forms, absent):
    login_as(auth, scene, who)
    html = client.get(f"/spaces/inquiries/{scene['inquiry'].id}").get_data(as_text=True)
    for name in forms:
        assert f'name="{name}' in html
    for name in absent:
        assert f'name="{name}' not in html
    assert "Ein Laden für Upcycling-Mode" in html  # the concept
    assert "Anton Applicant" in html


# --------------------------------------------------------------- actions ----
PERIOD = {"period_from": in_days(12).isoformat(), "period_until": in_days(18).isoformat()}


def form(prefix: str, **fields) -> dict:
    return {f"{prefix}-{name}": value for name, value in fields.items()}


ACTIONS = {
    "messages": form("message", body="Hallo zusammen"),
    "propose": form("propose", body="Lieber später?", **PERIOD),
    "accept": form("accept", body="Gern", **PERIOD),
    "agree": form("agree", body="Passt"),
    "decline": form("decline", reason="Schon vergeben"),
    "withdraw": form("withdraw", reason="Anders entschieden"),
    "mediate": form("join"),
}


@pytest.mark.parametrize(
    ("action", "who", "expected"),
    (
        ("messages", "anonymous", "login"),
        ("messages", "applicant", 302),
        ("messages", "owner", 302),
        ("messages", "other", 403),
        ("messages", "admin", 302),  # the office may write as mediator
        ("propose", "anonymous", "login"),
        ("propose", "applicant", 302),
        ("propose", "owner", 302),
        ("propose", "other", 403),
        ("propose", "admin", 403),
        ("accept", "anonymous", "login"),
        ("accept", "applicant", 403),  # only the owner accepts an open inquiry
        ("accept", "owner", 302),
        ("accept", "other", 403),
        ("accept", "admin", 403),
        ("agree", "applicant", 403),  # nothing proposed yet
        ("agree", "other", 403),
        ("decline", "anonymous", "login"),
        ("decline", "applicant", 403),
        ("decline", "owner", 302),
        ("decline", "other", 403),
        ("decline", "admin", 403),
        ("withdraw", "anonymous", "login"),
        ("withdraw", "applicant", 302),
        ("withdraw", "owner", 403),
        ("withdraw", "other", 403),
        ("withdraw", "admin", 403),
        ("mediate", "anonymous", "login"),
        ("mediate", "applicant", 403),
        ("mediate", "owner", 403),
        ("mediate", "other", 403),
        ("mediate", "admin", 302),
    ),
)
def test_who_may_act_in_a_thread(client, auth, scene, action, who, expected):
    inquiry = scene["inquiry"]
    login_as(auth, scene, who)
    events_before = len(inquiry.events)
    response = client.post(f"/spaces/inquiries/{inquiry.id}/{action}", data=ACTIONS[action])
    db.session.expire_all()
    if expected == "login":
        assert is_login_redirect(response)
    else:
        assert response.status_code == expected, response.get_data(as_text=True)[:3000]
    changed = len(db.session.get(Inquiry, inquiry.id).events) > events_before
    assert changed is (expected == 302)
    if expected == 302:
        assert response.headers["Location"] == f"/spaces/inquiries/{inquiry.id}"


def test_the_applicant_agrees_to_a_proposal_and_the_space_is_booked(client, auth, scene):
    inquiry = scene["inquiry"]
    login_as(auth, scene, "owner")
    client.post(f"/spaces/inquiries/{inquiry.id}/propose", data=ACTIONS["propose"])
    auth.logout()
    login_as(auth, scene, "applicant")
    html = client.get(f"/spaces/inquiries/{inquiry.id}").get_data(as_text=True)
    assert 'name="agree-submit"' in html
    response = client.post(f"/spaces/inquiries/{inquiry.id}/agree", data=ACTIONS["agree"])
    assert response.status_code == 302
    db.session.expire_all()
    inquiry = db.session.get(Inquiry, inquiry.id)
    assert inquiry.status == "accepted"
    assert (inquiry.period_from, inquiry.period_until) == (in_days(12), in_days(18))
    assert inquiry.reservation.status == "confirmed"


@pytest.mark.parametrize(
    ("action", "data", "field"),
    (
        ("messages", form("message", body=""), "message-body"),  # empty message
        ("decline", form("decline", reason=""), "decline-reason"),  # no reason
        ("propose", form("propose", period_from="gestern", period_until=""), "propose-period_from"),
        ("propose", form("propose", period_from=in_days(5).isoformat(),
                         period_until=in_days(4).isoformat()), "propose-period_until"),
        ("accept", form("accept", period_from=in_days(-3).isoformat(),
                        period_until=in_days(4).isoformat()), "accept-period_from"),  # past
    ),
)
def test_bad_input_in_a_thread_is_explained(client, auth, scene, action, data, field):
    login_as(auth, scene, "owner")
    response = client.post(f"/spaces/inquiries/{scene['inquiry'].id}/{action}", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'class="error-summary"' in html or 'class="flash flash-error"' in html
    assert f'href="#{field}"' in html


def test_accepting_an_overlapping_period_is_refused_with_a_message(
    client, auth, scene, make_interim_use
):
    make_interim_use(scene["space"], in_days(15), in_days(30))
    login_as(auth, scene, "owner")
    response = client.post(
        f"/spaces/inquiries/{scene['inquiry'].id}/accept", data=ACTIONS["accept"]
    )
    assert response.status_code == 409
    assert "flash-error" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Inquiry, scene["inquiry"].id).status == "open"
    assert db.session.scalar(select(func.count(Reservation.id))) == 1


def test_a_closed_inquiry_refuses_decisions(client, auth, scene):
    inquiry = scene["inquiry"]
    login_as(auth, scene, "applicant")
    client.post(f"/spaces/inquiries/{inquiry.id}/withdraw", data=ACTIONS["withdraw"])
    auth.logout()
    login_as(auth, scene, "owner")
    html = client.get(f"/spaces/inquiries/{inquiry.id}").get_data(as_text=True)
    assert 'name="accept-submit"' not in html
    response = client.post(f"/spaces/inquiries/{inquiry.id}/accept", data=ACTIONS["accept"])
    assert response.status_code == 409


def test_the_history_lists_every_step(client, auth, scene):
    inquiry = scene["inquiry"]
    login_as(auth, scene, "owner")
    client.post(f"/spaces/inquiries/{inquiry.id}/messages", data=ACTIONS["messages"])
    client.post(f"/spaces/inquiries/{inquiry.id}/propose", data=ACTIONS["propose"])
    auth.logout()
    login_as(auth, scene, "admin")
    client.post(f"/spaces/inquiries/{inquiry.id}/mediate", data=ACTIONS["mediate"])
    actions = db.session.scalars(
        select(InquiryEvent.action).where(InquiryEvent.inquiry_id == inquiry.id)
        .order_by(InquiryEvent.id)
    ).all()
    assert actions == ["created", "message", "proposed", "mediator_joined"]
    html = client.get(f"/spaces/inquiries/{inquiry.id}").get_data(as_text=True)
    assert "Hallo zusammen" in html and "Lieber später?" in html
    assert 'name="join-submit"' not in html  # joined already


# --------------------------------------------------------------- inquire ----
@pytest.mark.parametrize(
    ("who", "expected"),
    (
        ("anonymous", "login"),
        ("applicant", 200),
        ("owner", 403),  # one's own space
        ("other", 200),
        ("admin", 200),
    ),
)
def test_who_may_open_the_inquiry_form(client, auth, scene, who, expected):
    login_as(auth, scene, who)
    response = client.get(f"/spaces/{scene['space'].id}/inquire")
    if expected == "login":
        assert is_login_redirect(response)
    else:
        assert response.status_code == expected


def inquiry_data(**overrides) -> dict:
    data = {
        "intended_use": "exhibition",
        "period_from": in_days(30).isoformat(),
        "period_until": in_days(40).isoformat(),
        "concept": "Fotografien aus dem Werratal.",
        "organisation_id": "0",
    }
    data.update(overrides)
    return data


def test_sending_an_inquiry_opens_its_thread(client, auth, scene, make_org):
    org = make_org("Kulturverein", members=(scene["other"],))
    login_as(auth, scene, "other")
    html = client.get(f"/spaces/{scene['space'].id}/inquire").get_data(as_text=True)
    assert "Kulturverein" in html  # may ask on the organisation's behalf
    response = client.post(
        f"/spaces/{scene['space'].id}/inquire", data=inquiry_data(organisation_id=str(org.id))
    )
    assert response.status_code == 302
    inquiry = db.session.scalar(select(Inquiry).where(Inquiry.applicant_id == scene["other"].id))
    assert response.headers["Location"] == f"/spaces/inquiries/{inquiry.id}"
    assert inquiry.organisation_id == org.id
    assert (inquiry.wished_from, inquiry.wished_until) == (in_days(30), in_days(40))


@pytest.mark.parametrize(
    ("overrides", "field"),
    (
        ({"intended_use": ""}, "intended_use"),
        ({"intended_use": "casino"}, "intended_use"),
        ({"concept": ""}, "concept"),
        ({"period_from": "31.02.2027"}, "period_from"),
        ({"period_from": in_days(-2).isoformat()}, "period_from"),  # in the past
        ({"period_until": in_days(500).isoformat()}, "period_until"),  # beyond availability
        ({"organisation_id": "424242"}, "organisation_id"),  # not one's organisation
    ),
)
def test_a_bad_inquiry_is_explained(client, auth, scene, overrides, field):
    login_as(auth, scene, "other")
    response = client.post(f"/spaces/{scene['space'].id}/inquire", data=inquiry_data(**overrides))
    assert response.status_code == 422
    assert f'href="#{field}"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Inquiry.id))) == 1


def test_a_second_inquiry_leads_to_the_open_one(client, auth, scene):
    login_as(auth, scene, "applicant")
    response = client.post(f"/spaces/{scene['space'].id}/inquire", data=inquiry_data())
    assert response.status_code == 303
    assert response.headers["Location"] == f"/spaces/inquiries/{scene['inquiry'].id}"


def test_unconfirmed_people_are_asked_to_confirm_first(client, auth, scene, make_person):
    person = make_person("new@example.org", confirmed=False)
    auth.login(person.email)
    response = client.post(f"/spaces/{scene['space'].id}/inquire", data=inquiry_data())
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/unconfirmed")
    assert db.session.scalar(select(func.count(Inquiry.id))) == 1


@pytest.mark.parametrize("change", ({"status": "paused"}, {"kind": "room"}, {"visibility": "x"}))
def test_no_inquiry_form_for_spaces_one_may_not_see(client, auth, scene, make_org, change):
    space = scene["space"]
    if "visibility" in change:
        org = make_org("Verein")
        space.owner_user = None
        space.owner_org = org
        space.visibility = "members"
    else:
        for name, value in change.items():
            setattr(space, name, value)
    db.session.commit()
    login_as(auth, scene, "other")
    assert client.get(f"/spaces/{space.id}/inquire").status_code == 404


def test_forms_need_the_csrf_token(app, db_session, scene):
    from app import create_app

    strict = create_app({**app.config, "WTF_CSRF_ENABLED": True})
    with strict.test_client() as client:
        page = client.get("/auth/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        token = token or re.search(r'name="csrf_token" value="([^"]+)"', page)
        login = client.post("/auth/login", data={
            "email": scene["owner"].email, "password": "correct horse",
            "csrf_token": token.group(1),
        })
        assert login.status_code == 302
        response = client.post(
            f"/spaces/inquiries/{scene['inquiry'].id}/decline", data=ACTIONS["decline"]
        )
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Inquiry, scene["inquiry"].id).status == "open"


def test_not_even_the_office_inquires_for_a_space_not_on_offer(client, auth, scene):
    scene["space"].status = "paused"
    db.session.commit()
    login_as(auth, scene, "admin")
    assert client.get(f"/spaces/{scene['space'].id}/inquire").status_code == 404
    assert client.post(f"/spaces/{scene['space'].id}/inquire").status_code == 404
