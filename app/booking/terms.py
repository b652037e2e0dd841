"""A lender's terms and a resource's requirements, accepted or confirmed before reserving.

A lender (a person, or an organisation through its managers) may write lending terms.
A borrower accepts them before their first reservation with that lender; when the
lender changes them, the version goes up and the next reservation asks again. Each
acceptance is recorded with the version and a copy of the text.

Resources with a minimum age ask the borrower to confirm they meet it. Resources that
need a briefing say so before booking; the lender confirms the briefing at handover
(see app.booking.handover).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from app.booking.rules import Refused
from app.db import utcnow
from app.errors import DomainError, Forbidden
from app.extensions import db
from app.models import LenderPolicy, Organisation, Resource, TermsAcceptance, User

TERMS_MAX = 20_000


@dataclass(frozen=True)
class Terms:
    """The current terms of one lender."""

    lender_user_id: int | None
    lender_org_id: int | None
    lender_name: str
    text: str
    version: int


# ------------------------------------------------------------------ policy ----
def policy_of(owner: User | Organisation, *, create: bool = False) -> LenderPolicy | None:
    """The lender's policy row (terms of a person, quotas of both), made on demand."""
    column = (LenderPolicy.owner_org_id if isinstance(owner, Organisation)
              else LenderPolicy.owner_user_id)
    policy = db.session.scalar(sa.select(LenderPolicy).where(column == owner.id))
    if policy is None and create:
        policy = LenderPolicy()
        if isinstance(owner, Organisation):
            policy.owner_org_id = owner.id
        else:
            policy.owner_user_id = owner.id
        db.session.add(policy)
        db.session.flush()
    return policy


def may_set(owner: User | Organisation, actor: User | None) -> bool:
    """A person sets their own terms; an organisation's managers set its terms."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if isinstance(owner, Organisation):
        return owner.is_manager(actor)
    return owner.id == actor.id


def owner_of(resource: Resource) -> User | Organisation | None:
    return resource.owner_org if resource.owner_org_id is not None else resource.owner_user


# ------------------------------------------------------------------- terms ----
def terms_of_owner(owner: User | Organisation) -> Terms | None:
    """The owner's current terms, or None when they have none."""
    if isinstance(owner, Organisation):
        text, version = (owner.lending_terms or "").strip(), owner.terms_version or 0
        if not text or not version:
            return None
        return Terms(None, owner.id, owner.name, text, version)
    policy = policy_of(owner)
    if policy is None or not (policy.terms_text or "").strip() or not policy.terms_version:
        return None
    return Terms(owner.id, None, owner.display_name, policy.terms_text.strip(),
                 policy.terms_version)


def terms_for(resource: Resource) -> Terms | None:
    """The terms of the lender of a resource, or None."""
    owner = owner_of(resource)
    return terms_of_owner(owner) if owner is not None else None


def set_terms(owner: User | Organisation, actor: User, text: str) -> int:
    """Save the lender's terms; a changed text gets a new version. Returns the version.

    Empty text removes the terms (nobody is asked any more).
    """
    if not may_set(owner, actor):
        raise Forbidden(_("You are not allowed to do this."))
    text = (text or "").strip().replace("\r\n", "\n")
    if len(text) > TERMS_MAX:
        message = _("Please write at most %(n)s characters.", n=TERMS_MAX)
        raise DomainError(message, errors={"terms": message})
    if isinstance(owner, Organisation):
        if text != (owner.lending_terms or "").strip():
            owner.lending_terms = text or None
            if text:
                owner.terms_version = (owner.terms_version or 0) + 1
        db.session.flush()
        return owner.terms_version or 0
    policy = policy_of(owner, create=True)
    if text != (policy.terms_text or "").strip():
        policy.terms_text = text or None
        if text:
            policy.terms_version = (policy.terms_version or 0) + 1
    db.session.flush()
    return policy.terms_version


def _acceptance_query(user: User, terms: Terms):
    return sa.select(TermsAcceptance.id).where(
        TermsAcceptance.user_id == user.id,
        TermsAcceptance.version == terms.version,
        TermsAcceptance.lender_user_id == terms.lender_user_id
        if terms.lender_user_id is not None
        else TermsAcceptance.lender_org_id == terms.lender_org_id,
    )


def has_accepted(user: User, terms: Terms) -> bool:
    """Whether the person accepted this version of the terms."""
    return db.session.scalar(_acceptance_query(user, terms).limit(1)) is not None


def pending_terms(resource: Resource, user: User | None) -> Terms | None:
    """Terms the person still has to accept before reserving this resource (or None)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return terms_for(resource)
    if resource.can_manage(user):
        return None
    terms = terms_for(resource)
    if terms is None or has_accepted(user, terms):
        return None
    return terms


def accept(user: User, terms: Terms, *, now: datetime | None = None) -> TermsAcceptance:
    """Record that the person accepts this version of the terms (the caller commits)."""
    acceptance = TermsAcceptance(
        user_id=user.id,
        lender_user_id=terms.lender_user_id,
        lender_org_id=terms.lender_org_id,
        version=terms.version,
        text=terms.text,
        accepted_at=now or utcnow(),
    )
    db.session.add(acceptance)
    db.session.flush()
    return acceptance


def terms_json(terms: Terms) -> dict:
    return {"lender": terms.lender_name, "version": terms.version, "text": terms.text}


# ------------------------------------------------------------ requirements ----
def check_requirements(
    resource: Resource,
    user: User,
    *,
    accept_terms: bool = False,
    confirm_min_age: bool = False,
    now: datetime | None = None,
) -> None:
    """Terms accepted (recorded now if accept_terms) and minimum age confirmed.

    The lender booking their own resource is asked nothing. Raises Refused with the
    reason "terms" (the terms travel in the error) or "min_age".
    """
    if resource.can_manage(user):
        return
    terms = pending_terms(resource, user)
    if terms is not None:
        if not accept_terms:
            message = _("Please accept the lending terms of %(lender)s first.",
                        lender=terms.lender_name)
            error = Refused("terms", message, errors={"accept_terms": message})
            error.extra["terms"] = terms_json(terms)
            raise error
        accept(user, terms, now=now)
    if resource.min_age and not confirm_min_age:
        message = _("Please confirm that you are at least %(n)s years old.", n=resource.min_age)
        error = Refused("min_age", message, errors={"confirm_min_age": message})
        error.extra["min_age"] = resource.min_age
        raise error


def check_briefing(resource: Resource, briefing_given: bool) -> None:
    """Things that need a briefing are handed over only after the lender confirms it."""
    if resource.briefing_required and not briefing_given:
        message = _("Please confirm that you gave the briefing.")
        raise DomainError(message, errors={"briefing_given": message}, reason="briefing")


def briefing_note(resource: Resource, briefing_given: bool, note: str = "") -> str:
    """The handover note, saying that the briefing was given where one is needed."""
    parts = [note.strip()] if (note or "").strip() else []
    if resource.briefing_required and briefing_given:
        parts.insert(0, _("Briefing given."))
    return " ".join(parts)
