"""Photos of resources: checked by content, stripped of metadata, stored in two sizes.

An upload is opened with Pillow (never trusting its name or declared type), turned upright
(`exif_transpose`), re-encoded without EXIF/XMP and saved as resized copies named
`<stem>-<size>.<ext>` under UPLOAD_FOLDER/photos, where `stem` is random and unguessable.
"""

from __future__ import annotations

import io
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from app.errors import DomainError

SIZES = (480, 1280)  # lists, detail
LIST_SIZE, DETAIL_SIZE = SIZES
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MIMETYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
MAX_PIXELS = 40_000_000  # refuse decompression bombs long before Pillow's own limit
NAME = re.compile(r"^(?P<stem>[0-9a-f]{32})-(?P<size>480|1280)\.(?P<ext>jpg|png|webp)$")


class PhotoError(DomainError):
    """An upload that is not a usable photo."""

    status = 422
    code = "bad_photo"


@dataclass
class StoredPhoto:
    stem: str
    ext: str
    width: int
    height: int


def photo_folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / "photos"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def file_name(stem: str, ext: str, size: int) -> str:
    return f"{stem}-{size}.{ext}"


def _open(data: bytes) -> tuple[Image.Image, str]:
    limit = current_app.config["PHOTO_MAX_BYTES"]
    if len(data) > limit:
        raise PhotoError(
            _("The photo is too large (at most %(mb)s MB).", mb=round(limit / 1024 / 1024, 1))
        )
    if not data:
        raise PhotoError(_("The file is empty."))
    try:
        image = Image.open(io.BytesIO(data), formats=list(FORMATS))
    except (UnidentifiedImageError, OSError, ValueError) as error:
        raise PhotoError(_("Please upload a JPEG, PNG or WebP photo.")) from error
    if image.format not in FORMATS:
        raise PhotoError(_("Please upload a JPEG, PNG or WebP photo."))
    width, height = image.size
    if width < 1 or height < 1 or width * height > MAX_PIXELS:
        raise PhotoError(_("The photo has too many pixels."))
    try:
        image.load()
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        raise PhotoError(_("The photo could not be read; it may be damaged.")) from error
    return image, FORMATS[image.format]


def _prepare(image: Image.Image, ext: str) -> Image.Image:
    """Upright, first frame only, in a mode the output format can hold."""
    if getattr(image, "n_frames", 1) > 1:
        image.seek(0)
    upright = ImageOps.exif_transpose(image)
    if ext == "jpg":
        if upright.mode not in ("RGB", "L"):
            upright = upright.convert("RGB")
    elif ext == "webp":
        if upright.mode not in ("RGB", "RGBA"):
            upright = upright.convert("RGBA" if upright.has_transparency_data else "RGB")
    elif upright.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        upright = upright.convert("RGBA")
    return upright


def _encode(image: Image.Image, ext: str, icc: bytes | None) -> bytes:
    out = io.BytesIO()
    # Only what is named here is written: no EXIF, no XMP, no text chunks.
    options: dict = {"icc_profile": icc} if icc else {}
    if ext == "jpg":
        image.save(out, "JPEG", quality=85, optimize=True, progressive=True, **options)
    elif ext == "webp":
        image.save(out, "WEBP", quality=82, method=4, **options)
    else:
        image.save(out, "PNG", optimize=True, **options)
    return out.getvalue()


def store_photo(data: bytes) -> StoredPhoto:
    """Check, clean and store an uploaded photo in every size; raise PhotoError if unusable."""
    image, ext = _open(data)
    icc = image.info.get("icc_profile")
    upright = _prepare(image, ext)
    stem = secrets.token_hex(16)
    folder = photo_folder()
    written: list[Path] = []
    width = height = 0
    try:
        for size in SIZES:
            copy = upright.copy()
            copy.thumbnail((size, size), Image.Resampling.LANCZOS)
            path = folder / file_name(stem, ext, size)
            path.write_bytes(_encode(copy, ext, icc))
            written.append(path)
            width, height = copy.size
    except Exception:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return StoredPhoto(stem=stem, ext=ext, width=width, height=height)


def remove_files(stem: str, ext: str) -> None:
    for size in SIZES:
        (photo_folder() / file_name(stem, ext, size)).unlink(missing_ok=True)


def resolve(name: str) -> tuple[Path, str] | None:
    """The file and MIME type for a served photo name, or None (no other path is reachable)."""
    match = NAME.fullmatch(name)
    if match is None:
        return None
    path = photo_folder() / name
    if not path.is_file():
        return None
    return path, MIMETYPES[match.group("ext")]
