"""Organisation rules as plain functions: profiles, slugs, roles, leaving and invitations."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from app.db import utcnow
from app.errors import DomainError, Forbidden, NotFound
from app.extensions import db
from app.models import Invitation, Membership
from app.orgs import service
from app.orgs.service import InvitationGone, OrgError, Profile


@pytest.fixture(autouse=True)
def in_english(request):
    """Messages are matched in English (German is the site's default)."""
    if "app_ctx" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("app_ctx")
    with force_locale("en"):
        yield


def members_of(org) -> dict[str, str]:
    rows = db.session.execute(
        select(Membership.user_id, Membership.role).where(Membership.organisation_id == org.id)
    )
    return {str(user_id): role for user_id, role in rows}


# ------------------------------------------------------------------ slugs -----
@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Repair-Café Witzenhausen", "repair-cafe-witzenhausen"),  # accent dropped
        ("Projektbüro Wirtschaftsförderung 4.0", "projektbuero-wirtschaftsfoerderung-4-0"),
        ("Straßenfest  & Co.", "strassenfest-co"),  # ß, punctuation and doubled spaces
        ("ÄÖÜ", "aeoeue"),  # capital umlauts
        ("!!!", "organisation"),  # nothing left: a fallback
        ("x" * 90, "x" * 60),  # cut to a readable length
    ],
)
def test_slugify(name, slug):
    assert service.slugify(name) == slug


def test_slug_is_unique_and_never_a_reserved_path(app_ctx, make_user):
    person = make_user()
    first = service.create_org(person, Profile(name="Garten"))
    second = service.create_org(person, Profile(name="Garten!"))
    third = service.create_org(person, Profile(name="garten"))
    reserved = service.create_org(person, Profile(name="New"))
    assert (first.slug, second.slug, third.slug) == ("garten", "garten-2", "garten-3")
    assert reserved.slug == "new-2"


# ---------------------------------------------------------------- profile -----
def test_creator_becomes_manager_and_choices_keep_their_order(app_ctx, make_user):
    person = make_user()
    org = service.create_org(
        person,
        Profile(
            name="  Lastenrad  ",
            kind="initiative",
            district="Kernstadt",
            fields=["mobility", "sharing"],
            looking_for=["volunteers", "space"],
            website="https://lastenrad.example",
        ),
    )
    assert org.name == "Lastenrad"
    assert org.fields == ["sharing", "mobility"]  # the configured order
    assert org.looking_for == ["space", "volunteers"]
    assert members_of(org) == {str(person.id): "manager"}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": " "}, "name"),  # a name is needed
        ({"kind": "club"}, "kind"),  # not one of the four kinds
        ({"district": "Atlantis"}, "district"),  # not a configured district
        ({"fields": ["astrology"]}, "fields"),  # not a configured field
        ({"looking_for": ["money"]}, "looking_for"),  # not on the list
        ({"website": "javascript:alert(1)"}, "website"),  # only http(s) links
    ],
)
def test_bad_profiles_are_refused_field_by_field(app_ctx, make_user, changes, field):
    values = {"name": "Garten", "kind": "initiative"} | changes
    with pytest.raises(OrgError) as refused:
        service.create_org(make_user(), Profile(**values))
    assert field in refused.value.errors


def test_fields_of_activity_come_from_configuration(app_ctx, make_user):
    app_ctx.config["ORG_FIELDS"] = ["beekeeping", "repair"]
    try:
        org = service.create_org(make_user(), Profile(name="Imker", fields=["beekeeping"]))
        assert org.fields == ["beekeeping"]
        with pytest.raises(OrgError):
            service.create_org(make_user(), Profile(name="Garten", fields=["garden"]))
    finally:
        del app_ctx.config["ORG_FIELDS"]


def test_unconfirmed_people_cannot_create(app_ctx, make_user):
    with pytest.raises(Forbidden):
        service.create_org(make_user(confirmed=False), Profile(name="Garten"))


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("manager", True),
        ("admin", True),  # the office may edit any organisation
        ("member", False),
        ("other", False),
    ],
)
def test_who_may_edit_the_profile(app_ctx, org_people, who, allowed):
    person = org_people.person(who)
    slug = org_people.org.slug
    profile = Profile(name="Neuer Name", kind="business")
    if allowed:
        org = service.update_org(org_people.org, person, profile)
        assert (org.name, org.kind, org.slug) == ("Neuer Name", "business", slug)  # links stay
    else:
        with pytest.raises(Forbidden):
            service.update_org(org_people.org, person, profile)


# ------------------------------------------------------- roles and leaving ----
# The organisation starts with one manager (Mia) and one member (Max).
@pytest.mark.parametrize(
    ("actor", "action", "target", "outcome"),
    [
        ("manager", "promote", "member", "ok"),
        ("manager", "demote", "manager", "last manager"),  # would leave nobody in charge
        ("manager", "remove", "manager", "last manager"),
        ("manager", "remove", "member", "ok"),
        ("admin", "promote", "member", "ok"),  # the office may help
        ("admin", "demote", "manager", "last manager"),  # ... but not break the rule either
        ("member", "promote", "member", "forbidden"),
        ("member", "remove", "manager", "forbidden"),
        ("other", "remove", "member", "forbidden"),
    ],
)
def test_roles_and_removal(app_ctx, org_people, actor, action, target, outcome):
    org = org_people.org
    membership = next(m for m in org.memberships if m.user == org_people.person(target))
    person = org_people.person(actor)

    def act():
        if action == "remove":
            return service.remove_member(org, person, membership.id)
        role = "manager" if action == "promote" else "member"
        return service.change_role(org, person, membership.id, role)

    if outcome == "ok":
        act()
    elif outcome == "forbidden":
        with pytest.raises(Forbidden):
            act()
    else:
        with pytest.raises(OrgError, match="at least one manager"):
            act()


def test_a_manager_can_step_down_once_there_is_another(app_ctx, org_people):
    org, manager, member = org_people.org, org_people.manager, org_people.member
    by_user = {m.user_id: m.id for m in org.memberships}
    service.change_role(org, manager, by_user[member.id], "manager")
    service.change_role(org, member, by_user[manager.id], "member")
    assert members_of(org) == {str(manager.id): "member", str(member.id): "manager"}


def test_membership_of_another_organisation_is_not_found(app_ctx, org_people, make_org):
    elsewhere = make_org(members=(org_people.other,))
    foreign = elsewhere.memberships[0]
    with pytest.raises(NotFound):
        service.remove_member(org_people.org, org_people.manager, foreign.id)


@pytest.mark.parametrize(
    ("who", "outcome"),
    [
        ("member", "ok"),
        ("manager", "last manager"),
        ("other", "not a member"),
        ("admin", "not a member"),
    ],
)
def test_leaving(app_ctx, org_people, who, outcome):
    person = org_people.person(who)
    if outcome == "ok":
        service.leave(org_people.org, person)
        assert str(person.id) not in members_of(org_people.org)
    else:
        with pytest.raises(OrgError, match="at least one manager|not a member"):
            service.leave(org_people.org, person)


def test_last_manager_may_leave_after_handing_over(app_ctx, org_people):
    org = org_people.org
    member_ship = next(m for m in org.memberships if m.user == org_people.member)
    service.change_role(org, org_people.manager, member_ship.id, "manager")
    service.leave(org, org_people.manager)
    assert members_of(org) == {str(org_people.member.id): "manager"}


# ------------------------------------------------------------ invitations ----
def test_invitation_keeps_only_a_hash_and_expires_in_14_days(app_ctx, org_people):
    now = utcnow()
    invitation, token = service.invite(
        org_people.org, org_people.manager, " New@Example.org ", "manager", now=now
    )
    assert invitation.email == "new@example.org"
    assert token not in invitation.token_hash and len(invitation.token_hash) == 64
    assert invitation.expires_at == now + timedelta(days=14)
    assert service.find_invitation(token) is invitation


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("manager", True), ("admin", True), ("member", False), ("other", False)],
)
def test_who_may_invite(app_ctx, org_people, who, allowed):
    person = org_people.person(who)
    if allowed:
        service.invite(org_people.org, person, "new@example.org")
    else:
        with pytest.raises(Forbidden):
            service.invite(org_people.org, person, "new@example.org")


@pytest.mark.parametrize(
    ("email", "role", "message"),
    [
        ("not-an-address", "member", "valid email"),
        ("x@example.org", "owner", "choose a role"),
        ("MEMBER@example.org", "member", "member already"),  # case does not matter
    ],
)
def test_invitations_that_make_no_sense_are_refused(app_ctx, org_people, email, role, message):
    with pytest.raises(OrgError, match=message):
        service.invite(org_people.org, org_people.manager, email, role)


def test_inviting_again_replaces_the_pending_invitation(app_ctx, org_people):
    first, first_token = service.invite(org_people.org, org_people.manager, "new@example.org")
    second, second_token = service.invite(org_people.org, org_people.manager, "new@example.org")
    assert first.revoked_at is not None and second.revoked_at is None
    with pytest.raises(InvitationGone):
        service.accept_invitation(first_token, org_people.other)
    assert service.pending_invitations(org_people.org) == [second]


# Who opens the link, and in what state the invitation is.
@pytest.mark.parametrize(
    ("invited", "state", "outcome"),
    [
        ("other@example.org", "pending", "joined"),
        ("OTHER@Example.org", "pending", "joined"),  # addresses compare case-insensitively
        ("someone@example.org", "pending", "forbidden"),  # logged in with another address
        ("other@example.org", "expired", "gone"),
        ("other@example.org", "revoked", "gone"),
        ("other@example.org", "accepted", "gone"),
    ],
)
def test_accepting(app_ctx, org_people, make_invitation, invited, state, outcome):
    invitation, token = make_invitation(org_people.org, invited, role="manager")
    if state == "expired":
        invitation.expires_at = utcnow() - timedelta(minutes=1)
    elif state == "revoked":
        invitation.revoked_at = utcnow()
    elif state == "accepted":
        invitation.accepted_at = utcnow()
    db.session.flush()
    person = org_people.other
    if outcome == "joined":
        service.accept_invitation(token, person)
        assert members_of(org_people.org)[str(person.id)] == "manager"
        assert invitation.accepted_at is not None
    else:
        with pytest.raises(Forbidden if outcome == "forbidden" else InvitationGone):
            service.accept_invitation(token, person)
        assert str(person.id) not in members_of(org_people.org)


def test_unknown_invitation_link(app_ctx, org_people):
    with pytest.raises(NotFound):
        service.accept_invitation("no-such-token", org_people.other)


def test_accepting_confirms_the_address_and_never_lowers_a_role(
    app_ctx, org_people, make_user, make_invitation
):
    newcomer = make_user("fresh@example.org", confirmed=False)
    _, token = make_invitation(org_people.org, "fresh@example.org")
    service.accept_invitation(token, newcomer)
    assert newcomer.confirmed_at is not None

    _, token = make_invitation(org_people.org, "manager@example.org", role="member")
    service.accept_invitation(token, org_people.manager)
    assert members_of(org_people.org)[str(org_people.manager.id)] == "manager"


def test_declining_closes_the_invitation(app_ctx, org_people, make_invitation):
    invitation, token = make_invitation(org_people.org, "other@example.org")
    with pytest.raises(Forbidden):
        service.decline_invitation(token, org_people.member)
    service.decline_invitation(token, org_people.other)
    assert invitation.revoked_at is not None
    with pytest.raises(InvitationGone):
        service.accept_invitation(token, org_people.other)


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("manager", True), ("admin", True), ("member", False), ("other", False)],
)
def test_who_may_revoke(app_ctx, org_people, make_invitation, who, allowed):
    invitation, token = make_invitation(org_people.org, "new@example.org")
    if allowed:
        service.revoke_invitation(org_people.org, org_people.person(who), invitation.id)
        with pytest.raises(InvitationGone):
            service.check_usable(service.find_invitation(token))
    else:
        with pytest.raises(Forbidden):
            service.revoke_invitation(org_people.org, org_people.person(who), invitation.id)


def test_revoking_twice_or_elsewhere(app_ctx, org_people, make_invitation, make_org):
    invitation, _ = make_invitation(org_people.org, "new@example.org")
    service.revoke_invitation(org_people.org, org_people.manager, invitation.id)
    with pytest.raises(OrgError, match="no longer pending"):
        service.revoke_invitation(org_people.org, org_people.manager, invitation.id)
    foreign, _ = make_invitation(make_org(), "new@example.org")
    with pytest.raises(NotFound):
        service.revoke_invitation(org_people.org, org_people.manager, foreign.id)
    assert db.session.get(Invitation, foreign.id).revoked_at is None


def test_domain_errors_carry_http_statuses():
    assert (OrgError("x").status, InvitationGone("x").status) == (422, 410)
    assert issubclass(InvitationGone, DomainError)
