"""Organisation pages: who may open and do what, profiles, members and invitations by mail."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from app.db import utcnow
from app.extensions import db
from app.models import Invitation, Membership, Organisation, User

PEOPLE = ("anonymous", "member", "manager", "other", "admin")


def login(client, people, who: str) -> None:
    if who != "anonymous":
        response = client.post(
            "/auth/login", data={"email": people.person(who).email, "password": "correct horse"}
        )
        assert response.status_code == 302


def role_in(org, user) -> str | None:
    return db.session.scalar(
        select(Membership.role).where(
            Membership.organisation_id == org.id, Membership.user_id == user.id
        )
    )


def link_in(text: str) -> str:
    match = re.search(r"http://allmende\.test(/\S+)", text)
    assert match, text
    return match.group(1)


# ------------------------------------------------------------ access table ----
# What each person gets for each page or action; "login" means a redirect to log in.
ACCESS = {
    # route                          anonymous member  manager other  admin
    ("GET", "/orgs"):                (200,     200,    200,    200,   200),
    ("GET", "/orgs/{slug}"):         (200,     200,    200,    200,   200),
    ("GET", "/orgs/new"):            ("login", 200,    200,    200,   200),
    ("GET", "/orgs/{slug}/edit"):    ("login", 403,    200,    403,   200),
    ("GET", "/orgs/{slug}/members"): ("login", 200,    200,    403,   200),
    ("POST", "/orgs/{slug}/edit"):   ("login", 403,    302,    403,   302),
    ("POST", "/orgs/{slug}/invitations"): ("login", 403, 302,  403,   302),
    ("POST", "/orgs/{slug}/invitations/{invitation}/revoke"): ("login", 403, 302, 403, 302),
    ("POST", "/orgs/{slug}/members/{membership}/role"): ("login", 403, 302, 403, 302),
    ("POST", "/orgs/{slug}/members/{membership}/remove"): ("login", 403, 302, 403, 302),
    ("POST", "/orgs/{slug}/leave"):  ("login", 302,    302,    403,   403),
    ("GET", "/orgs/invitations/{token}"): (200,  200,    200,    200,   200),
    # The invitation is addressed to "other"; everybody else is refused.
    ("POST", "/orgs/invitations/{token}/accept"): ("login", 403, 403, 302, 403),
    ("POST", "/orgs/invitations/{token}/decline"): ("login", 403, 403, 302, 403),
}
FORMS = {
    "/orgs/{slug}/edit": {"name": "Repair-Café Nord", "kind": "initiative"},
    "/orgs/{slug}/invitations": {"email": "new@example.org", "role": "member"},
    "/orgs/{slug}/members/{membership}/role": {"role": "manager"},
}


@pytest.mark.parametrize(
    ("method", "route", "who", "expected"),
    [
        (method, route, who, expected)
        for (method, route), row in ACCESS.items()
        for who, expected in zip(PEOPLE, row, strict=True)
    ],
)
def test_access(client, org_people, make_invitation, method, route, who, expected):
    org = org_people.org
    invitation, token = make_invitation(org, "other@example.org", invited_by=org_people.manager)
    membership = next(m for m in org.memberships if m.user == org_people.member)
    path = route.format(
        slug=org.slug, invitation=invitation.id, token=token, membership=membership.id
    )
    login(client, org_people, who)
    data = FORMS.get(route, {})
    response = client.get(path) if method == "GET" else client.post(path, data=data)
    if expected == "login":
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/auth/login")
    else:
        assert response.status_code == expected, response.get_data(as_text=True)[:2000]


def test_unknown_organisation_and_invitation_are_404(client, org_people):
    assert client.get("/orgs/no-such-org").status_code == 404
    assert client.get("/orgs/invitations/no-such-token").status_code == 404
    login(client, org_people, "manager")
    assert client.get("/orgs/no-such-org/edit").status_code == 404
    slug = org_people.org.slug
    assert client.post(f"/orgs/{slug}/members/999999/remove").status_code == 404
    assert client.post(f"/orgs/{slug}/invitations/999999/revoke").status_code == 404


def test_state_never_changes_on_get(client, org_people):
    login(client, org_people, "member")
    assert client.get(f"/orgs/{org_people.org.slug}/leave").status_code == 405
    assert role_in(org_people.org, org_people.member) == "member"


def test_forms_need_csrf(app, org_people):
    from app import create_app

    strict = create_app({**app.config, "WTF_CSRF_ENABLED": True})
    client = strict.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = org_people.member.get_id()
        session["_fresh"] = True
    response = client.post(f"/orgs/{org_people.org.slug}/leave")
    assert response.status_code == 400
    assert role_in(org_people.org, org_people.member) == "member"


# ----------------------------------------------------------------- profile ----
def test_create_an_organisation(client, make_user):
    creator = make_user("gruenderin@example.org")
    client.post("/auth/login", data={"email": creator.email, "password": "correct horse"})
    response = client.post(
        "/orgs/new",
        data={
            "name": "Energiegenossenschaft Werra",
            "kind": "business",
            "description": "Sonnenstrom vom Dach.",
            "fields": ["energy", "sharing"],
            "looking_for": ["partners"],
            "contact_email": "strom@example.org",
            "contact_phone": "05542 1234",
            "website": "https://strom.example.org",
            "address": "Am Markt 2",
            "district": "Kernstadt",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/orgs/energiegenossenschaft-werra"
    org = db.session.scalar(select(Organisation).where(Organisation.slug.like("energie%")))
    assert (org.kind, org.fields) == ("business", ["sharing", "energy"])
    assert org.looking_for == ["partners"]
    assert role_in(org, creator) == "manager"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Sonnenstrom vom Dach." in page and "strom@example.org" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "kind": "initiative"}, "name"),
        ({"name": "X", "kind": "club"}, "kind"),
        ({"name": "X", "kind": "initiative", "district": "Atlantis"}, "district"),
        ({"name": "X", "kind": "initiative", "fields": ["astrology"]}, "fields"),
        ({"name": "X", "kind": "initiative", "website": "javascript:alert(1)"}, "website"),
        ({"name": "X", "kind": "initiative", "contact_email": "nope"}, "contact_email"),
    ],
)
def test_bad_input_is_shown_next_to_the_field(client, make_user, data, message):
    make_user("gruender@example.org")
    client.post("/auth/login", data={"email": "gruender@example.org", "password": "correct horse"})
    response = client.post("/orgs/new", data=data)
    assert response.status_code == 422
    assert f'href="#{message}"' in response.get_data(as_text=True)
    assert db.session.scalar(select(Organisation).where(Organisation.name == "X")) is None


def test_unconfirmed_people_are_asked_to_confirm_first(client, make_user):
    make_user("neu@example.org", confirmed=False)
    client.post("/auth/login", data={"email": "neu@example.org", "password": "correct horse"})
    response = client.get("/orgs/new")
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/unconfirmed"


def test_edit_keeps_the_address_and_fills_the_form(client, org_people):
    org = org_people.org
    org.fields = ["repair"]
    db.session.commit()
    login(client, org_people, "manager")
    form = client.get(f"/orgs/{org.slug}/edit").get_data(as_text=True)
    assert 'value="Repair-Café Nord"' in form
    assert re.search(r'value="repair"[^>]*checked|checked[^>]*value="repair"', form)
    response = client.post(
        f"/orgs/{org.slug}/edit",
        data={"name": "Repair-Café Nordstadt", "kind": "initiative", "fields": ["repair"]},
    )
    assert response.headers["Location"] == f"/orgs/{org.slug}"
    db.session.refresh(org)
    assert org.name == "Repair-Café Nordstadt"


# ------------------------------------------------------------- public page ----
def test_public_page_shows_profile_offers_and_wishes_but_no_emails(
    client, org_people, make_org_resource, make_user
):
    org = org_people.org
    org.description = "Wir reparieren gemeinsam."
    org.contact_email = "kontakt@repair.example"
    org.contact_phone = "05542 999"
    org.website = "https://repair.example"
    org.verified_at = utcnow()
    org.looking_for = ["volunteers"]
    db.session.commit()
    public = make_org_resource(org, "Lötstation")
    members_only = make_org_resource(org, "Werkbank", visibility="members")
    make_org_resource(org, "Pausierte Säge", status="paused")
    make_org_resource(org, "Versteckter Hammer", hidden_at=utcnow(), hidden_reason="Spam")

    for who, sees_members_only in (
        ("anonymous", False),
        ("other", False),
        ("member", True),
        ("manager", True),
        ("admin", True),
    ):
        client.post("/auth/logout")
        login(client, org_people, who)
        page = client.get(f"/orgs/{org.slug}").get_data(as_text=True)
        assert "Wir reparieren gemeinsam." in page
        assert "kontakt@repair.example" in page and "05542 999" in page
        assert 'href="https://repair.example"' in page
        assert 'class="status status-active"' in page  # verified
        assert f'href="/resources/{public.id}"' in page
        assert (f'href="/resources/{members_only.id}"' in page) is sees_members_only, who
        assert "Pausierte Säge" not in page and "Versteckter Hammer" not in page
        for person in (org_people.manager, org_people.member):
            assert person.email not in page, who
        assert re.search(r"<dd>2</dd>", page)  # two members


def test_members_page_shows_emails_to_managers_only(client, org_people):
    slug = org_people.org.slug
    login(client, org_people, "member")
    page = client.get(f"/orgs/{slug}/members").get_data(as_text=True)
    assert "Mia Manager" in page and "manager@example.org" not in page
    client.post("/auth/logout")
    login(client, org_people, "manager")
    page = client.get(f"/orgs/{slug}/members").get_data(as_text=True)
    assert "manager@example.org" in page and "member@example.org" in page


# ----------------------------------------------------------------- members ----
def test_last_manager_gets_a_clear_message(client, org_people):
    org = org_people.org
    mine = next(m for m in org.memberships if m.user == org_people.manager)
    login(client, org_people, "manager")
    for path, data in (
        (f"/orgs/{org.slug}/leave", {}),
        (f"/orgs/{org.slug}/members/{mine.id}/role", {"role": "member"}),
        (f"/orgs/{org.slug}/members/{mine.id}/remove", {}),
    ):
        response = client.post(path, data=data, follow_redirects=True)
        assert response.status_code == 200
        assert "at least one manager" in response.get_data(as_text=True) or (
            "mindestens eine" in response.get_data(as_text=True)
        )
        assert role_in(org, org_people.manager) == "manager"


def test_manager_promotes_and_removes(client, org_people):
    org = org_people.org
    theirs = next(m for m in org.memberships if m.user == org_people.member)
    login(client, org_people, "manager")
    client.post(f"/orgs/{org.slug}/members/{theirs.id}/role", data={"role": "manager"})
    assert role_in(org, org_people.member) == "manager"
    client.post(f"/orgs/{org.slug}/members/{theirs.id}/role", data={"role": "owner"})
    assert role_in(org, org_people.member) == "manager"  # a nonsense role changes nothing
    client.post(f"/orgs/{org.slug}/members/{theirs.id}/remove")
    assert role_in(org, org_people.member) is None


def test_member_leaves(client, org_people):
    login(client, org_people, "member")
    response = client.post(f"/orgs/{org_people.org.slug}/leave")
    assert response.status_code == 302
    assert role_in(org_people.org, org_people.member) is None


# ------------------------------------------------------------- invitations ----
def test_invitation_for_a_newcomer_from_mail_to_membership(client, org_people, deliver):
    org = org_people.org
    login(client, org_people, "manager")
    response = client.post(
        f"/orgs/{org.slug}/invitations", data={"email": "Neu@Example.org", "role": "member"}
    )
    assert response.status_code == 302
    invitation = db.session.scalar(select(Invitation).where(Invitation.organisation_id == org.id))
    assert invitation.email == "neu@example.org"

    box = deliver()
    [message] = box.to("neu@example.org")
    path = link_in(box.text(message))
    assert path.startswith("/orgs/invitations/")
    assert "http://allmende.test" + path in box.html(message)

    client.post("/auth/logout")
    page = client.get(path)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    html = page.get_data(as_text=True)
    register = re.search(r'href="(/auth/register\?[^"]+)"', html).group(1).replace("&amp;", "&")
    query = parse_qs(urlsplit(register).query)
    assert query == {"email": ["neu@example.org"], "invitation": [path]}
    assert "/auth/login?next=" in html

    response = client.post(
        register,
        data={
            "display_name": "Nele Neu",
            "email": "neu@example.org",
            "password": "geheim123",
            "password2": "geheim123",
        },
    )
    assert response.headers["Location"] == path
    page = client.get(path).get_data(as_text=True)
    assert path + "/accept" in page and path + "/decline" in page
    response = client.post(path + "/accept")
    assert response.headers["Location"] == f"/orgs/{org.slug}"
    newcomer = db.session.scalar(select(User).where(User.email == "neu@example.org"))
    assert role_in(org, newcomer) == "member"
    assert newcomer.confirmed_at is not None  # the link proved the address
    # The link works once.
    again = client.get(path)
    assert again.status_code == 410
    assert client.post(path + "/accept").status_code == 302


def test_invitation_page_for_the_wrong_person_says_so(client, org_people, make_invitation):
    _, token = make_invitation(org_people.org, "someone@example.org")
    login(client, org_people, "other")
    page = client.get(f"/orgs/invitations/{token}").get_data(as_text=True)
    assert "someone@example.org" in page and "/accept" not in page


def test_expired_invitation_page(client, org_people, make_invitation):
    from datetime import timedelta

    _, token = make_invitation(org_people.org, "other@example.org", expires_in=timedelta(0))
    login(client, org_people, "other")
    assert client.get(f"/orgs/invitations/{token}").status_code == 410
    response = client.post(f"/orgs/invitations/{token}/accept")
    assert response.status_code == 302
    assert role_in(org_people.org, org_people.other) is None


def test_invite_form_errors_and_existing_members(client, org_people):
    slug = org_people.org.slug
    login(client, org_people, "manager")
    response = client.post(f"/orgs/{slug}/invitations", data={"email": "nope", "role": "member"})
    assert response.status_code == 422
    response = client.post(
        f"/orgs/{slug}/invitations", data={"email": "MEMBER@example.org", "role": "member"}
    )
    assert response.status_code == 422
    assert db.session.scalar(select(Invitation.id)) is None


def test_pending_invitations_are_listed_and_can_be_withdrawn(client, org_people, make_invitation):
    invitation, token = make_invitation(org_people.org, "later@example.org")
    login(client, org_people, "manager")
    page = client.get(f"/orgs/{org_people.org.slug}/members").get_data(as_text=True)
    assert "later@example.org" in page
    client.post(f"/orgs/{org_people.org.slug}/invitations/{invitation.id}/revoke")
    db.session.refresh(invitation)
    assert invitation.revoked_at is not None
    assert client.get(f"/orgs/invitations/{token}").status_code == 410
