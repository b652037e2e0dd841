"""Offering resources: create, edit, pause, archive, photos; queries other areas call.

Plain functions: the acting person is an argument, refusals are DomainErrors, and they
only flush (the caller commits with `write_transaction`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import gettext as _

from app.catalogue import photos as photo_files
from app.catalogue.search import listing_options, visibility_clause
from app.errors import DomainError, Forbidden, NotFound
from app.extensions import db
from app.models import Membership, Organisation, Photo, Reservation, Resource, User
from app.models.catalogue import KINDS, RENT_MODELS, STATUSES, VISIBILITIES

MAX_PHOTOS = 12
COMMON_FIELDS = (
    "title",
    "description",
    "category_id",
    "address",
    "district",
    "lat",
    "lon",
    "visibility",
    "fee_cents",
    "deposit_cents",
    "units",
    "briefing_required",
    "min_age",
    "rules_text",
)
KIND_FIELDS = {
    "item": (),
    "room": ("capacity", "equipment"),
    "space": (
        "area_m2",
        "floor",
        "shop_window",
        "step_free",
        "rent_model",
        "permitted_uses",
        "available_from",
        "available_until",
    ),
}
# Statuses that show the address of a private lender to the person who reserved.
ADDRESS_STATUSES = ("confirmed", "handed_over", "returned")


# ------------------------------------------------------------------ queries ----
def resources_managed_by(user: User) -> sa.Select:
    """Every resource the person may manage (own ones and their organisations'), any status.

    Newest first, with owner, organisation, category and photos eager-loaded; callers may
    add filters or `.order_by(None).order_by(...)`.
    """
    managed_orgs = sa.select(Membership.organisation_id).where(
        Membership.user_id == user.id, Membership.role == "manager"
    )
    return (
        sa.select(Resource)
        .where(sa.or_(Resource.owner_user_id == user.id, Resource.owner_org_id.in_(managed_orgs)))
        .options(*listing_options())
        .order_by(Resource.created_at.desc(), Resource.id.desc())
    )


def visible_resources(viewer) -> sa.Select:
    """Every resource the viewer may see (None = anonymous), newest first, eager-loaded."""
    return (
        sa.select(Resource)
        .where(visibility_clause(viewer))
        .options(*listing_options())
        .order_by(Resource.created_at.desc(), Resource.id.desc())
    )


def newest_offers(limit: int = 4) -> dict[str, list[Resource]]:
    """The newest public offers of each kind, for the start page."""
    offers: dict[str, list[Resource]] = {}
    for kind in KINDS:
        query = visible_resources(None).where(Resource.kind == kind).limit(limit)
        offers[kind] = list(db.session.scalars(query))
    return offers


def managed_organisations(user: User) -> list[Organisation]:
    """Organisations the person manages, by name."""
    return list(
        db.session.scalars(
            sa.select(Organisation)
            .join(Membership, Membership.organisation_id == Organisation.id)
            .where(Membership.user_id == user.id, Membership.role == "manager")
            .order_by(Organisation.name)
        )
    )


def get_resource(resource_id: int, viewer, *, for_update: bool = False) -> Resource:
    """A resource the viewer may see, or NotFound."""
    query = sa.select(Resource).where(Resource.id == resource_id)
    if for_update:
        query = query.with_for_update()
    resource = db.session.scalar(
        query.options(
            so.selectinload(Resource.owner_user),
            so.selectinload(Resource.owner_org).selectinload(Organisation.memberships),
            so.selectinload(Resource.category),
            so.selectinload(Resource.photos),
        )
    )
    if resource is None or not resource.can_see(viewer):
        raise NotFound(_("There is no such offer, or it is not available to you."))
    return resource


def may_see_address(resource: Resource, viewer) -> bool:
    """A private lender's full address: to them, admins, and people with a confirmed booking."""
    if resource.owner_org_id is not None:
        return True
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return False
    if resource.can_manage(viewer) or getattr(viewer, "is_admin", False):
        return True
    return (
        db.session.scalar(
            sa.select(Reservation.id)
            .where(
                Reservation.resource_id == resource.id,
                Reservation.requester_id == viewer.id,
                Reservation.status.in_(ADDRESS_STATUSES),
            )
            .limit(1)
        )
        is not None
    )


# ------------------------------------------------------------------ writing ----
def _require_manager(actor: User, resource: Resource) -> None:
    if not resource.can_manage(actor):
        raise Forbidden(_("Only the owner or the organisation's managers may change this offer."))


def _check(resource: Resource) -> None:
    errors: dict[str, str] = {}
    if resource.kind not in KINDS:
        errors["kind"] = _("Unknown kind.")
    if resource.visibility not in VISIBILITIES:
        errors["visibility"] = _("Unknown visibility.")
    if (
        resource.visibility == "members"
        and resource.owner_org_id is None
        and resource.owner_org is None
    ):
        errors["visibility"] = _("Only an organisation's offers can be for members only.")
    if not (resource.title or "").strip():
        errors["title"] = _("Please give a title.")
    if (resource.units or 0) < 1:
        errors["units"] = _("At least one unit.")
    if (resource.fee_cents or 0) < 0 or (resource.deposit_cents or 0) < 0:
        errors["fee"] = _("Amounts cannot be negative.")
    if resource.kind == "room" and not resource.capacity:
        errors["capacity"] = _("Please say how many people fit in the room.")
    if resource.kind == "space":
        if not resource.area_m2 or resource.area_m2 <= 0:
            errors["area_m2"] = _("Please give the area in square metres.")
        if resource.rent_model not in RENT_MODELS:
            errors["rent_model"] = _("Please choose a rent model.")
        if (
            resource.available_from
            and resource.available_until
            and resource.available_until < resource.available_from
        ):
            errors["available_until"] = _("The end must not be before the start.")
    if (resource.lat is None) != (resource.lon is None):
        errors["lat"] = _("Please give both latitude and longitude, or neither.")
    if errors:
        raise DomainError(next(iter(errors.values())), errors=errors)


def _assign(resource: Resource, data: Mapping[str, Any]) -> None:
    for name in (*COMMON_FIELDS, *KIND_FIELDS[resource.kind]):
        if name in data:
            setattr(resource, name, data[name])
    resource.title = (resource.title or "").strip()


def create_resource(
    actor: User, kind: str, data: Mapping[str, Any], *, organisation: Organisation | None = None
) -> Resource:
    """Offer something as oneself or for an organisation one manages; default rules applied."""
    from app.booking.rules import apply_defaults

    if kind not in KINDS:
        raise DomainError(_("Unknown kind."), errors={"kind": _("Unknown kind.")})
    if organisation is not None and not organisation.is_manager(actor):
        message = _("You can only offer things for organisations you manage.")
        raise Forbidden(message, errors={"owner": message})
    resource = Resource(
        kind=kind,
        owner_user=None if organisation else actor,
        owner_org=organisation,
        created_by_id=actor.id,
        status="active",
        visibility="public",
        units=1,
        fee_cents=0,
        deposit_cents=0,
        permitted_uses=[],
    )
    _assign(resource, data)
    _check(resource)
    apply_defaults(resource)
    db.session.add(resource)
    db.session.flush()
    return resource


def update_resource(actor: User, resource: Resource, data: Mapping[str, Any]) -> Resource:
    """Change an offer's description and details (not its kind or owner)."""
    _require_manager(actor, resource)
    _assign(resource, data)
    _check(resource)
    db.session.flush()
    return resource


def set_status(actor: User, resource: Resource, status: str) -> Resource:
    """Pause, archive or reactivate an offer."""
    _require_manager(actor, resource)
    if status not in STATUSES:
        raise DomainError(_("Unknown status."))
    resource.status = status
    db.session.flush()
    return resource


# ------------------------------------------------------------------- photos ----
def add_photo(actor: User, resource: Resource, data: bytes, alt_text: str) -> Photo:
    """Check and store an uploaded photo as the resource's last one."""
    _require_manager(actor, resource)
    alt_text = (alt_text or "").strip()
    if not alt_text:
        raise DomainError(
            _("Please describe the photo for people who cannot see it."),
            errors={"alt_text": _("Please describe the photo for people who cannot see it.")},
        )
    if len(resource.photos) >= MAX_PHOTOS:
        raise DomainError(_("At most %(n)s photos per offer.", n=MAX_PHOTOS))
    stored = photo_files.store_photo(data)
    photo = Photo(
        stem=stored.stem,
        ext=stored.ext,
        width=stored.width,
        height=stored.height,
        alt_text=alt_text[:200],
        position=max((p.position for p in resource.photos), default=-1) + 1,
    )
    resource.photos.append(photo)
    try:
        db.session.flush()
    except Exception:
        photo_files.remove_files(stored.stem, stored.ext)
        raise
    return photo


def _photo_of(resource: Resource, photo_id: int) -> Photo:
    for photo in resource.photos:
        if photo.id == photo_id:
            return photo
    raise NotFound(_("There is no such photo."))


def move_photo(actor: User, resource: Resource, photo_id: int, direction: str) -> None:
    """Move a photo one place up (earlier) or down (later); the first one is the cover."""
    _require_manager(actor, resource)
    ordered = sorted(resource.photos, key=lambda p: (p.position, p.id))
    photo = _photo_of(resource, photo_id)
    index = ordered.index(photo)
    other = index - 1 if direction == "up" else index + 1 if direction == "down" else None
    if other is None:
        raise DomainError(_("Unknown direction."))
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, item in enumerate(ordered):
        item.position = position
    db.session.flush()
    db.session.expire(resource, ["photos"])


def set_alt_text(actor: User, resource: Resource, photo_id: int, alt_text: str) -> None:
    _require_manager(actor, resource)
    alt_text = (alt_text or "").strip()
    if not alt_text:
        raise DomainError(
            _("Please describe the photo for people who cannot see it."),
            errors={"alt_text": _("Please describe the photo for people who cannot see it.")},
        )
    _photo_of(resource, photo_id).alt_text = alt_text[:200]
    db.session.flush()


def delete_photo(actor: User, resource: Resource, photo_id: int) -> tuple[str, str]:
    """Remove a photo; returns (stem, ext) so the caller can delete the files after commit."""
    _require_manager(actor, resource)
    photo = _photo_of(resource, photo_id)
    resource.photos.remove(photo)
    db.session.flush()
    return photo.stem, photo.ext
