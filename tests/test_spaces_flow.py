"""The whole exchange through the web: an owner offers a space, an initiative asks,
both talk by thread and mail, agree on a period, and a second, overlapping
acceptance is refused."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Inquiry, Reservation
from tests.factories_spaces import in_days

PDF = b"%PDF-1.5\n%%EOF\n"


def link_in(text: str) -> str:
    match = re.search(r"http://allmende\.test(/spaces/inquiries/\d+)", text)
    assert match, text
    return match.group(1)


@pytest.fixture
def town(make_person, make_org, make_space):
    owner = make_person("hv@example.org", name="Hausverwaltung Steinweg (Klaus)")
    applicant = make_person("repair@example.org", name="Jonas vom Repair-Café")
    second = make_person("culture@example.org", name="Marta vom Kulturverein")
    office = make_person("office@example.org", name="Sabine (Projektbüro)", admin=True)
    property_owner = make_org("Hausverwaltung Steinweg", kind="property_owner", managers=(owner,))
    repair = make_org("Repair-Café", members=(applicant,))
    space = make_space(
        org=property_owner,
        title="Ehemaliger Buchladen",
        permitted_uses=["workshop", "popup_shop"],
        lat=51.3427,
        lon=9.8585,
        available_until=in_days(120),
    )
    return {
        "owner": owner, "applicant": applicant, "second": second, "office": office,
        "space": space, "repair": repair,
    }


def test_inquiry_talk_agreement_and_a_refused_overlap(client, auth, town, deliver, mailbox):
    space = town["space"]

    # The owner adds the floor plan to the space.
    auth.login("hv@example.org")
    response = client.post(
        f"/spaces/{space.id}/floor-plan",
        data={"file": (io.BytesIO(PDF), "grundriss.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    auth.logout()

    # The applicant finds the space by its permitted use and sends an inquiry for
    # the Repair-Café.
    auth.login("repair@example.org")
    listing = client.get("/spaces?use=workshop").get_data(as_text=True)
    assert "Ehemaliger Buchladen" in listing
    assert f"/spaces/{space.id}/floor-plan.pdf" in listing
    with client.get(f"/spaces/{space.id}/floor-plan.pdf") as plan:
        assert plan.data == PDF and plan.mimetype == "application/pdf"
    response = client.post(
        f"/spaces/{space.id}/inquire",
        data={
            "intended_use": "workshop",
            "period_from": in_days(20).isoformat(),
            "period_until": in_days(50).isoformat(),
            "concept": "Eine Reparaturwerkstatt auf Zeit, jeden Samstag geöffnet.",
            "organisation_id": str(town["repair"].id),
        },
    )
    assert response.status_code == 302
    thread = response.headers["Location"]
    auth.logout()

    # The owner is told by mail, with a link to the thread.
    box = deliver()
    [mail] = box.to("hv@example.org")
    assert mail["Subject"] == "Neue Anfrage für Ehemaliger Buchladen"  # German by default
    text = box.text(mail)
    assert "Reparaturwerkstatt auf Zeit" in text
    assert link_in(text) == thread
    assert "Reparaturwerkstatt auf Zeit" in box.html(mail)
    mailbox.clear()

    # The owner writes back; the applicant receives the message by mail.
    auth.login("hv@example.org")
    page = client.get(thread).get_data(as_text=True)
    assert "Repair-Café" in page and "Jonas vom Repair-Café" in page
    response = client.post(
        f"{thread}/messages", data={"message-body": "Gern! Brauchen Sie Starkstrom?"}
    )
    assert response.status_code == 302
    auth.logout()
    box = deliver()
    [mail] = box.to("repair@example.org")
    assert "Gern! Brauchen Sie Starkstrom?" in box.text(mail)
    assert link_in(box.text(mail)) == thread
    assert box.to("hv@example.org") == []  # nobody is mailed their own message
    mailbox.clear()

    # The applicant answers in the thread; the owner gets it by mail.
    auth.login("repair@example.org")
    client.post(f"{thread}/messages", data={"message-body": "Ja, für die Drehbank."})
    auth.logout()
    box = deliver()
    [mail] = box.to("hv@example.org")
    assert "Ja, für die Drehbank." in box.text(mail)
    mailbox.clear()

    # The project office joins as mediator and from then on is mailed too.
    auth.login("office@example.org")
    assert "Ehemaliger Buchladen" in client.get("/spaces/inquiries").get_data(as_text=True)
    assert client.post(f"{thread}/mediate", data={}).status_code == 302
    auth.logout()
    box = deliver()
    assert len(box.to("hv@example.org")) == 1 and len(box.to("repair@example.org")) == 1
    mailbox.clear()

    # The owner proposes a shorter period; the applicant agrees, which books the space.
    auth.login("hv@example.org")
    response = client.post(
        f"{thread}/propose",
        data={
            "propose-period_from": in_days(20).isoformat(),
            "propose-period_until": in_days(40).isoformat(),
            "propose-body": "Ab Tag 41 ist der Laden vermietet.",
        },
    )
    assert response.status_code == 302
    auth.logout()
    box = deliver()
    [mail] = box.to("repair@example.org")
    assert "Ab Tag 41 ist der Laden vermietet." in box.text(mail)
    assert len(box.to("office@example.org")) == 1
    mailbox.clear()

    auth.login("repair@example.org")
    response = client.post(f"{thread}/agree", data={"agree-body": "Abgemacht!"})
    assert response.status_code == 302
    page = client.get(thread).get_data(as_text=True)
    assert "status-accepted" in page
    auth.logout()
    inquiry = db.session.scalar(select(Inquiry).where(Inquiry.space_id == space.id))
    assert inquiry.status == "accepted"
    reservation = db.session.get(Reservation, inquiry.reservation_id)
    assert reservation.status == "confirmed"
    assert reservation.requester_id == town["applicant"].id
    box = deliver()
    owner_mails = box.to("hv@example.org")
    assert any("Abgemacht!" in box.text(m) for m in owner_mails)
    mailbox.clear()

    # The agreed use shows in the listing: not free in that period any more.
    busy = f"available_from={in_days(30).isoformat()}&available_to={in_days(31).isoformat()}"
    assert "Ehemaliger Buchladen" not in client.get(f"/spaces?{busy}").get_data(as_text=True)

    # A second initiative asks for an overlapping period ...
    auth.login("culture@example.org")
    response = client.post(
        f"/spaces/{space.id}/inquire",
        data={
            "intended_use": "popup_shop",
            "period_from": in_days(35).isoformat(),
            "period_until": in_days(45).isoformat(),
            "concept": "Ein Kunstmarkt vor Weihnachten.",
            "organisation_id": "0",
        },
    )
    assert response.status_code == 302
    second_thread = response.headers["Location"]
    auth.logout()
    mailbox.clear()

    # ... and the owner's acceptance of it is refused with a message, nothing booked.
    auth.login("hv@example.org")
    response = client.post(
        f"{second_thread}/accept",
        data={
            "accept-period_from": in_days(35).isoformat(),
            "accept-period_until": in_days(45).isoformat(),
        },
    )
    assert response.status_code == 409
    assert "flash-error" in response.get_data(as_text=True)
    second = db.session.get(Inquiry, int(second_thread.rsplit("/", 1)[1]))
    db.session.refresh(second)
    assert second.status == "open" and second.reservation_id is None
    box = deliver()
    assert box.to("culture@example.org") == []  # no acceptance was sent

    # A period after the first use can be agreed.
    response = client.post(
        f"{second_thread}/accept",
        data={
            "accept-period_from": in_days(41).isoformat(),
            "accept-period_until": in_days(45).isoformat(),
        },
    )
    assert response.status_code == 302
    db.session.refresh(second)
    assert second.status == "accepted"
    held = db.session.scalars(
        select(Reservation).where(Reservation.resource_id == space.id).order_by(Reservation.start)
    ).all()
    assert len(held) == 2 and held[0].end <= held[1].start
