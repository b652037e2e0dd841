"""Photos: checked by content, metadata removed, two sizes, served safely, ordered, described."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from app.extensions import db
from app.models import Photo


def image_bytes(fmt: str, size=(200, 100), *, exif: bool = False, colour="red") -> bytes:
    image = Image.new("RGB", size, colour)
    out = io.BytesIO()
    options = {}
    if exif:
        data = Image.Exif()
        data[0x0112] = 6  # orientation: rotate 90° clockwise to show upright
        data[0x010F] = "SecretCam"  # make
        data[0x8825] = {1: "N", 2: (51.0, 20.0, 30.0)}  # GPS position
        options["exif"] = data.tobytes()
    image.save(out, fmt, **options)
    return out.getvalue()


@pytest.fixture
def offer(make_user, make_resource):
    owner = make_user()
    return owner, make_resource(owner=owner, title="Zelt")


def upload(client, resource, data: bytes, name="photo.jpg", alt="Grünes Zelt"):
    return client.post(
        f"/resources/{resource.id}/photos",
        data={"photo": (io.BytesIO(data), name), "alt_text": alt},
        content_type="multipart/form-data",
    )


def stored(app, photo: Photo, size: int) -> Path:
    return Path(app.config["UPLOAD_FOLDER"]) / "photos" / f"{photo.stem}-{size}.{photo.ext}"


# Accepted by content, whatever the file is called.
@pytest.mark.parametrize(
    ("fmt", "name", "ext", "mimetype"),
    (
        ("JPEG", "holiday.jpg", "jpg", "image/jpeg"),
        ("PNG", "scan.png", "png", "image/png"),
        ("WEBP", "phone.webp", "webp", "image/webp"),
        ("PNG", "misnamed.jpg", "png", "image/png"),  # the name does not decide
    ),
)
def test_upload_stores_two_sizes_and_serves_them(
    app, client, auth, offer, fmt, name, ext, mimetype
):
    owner, resource = offer
    auth.login(owner.email)
    response = upload(client, resource, image_bytes(fmt, (2000, 1500)), name=name)
    assert response.status_code == 302
    db.session.refresh(resource)
    [photo] = resource.photos
    assert photo.ext == ext and photo.alt_text == "Grünes Zelt"
    assert (photo.width, photo.height) == (1280, 960)
    with Image.open(stored(app, photo, 480)) as small:
        assert small.size == (480, 360)
    with client.get(f"/media/photos/{photo.stem}-1280.{ext}") as served:
        assert served.status_code == 200
        assert served.mimetype == mimetype
        assert "max-age=31536000" in served.headers["Cache-Control"]
        assert served.headers["X-Content-Type-Options"] == "nosniff"
        assert Image.open(io.BytesIO(served.data)).size == (1280, 960)


def test_exif_is_removed_after_turning_the_photo_upright(app, client, auth, offer):
    owner, resource = offer
    auth.login(owner.email)
    upload(client, resource, image_bytes("JPEG", (200, 100), exif=True))
    db.session.refresh(resource)
    [photo] = resource.photos
    for size in (480, 1280):
        raw = stored(app, photo, size).read_bytes()
        assert b"SecretCam" not in raw
        with Image.open(io.BytesIO(raw)) as image:
            assert image.size == (100, 200)  # turned upright (portrait)
            assert not image.getexif()
            assert "exif" not in image.info


# Refused: not a photo, a format we do not take, too large, no description.
@pytest.mark.parametrize(
    ("data", "alt", "field"),
    (
        (b"<?php echo 'hi'; ?>", "Zelt", "photo"),  # text named .jpg
        (image_bytes("GIF"), "Zelt", "photo"),  # GIF is not taken
        (image_bytes("BMP"), "Zelt", "photo"),
        (b"", "Zelt", "photo"),  # empty
        (image_bytes("JPEG"), "", "alt_text"),  # a description is required
        (image_bytes("JPEG"), "   ", "alt_text"),
    ),
)
def test_bad_uploads_are_refused(client, auth, offer, data, alt, field):
    owner, resource = offer
    auth.login(owner.email)
    response = upload(client, resource, data, alt=alt)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    db.session.refresh(resource)
    assert resource.photos == []


def test_too_large_photos_are_refused(app, client, auth, offer, monkeypatch):
    owner, resource = offer
    auth.login(owner.email)
    data = image_bytes("PNG", (400, 400))
    monkeypatch.setitem(app.config, "PHOTO_MAX_BYTES", len(data) - 1)
    response = upload(client, resource, data)
    assert response.status_code == 422
    assert 'id="photo-error"' in response.get_data(as_text=True)


# Only stored photo names are served: nothing else in or outside the upload folder.
@pytest.mark.parametrize(
    "name",
    (
        "..%2F..%2Fconfig.py",
        "%2E%2E%2Fsecret",
        "photo.jpg",
        "0123456789abcdef0123456789abcdef-480.gif",
        "0123456789abcdef0123456789abcdef-480.jpg",  # well-formed, but not stored
        "0123456789abcdef0123456789abcdef-999.jpg",
    ),
)
def test_no_other_files_are_served(app, client, name):
    (Path(app.config["UPLOAD_FOLDER"]) / "secret").write_text("no")
    assert client.get(f"/media/photos/{name}").status_code == 404
    assert client.get(f"/media/photos/../{name}").status_code == 404


def test_photos_are_ordered_moved_described_and_removed(app, client, auth, offer):
    owner, resource = offer
    auth.login(owner.email)
    for n, colour in enumerate(("red", "green", "blue")):
        upload(client, resource, image_bytes("PNG", colour=colour), alt=f"Photo {n}")
    db.session.refresh(resource)

    def order():
        db.session.expire_all()
        return [p.alt_text for p in resource.photos]

    assert order() == ["Photo 0", "Photo 1", "Photo 2"]
    last = resource.photos[2]
    client.post(f"/resources/{resource.id}/photos/{last.id}/move", data={"direction": "up"})
    assert order() == ["Photo 0", "Photo 2", "Photo 1"]
    client.post(f"/resources/{resource.id}/photos/{last.id}/move", data={"direction": "up"})
    assert order() == ["Photo 2", "Photo 0", "Photo 1"]  # now the cover
    client.post(f"/resources/{resource.id}/photos/{last.id}/move", data={"direction": "up"})
    assert order() == ["Photo 2", "Photo 0", "Photo 1"]  # already first
    bad = client.post(f"/resources/{resource.id}/photos/{last.id}/move", data={"direction": "x"})
    assert bad.status_code == 400

    client.post(
        f"/resources/{resource.id}/photos/{last.id}/alt", data={f"p{last.id}-alt_text": "Blue tent"}
    )
    assert order()[0] == "Blue tent"
    client.post(f"/resources/{resource.id}/photos/{last.id}/alt", data={f"p{last.id}-alt_text": ""})
    assert order()[0] == "Blue tent"  # a description cannot be emptied

    files = [stored(app, last, size) for size in (480, 1280)]
    assert all(path.exists() for path in files)
    client.post(f"/resources/{resource.id}/photos/{last.id}/delete")
    assert order() == ["Photo 0", "Photo 1"]
    assert not any(path.exists() for path in files)

    html = client.get(f"/resources/{resource.id}").get_data(as_text=True)
    assert 'alt="Photo 0"' in html and 'alt="Photo 1"' in html


def test_another_persons_photos_are_out_of_reach(client, auth, make_user, offer):
    owner, resource = offer
    auth.login(owner.email)
    upload(client, resource, image_bytes("PNG"))
    db.session.refresh(resource)
    photo = resource.photos[0]
    auth.logout()
    auth.login(make_user().email)
    assert upload(client, resource, image_bytes("PNG")).status_code == 403
    base = f"/resources/{resource.id}/photos/{photo.id}"
    assert client.post(f"{base}/delete").status_code == 403
    assert client.post(f"{base}/move", data={"direction": "down"}).status_code == 403
    assert client.post(f"{base}/alt", data={f"p{photo.id}-alt_text": "Mine"}).status_code == 403
    db.session.expire_all()
    assert [p.alt_text for p in resource.photos] == ["Grünes Zelt"]


def test_a_photo_with_the_new_offer(client, auth, make_user):
    from tests.test_catalogue_offer import ITEM, latest

    auth.login(make_user().email)
    data = {**ITEM, "photo": (io.BytesIO(image_bytes("JPEG")), "p.jpg"), "photo_alt": "Bohrer"}
    response = client.post(
        "/resources/new?kind=item", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 302
    assert [p.alt_text for p in latest().photos] == ["Bohrer"]

    data = {**ITEM, "photo": (io.BytesIO(image_bytes("JPEG")), "p.jpg"), "photo_alt": ""}
    response = client.post(
        "/resources/new?kind=item", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert 'id="photo_alt-error"' in response.get_data(as_text=True)
