"""The board of wishes (/wanted) and public events (/events, /events.ics)."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from app.db import write_transaction
from app.errors import DomainError
from app.extensions import db
from app.forms import choices
from app.models import Category, Organisation, PublicEvent, Reservation, Resource, Wish
from app.network import service
from app.network.forms import AnswerForm, CloseWishForm, EventFilterForm, EventForm, WishForm
from app.network.ical import events_calendar

bp = Blueprint("network", __name__)
PER_PAGE = 20


def category_choices() -> list[tuple[str, str]]:
    from app.templating import current_locale

    locale = current_locale()
    categories = db.session.scalars(select(Category).order_by(Category.position, Category.id))
    return choices([("", _("Any category"))] + [(c.id, c.name(locale)) for c in categories])


def district_choices() -> list[tuple[str, str]]:
    from flask import current_app

    return choices([("", _("Any district"))] + [(d, d) for d in current_app.config["DISTRICTS"]])


def page_number() -> int:
    try:
        return max(1, int(request.args.get("page", 1)))
    except ValueError:
        abort(400)


def own_organisations(user) -> list[Organisation]:
    return sorted((m.organisation for m in user.memberships), key=lambda o: o.name)


# ------------------------------------------------------------------ wishes ----
@bp.get("/wanted")
def wanted():
    """The board of wishes: what people in town need, and when."""
    q = request.args.get("q", "").strip()
    category = request.args.get("category", "")
    district = request.args.get("district", "")
    category_id = int(category) if category.isdigit() else None
    if category and category_id is None:
        abort(400, _("Unknown category."))
    query = service.board_query(
        service.local_today(), q=q or None, category_id=category_id, district=district or None
    )
    page = page_number()
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    wishes = db.session.scalars(query.limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    return render_template(
        "network/wanted.html",
        wishes=wishes,
        total=total,
        page=page,
        pages=max(1, -(-total // PER_PAGE)),
        q=q,
        category=category,
        district=district,
        categories=category_choices(),
        districts=district_choices(),
    )


@bp.route("/wanted/new", methods=["GET", "POST"])
@login_required
def new_wish():
    """Post a wish on the board."""
    form = WishForm()
    form.category.choices = category_choices()
    form.district.choices = district_choices()
    form.organisation.choices = choices(
        [("", _("Myself"))] + [(o.id, o.name) for o in own_organisations(current_user)]
    )
    if form.validate_on_submit():
        organisation = None
        if form.organisation.data:
            organisation = db.session.get(Organisation, int(form.organisation.data))
        try:
            with write_transaction():
                wish = service.post_wish(
                    current_user,
                    title=form.title.data,
                    description=form.description.data or "",
                    category_id=int(form.category.data) if form.category.data else None,
                    district=form.district.data or None,
                    wanted_from=form.wanted_from.data,
                    wanted_until=form.wanted_until.data,
                    expires_on=form.expires_on.data,
                    organisation=organisation,
                )
        except DomainError as error:
            for name, message in error.errors.items():
                getattr(form, name).errors.append(message)
            if not error.errors:
                flash(error.message, "error")
        else:
            flash(_("Your wish is on the board."), "success")
            return redirect(url_for("network.wish", wish_id=wish.id))
    status = 422 if form.errors else 200
    return render_template("network/wish_form.html", form=form), status


def get_wish(wish_id: int) -> Wish:
    wish = db.session.get(Wish, wish_id)
    if wish is None:
        abort(404)
    return wish


def offerable_resources(user) -> list[Resource]:
    from app.models import Membership

    managed_orgs = select(Membership.organisation_id).where(
        Membership.user_id == user.id, Membership.role == "manager"
    )
    return db.session.scalars(
        select(Resource)
        .where(
            Resource.status == "active",
            (Resource.owner_user_id == user.id) | Resource.owner_org_id.in_(managed_orgs),
        )
        .order_by(Resource.title)
    ).all()


@bp.get("/wanted/<int:wish_id>")
def wish(wish_id: int):
    """One wish, its answers (for the person who wished) and a form to answer."""
    item = get_wish(wish_id)
    answer_form = close_form = None
    is_author = current_user.is_authenticated and item.author_id == current_user.id
    if current_user.is_authenticated and not is_author:
        answer_form = AnswerForm()
        answer_form.resource.choices = choices(
            [("", _("No resource, just a message"))]
            + [(r.id, r.title) for r in offerable_resources(current_user)]
        )
    if is_author:
        close_form = CloseWishForm()
    answers = []
    if is_author or (current_user.is_authenticated and current_user.is_admin):
        answers = item.answers
    return render_template(
        "network/wish.html",
        wish=item,
        is_open=item.is_open(service.local_today()),
        answer_form=answer_form,
        close_form=close_form,
        answers=answers,
        is_author=is_author,
        reservation_link=service.reservation_link,
    )


@bp.post("/wanted/<int:wish_id>/answer")
@login_required
def answer(wish_id: int):
    """Answer a wish with a message or one of your resources."""
    item = get_wish(wish_id)
    form = AnswerForm()
    form.resource.choices = choices(
        [("", "")] + [(r.id, r.title) for r in offerable_resources(current_user)]
    )
    if not form.validate():
        flash(_("Please check your answer."), "error")
        return redirect(url_for("network.wish", wish_id=wish_id)), 303
    resource = db.session.get(Resource, int(form.resource.data)) if form.resource.data else None
    try:
        with write_transaction():
            service.answer_wish(
                item, current_user, message=form.message.data or "", resource=resource
            )
    except DomainError as error:
        abort(error.status, error.message)
    flash(_("Thank you! Your answer has been sent."), "success")
    return redirect(url_for("network.wish", wish_id=wish_id))


@bp.post("/wanted/<int:wish_id>/close")
@login_required
def close(wish_id: int):
    """Close a wish, as fulfilled or not."""
    item = get_wish(wish_id)
    form = CloseWishForm()
    try:
        with write_transaction():
            service.close_wish(item, current_user, fulfilled=bool(form.fulfilled.data))
    except DomainError as error:
        abort(error.status, error.message)
    flash(_("The wish is closed."), "success")
    return redirect(url_for("network.wish", wish_id=wish_id))


# ------------------------------------------------------------------ events ----
def event_filters():
    form = EventFilterForm(request.args)
    orgs = db.session.scalars(select(Organisation).order_by(Organisation.name))
    form.org.choices = choices([("", _("Any organisation"))] + [(o.slug, o.name) for o in orgs])
    form.district.choices = district_choices()
    if not form.validate():
        abort(400, _("Please check the dates."))
    start = service.local_midnight(form.start.data) if form.start.data else None
    end = service.local_midnight(form.end.data + timedelta(days=1)) if form.end.data else None
    if start is None:
        start = service.local_midnight(service.local_today())
    org_id = None
    if form.org.data:
        org_id = db.session.scalar(
            select(Organisation.id).where(Organisation.slug == form.org.data)
        )
    return form, service.events_query(
        start=start, end=end, organisation_id=org_id, district=form.district.data or None
    )


@bp.get("/events")
def events():
    """Upcoming public events in rooms and spaces of the town."""
    form, query = event_filters()
    page = page_number()
    items = db.session.scalars(query.limit(PER_PAGE + 1).offset((page - 1) * PER_PAGE)).all()
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "network/events.html",
        form=form,
        events=items[:PER_PAGE],
        prev_url=url_for("network.events", page=page - 1, **args) if page > 1 else None,
        next_url=url_for("network.events", page=page + 1, **args)
        if len(items) > PER_PAGE
        else None,
    )


@bp.get("/events/<int:event_id>")
def event(event_id: int):
    """One public event."""
    item = service.visible_event(event_id)
    if item is None:
        abort(404)
    return render_template("network/event.html", event=item)


@bp.get("/events.ics")
def events_ics():
    """The public events as a calendar to subscribe to."""
    from flask import current_app

    today = service.local_midnight(service.local_today())
    items = db.session.scalars(
        service.events_query(start=today - timedelta(days=30)).limit(1000)
    ).all()
    body = events_calendar(items, _("Events in %(town)s", town=current_app.config["SITE_TOWN"]))
    return Response(
        body, mimetype="text/calendar", headers={"Cache-Control": "public, max-age=300"}
    )


@bp.route("/reservations/<int:reservation_id>/event", methods=["GET", "POST"])
@login_required
def publish(reservation_id: int):
    """Make a room booking a public event (or change it)."""
    reservation = db.session.get(Reservation, reservation_id)
    if reservation is None or reservation.requester_id != current_user.id:
        abort(404)
    existing = db.session.scalar(
        select(PublicEvent).where(PublicEvent.reservation_id == reservation.id)
    )
    form = EventForm(obj=existing)
    form.organisation.choices = choices(
        [("", _("Do not show an organisation"))]
        + [(o.id, o.name) for o in own_organisations(current_user)]
    )
    if request.method == "GET" and existing and existing.organisation_id:
        form.organisation.data = str(existing.organisation_id)
    if form.validate_on_submit():
        organisation = (
            db.session.get(Organisation, int(form.organisation.data))
            if form.organisation.data
            else None
        )
        try:
            with write_transaction():
                created = service.publish_event(
                    reservation,
                    current_user,
                    title=form.title.data,
                    description=form.description.data or "",
                    access=form.access.data,
                    contact=form.contact.data,
                    organisation=organisation,
                )
        except DomainError as error:
            abort(error.status, error.message)
        flash(_("The event is public now."), "success")
        return redirect(url_for("network.event", event_id=created[0].id))
    if not service.can_publish(reservation, current_user):
        abort(403)
    status = 422 if form.errors else 200
    return render_template(
        "network/event_form.html", form=form, reservation=reservation, existing=existing
    ), status


@bp.post("/events/<int:event_id>/withdraw")
@login_required
def withdraw(event_id: int):
    """Take an event off the public list (the booking stays)."""
    item = db.session.get(PublicEvent, event_id)
    if item is None:
        abort(404)
    try:
        with write_transaction():
            reservation_id = item.reservation_id
            service.withdraw_event(item, current_user)
    except DomainError as error:
        abort(error.status, error.message)
    flash(_("The event is no longer public."), "success")
    return redirect(url_for("network.publish", reservation_id=reservation_id))


@bp.app_template_global()
def network_highlights(limit: int = 3) -> dict:
    """The next public events and the newest wishes, for the start page."""
    today = service.local_today()
    return {
        "events": db.session.scalars(
            service.events_query(start=service.local_midnight(today)).limit(limit)
        ).all(),
        "wishes": db.session.scalars(service.board_query(today).limit(limit)).all(),
    }


@bp.app_template_global()
def public_event_allowed(reservation) -> bool:
    """Whether the booker may show this reservation as a public event (rooms and spaces)."""
    return current_user.is_authenticated and service.can_publish(reservation, current_user)


@bp.app_template_global()
def public_event_of(reservation) -> PublicEvent | None:
    return db.session.scalar(
        select(PublicEvent).where(PublicEvent.reservation_id == reservation.id)
    )
