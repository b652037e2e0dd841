"""Listings hidden and shown again, organisations verified, categories, closures, failed mail."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.db import utcnow
from app.extensions import db
from app.models import Category, Closure, Notification


@pytest.fixture
def office(admin_person, auth):
    person = admin_person("office@example.org", admin=True)
    auth.login("office@example.org")
    return person


# ------------------------------------------------------------- listings ----
@pytest.mark.parametrize("status", ["active", "paused", "archived"])
def test_hiding_keeps_the_owners_status_and_unhiding_restores_it(
    client, office, admin_person, admin_resource, status
):
    owner = admin_person("owner@example.org")
    resource = admin_resource("item", owner=owner, status=status)
    response = client.post(f"/admin/listings/{resource.id}/hide",
                           data={"reason": "Falsche Angaben zum Zustand"})
    assert response.status_code == 302
    db.session.refresh(resource)
    assert resource.hidden_at is not None
    assert resource.hidden_reason == "Falsche Angaben zum Zustand"
    assert resource.status == status
    assert not resource.is_visible_publicly

    client.post(f"/admin/listings/{resource.id}/unhide")
    db.session.refresh(resource)
    assert (resource.hidden_at, resource.hidden_reason, resource.status) == (None, None, status)


def test_the_owner_is_told_why_by_mail(client, office, admin_person, admin_resource, deliver):
    owner = admin_person("owner@example.org")
    resource = admin_resource("item", owner=owner, title="Kettensäge")
    client.post(f"/admin/listings/{resource.id}/hide", data={"reason": "Ohne Schutzausrüstung"})
    box = deliver()
    (mail,) = box.to("owner@example.org")
    assert "Kettensäge" in mail["Subject"]
    text = box.text(mail)
    assert "Ohne Schutzausrüstung" in text
    assert f"/resources/{resource.id}" in text


def test_the_managers_of_an_organisation_are_told(client, office, admin_person, make_org,
                                                 admin_resource, deliver):
    one, two = admin_person("one@example.org"), admin_person("two@example.org")
    member = admin_person("member@example.org")
    org = make_org(managers=(one, two), members=(member,))
    resource = admin_resource("room", org=org)
    client.post(f"/admin/listings/{resource.id}/hide", data={"reason": "Doppelt eingestellt"})
    box = deliver()
    assert len(box.to("one@example.org")) == 1
    assert len(box.to("two@example.org")) == 1
    assert box.to("member@example.org") == []


def test_hiding_needs_a_reason(client, office, admin_person, admin_resource):
    resource = admin_resource("item", owner=admin_person())
    assert client.post(f"/admin/listings/{resource.id}/hide",
                       data={"reason": ""}).status_code == 422
    db.session.refresh(resource)
    assert resource.hidden_at is None


def test_listing_list_finds_hidden_ones(client, office, admin_person, admin_resource):
    owner = admin_person()
    hidden = admin_resource("item", owner=owner, title="Verstecktes Ding")
    admin_resource("item", owner=owner, title="Sichtbares Ding")
    client.post(f"/admin/listings/{hidden.id}/hide", data={"reason": "Spam"})
    html = client.get("/admin/listings", query_string={"hidden": "1"}).get_data(as_text=True)
    assert "Verstecktes Ding" in html and "Sichtbares Ding" not in html
    html = client.get("/admin/listings", query_string={"q": "sichtbar"}).get_data(as_text=True)
    assert "Sichtbares Ding" in html and "Verstecktes Ding" not in html


# -------------------------------------------------------- organisations ----
def test_verify_and_unverify_an_organisation(client, office, make_org):
    org = make_org("Gemeinschaftsgarten")
    assert client.post(f"/admin/orgs/{org.id}/verify", data={"value": "1"}).status_code == 302
    db.session.refresh(org)
    assert org.verified_at is not None
    client.post(f"/admin/orgs/{org.id}/verify", data={"value": "0"})
    db.session.refresh(org)
    assert org.verified_at is None


def test_unverified_filter(client, office, make_org):
    make_org("Geprüfte Initiative").verified_at = utcnow()
    db.session.commit()
    make_org("Neue Initiative")
    html = client.get("/admin/orgs", query_string={"unverified": "1"}).get_data(as_text=True)
    assert "Neue Initiative" in html and "Geprüfte Initiative" not in html


# ----------------------------------------------------------- categories ----
def test_add_a_category_with_estimates(client, office):
    response = client.post("/admin/categories/new", data={
        "slug": "lastenraeder", "name_de": "Lastenräder", "name_en": "Cargo bikes",
        "label_de": "", "label_en": "", "position": "3",
        "avoided_purchase": "2499,00",  # typed the German way
        "avoided_co2": "120,5",
    })
    assert response.status_code == 302
    category = db.session.scalar(db.select(Category).where(Category.slug == "lastenraeder"))
    assert (category.name_de, category.name_en, category.position) == (
        "Lastenräder", "Cargo bikes", 3)
    assert category.avoided_purchase_cents == 249900
    assert category.avoided_co2_grams == 120500


def test_edit_names_order_and_clear_estimates(client, office, admin_category):
    category = admin_category("Werkzeug", purchase_cents=8000, co2_grams=20000)
    page = client.get(f"/admin/categories/{category.id}").get_data(as_text=True)
    assert 'value="80.00"' in page or 'value="80,00"' in page
    response = client.post(f"/admin/categories/{category.id}", data={
        "name_de": "Werkzeuge", "name_en": "Tools", "label_de": "Bohren, Sägen",
        "label_en": "Drilling, sawing", "position": "1", "avoided_purchase": "",
        "avoided_co2": "",
    })
    assert response.status_code == 302
    db.session.refresh(category)
    assert (category.name_de, category.label_en, category.position) == (
        "Werkzeuge", "Drilling, sawing", 1)
    assert (category.avoided_purchase_cents, category.avoided_co2_grams) == (None, None)


@pytest.mark.parametrize(
    ("field", "value"),
    (
        ("avoided_purchase", "-5"),       # negative
        ("avoided_co2", "viel"),          # not a number
        ("name_de", ""),                  # a name is required
        ("position", "-1"),
    ),
)
def test_bad_category_input_is_refused(client, office, admin_category, field, value):
    category = admin_category("Werkzeug")
    data = {"name_de": "Werkzeug", "name_en": "Tools", "position": "0",
            "avoided_purchase": "", "avoided_co2": "", field: value}
    assert client.post(f"/admin/categories/{category.id}", data=data).status_code == 422


def test_slug_must_be_unique(client, office, admin_category):
    taken = admin_category("Werkzeug")
    response = client.post("/admin/categories/new", data={
        "slug": taken.slug, "name_de": "Noch mal", "name_en": "Again", "position": "0"})
    assert response.status_code == 422


def test_categories_are_listed_in_their_order(client, office, admin_category):
    admin_category("Zweite", position=2)
    admin_category("Erste", position=1)
    html = client.get("/admin/categories").get_data(as_text=True)
    assert html.index("Erste") < html.index("Zweite")


# ------------------------------------------------------------- closures ----
def test_add_and_remove_a_town_wide_closure(client, office):
    response = client.post("/admin/closures", data={
        "start_date": "2030-12-24", "end_date": "2030-12-31", "reason": "Weihnachtspause"})
    assert response.status_code == 302
    closure = db.session.scalar(db.select(Closure).where(Closure.reason == "Weihnachtspause"))
    assert (closure.resource_id, closure.organisation_id) == (None, None)
    assert (closure.start_date, closure.end_date) == (date(2030, 12, 24), date(2030, 12, 31))
    assert "Weihnachtspause" in client.get("/admin/closures").get_data(as_text=True)

    assert client.post(f"/admin/closures/{closure.id}/delete").status_code == 302
    assert db.session.get(Closure, closure.id) is None


@pytest.mark.parametrize(
    ("start", "end", "reason"),
    (
        ("2030-12-31", "2030-12-24", "Rückwärts"),   # last day before the first
        ("2030-12-24", "", "Ohne Ende"),
        ("2030-12-24", "2030-12-26", ""),            # no reason
    ),
)
def test_bad_closures_are_refused(client, office, start, end, reason):
    response = client.post("/admin/closures", data={
        "start_date": start, "end_date": end, "reason": reason})
    assert response.status_code == 422
    assert db.session.scalar(db.select(db.func.count(Closure.id))) == 0


def test_a_resources_own_closure_is_not_removed_here(client, office, admin_person,
                                                     admin_resource):
    resource = admin_resource("item", owner=admin_person())
    own = Closure(resource_id=resource.id, start_date=date(2030, 1, 1),
                  end_date=date(2030, 1, 2), reason="Reparatur")
    db.session.add(own)
    db.session.commit()
    assert client.post(f"/admin/closures/{own.id}/delete").status_code == 403
    assert db.session.get(Closure, own.id) is not None


# ----------------------------------------------------------------- mail ----
def test_failed_mail_is_listed_and_sent_again(client, office, admin_person, admin_failed_mail,
                                              deliver):
    person = admin_person("unreachable@example.org")
    note = admin_failed_mail(person, subject="Erinnerung an die Bohrmaschine")
    html = client.get("/admin/mail").get_data(as_text=True)
    assert "Erinnerung an die Bohrmaschine" in html and "451 local error" in html

    before = utcnow()
    assert client.post(f"/admin/mail/{note.id}/retry").status_code == 302
    db.session.refresh(note)
    assert (note.state, note.attempts) == ("queued", 0)
    assert before - timedelta(seconds=1) <= note.next_attempt_at <= utcnow()

    box = deliver()
    assert len(box.to("unreachable@example.org")) == 1
    db.session.refresh(note)
    assert note.state == "sent"


def test_send_every_failed_message_again(client, office, admin_person, admin_failed_mail):
    person = admin_person()
    notes = [admin_failed_mail(person) for _ in range(3)]
    assert client.post("/admin/mail/retry-all").status_code == 302
    for note in notes:
        db.session.refresh(note)
        assert (note.state, note.attempts) == ("queued", 0)


def test_only_failed_mail_is_retried(client, office, admin_person, admin_failed_mail):
    note = admin_failed_mail(admin_person())
    note.state = "sent"
    db.session.commit()
    client.post(f"/admin/mail/{note.id}/retry")
    assert db.session.get(Notification, note.id).state == "sent"


# ------------------------------------------------------------- overview ----
def test_overview_counts_what_waits(client, office, admin_person, admin_resource,
                                    admin_report, admin_failed_mail):
    person = admin_person()
    resource = admin_resource("item", owner=person)
    admin_report(person, resource)
    admin_report(person, resource, state="resolved")
    admin_failed_mail(person)
    html = client.get("/admin").get_data(as_text=True)
    assert "Offene Meldungen: 1" in html
    assert "Nicht zustellbare Nachrichten: 1" in html


def test_a_new_category_needs_a_short_name(client, office):
    response = client.post("/admin/categories/new", data={
        "slug": "", "name_de": "Ohne", "name_en": "Without", "position": "0"})
    assert response.status_code == 422
    assert 'href="#slug"' in response.get_data(as_text=True)
