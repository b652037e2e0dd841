"""The project office: moderation, categories, closures, mail, reports and figures.

Deny by default: every view of this blueprint is for administrators unless it is marked
`@public` (the /stats page) or `@logged_in` (reporting a problem). Anonymous visitors are
sent to the login page, everyone else who may not enter gets 403.
"""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal
from functools import wraps

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date, format_decimal, format_percent
from flask_babel import gettext as _
from flask_login import current_user

from app.admin import charts, reports, service, stats
from app.admin.forms import (
    ButtonForm,
    CategoryForm,
    ClosureForm,
    DecisionForm,
    ReasonForm,
    ReportForm,
)
from app.db import write_transaction
from app.errors import DomainError
from app.extensions import db, limiter
from app.models import Category, Closure, Notification, Organisation, Report, Resource, User
from app.security import safe_next
from app.templating import current_locale, money

bp = Blueprint("admin", __name__)

PER_PAGE = 25


# --------------------------------------------------------------- access ----
def public(view):
    """Open to everyone."""
    view.access = "public"
    return view


def logged_in(view):
    """Open to every logged-in person."""
    view.access = "login"
    return view


def admin_required(view):
    """For views outside this blueprint: administrators only (login redirect, else 403)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        denied = check_access("admin")
        return denied if denied is not None else view(*args, **kwargs)

    return wrapped


def check_access(access: str):
    if access == "public":
        return None
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if access != "login" and not current_user.is_admin:
        abort(403)
    return None


@bp.before_request
def guard():
    view = current_app.view_functions.get(request.endpoint or "")
    return check_access(getattr(view, "access", "admin"))


def actor() -> User:
    return current_user._get_current_object()


def show_errors(form, error: DomainError) -> None:
    """Put a domain refusal next to the fields it names, or flash it."""
    placed = False
    for name, messages in (error.errors or {}).items():
        if name in form:
            form[name].errors = list(form[name].errors) + list(messages)
            placed = True
    if not placed:
        flash(error.message, "error")


def page_arg() -> int:
    try:
        return max(int(request.args.get("page", 1)), 1)
    except ValueError:
        return 1


def back(default: str):
    """Back to a local page the form names (`next`), or to `default`."""
    return redirect(safe_next(request.form.get("next")) or default)


# ---------------------------------------------------------- formatting ----
def cell(value, fmt: str = "text") -> str:
    """A table value for people: numbers in their locale, euros, kilograms, shares."""
    if isinstance(value, tuple):
        value, fmt = value
    if value is None:
        return "–"
    if fmt == "int":
        return format_decimal(value, format="#,##0")
    if fmt == "dec":
        return format_decimal(value, format="#,##0.0")
    if fmt == "pct":
        return format_percent(value, format="#,##0.0 %")
    if fmt == "money":
        return money(int(value))
    if fmt == "euros":
        return format_decimal(Decimal(int(value)) / 100, format="#,##0") + " €"
    if fmt == "kg":
        return format_decimal(Decimal(value) / 1000, format="#,##0.0") + " kg"
    if fmt == "month":
        year, month = str(value).split("-")
        return format_date(date(int(year), int(month), 1), "MMMM y")
    return str(value)


@bp.app_template_filter("figure")
def figure_filter(value, fmt: str = "text") -> str:
    return cell(value, fmt)


def build_charts(figures: stats.Figures) -> dict:
    """The SVG charts of the tables that have them."""
    tables = figures.tables
    out = {}
    months = tables["months"]
    out["months"] = charts.bar_chart(
        "chart-months",
        months.title,
        [cell(row[0], "month") for row in months.rows],
        stats.chart_series(months, list(stats.KINDS)),
        fmt=lambda v: cell(v, "int"),
    )
    for name, key, label_index, fmt, limit in (
        ("categories", "reservations", 0, "int", 10),
        ("resources", "reservations", 0, "int", 10),
        ("organisations", "reservations", 0, "int", 10),
        ("estimates", "purchase", 0, "money", 10),
    ):
        table = tables.get(name)
        if table is None or not table.rows:
            continue
        top = stats.Table(table.name, table.title, table.columns, table.rows[:limit])
        out[name] = charts.bar_chart(
            f"chart-{name}",
            table.title,
            [str(row[label_index]) for row in top.rows],
            stats.chart_series(top, [key]),
            fmt=lambda v, fmt=fmt: cell(v, fmt),
        )
    table = tables.get("utilisation")
    if table is not None and table.rows:
        top = table.rows[:15]
        out["utilisation"] = charts.bar_chart(
            "chart-utilisation",
            _("Utilisation of the most used resources"),
            [str(row[0]) for row in top],
            [(_("Utilisation"), [row[5] * 100 for row in top])],
            fmt=lambda v: cell(v / 100, "pct"),
            max_value=100,
        )
    return out


def column_formats(table: stats.Table) -> list[str]:
    return ["month" if c.key == "month" else c.format for c in table.columns]


@bp.context_processor
def helpers() -> dict:
    return {
        "cell": cell,
        "column_formats": column_formats,
        "reason_label": lambda key: reports.REASON_LABELS.get(key, key),
        "state_label": lambda key: reports.STATE_LABELS.get(key, key),
        "target_label": lambda key: reports.TARGET_LABELS.get(key, key),
    }


# ------------------------------------------------------------- overview ----
@bp.get("/admin")
def index():
    """The office's start page: what waits, and where to go."""
    return render_template("admin/index.html", counts=service.overview())


# ----------------------------------------------------------- categories ----
@bp.get("/admin/categories")
def categories():
    """Every category in its order, with its estimates."""
    rows = db.session.scalars(
        db.select(Category).order_by(Category.position, Category.name_de, Category.id)
    ).all()
    return render_template("admin/categories.html", categories=rows)


def category_data(form: CategoryForm) -> service.CategoryData:
    def cents(value):
        return None if value is None else int((value * 100).to_integral_value())

    def grams(value):
        return None if value is None else int((value * 1000).to_integral_value())

    return service.CategoryData(
        slug=form.slug.data if form.slug is not None else None,
        name_de=form.name_de.data or "",
        name_en=form.name_en.data or "",
        label_de=form.label_de.data or "",
        label_en=form.label_en.data or "",
        position=form.position.data or 0,
        avoided_purchase_cents=cents(form.avoided_purchase.data),
        avoided_co2_grams=grams(form.avoided_co2.data),
    )


@bp.route("/admin/categories/new", methods=["GET", "POST"])
def category_new():
    """Add a category."""
    form = CategoryForm()
    if form.validate_on_submit():
        try:
            with write_transaction():
                category = service.save_category(actor(), None, category_data(form))
        except DomainError as error:
            show_errors(form, error)
        else:
            flash(_("The category %(name)s was added.", name=category.name_de), "success")
            return redirect(url_for("admin.categories"))
    return render_template("admin/category_form.html", form=form, category=None), (
        422 if form.errors else 200
    )


@bp.route("/admin/categories/<int:category_id>", methods=["GET", "POST"])
def category_edit(category_id: int):
    """Change a category's names, descriptions, order and estimates."""
    category = db.get_or_404(Category, category_id)
    form = CategoryForm(obj=category if request.method == "GET" else None)
    del form.slug
    if request.method == "GET":
        if category.avoided_purchase_cents is not None:
            form.avoided_purchase.data = Decimal(category.avoided_purchase_cents) / 100
        if category.avoided_co2_grams is not None:
            form.avoided_co2.data = Decimal(category.avoided_co2_grams) / 1000
    if form.validate_on_submit():
        try:
            with write_transaction():
                service.save_category(actor(), category, category_data(form))
        except DomainError as error:
            show_errors(form, error)
        else:
            flash(_("The category %(name)s was saved.", name=category.name_de), "success")
            return redirect(url_for("admin.categories"))
    return render_template("admin/category_form.html", form=form, category=category), (
        422 if form.errors else 200
    )


# --------------------------------------------------------------- people ----
@bp.get("/admin/people")
def people():
    """Search people by name or email address."""
    term = (request.args.get("q") or "").strip()[:100]
    page = db.paginate(service.search_people(term), page=page_arg(), per_page=PER_PAGE,
                       error_out=False)
    return render_template("admin/people.html", page=page, q=term)


def person_page(person: User, block_form: ReasonForm | None = None, status: int = 200):
    from app.models import Reservation

    open_requests = db.session.scalar(
        db.select(db.func.count(Reservation.id)).where(
            Reservation.requester_id == person.id, Reservation.status == "requested"
        )
    )
    return (
        render_template(
            "admin/person.html",
            person=person,
            block_form=block_form or ReasonForm(),
            button=ButtonForm(),
            open_requests=open_requests,
        ),
        status,
    )


@bp.get("/admin/people/<int:user_id>")
def person(user_id: int):
    """One person: rights, blocking."""
    return person_page(db.get_or_404(User, user_id))


@bp.post("/admin/people/<int:user_id>/admin")
def person_admin(user_id: int):
    """Make someone an administrator, or take it back."""
    person = db.get_or_404(User, user_id)
    form = ButtonForm()
    value = request.form.get("value")
    if not form.validate_on_submit() or value not in ("1", "0"):
        abort(400)
    try:
        with write_transaction():
            service.set_admin(actor(), person, value == "1")
    except DomainError as error:
        flash(error.message, "error")
    else:
        if value == "1":
            flash(_("%(name)s is now an administrator.", name=person.display_name), "success")
        else:
            flash(_("%(name)s is no longer an administrator.", name=person.display_name),
                  "success")
    return redirect(url_for("admin.person", user_id=person.id))


@bp.post("/admin/people/<int:user_id>/block")
def person_block(user_id: int):
    """Block an account with a reason; its open requests are declined."""
    person = db.get_or_404(User, user_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        return person_page(person, form, 422)
    try:
        with write_transaction():
            declined = service.block_user(actor(), person, form.reason.data)
    except DomainError as error:
        show_errors(form, error)
        return person_page(person, form, error.status)
    flash(
        _("%(name)s is blocked. Open requests declined: %(n)s.", name=person.display_name,
          n=declined),
        "success",
    )
    return redirect(url_for("admin.person", user_id=person.id))


@bp.post("/admin/people/<int:user_id>/unblock")
def person_unblock(user_id: int):
    """Let a blocked person log in again."""
    person = db.get_or_404(User, user_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        with write_transaction():
            service.unblock_user(actor(), person)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_("%(name)s can log in again.", name=person.display_name), "success")
    return redirect(url_for("admin.person", user_id=person.id))


# -------------------------------------------------------- organisations ----
@bp.get("/admin/orgs")
def orgs():
    """Organisations, to verify."""
    term = (request.args.get("q") or "").strip()[:100]
    query = db.select(Organisation)
    if term:
        query = query.where(
            db.func.lower(Organisation.name).like(service.like(term), escape="\\")
        )
    if request.args.get("unverified"):
        query = query.where(Organisation.verified_at.is_(None))
    query = query.order_by(Organisation.verified_at.is_not(None), Organisation.name)
    page = db.paginate(query, page=page_arg(), per_page=PER_PAGE, error_out=False)
    return render_template("admin/orgs.html", page=page, q=term, button=ButtonForm(),
                           unverified=bool(request.args.get("unverified")))


@bp.post("/admin/orgs/<int:org_id>/verify")
def org_verify(org_id: int):
    """Mark an organisation as verified by the office, or take it back."""
    org = db.get_or_404(Organisation, org_id)
    value = request.form.get("value")
    if not ButtonForm().validate_on_submit() or value not in ("1", "0"):
        abort(400)
    with write_transaction():
        service.set_verified(actor(), org, value == "1")
    if value == "1":
        flash(_("%(name)s is marked as verified.", name=org.name), "success")
    else:
        flash(_("%(name)s is no longer marked as verified.", name=org.name), "success")
    return back(url_for("admin.orgs"))


# ------------------------------------------------------------- listings ----
@bp.get("/admin/listings")
def listings():
    """Listings, hidden ones first; search by title."""
    term = (request.args.get("q") or "").strip()[:100]
    hidden = bool(request.args.get("hidden"))
    page = db.paginate(service.search_listings(term, hidden), page=page_arg(),
                       per_page=PER_PAGE, error_out=False)
    return render_template("admin/listings.html", page=page, q=term, hidden=hidden)


def listing_page(resource: Resource, form: ReasonForm | None = None, status: int = 200):
    open_reports = db.session.scalars(
        db.select(Report)
        .where(Report.target_type == "resource", Report.target_id == resource.id)
        .order_by(Report.created_at.desc())
    ).all()
    return (
        render_template(
            "admin/listing.html",
            resource=resource,
            form=form or ReasonForm(),
            button=ButtonForm(),
            reports=open_reports,
        ),
        status,
    )


@bp.get("/admin/listings/<int:resource_id>")
def listing(resource_id: int):
    """One listing: hide it with a reason, or show it again."""
    return listing_page(db.get_or_404(Resource, resource_id))


@bp.post("/admin/listings/<int:resource_id>/hide")
def listing_hide(resource_id: int):
    """Hide a listing; its owners are told the reason by mail."""
    resource = db.get_or_404(Resource, resource_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        return listing_page(resource, form, 422)
    try:
        with write_transaction():
            service.hide_resource(actor(), resource, form.reason.data)
    except DomainError as error:
        show_errors(form, error)
        return listing_page(resource, form, error.status)
    flash(_("The listing is hidden; its owners have been told why."), "success")
    return back(url_for("admin.listing", resource_id=resource.id))


@bp.post("/admin/listings/<int:resource_id>/unhide")
def listing_unhide(resource_id: int):
    """Show a hidden listing again, with the status its owner gave it."""
    resource = db.get_or_404(Resource, resource_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        with write_transaction():
            service.unhide_resource(actor(), resource)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_("The listing is visible again."), "success")
    return back(url_for("admin.listing", resource_id=resource.id))


# ------------------------------------------------------------- closures ----
@bp.route("/admin/closures", methods=["GET", "POST"])
def closures():
    """Town-wide closures: every resource that follows the site calendar is closed."""
    form = ClosureForm()
    if form.validate_on_submit():
        try:
            with write_transaction():
                service.add_town_closure(
                    actor(), form.start_date.data, form.end_date.data, form.reason.data
                )
        except DomainError as error:
            show_errors(form, error)
        else:
            flash(_("The closure was added."), "success")
            return redirect(url_for("admin.closures"))
    rows = db.session.scalars(service.town_closures()).all()
    return render_template(
        "admin/closures.html", form=form, closures=rows, button=ButtonForm()
    ), (422 if form.errors else 200)


@bp.post("/admin/closures/<int:closure_id>/delete")
def closure_delete(closure_id: int):
    """Remove a town-wide closure."""
    closure = db.get_or_404(Closure, closure_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    with write_transaction():
        service.remove_town_closure(actor(), closure)
    flash(_("The closure was removed."), "success")
    return redirect(url_for("admin.closures"))


# ---------------------------------------------------------------- mail ----
@bp.get("/admin/mail")
def mail():
    """Messages whose delivery failed, to send again."""
    page = db.paginate(service.failed_mail(), page=page_arg(), per_page=PER_PAGE,
                       error_out=False)
    return render_template("admin/mail.html", page=page, button=ButtonForm())


@bp.post("/admin/mail/<int:note_id>/retry")
def mail_retry(note_id: int):
    """Queue a failed message again."""
    note = db.get_or_404(Notification, note_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        with write_transaction():
            service.retry_mail(actor(), note)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_("The message to %(to)s will be sent again.", to=note.to_address), "success")
    return redirect(url_for("admin.mail"))


@bp.post("/admin/mail/retry-all")
def mail_retry_all():
    """Queue every failed message again."""
    if not ButtonForm().validate_on_submit():
        abort(400)
    with write_transaction():
        count = service.retry_all_mail(actor())
    flash(_("Messages queued again: %(n)s.", n=count), "success")
    return redirect(url_for("admin.mail"))


# -------------------------------------------------------------- reports ----
@bp.get("/admin/reports")
def report_queue():
    """Reports of problems, open ones first and oldest first."""
    state = request.args.get("state", "open")
    if state not in ("open", "resolved", "dismissed", "all"):
        state = "open"
    page = db.paginate(reports.queue(state), page=page_arg(), per_page=PER_PAGE,
                       error_out=False)
    return render_template("admin/reports.html", page=page, state=state)


def report_page(report: Report, form: DecisionForm | None = None, status: int = 200):
    target = reports.resolve(report.target_type, report.target_id)
    return (
        render_template(
            "admin/report.html",
            report=report,
            target=target,
            form=form or DecisionForm(),
            button=ButtonForm(),
            hide_form=ReasonForm(),
        ),
        status,
    )


@bp.get("/admin/reports/<int:report_id>")
def report_detail(report_id: int):
    """One report, what it is about, and how it ends."""
    return report_page(db.get_or_404(Report, report_id))


@bp.post("/admin/reports/<int:report_id>")
def report_decide(report_id: int):
    """Close a report as resolved or dismissed, with what was done."""
    report = db.get_or_404(Report, report_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        return report_page(report, form, 422)
    try:
        with write_transaction():
            reports.decide_report(actor(), report, form.decision.data, form.outcome.data)
    except DomainError as error:
        show_errors(form, error)
        return report_page(report, form, error.status)
    flash(_("The report is closed."), "success")
    return redirect(url_for("admin.report_queue"))


@bp.post("/admin/reports/<int:report_id>/reopen")
def report_reopen(report_id: int):
    """Open a closed report again."""
    report = db.get_or_404(Report, report_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    with write_transaction():
        reports.reopen_report(actor(), report)
    flash(_("The report is open again."), "success")
    return redirect(url_for("admin.report_detail", report_id=report.id))


def report_person() -> str:
    """Rate-limit key: the person reporting."""
    return f"report-user:{current_user.get_id()}"


def report_view(target_type: str, target_id: int):
    target = reports.target_for(actor(), target_type, target_id)
    form = ReportForm()
    if form.validate_on_submit():
        try:
            with write_transaction():
                reports.create_report(
                    actor(), target_type, target_id, form.reason.data, form.text.data or ""
                )
        except DomainError as error:
            if error.status == 409:
                flash(error.message, "info")
                return redirect(target.link or url_for("main.index"))
            show_errors(form, error)
        else:
            flash(_("Thank you. The project office will look at your report."), "success")
            return redirect(target.link or url_for("main.index"))
    return render_template("admin/report_form.html", form=form, target=target), (
        422 if form.errors else 200
    )


@bp.route("/resources/<int:resource_id>/report", methods=["GET", "POST"])
@logged_in
@limiter.limit("20/hour", methods=["POST"], key_func=report_person)
def report_resource(resource_id: int):
    """Report a problem with a listing."""
    return report_view("resource", resource_id)


@bp.route("/report/<target_type>/<int:target_id>", methods=["GET", "POST"])
@logged_in
@limiter.limit("20/hour", methods=["POST"], key_func=report_person)
def report(target_type: str, target_id: int):
    """Report a problem with a message."""
    return report_view(target_type, target_id)


# -------------------------------------------------------------- figures ----
def period_or_error() -> tuple[stats.Period, str | None]:
    try:
        return stats.Period.parse(request.args.get("from"), request.args.get("to")), None
    except stats.PeriodError as error:
        return stats.Period.last_twelve_months(), error.message


@bp.get("/admin/dashboard")
def dashboard():
    """Figures for a chosen period, with charts, tables and CSV downloads."""
    period, error = period_or_error()
    if error:
        flash(error, "error")
    figures = stats.build(period, current_locale())
    today = stats.local_today()
    presets = [
        (_("Last 12 months"), stats.Period.last_twelve_months(today)),
        (_("This year"), stats.Period(date(today.year, 1, 1), today, period.zone)),
        (
            _("Last year"),
            stats.Period(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31), period.zone),
        ),
    ]
    return render_template(
        "admin/dashboard.html",
        figures=figures,
        charts=build_charts(figures),
        order=stats.TABLE_NAMES,
        presets=presets,
        period_error=error,
    ), (400 if error else 200)


@bp.get("/admin/dashboard.csv")
def dashboard_csv():
    """One table of the dashboard as CSV."""
    name = request.args.get("table", "")
    if name not in stats.TABLE_NAMES:
        abort(404)
    try:
        period = stats.Period.parse(request.args.get("from"), request.args.get("to"))
    except stats.PeriodError as error:
        return Response(error.message + "\n", status=400, mimetype="text/plain")
    figures = stats.build(period, current_locale())
    body = "\ufeff" + stats.to_csv(figures.tables[name])
    filename = f"allmende-{name}-{period.first.isoformat()}-{period.last.isoformat()}.csv"
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/stats", endpoint="stats")
@public
def stats_page():
    """What sharing achieves: the figures of the last twelve months, without names."""
    figures, drawn = public_figures()
    return render_template("admin/stats.html", figures=figures, charts=drawn)


def public_figures() -> tuple[stats.Figures, dict]:
    """The public figures, kept for a few minutes per language: anyone may ask for them often.

    `STATS_CACHE_SECONDS` (default 600, 0 in tests) says how long; each process keeps its own.
    """
    ttl = current_app.config.get("STATS_CACHE_SECONDS", 0 if current_app.testing else 600)
    key = (current_locale(), stats.local_today())
    cache: dict = current_app.extensions.setdefault("admin_public_stats", {})
    now = time.monotonic()
    hit = cache.get(key)
    if ttl and hit is not None and hit[0] > now:
        return hit[1], hit[2]
    figures = stats.build(stats.Period.last_twelve_months(), key[0], public=True)
    drawn = build_charts(figures)
    if ttl:
        for old in [k for k, v in cache.items() if v[0] <= now]:
            cache.pop(old, None)
        cache[key] = (now + ttl, figures, drawn)
    return figures, drawn
