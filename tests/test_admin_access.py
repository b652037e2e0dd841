"""Who may enter the project office: every route, for every kind of visitor.

Deny by default: anonymous visitors are sent to the login page, ordinary people and
managers of organisations get 403, administrators get in. /stats is public, reporting
needs a login only.
"""

from __future__ import annotations

from datetime import date

import pytest

from app.extensions import db
from app.models import Closure

# (method, url template); ids come from the `things` fixture.
ADMIN_ROUTES = (
    ("GET", "/admin"),
    ("GET", "/admin/dashboard"),
    ("GET", "/admin/dashboard.csv?table=months"),
    ("GET", "/admin/categories"),
    ("GET", "/admin/categories/new"),
    ("POST", "/admin/categories/new"),
    ("GET", "/admin/categories/{category}"),
    ("POST", "/admin/categories/{category}"),
    ("GET", "/admin/people"),
    ("GET", "/admin/people/{person}"),
    ("POST", "/admin/people/{person}/admin"),
    ("POST", "/admin/people/{person}/block"),
    ("POST", "/admin/people/{person}/unblock"),
    ("GET", "/admin/orgs"),
    ("POST", "/admin/orgs/{org}/verify"),
    ("GET", "/admin/listings"),
    ("GET", "/admin/listings/{resource}"),
    ("POST", "/admin/listings/{resource}/hide"),
    ("POST", "/admin/listings/{resource}/unhide"),
    ("GET", "/admin/closures"),
    ("POST", "/admin/closures"),
    ("POST", "/admin/closures/{closure}/delete"),
    ("GET", "/admin/reports"),
    ("GET", "/admin/reports/{report}"),
    ("POST", "/admin/reports/{report}"),
    ("POST", "/admin/reports/{report}/reopen"),
    ("GET", "/admin/mail"),
    ("POST", "/admin/mail/{mail}/retry"),
    ("POST", "/admin/mail/retry-all"),
)


@pytest.fixture
def things(admin_person, make_org, admin_category, admin_resource, admin_failed_mail,
           admin_report):
    owner = admin_person("owner@example.org")
    manager = admin_person("manager@example.org")
    admin_person("someone@example.org")
    admin_person("office@example.org", admin=True)
    org = make_org(managers=(manager,))
    resource = admin_resource("item", owner=owner, title="Leiter")
    closure = Closure(start_date=date(2030, 12, 24), end_date=date(2030, 12, 26), reason="X")
    db.session.add(closure)
    db.session.commit()
    return {
        "category": admin_category().id,
        "person": owner.id,
        "org": org.id,
        "resource": resource.id,
        "closure": closure.id,
        "report": admin_report(owner, resource).id,
        "mail": admin_failed_mail(owner).id,
    }


def call(client, method: str, url: str):
    return client.get(url) if method == "GET" else client.post(url, data={})


def answers(client, things, routes=ADMIN_ROUTES) -> dict[str, tuple[int, str]]:
    """Every route's status and redirect target, keyed by "METHOD url"."""
    out = {}
    for method, url in routes:
        response = call(client, method, url.format(**things))
        out[f"{method} {url}"] = (response.status_code, response.headers.get("Location", ""))
    return out


def test_anonymous_visitors_are_sent_to_login(client, things):
    wrong = {
        route: answer
        for route, answer in answers(client, things).items()
        if answer[0] != 302 or not answer[1].startswith("/auth/login")
    }
    assert wrong == {}


@pytest.mark.parametrize("email", ["someone@example.org", "manager@example.org"])
def test_people_and_managers_are_refused(client, auth, things, email):
    auth.login(email)
    wrong = {route: answer for route, answer in answers(client, things).items()
             if answer[0] != 403}
    assert wrong == {}


def test_administrators_see_every_page(client, auth, things):
    auth.login("office@example.org")
    gets = [r for r in ADMIN_ROUTES if r[0] == "GET"]
    wrong = {route: answer for route, answer in answers(client, things, gets).items()
             if answer[0] != 200}
    assert wrong == {}


def test_administrators_may_post(client, auth, things):
    """An empty form is refused as bad input, never as forbidden and never with a 500."""
    auth.login("office@example.org")
    posts = [r for r in ADMIN_ROUTES if r[0] == "POST"]
    wrong = {route: answer for route, answer in answers(client, things, posts).items()
             if answer[0] not in (200, 302, 400, 409, 422)
             or answer[1].startswith("/auth/login")}
    assert wrong == {}


def test_blocked_administrator_is_logged_out(client, auth, things):
    from app.db import utcnow
    from app.models import User

    auth.login("office@example.org")
    office = db.session.scalar(db.select(User).where(User.email == "office@example.org"))
    office.blocked_at = utcnow()
    db.session.commit()
    response = client.get("/admin")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("email", [None, "someone@example.org", "manager@example.org",
                                   "office@example.org"])
def test_stats_are_public(client, auth, things, email):
    if email:
        auth.login(email)
    assert client.get("/stats").status_code == 200


@pytest.mark.parametrize(
    ("email", "status"),
    (
        (None, 302),                     # to the login page
        ("someone@example.org", 200),
        ("manager@example.org", 200),
        ("office@example.org", 200),
    ),
)
def test_reporting_needs_a_login(client, auth, things, email, status):
    if email:
        auth.login(email)
    response = client.get(f"/resources/{things['resource']}/report")
    assert response.status_code == status
    if status == 302:
        assert response.headers["Location"].startswith("/auth/login")


def test_admin_link_only_for_administrators(client, auth, things):
    auth.login("someone@example.org")
    assert 'href="/admin"' not in client.get("/stats").get_data(as_text=True)
    auth.logout()
    auth.login("office@example.org")
    assert 'href="/admin"' in client.get("/stats").get_data(as_text=True)


def test_office_forms_need_a_csrf_token(app, things):
    import re

    from app import create_app
    from app.models import Notification

    guarded = create_app({**app.config, "WTF_CSRF_ENABLED": True})
    browser = guarded.test_client()
    login_page = browser.get("/auth/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    browser.post("/auth/login", data={"email": "office@example.org",
                                      "password": "correct horse", "csrf_token": csrf})
    url = f"/admin/mail/{things['mail']}/retry"
    assert browser.post(url).status_code == 400
    assert db.session.get(Notification, things["mail"]).state == "failed"
    page = browser.get("/admin/mail").get_data(as_text=True)
    assert 'name="csrf_token"' in page
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert browser.post(url, data={"csrf_token": csrf}).status_code == 302
    assert db.session.get(Notification, things["mail"]).state == "queued"


def test_generic_report_route_needs_a_login(client, things):
    response = client.get(f"/report/resource/{things['resource']}")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


def test_admin_required_guards_views_of_other_areas(app, things):
    """The decorator other areas may use: login redirect, 403, or the view."""
    from app import create_app
    from app.admin.routes import admin_required

    other = create_app(dict(app.config))

    @other.get("/elsewhere")
    @admin_required
    def elsewhere():
        return "inside"

    browser = other.test_client()
    assert browser.get("/elsewhere").headers["Location"].startswith("/auth/login")
    browser.post("/auth/login", data={"email": "someone@example.org",
                                      "password": "correct horse"})
    assert browser.get("/elsewhere").status_code == 403
    browser.post("/auth/logout")
    browser.post("/auth/login", data={"email": "office@example.org",
                                      "password": "correct horse"})
    assert browser.get("/elsewhere").get_data(as_text=True) == "inside"
