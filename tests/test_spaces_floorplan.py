"""Floor plans and exposés: only the owner uploads, only PDFs, served as application/pdf."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from app.extensions import db
from app.models import Resource

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture
def scene(make_person, make_space, make_org):
    owner = make_person("owner@example.org")
    manager = make_person("manager@example.org")
    make_person("applicant@example.org")
    make_person("other@example.org")
    make_person("admin@example.org", admin=True)
    org = make_org("Hausverwaltung", kind="property_owner", managers=(manager,))
    return {
        "space": make_space(owner=owner, title="Laden"),
        "org_space": make_space(org=org, title="Büro"),
    }


def upload(client, space_id: int, data: bytes = PDF, name: str = "plan.pdf"):
    return client.post(
        f"/spaces/{space_id}/floor-plan",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def stored(app, space: Resource) -> Path | None:
    db.session.expire_all()
    name = db.session.get(Resource, space.id).floor_plan_file
    return Path(app.config["UPLOAD_FOLDER"]) / "floorplans" / name if name else None


@pytest.mark.parametrize(
    ("who", "space", "expected"),
    (
        ("anonymous", "space", "login"),
        ("applicant", "space", 403),
        ("owner", "space", 302),
        ("other", "space", 403),
        ("admin", "space", 403),  # the office moderates, the owner uploads
        ("manager", "org_space", 302),  # a manager of the owning organisation
        ("owner", "org_space", 403),
    ),
)
def test_who_may_upload_a_floor_plan(client, auth, app, scene, who, space, expected):
    if who != "anonymous":
        auth.login(f"{who}@example.org")
    target = scene[space]
    page = client.get(f"/spaces/{target.id}/floor-plan")
    response = upload(client, target.id)
    if expected == "login":
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/auth/login")
        assert page.headers["Location"].startswith("/auth/login")
    else:
        assert response.status_code == expected
        assert page.status_code == (200 if expected == 302 else expected)
    path = stored(app, target)
    assert (path is not None) is (expected == 302)
    if path is not None:
        assert path.read_bytes() == PDF
        assert path.name != "plan.pdf"  # a generated name, never the uploaded one


@pytest.mark.parametrize(
    ("data", "name", "status"),
    (
        (b"GIF89a not a pdf", "plan.pdf", 422),  # the name says PDF, the content does not
        (b"", "plan.pdf", 422),  # empty
        (b"  %PDF-1.4", "plan.pdf", 422),  # must start with the signature
        (b"%PDF-1.7" + b"x" * 2000, "expose.PDF", 413),  # larger than PDF_MAX_BYTES
    ),
)
def test_only_small_pdfs_are_kept(client, auth, app, scene, monkeypatch, data, name, status):
    monkeypatch.setitem(app.config, "PDF_MAX_BYTES", 1024)
    auth.login("owner@example.org")
    response = upload(client, scene["space"].id, data, name)
    assert response.status_code == status
    assert 'class="error-summary"' in response.get_data(as_text=True)
    assert stored(app, scene["space"]) is None


def test_a_file_is_required(client, auth, scene):
    auth.login("owner@example.org")
    response = client.post(
        f"/spaces/{scene['space'].id}/floor-plan", data={}, content_type="multipart/form-data"
    )
    assert response.status_code == 422


@pytest.mark.parametrize("who", ("anonymous", "applicant", "owner", "other", "admin"))
def test_everyone_who_sees_the_space_gets_the_pdf(client, auth, scene, who):
    auth.login("owner@example.org")
    upload(client, scene["space"].id)
    auth.logout()
    if who != "anonymous":
        auth.login(f"{who}@example.org")
    response = client.get(f"/spaces/{scene['space'].id}/floor-plan.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.data == PDF
    response.close()


def test_no_pdf_without_a_floor_plan_or_for_a_hidden_space(client, auth, scene):
    assert client.get(f"/spaces/{scene['space'].id}/floor-plan.pdf").status_code == 404
    auth.login("owner@example.org")
    upload(client, scene["space"].id)
    auth.logout()
    scene["space"].status = "paused"
    db.session.commit()
    assert client.get(f"/spaces/{scene['space'].id}/floor-plan.pdf").status_code == 404
    assert client.get("/spaces/999999/floor-plan.pdf").status_code == 404


def test_replacing_and_removing_delete_the_old_file(client, auth, app, scene):
    auth.login("owner@example.org")
    upload(client, scene["space"].id)
    first = stored(app, scene["space"])
    upload(client, scene["space"].id, PDF + b"% second\n")
    second = stored(app, scene["space"])
    assert second != first and not first.exists() and second.exists()
    html = client.get("/spaces").get_data(as_text=True)
    assert f'/spaces/{scene["space"].id}/floor-plan.pdf' in html
    response = client.post(f"/spaces/{scene['space'].id}/floor-plan/remove")
    assert response.status_code == 302
    assert stored(app, scene["space"]) is None and not second.exists()


@pytest.mark.parametrize("who", ("anonymous", "applicant", "other", "admin"))
def test_only_the_owner_removes_the_floor_plan(client, auth, app, scene, who):
    auth.login("owner@example.org")
    upload(client, scene["space"].id)
    auth.logout()
    if who != "anonymous":
        auth.login(f"{who}@example.org")
    response = client.post(f"/spaces/{scene['space'].id}/floor-plan/remove")
    assert response.status_code in ((302,) if who == "anonymous" else (403,))
    assert stored(app, scene["space"]) is not None


def test_floor_plans_belong_to_spaces_only(client, auth, scene):
    scene["space"].kind = "room"
    db.session.commit()
    auth.login("owner@example.org")
    assert upload(client, scene["space"].id).status_code == 404
