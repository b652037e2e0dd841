"""Organisations: profiles, members and invitations. Plain functions taking the acting user.

Who may do what (deny by default):
- any confirmed person creates an organisation and becomes its manager;
- managers edit the profile, invite, change roles, remove members and revoke invitations;
- administrators (the project office) may do everything a manager may, on every
  organisation, without becoming members, so they can help when a group is stuck;
- every member may leave; an organisation always keeps at least one manager.
These functions only flush; the caller commits (write_transaction()).
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from app.db import utcnow
from app.errors import DomainError, Forbidden, NotFound
from app.extensions import db
from app.models import Invitation, Membership, Organisation, Resource, User
from app.models.org import ORG_KINDS, ROLES
from app.models.user import hash_token

DEFAULT_ORG_FIELDS = (
    "sharing",
    "repair",
    "food",
    "garden",
    "mobility",
    "energy",
    "culture",
    "crafts",
)
LOOKING_FOR = ("space", "partners", "volunteers", "equipment", "suppliers")
INVITATION_DAYS = 14
# Paths under /orgs/ that a slug must never take.
RESERVED_SLUGS = frozenset({"new", "invitations"})

KIND_LABELS = {
    "initiative": _l("Initiative"),
    "business": _l("Business"),
    "property_owner": _l("Property owner"),
    "public_body": _l("Public body"),
}
FIELD_LABELS = {
    "sharing": _l("Sharing"),
    "repair": _l("Repair"),
    "food": _l("Food"),
    "garden": _l("Garden"),
    "mobility": _l("Mobility"),
    "energy": _l("Energy"),
    "culture": _l("Culture"),
    "crafts": _l("Crafts"),
}
LOOKING_FOR_LABELS = {
    "space": _l("Space"),
    "partners": _l("Partners"),
    "volunteers": _l("Volunteers"),
    "equipment": _l("Equipment"),
    "suppliers": _l("Suppliers"),
}
ROLE_LABELS = {"manager": _l("Manager"), "member": _l("Member")}


class OrgError(DomainError):
    """A refusal about organisations, members or invitations."""


class InvitationGone(DomainError):
    """The invitation exists but can no longer be used (accepted, revoked or expired)."""

    status = 410
    code = "gone"


# ------------------------------------------------------------------ labels ----
def org_fields() -> list[str]:
    """The fields of activity offered to organisations (ORG_FIELDS, else the default list)."""
    return list(current_app.config.get("ORG_FIELDS") or DEFAULT_ORG_FIELDS)


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def field_label(key: str) -> str:
    label = FIELD_LABELS.get(key)
    return str(label) if label is not None else key.replace("_", " ").capitalize()


def looking_for_label(key: str) -> str:
    return str(LOOKING_FOR_LABELS.get(key, key))


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))


# ------------------------------------------------------------- permissions ----
def is_admin(actor: User | None) -> bool:
    return bool(actor is not None and getattr(actor, "is_admin", False))


def can_edit(org: Organisation, actor: User | None) -> bool:
    """Managers and administrators edit the profile and look after members."""
    return is_admin(actor) or org.is_manager(actor)


def can_see_members(org: Organisation, actor: User | None) -> bool:
    return is_admin(actor) or org.is_member(actor)


def require_editor(org: Organisation, actor: User | None) -> None:
    if not can_edit(org, actor):
        raise Forbidden(_("Only the managers of this organisation may do this."))


def require_confirmed(actor: User | None) -> None:
    if actor is None or not getattr(actor, "id", None):
        raise Forbidden(_("Please log in to continue."))
    if not actor.is_confirmed:
        raise Forbidden(_("Please confirm your email address first."))


# ------------------------------------------------------------------ slugs -----
_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue"})


def slugify(name: str) -> str:
    """A URL part from a name: "Repair-Café Witzenhausen" -> "repair-cafe-witzenhausen"."""
    folded = unicodedata.normalize("NFKD", name.translate(_FOLD))
    ascii_only = folded.encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_only).strip("-")
    return slug[:60].rstrip("-") or "organisation"


def unique_slug(name: str) -> str:
    """A slug for a new organisation that no other one has (adds -2, -3 ... when taken)."""
    base = slugify(name)
    taken = set(
        db.session.scalars(
            select(Organisation.slug).where(
                or_(Organisation.slug == base, Organisation.slug.startswith(base + "-"))
            )
        )
    )
    taken |= RESERVED_SLUGS
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


# ---------------------------------------------------------------- profile -----
@dataclass
class Profile:
    """What a person can set about an organisation."""

    name: str
    kind: str = "initiative"
    description: str = ""
    contact_email: str | None = None
    contact_phone: str | None = None
    website: str | None = None
    address: str | None = None
    district: str | None = None
    fields: list[str] | None = None
    looking_for: list[str] | None = None


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _check_profile(profile: Profile) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not (profile.name or "").strip():
        errors["name"] = [_("Please enter a name.")]
    elif len(profile.name.strip()) > 120:
        errors["name"] = [_("The name may have at most 120 characters.")]
    if profile.kind not in ORG_KINDS:
        errors["kind"] = [_("Please choose a kind of organisation.")]
    if profile.district and profile.district not in current_app.config["DISTRICTS"]:
        errors["district"] = [_("Please choose a district from the list.")]
    unknown = set(profile.fields or []) - set(org_fields())
    if unknown:
        errors["fields"] = [_("Please choose fields of activity from the list.")]
    if set(profile.looking_for or []) - set(LOOKING_FOR):
        errors["looking_for"] = [_("Please choose from the list.")]
    website = _clean(profile.website)
    if website and not re.match(r"^https?://[^\s/]+\.[^\s]+$", website, re.IGNORECASE):
        errors["website"] = [_("Please enter a web address starting with https://.")]
    return errors


def _apply(org: Organisation, profile: Profile) -> None:
    errors = _check_profile(profile)
    if errors:
        raise OrgError(_("Please check the profile."), errors=errors)
    org.name = profile.name.strip()
    org.kind = profile.kind
    org.description = (profile.description or "").replace("\r\n", "\n").strip()
    org.contact_email = _clean(profile.contact_email)
    org.contact_phone = _clean(profile.contact_phone)
    org.website = _clean(profile.website)
    org.address = _clean(profile.address)
    org.district = _clean(profile.district)
    # Keep the configured order, whatever order the form sent.
    chosen = set(profile.fields or [])
    org.fields = [key for key in org_fields() if key in chosen]
    wanted = set(profile.looking_for or [])
    org.looking_for = [key for key in LOOKING_FOR if key in wanted]


def create_org(actor: User, profile: Profile) -> Organisation:
    """A new organisation with a unique slug; the creator becomes its manager."""
    require_confirmed(actor)
    org = Organisation(slug="", fields=[], looking_for=[])
    _apply(org, profile)
    org.slug = unique_slug(org.name)
    db.session.add(org)
    db.session.add(Membership(organisation=org, user=actor, role="manager"))
    db.session.flush()
    return org


def update_org(org: Organisation, actor: User, profile: Profile) -> Organisation:
    """Change the profile; the slug stays, so links to the page keep working."""
    require_editor(org, actor)
    _apply(org, profile)
    db.session.flush()
    return org


# ---------------------------------------------------------------- reading -----
def get_by_slug(slug: str) -> Organisation:
    org = db.session.scalar(select(Organisation).where(Organisation.slug == slug))
    if org is None:
        raise NotFound(_("There is no organisation at this address."))
    return org


def public_resources(org: Organisation, viewer: User | None) -> list[Resource]:
    """What the organisation offers: active, not hidden, members-only ones for members."""
    query = select(Resource).where(
        Resource.owner_org_id == org.id,
        Resource.status == "active",
        Resource.hidden_at.is_(None),
    )
    if not can_see_members(org, viewer):
        query = query.where(Resource.visibility == "public")
    return list(db.session.scalars(query.order_by(Resource.kind, Resource.title)))


def memberships(org: Organisation) -> list[Membership]:
    """Members, managers first, then by name (one query, people loaded with them)."""
    from sqlalchemy.orm import joinedload

    return list(
        db.session.scalars(
            select(Membership)
            .join(Membership.user)
            .options(joinedload(Membership.user))
            .where(Membership.organisation_id == org.id)
            .order_by(Membership.role, func.lower(User.display_name))
        )
    )


def pending_invitations(org: Organisation) -> list[Invitation]:
    return list(
        db.session.scalars(
            select(Invitation)
            .where(
                Invitation.organisation_id == org.id,
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
            )
            .order_by(Invitation.created_at.desc())
        )
    )


def search_variants(q: str) -> set[str]:
    """Spellings to look for, so "ökostrom" finds "Ökostrom" where the database folds ASCII only."""
    return {q, q.lower(), q.upper(), q.capitalize(), q.title()}


def directory_query(
    q: str | None = None,
    kind: str | None = None,
    field: str | None = None,
    district: str | None = None,
):
    """The select for the directory: filters applied, sorted by name, members loaded with it."""
    from sqlalchemy.orm import selectinload

    query = select(Organisation).options(selectinload(Organisation.memberships))
    q = (q or "").strip()
    if q:
        conditions = []
        for column in (Organisation.name, Organisation.description):
            conditions.append(column.icontains(q, autoescape=True))
            conditions.extend(column.contains(v, autoescape=True) for v in search_variants(q))
        query = query.where(or_(*conditions))
    if kind:
        query = query.where(Organisation.kind == kind)
    if district:
        query = query.where(Organisation.district == district)
    if field:
        # JSON lists are stored as text on both databases: look for the quoted key.
        query = query.where(
            sa.cast(Organisation.fields, sa.Text).contains(f'"{field}"', autoescape=True)
        )
    return query.order_by(sort_name(), Organisation.id)


def sort_name():
    """Names in dictionary order (Ö as O) on both databases, whose lower() may fold ASCII only."""
    expression = Organisation.name
    for letter, plain in (("Ä", "A"), ("Ö", "O"), ("Ü", "U"), ("ä", "a"), ("ö", "o"), ("ü", "u")):
        expression = func.replace(expression, letter, plain)
    return func.lower(func.replace(expression, "ß", "ss"))


# ------------------------------------------------------------ membership -----
def _locked(org: Organisation) -> Organisation:
    """Reload the organisation under a row lock (PostgreSQL), so manager counts hold."""
    return db.session.scalars(
        select(Organisation)
        .where(Organisation.id == org.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _manager_count(org: Organisation) -> int:
    return db.session.scalar(
        select(func.count(Membership.id)).where(
            Membership.organisation_id == org.id, Membership.role == "manager"
        )
    ) or 0


def _membership(org: Organisation, membership_id: int) -> Membership:
    # Read again after the lock: a copy loaded earlier in the transaction may be stale.
    membership = db.session.scalar(
        select(Membership)
        .where(Membership.id == membership_id)
        .execution_options(populate_existing=True)
    )
    if membership is None or membership.organisation_id != org.id:
        raise NotFound(_("This person is not a member of the organisation."))
    return membership


def _last_manager_error() -> OrgError:
    return OrgError(
        _(
            "An organisation needs at least one manager. "
            "Please make another member a manager first."
        )
    )


def change_role(org: Organisation, actor: User, membership_id: int, role: str) -> Membership:
    """Make a member a manager or a manager a member; the last manager stays."""
    require_editor(org, actor)
    if role not in ROLES:
        raise OrgError(_("Please choose a role."), errors={"role": [_("Please choose a role.")]})
    org = _locked(org)
    membership = _membership(org, membership_id)
    if membership.role == "manager" and role != "manager" and _manager_count(org) <= 1:
        raise _last_manager_error()
    membership.role = role
    db.session.flush()
    return membership


def remove_member(org: Organisation, actor: User, membership_id: int) -> None:
    """Take a person out of the organisation; the last manager cannot be removed."""
    require_editor(org, actor)
    org = _locked(org)
    membership = _membership(org, membership_id)
    if membership.role == "manager" and _manager_count(org) <= 1:
        raise _last_manager_error()
    db.session.delete(membership)
    db.session.flush()


def leave(org: Organisation, actor: User) -> None:
    """Leave an organisation; the last manager has to hand over first."""
    org = _locked(org)
    membership = db.session.scalar(
        select(Membership)
        .where(Membership.organisation_id == org.id, Membership.user_id == actor.id)
        .execution_options(populate_existing=True)
    )
    if membership is None:
        raise OrgError(_("You are not a member of this organisation."))
    if membership.role == "manager" and _manager_count(org) <= 1:
        raise _last_manager_error()
    db.session.delete(membership)
    db.session.flush()


# ------------------------------------------------------------ invitations ----
def invite(
    org: Organisation,
    actor: User,
    email: str,
    role: str = "member",
    *,
    now: datetime | None = None,
) -> tuple[Invitation, str]:
    """Invite an address; returns the invitation and its plain token (only the hash is kept).

    A pending invitation to the same address is replaced, so "send again" just works.
    """
    require_editor(org, actor)
    require_confirmed(actor)
    email = (email or "").strip().lower()
    if not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", email):
        raise OrgError(
            _("Please enter a valid email address."),
            errors={"email": [_("Please enter a valid email address.")]},
        )
    if role not in ROLES:
        raise OrgError(_("Please choose a role."), errors={"role": [_("Please choose a role.")]})
    now = now or utcnow()
    already = db.session.scalar(
        select(Membership.id)
        .join(Membership.user)
        .where(Membership.organisation_id == org.id, User.email == email)
    )
    if already:
        raise OrgError(
            _("This person is a member already."),
            errors={"email": [_("This person is a member already.")]},
        )
    for old in db.session.scalars(
        select(Invitation).where(
            Invitation.organisation_id == org.id,
            Invitation.email == email,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
    ):
        old.revoked_at = now
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        organisation=org,
        email=email,
        role=role,
        token_hash=hash_token(token),
        invited_by_id=actor.id,
        expires_at=now + timedelta(days=INVITATION_DAYS),
    )
    db.session.add(invitation)
    db.session.flush()
    return invitation, token


def local_day(moment: datetime) -> date:
    """The calendar day of a moment in the site's time zone."""
    return moment.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()


def invitation_path(token: str) -> str:
    return f"/orgs/invitations/{token}"


def send_invitation(invitation: Invitation, token: str, inviter: User) -> None:
    """Queue the invitation mail: in the invitee's language, else in the inviter's."""
    from app.notifications import outbox

    person = db.session.scalar(select(User).where(User.email == invitation.email))
    org = invitation.organisation
    common = {
        "kind": "org_invitation",
        "link": invitation_path(token),
        "related": ("invitation", invitation.id),
        "org": org,
        "org_name": org.name,
        "inviter_name": inviter.display_name,
        "role": invitation.role,
        "expires_on": local_day(invitation.expires_at),
    }
    if person is not None:
        outbox.queue("org_invitation", recipient=person, **common)
    else:
        outbox.queue(
            "org_invitation", to_address=invitation.email, locale=inviter.locale, **common
        )


def find_invitation(token: str) -> Invitation:
    """The invitation a link stands for; NotFound when the link is wrong."""
    invitation = None
    if token and len(token) <= 100:
        invitation = db.session.scalar(
            select(Invitation).where(Invitation.token_hash == hash_token(token))
        )
    if invitation is None:
        raise NotFound(_("This invitation link is not valid."))
    return invitation


def check_usable(invitation: Invitation, now: datetime | None = None) -> None:
    """Raise InvitationGone when an invitation was used, withdrawn or has expired."""
    now = now or utcnow()
    if invitation.accepted_at is not None:
        raise InvitationGone(_("This invitation has been accepted already."))
    if invitation.revoked_at is not None:
        raise InvitationGone(_("This invitation was withdrawn or declined."))
    if invitation.expires_at <= now:
        raise InvitationGone(
            _("This invitation has expired. Please ask the organisation for a new one.")
        )


def addressed_to(invitation: Invitation, person: User | None) -> bool:
    return bool(person is not None and person.email.lower() == invitation.email.lower())


def _require_addressee(invitation: Invitation, actor: User) -> None:
    if not addressed_to(invitation, actor):
        raise Forbidden(
            _(
                "This invitation was sent to another email address. "
                "Please log in with the address it was sent to."
            )
        )


def accept_invitation(token: str, actor: User, *, now: datetime | None = None) -> Membership:
    """Join with the role of the invitation; the link also proves the address."""
    now = now or utcnow()
    invitation = find_invitation(token)
    org = _locked(invitation.organisation)
    db.session.refresh(invitation)  # a second click may have used it meanwhile
    check_usable(invitation, now)
    _require_addressee(invitation, actor)
    membership = db.session.scalar(
        select(Membership)
        .where(Membership.organisation_id == org.id, Membership.user_id == actor.id)
        .execution_options(populate_existing=True)
    )
    if membership is None:
        membership = Membership(organisation=org, user=actor, role=invitation.role)
        db.session.add(membership)
    elif invitation.role == "manager":
        membership.role = "manager"  # an invitation never lowers a role
    invitation.accepted_at = now
    if actor.confirmed_at is None:
        # The link reached this person's mailbox: the address is confirmed.
        actor.confirmed_at = now
    db.session.flush()
    return membership


def decline_invitation(token: str, actor: User, *, now: datetime | None = None) -> Invitation:
    """Say no to an invitation; it cannot be used afterwards."""
    now = now or utcnow()
    invitation = find_invitation(token)
    check_usable(invitation, now)
    _require_addressee(invitation, actor)
    invitation.revoked_at = now
    db.session.flush()
    return invitation


def revoke_invitation(
    org: Organisation, actor: User, invitation_id: int, *, now: datetime | None = None
) -> Invitation:
    """Withdraw a pending invitation; its link stops working."""
    require_editor(org, actor)
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.organisation_id != org.id:
        raise NotFound(_("There is no such invitation."))
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise OrgError(_("This invitation is no longer pending."))
    invitation.revoked_at = now or utcnow()
    db.session.flush()
    return invitation
