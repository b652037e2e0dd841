"""Finding, looking at and offering resources; their photos."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from babel.dates import get_day_names
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BuildError, RequestRedirect
from wtforms.fields.choices import SelectChoice

from app.catalogue import photos as photo_files
from app.catalogue import service
from app.catalogue.forms import (
    FORMS,
    PhotoActionForm,
    PhotoAltForm,
    PhotoForm,
    ResourceForm,
    StatusForm,
)
from app.catalogue.photos import PhotoError
from app.catalogue.search import FilterError, parse_filters, search
from app.db import write_transaction
from app.errors import DomainError, NotFound
from app.extensions import db, login_manager
from app.models import Category, OpeningHours, Organisation, Photo, Resource
from app.models.catalogue import KINDS

bp = Blueprint("catalogue", __name__)

PER_PAGE = 24
KIND_CATEGORY = {"room": "meeting-rooms", "space": "shop-spaces"}


# ------------------------------------------------------------ template help ----
def kind_labels() -> dict[str, str]:
    return {"item": _("Thing"), "room": _("Room"), "space": _("Vacant space")}


def rent_model_labels() -> dict[str, str]:
    return {
        "free": _("Free of charge"),
        "utilities": _("Utilities only"),
        "reduced": _("Reduced rent"),
        "negotiable": _("Negotiable"),
    }


def status_labels() -> dict[str, str]:
    return {"active": _("Active"), "paused": _("Paused"), "archived": _("Archived")}


@bp.app_template_global()
def photo_url(photo: Photo, size: int = photo_files.LIST_SIZE) -> str:
    """The URL of a photo in one of the stored sizes (480 for lists, 1280 for detail)."""
    return url_for("catalogue.media_photo", name=photo_files.file_name(photo.stem, photo.ext, size))


@bp.app_template_global()
def path_exists(path: str) -> bool:
    """Whether some area already answers GET at this path (for links to pages in progress)."""
    adapter = current_app.url_map.bind("localhost")
    try:
        adapter.match(path, method="GET")
    except RequestRedirect:
        return True
    except HTTPException:
        return False
    return True


@bp.app_template_global()
def reserve_url(resource: Resource) -> str | None:
    """Where to reserve: the booking form, or the inquiry form for spaces; None until built."""
    try:
        if resource.kind == "space":
            try:
                return url_for("spaces.inquire", space_id=resource.id)
            except BuildError:
                return url_for("spaces.index")
        return url_for("reservations.new", resource_id=resource.id)
    except BuildError:
        return None


@bp.app_template_global()
def resource_kind_label(kind: str) -> str:
    return kind_labels().get(kind, kind)


@bp.app_template_global()
def resource_status_label(status: str) -> str:
    return status_labels().get(status, status)


@bp.app_template_global()
def rent_model_label(model: str | None) -> str:
    return rent_model_labels().get(model or "", "")


@bp.app_template_global()
def category_name(category: Category | None) -> str:
    if category is None:
        return ""
    from app.templating import current_locale

    return category.name(current_locale())


@bp.app_template_global()
def newest_offers(limit: int = 4) -> dict[str, list[Resource]]:
    return service.newest_offers(limit)


@bp.app_template_global()
def start_categories() -> list[Category]:
    return all_categories()


def all_categories() -> list[Category]:
    return list(db.session.scalars(sa.select(Category).order_by(Category.position, Category.slug)))


def viewer():
    return current_user if current_user.is_authenticated else None


# ------------------------------------------------------------------ finding ----
@bp.get("/resources")
def index():
    """Find resources: words, kind, category, place, size, free dates."""
    categories = all_categories()
    config = current_app.config
    context = {
        "categories": categories,
        "districts": config["DISTRICTS"],
        "kinds": kind_labels(),
        "args": request.args,
        "org": None,
    }
    try:
        filters = parse_filters(
            request.args,
            districts=config["DISTRICTS"],
            timezone=config["TIMEZONE"],
            categories=[c.slug for c in categories],
        )
    except FilterError as error:
        return render_template("catalogue/index.html", error=error, **context), 400
    if filters.org:
        context["org"] = db.session.scalar(
            sa.select(Organisation).where(Organisation.slug == filters.org)
        )
    results = search(filters, viewer(), per_page=PER_PAGE)
    if results.total and filters.page > results.pages:
        return render_template(
            "catalogue/index.html",
            error=FilterError(_("There is no page %(n)s of these results.", n=filters.page)),
            **context,
        ), 400
    from app.booking.search import today_hints

    hints = today_hints([r.id for r in results.items if r.kind != "space"])
    return render_template(
        "catalogue/index.html",
        filters=filters,
        results=results,
        hints=hints,
        widen=widening_links(filters, context),
        **context,
    )


def widening_links(filters, context) -> list[tuple[str, str]]:
    """Links that each drop one filter, for when nothing was found."""
    names = {
        "q": _("Search without the words “%(q)s”", q=filters.q),
        "kind": _("Search all kinds"),
        "category": _("Search all categories"),
        "district": _("Search all districts"),
        "org": _("Search the offers of every lender"),
        "capacity_min": _("Search rooms of any size"),
        "area_min": _("Search spaces of any size"),
        "available_from": _("Search without dates"),
    }
    links = []
    for name, label in names.items():
        if filters.active().get(name):
            params = filters.without(name)
            links.append((label, url_for("catalogue.index", **params)))
    return links


# ------------------------------------------------------------------ looking ----
@bp.get("/resources/<int:resource_id>")
def detail(resource_id: int):
    """One resource: photos, description, lender, rules, prices, where to reserve."""
    try:
        resource = service.get_resource(resource_id, viewer())
    except NotFound:
        if not current_user.is_authenticated:
            exists = db.session.scalar(
                sa.select(Resource.id).where(
                    Resource.id == resource_id,
                    Resource.visibility == "members",
                    Resource.status == "active",
                    Resource.hidden_at.is_(None),
                )
            )
            if exists:
                return login_manager.unauthorized()
        raise
    hours = opening_hours_of(resource)
    return render_template(
        "catalogue/detail.html",
        resource=resource,
        hours=hours,
        show_address=service.may_see_address(resource, viewer()),
        can_manage=resource.can_manage(current_user),
    )


def opening_hours_of(resource: Resource) -> list[tuple[str, list[OpeningHours]]]:
    """The opening hours that apply, as (weekday name, intervals) in week order."""
    if resource.own_hours or resource.owner_org_id is None:
        rows = list(resource.opening_hours)
    else:
        rows = list(
            db.session.scalars(
                sa.select(OpeningHours).where(OpeningHours.organisation_id == resource.owner_org_id)
            )
        )
    from app.templating import current_locale

    names = get_day_names("wide", locale=current_locale())
    by_day: dict[int, list[OpeningHours]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: (r.weekday, r.opens)):
        by_day[row.weekday].append(row)
    return [(names[day], by_day[day]) for day in range(7) if by_day[day]]


# ----------------------------------------------------------------- offering ----
def managed_resource(resource_id: int) -> Resource:
    """The resource if the current person may manage it; 404 if unseen, 403 otherwise."""
    resource = service.get_resource(resource_id, viewer())
    if not resource.can_manage(current_user):
        abort(403)
    return resource


def setup_form(form: ResourceForm, organisations: list[Organisation]) -> None:
    from app.templating import current_locale

    locale = current_locale()
    form.owner.choices = [
        SelectChoice("me", _("Myself (%(name)s)", name=current_user.display_name))
    ] + [SelectChoice(f"org:{org.id}", org.name) for org in organisations]
    form.category.choices = [SelectChoice("", _("No category"))] + [
        SelectChoice(str(c.id), c.name(locale)) for c in all_categories()
    ]
    form.district.choices = [SelectChoice("", _("Please choose"))] + [
        SelectChoice(d) for d in current_app.config["DISTRICTS"]
    ]


def attach_errors(form: ResourceForm, error: DomainError) -> None:
    aliases = {"fee": "fee", "category_id": "category"}
    placed = False
    for name, message in (error.errors or {}).items():
        target = getattr(form, aliases.get(name, name), None)
        if target is not None and hasattr(target, "errors"):
            target.errors = [*target.errors, message]
            placed = True
    if not placed:
        form.title.errors = [*form.title.errors, error.message]


def require_confirmed():
    if not current_user.is_confirmed:
        flash(_("Please confirm your email address before you offer something."), "warning")
        return redirect(url_for("auth.unconfirmed"))
    return None


@bp.route("/resources/new", methods=["GET", "POST"])
@login_required
def new():
    """Offer a thing, a room or a space (one form per kind)."""
    kind = request.args.get("kind", "")
    if kind not in KINDS:
        return render_template("catalogue/choose_kind.html", kinds=kind_labels()), (
            400 if kind else 200
        )
    refusal = require_confirmed()
    if refusal:
        return refusal
    organisations = service.managed_organisations(current_user)
    form = FORMS[kind]()
    setup_form(form, organisations)
    if request.method == "GET":
        wanted = request.args.get("org")
        for org in organisations:
            if org.slug == wanted:
                form.owner.data = f"org:{org.id}"
                form.district.data = org.district or ""
        slug = KIND_CATEGORY.get(kind)
        for category in all_categories():
            if category.slug == slug:
                form.category.data = str(category.id)
    if form.validate_on_submit():
        photo = form.photo.data
        data = photo.read() if photo else None
        try:
            with write_transaction():
                organisation = None
                if form.owner.data.startswith("org:"):
                    organisation = db.session.get(Organisation, int(form.owner.data[4:]))
                resource = service.create_resource(
                    current_user, kind, form.data_for_resource(), organisation=organisation
                )
                if data:
                    service.add_photo(current_user, resource, data, form.photo_alt.data)
        except PhotoError as error:
            form.photo.errors = [*form.photo.errors, error.message]
        except DomainError as error:
            attach_errors(form, error)
        else:
            flash(_("Your offer is online. You can add more photos now."), "success")
            return redirect(url_for("catalogue.detail", resource_id=resource.id))
    return render_template(
        "catalogue/form.html", form=form, kind=kind, resource=None, creating=True
    ), 422 if form.errors else 200


@bp.route("/resources/<int:resource_id>/edit", methods=["GET", "POST"])
@login_required
def edit(resource_id: int):
    """Change an offer's details."""
    resource = managed_resource(resource_id)
    form = FORMS[resource.kind](obj=resource if request.method == "GET" else None)
    setup_form(form, [resource.owner_org] if resource.owner_org else [])
    owner_value = f"org:{resource.owner_org_id}" if resource.owner_org_id else "me"
    form.owner.data = owner_value  # the owner stays; whatever was sent is ignored
    if request.method == "GET":
        form.category.data = str(resource.category_id) if resource.category_id else ""
        form.fee.data = resource.fee_cents
        form.deposit.data = resource.deposit_cents
        if resource.kind == "space":
            form.permitted_uses.data = list(resource.permitted_uses or [])
    form.owner.choices = [c for c in form.owner.choices if c.value == owner_value]
    if form.validate_on_submit():
        try:
            with write_transaction():
                resource = managed_resource(resource_id)
                service.update_resource(current_user, resource, form.data_for_resource())
        except DomainError as error:
            attach_errors(form, error)
        else:
            flash(_("Your changes are saved."), "success")
            return redirect(url_for("catalogue.detail", resource_id=resource_id))
    return render_template(
        "catalogue/form.html", form=form, kind=resource.kind, resource=resource, creating=False
    ), 422 if form.errors else 200


@bp.post("/resources/<int:resource_id>/status")
@login_required
def status(resource_id: int):
    """Pause, archive or reactivate an offer."""
    form = StatusForm()
    if not form.validate_on_submit():
        abort(400)
    with write_transaction():
        resource = managed_resource(resource_id)
        service.set_status(current_user, resource, form.status.data)
    messages = {
        "active": _("The offer is active again."),
        "paused": _("The offer is paused: nobody can find or reserve it until you reactivate it."),
        "archived": _("The offer is archived."),
    }
    flash(messages[form.status.data], "success")
    return redirect(url_for("catalogue.detail", resource_id=resource_id))


# ------------------------------------------------------------------- photos ----
@bp.route("/resources/<int:resource_id>/photos", methods=["GET", "POST"])
@login_required
def photos(resource_id: int):
    """Add photos, describe them, put them in order."""
    resource = managed_resource(resource_id)
    form = PhotoForm()
    if form.validate_on_submit():
        data = form.photo.data.read()
        try:
            with write_transaction():
                resource = managed_resource(resource_id)
                service.add_photo(current_user, resource, data, form.alt_text.data)
        except PhotoError as error:
            form.photo.errors = [*form.photo.errors, error.message]
        except DomainError as error:
            form.alt_text.errors = [*form.alt_text.errors, error.message]
        else:
            flash(_("The photo is added."), "success")
            return redirect(url_for("catalogue.photos", resource_id=resource_id))
    return render_template(
        "catalogue/photos.html",
        resource=resource,
        form=form,
        alt_forms={
            p.id: PhotoAltForm(prefix=f"p{p.id}", formdata=None, obj=p) for p in resource.photos
        },
        action_form=PhotoActionForm(),
    ), 422 if form.errors else 200


@bp.post("/resources/<int:resource_id>/photos/<int:photo_id>/alt")
@login_required
def photo_alt(resource_id: int, photo_id: int):
    """Change the description of a photo."""
    form = PhotoAltForm(prefix=f"p{photo_id}")
    if not form.validate_on_submit():
        flash(_("Please describe the photo for people who cannot see it."), "error")
        return redirect(url_for("catalogue.photos", resource_id=resource_id))
    with write_transaction():
        resource = managed_resource(resource_id)
        service.set_alt_text(current_user, resource, photo_id, form.alt_text.data)
    flash(_("The description is saved."), "success")
    return redirect(url_for("catalogue.photos", resource_id=resource_id))


@bp.post("/resources/<int:resource_id>/photos/<int:photo_id>/move")
@login_required
def photo_move(resource_id: int, photo_id: int):
    """Move a photo up or down; the first photo is the cover."""
    form = PhotoActionForm()
    if not form.validate_on_submit() or form.direction.data not in ("up", "down"):
        abort(400)
    with write_transaction():
        resource = managed_resource(resource_id)
        service.move_photo(current_user, resource, photo_id, form.direction.data)
    return redirect(url_for("catalogue.photos", resource_id=resource_id) + f"#photo-{photo_id}")


@bp.post("/resources/<int:resource_id>/photos/<int:photo_id>/delete")
@login_required
def photo_delete(resource_id: int, photo_id: int):
    """Remove a photo."""
    form = PhotoActionForm()
    if not form.validate_on_submit():
        abort(400)
    with write_transaction():
        resource = managed_resource(resource_id)
        stem, ext = service.delete_photo(current_user, resource, photo_id)
    photo_files.remove_files(stem, ext)
    flash(_("The photo is removed."), "success")
    return redirect(url_for("catalogue.photos", resource_id=resource_id))


@bp.get("/media/photos/<name>")
def media_photo(name: str):
    """A stored photo; names are random, files never change, so caches may keep them."""
    found = photo_files.resolve(name)
    if found is None:
        abort(404)
    path, mimetype = found
    response = send_file(path, mimetype=mimetype, conditional=True, etag=True, max_age=31536000)
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
