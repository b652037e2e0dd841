"""Pages for what lenders and borrowers ask for: series, waiting lists, terms and quotas,
defects and repairs, counter loans, handover codes and messages on a reservation.

Registered on the reservations blueprint (imported at the end of routes.py).
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from app.booking import (
    counter,
    defects,
    handover,
    messages,
    quotas,
    series,
    service,
    terms,
    waitlist,
)
from app.booking.availability import local_date, local_midnight
from app.booking.periods import isoformat, parse_moment
from app.booking.rules import Refused
from app.catalogue.photos import file_name, resolve
from app.db import utcnow, write_transaction
from app.errors import DomainError, Forbidden
from app.extensions import db, limiter
from app.models import (
    Closure,
    DefectReport,
    Membership,
    Organisation,
    Reservation,
    Resource,
    WaitlistEntry,
)
from app.reservations.lending_forms import (
    ButtonForm,
    CancelAffectedForm,
    CodeHandOverForm,
    CodeLookupForm,
    CodeReturnForm,
    DayCounterForm,
    DaySeriesForm,
    DefectForm,
    LendingSettingsForm,
    MessageForm,
    ReasonForm,
    RepairForm,
    SlotCounterForm,
    SlotSeriesForm,
    WaitlistForm,
)
from app.reservations.routes import (
    bp,
    form_period,
    prefill,
    reservation_period,
    time_choices,
    viewable_reservation,
    visible_resource,
)


# ---------------------------------------------------------------- helpers ----
def place_errors(form, error: DomainError) -> None:
    """Put a domain error's per-field messages next to the fields, the rest on top."""
    placed = False
    for key, message in (error.errors or {}).items():
        name = key.split(".")[-1] if key.startswith("repeat.") else key
        if name == "repeat":
            name = "count"
        if name in form:
            form[name].errors = [*form[name].errors, message]
            placed = True
    if not placed:
        form.form_errors.append(error.message)


def with_time_choices(form, resource: Resource):
    starts, ends = time_choices(resource)
    form.start_time.choices = [SelectChoice(t) for t in starts]
    form.end_time.choices = [SelectChoice(t) for t in ends]
    return form


def prefill_from_args(form) -> None:
    if request.method != "GET" or not request.args.get("start"):
        return
    try:
        start = parse_moment(request.args["start"])
        end = parse_moment(request.args["end"]) if request.args.get("end") else None
    except ValueError:
        return
    prefill(form, start, end)


def managed_resource(resource_id: int) -> Resource:
    """The resource if the current person lends it (404 unseen, 403 not theirs)."""
    resource = db.session.get(Resource, resource_id)
    if resource is None or not resource.can_see(current_user):
        abort(404)
    if not resource.can_manage(current_user):
        abort(403)
    return resource


def bookable_resource(resource_id: int) -> Resource:
    resource = visible_resource(resource_id)
    if resource.kind not in ("item", "room"):
        abort(404)
    return resource


@bp.app_template_global()
def lending_requirements(resource: Resource) -> dict:
    """What a person must accept or confirm before reserving (for the reservation forms)."""
    user = current_user if current_user.is_authenticated else None
    return {
        "terms": terms.pending_terms(resource, user),
        "min_age": None if user is not None and resource.can_manage(user) else resource.min_age,
        "briefing": resource.briefing_required,
    }


@bp.app_template_global()
def waitlist_form_for(resource: Resource, form) -> WaitlistForm | None:
    """A waiting-list button for the period a refused reservation form asked for."""
    try:
        start, end = form_period(form)
    except (ValueError, TypeError, AttributeError):
        return None
    units = getattr(getattr(form, "units", None), "data", None) or 1
    return WaitlistForm(formdata=None, prefix="waitlist",
                        data={"start": isoformat(start), "end": isoformat(end),
                              "units": str(units)})


@bp.app_template_global()
def lending_panel(reservation: Reservation) -> dict:
    """Messages, series, handover code and defect link for the reservation page."""
    role = messages.author_role(reservation, current_user)
    roles = service.roles_of(reservation, current_user)
    is_lender = "lender" in roles
    code_forms = {}
    if is_lender and reservation.handover_code:
        actions = service.allowed_actions(reservation, current_user)
        if "hand_over" in actions:
            code_forms["hand_over"] = CodeHandOverForm(prefix="code")
        if "return" in actions:
            code_forms["return"] = CodeReturnForm(prefix="code")
    return {
        "messages": messages.thread(reservation),
        "message_form": MessageForm(prefix="message") if role else None,
        "series_url": url_for("reservations.series_page", series_id=reservation.series_id)
        if reservation.series_id else None,
        "code_forms": code_forms,
        "may_report": defects.may_report(reservation.resource, current_user)
        and reservation.status in ("confirmed", "handed_over", "returned"),
        "briefing": reservation.resource.briefing_required,
    }


@bp.app_template_global()
def lending_links(resource: Resource) -> list[tuple[str, str]]:
    """Links to the lending pages that fit the person and the resource."""
    links: list[tuple[str, str]] = []
    if resource.kind not in ("item", "room") or not current_user.is_authenticated:
        return links
    if resource.can_manage(current_user):
        links.append((_("Counter loan"), url_for("reservations.counter_loan",
                                                 resource_id=resource.id)))
        links.append((_("Defects and repairs"), url_for("reservations.defect_list",
                                                        resource_id=resource.id)))
        settings_url = (url_for("reservations.org_lending_settings", slug=resource.owner_org.slug)
                        if resource.owner_org is not None
                        else url_for("reservations.lending_settings"))
        links.append((_("Lending terms and limits"), settings_url))
        return links
    if resource.is_visible_publicly:
        links.append((_("Book the same time every week or every few weeks"),
                      url_for("reservations.series_new", resource_id=resource.id)))
    if terms.terms_for(resource) is not None:
        links.append((_("Lending terms"), url_for("reservations.resource_terms",
                                                  resource_id=resource.id)))
    if defects.may_report(resource, current_user):
        links.append((_("Report a defect"), url_for("reservations.defect_new",
                                                    resource_id=resource.id)))
    return links


# ------------------------------------------------------------------ series ----
@bp.route("/resources/<int:resource_id>/series", methods=["GET", "POST"])
@login_required
def series_new(resource_id: int):
    """Book the same time every N weeks: see which dates are free, book the free ones."""
    resource = bookable_resource(resource_id)
    if not current_user.is_confirmed:
        return render_template("reservations/unconfirmed.html", resource=resource), (
            403 if request.method == "POST" else 200)
    form = DaySeriesForm() if resource.granularity == "day" else with_time_choices(
        SlotSeriesForm(), resource)
    prefill_from_args(form)
    planned: list[series.Planned] | None = None
    refusal: Refused | None = None
    status = 422 if request.method == "POST" else 200
    if form.validate_on_submit():
        try:
            first = form_period(form)
            repeat = series.Repeat(every_weeks=form.every_weeks.data, until=form.until.data,
                                   count=form.count.data)
            periods = series.dates(*first, repeat)
        except ValueError as error:
            form.form_errors.append(str(error))
        except DomainError as error:
            place_errors(form, error)
        else:
            units = form.units.data or 1
            if not form.book.data:
                planned = series.preview(resource, current_user, periods, units=units)
                status = 200
            else:
                try:
                    with write_transaction():
                        booked = series.book(
                            resource, current_user, periods, units=units,
                            message=form.message.data or "",
                            accept_terms=bool(form.accept_terms.data),
                            confirm_min_age=bool(form.confirm_min_age.data),
                        )
                        series_id, count = booked.series_id, len(booked.items)
                        skipped = len(booked.skipped)
                except series.SeriesRefused as error:
                    refusal, status = error, error.status
                    planned = error.skipped
                except Forbidden:
                    raise
                except DomainError as error:
                    place_errors(form, error)
                    status = error.status
                else:
                    flash(_("Booked %(n)s dates.", n=count)
                          + (" " + _("%(n)s dates were not possible.", n=skipped)
                             if skipped else ""), "success")
                    return redirect(url_for(".series_page", series_id=series_id))
    return render_template(
        "lending/series_new.html", resource=resource, form=form, planned=planned,
        refusal=refusal, requirements=lending_requirements(resource),
    ), status


@bp.get("/reservations/series/<series_id>")
@login_required
def series_page(series_id: str):
    """Every date of a series, each cancellable, or all at once."""
    items = series.visible_series(series_id, current_user)
    now = utcnow()
    cancellable = {r.id for r in items if "cancel" in service.allowed_actions(r, current_user,
                                                                               now)}
    roles = service.roles_of(items[0], current_user)
    return render_template(
        "lending/series.html", series_id=series_id, items=items, resource=items[0].resource,
        cancellable=cancellable, cancel_form=ReasonForm(prefix="series"),
        date_form=ButtonForm(prefix="date"), is_lender="lender" in roles,
        is_requester="requester" in roles,
    )


@bp.post("/reservations/series/<series_id>/cancel")
@login_required
def series_cancel(series_id: str) -> Response:
    """Cancel every remaining date of a series."""
    series.visible_series(series_id, current_user)
    form = ReasonForm(prefix="series")
    back = redirect(url_for(".series_page", series_id=series_id))
    if not form.validate_on_submit():
        flash(_("Please check your input."), "error")
        return back
    try:
        with write_transaction():
            count = len(series.cancel(series_id, current_user, form.reason.data or ""))
    except Forbidden:
        raise
    except DomainError as error:
        flash(error.message, "error")
        return back
    flash(_("Cancelled %(n)s dates.", n=count), "success")
    return back


@bp.post("/reservations/series/<series_id>/dates/<int:reservation_id>/cancel")
@login_required
def series_cancel_date(series_id: str, reservation_id: int) -> Response:
    """Cancel one date of a series."""
    reservation = viewable_reservation(reservation_id)
    if reservation.series_id != series_id:
        abort(404)
    back = redirect(url_for(".series_page", series_id=series_id))
    form = ReasonForm(prefix="series")
    if not form.validate_on_submit():
        flash(_("Please check your input."), "error")
        return back
    try:
        with write_transaction():
            service.cancel(reservation, current_user, form.reason.data or "")
    except Forbidden:
        raise
    except DomainError as error:
        flash(error.message, "error")
        return back
    flash(_("Cancelled."), "success")
    return back


# ---------------------------------------------------------------- waitlist ----
@bp.post("/resources/<int:resource_id>/waitlist")
@login_required
def waitlist_join(resource_id: int) -> Response:
    """Ask to be told when a taken period frees up."""
    resource = bookable_resource(resource_id)
    form = WaitlistForm(prefix="waitlist")
    back = redirect(url_for(".new", resource_id=resource.id))
    if not form.validate_on_submit():
        flash(_("Please check your input."), "error")
        return back
    try:
        start, end = parse_moment(form.start.data), parse_moment(form.end.data)
        units = int(form.units.data or 1)
    except ValueError:
        flash(_("Please check your input."), "error")
        return back
    try:
        with write_transaction():
            waitlist.join(resource, current_user, start, end, units=units)
    except Forbidden:
        raise
    except DomainError as error:
        flash(error.message, "error")
        if getattr(error, "extra", {}).get("reason") == "free":
            return redirect(url_for(".new", resource_id=resource.id, start=isoformat(start),
                                    end=isoformat(end)))
        return back
    flash(_("You are on the waiting list. We will tell you when %(period)s frees up.",
            period=reservation_period(start, end)), "success")
    return redirect(url_for(".waitlist_index"))


@bp.get("/waitlist")
@login_required
def waitlist_index():
    """My waiting-list entries."""
    return render_template("lending/waitlist.html", entries=waitlist.entries_of(current_user),
                           form=ButtonForm(prefix="withdraw"))


@bp.post("/waitlist/<int:entry_id>/withdraw")
@login_required
def waitlist_withdraw(entry_id: int) -> Response:
    """Leave a waiting list."""
    entry = db.session.get(WaitlistEntry, entry_id)
    if entry is None or entry.user_id != current_user.id:
        abort(404)
    if ButtonForm(prefix="withdraw").validate_on_submit():
        with write_transaction():
            waitlist.withdraw(entry, current_user)
        flash(_("You are no longer on this waiting list."), "success")
    return redirect(url_for(".waitlist_index"))


# --------------------------------------------------------- terms and quotas ----
def settings_form(owner) -> LendingSettingsForm:
    if request.method == "POST":
        return LendingSettingsForm()
    current = terms.terms_of_owner(owner)
    policy = terms.policy_of(owner)
    return LendingSettingsForm(data={
        "terms": current.text if current else "",
        "per_week": policy.max_days_per_week if policy else None,
        "per_month": policy.max_days_per_month if policy else None,
    })


def lending_settings_page(owner):
    form = settings_form(owner)
    if form.validate_on_submit():
        try:
            with write_transaction():
                version = terms.set_terms(owner, current_user, form.terms.data or "")
                quotas.set_quota(owner, current_user, per_week=form.per_week.data,
                                 per_month=form.per_month.data)
        except Forbidden:
            raise
        except DomainError as error:
            place_errors(form, error)
        else:
            flash(_("Saved. Terms version: %(n)s.", n=version) if version else _("Saved."),
                  "success")
            return redirect(request.path)
    return render_template(
        "lending/settings.html", owner=owner, form=form,
        is_org=isinstance(owner, Organisation), current=terms.terms_of_owner(owner),
    ), 422 if form.errors else 200


@bp.route("/lending/settings", methods=["GET", "POST"])
@login_required
def lending_settings():
    """My lending terms and how much one person may book with me."""
    return lending_settings_page(current_user._get_current_object())


@bp.route("/orgs/<slug>/lending", methods=["GET", "POST"])
@login_required
def org_lending_settings(slug: str):
    """An organisation's lending terms and quotas (its managers)."""
    org = db.session.scalar(sa.select(Organisation).where(Organisation.slug == slug))
    if org is None:
        abort(404)
    if not org.is_manager(current_user):
        abort(403)
    return lending_settings_page(org)


@bp.get("/resources/<int:resource_id>/terms")
def resource_terms(resource_id: int):
    """The lending terms that apply to a resource."""
    resource = db.session.get(Resource, resource_id)
    if resource is None or not resource.can_see(current_user):
        abort(404)
    return render_template("lending/terms.html", resource=resource,
                           current=terms.terms_for(resource))


@bp.get("/lending")
@login_required
def lending_index():
    """Tools for lenders: settings, codes, counter loans, defects; and my waiting lists."""
    managed = sa.select(Membership.organisation_id).where(
        Membership.user_id == current_user.id, Membership.role == "manager")
    offers = db.session.scalars(
        sa.select(Resource)
        .where(sa.or_(Resource.owner_user_id == current_user.id,
                      Resource.owner_org_id.in_(managed)),
               Resource.kind.in_(("item", "room")))
        .order_by(Resource.title)
    ).all()
    orgs = db.session.scalars(
        sa.select(Organisation).where(Organisation.id.in_(managed)).order_by(Organisation.name)
    ).all()
    open_defects = dict(db.session.execute(
        sa.select(DefectReport.resource_id, sa.func.count(DefectReport.id))
        .where(DefectReport.resource_id.in_([r.id for r in offers] or [-1]),
               DefectReport.status == "open")
        .group_by(DefectReport.resource_id)
    ).all())
    return render_template("lending/index.html", offers=offers, orgs=orgs,
                           open_defects=open_defects, code_form=CodeLookupForm(),
                           waiting=waitlist.entries_of(current_user))


# ----------------------------------------------------------------- defects ----
@bp.route("/resources/<int:resource_id>/defects/new", methods=["GET", "POST"])
@login_required
def defect_new(resource_id: int):
    """Report a defect (borrowers and lenders)."""
    resource = visible_resource(resource_id)
    if not defects.may_report(resource, current_user):
        abort(403)
    form = DefectForm()
    reservation = None
    if request.args.get("reservation", "").isdigit():
        candidate = db.session.get(Reservation, int(request.args["reservation"]))
        if candidate is not None and service.can_view(candidate, current_user):
            reservation = candidate
    if form.validate_on_submit():
        upload = form.photo.data
        data = upload.read() if upload and getattr(upload, "filename", "") else None
        report = None
        try:
            with write_transaction():
                report = defects.report(resource, current_user, form.description.data,
                                        photo=data, reservation=reservation)
                db.session.flush()
        except Forbidden:
            raise
        except DomainError as error:
            if report is not None:
                defects.discard_photo(report)
            place_errors(form, error)
        else:
            flash(_("Thank you. The lender has been told about the defect."), "success")
            if resource.can_manage(current_user):
                return redirect(url_for(".defect_list", resource_id=resource.id))
            if reservation is not None:
                return redirect(url_for(".detail", reservation_id=reservation.id))
            return redirect(url_for("catalogue.detail", resource_id=resource.id))
    return render_template("lending/defect_new.html", resource=resource, form=form,
                           reservation=reservation), 422 if form.errors or form.form_errors \
        else 200


def defects_page(resource: Resource, *, repair_form: RepairForm | None = None,
                 status: int = 200):
    now = utcnow()
    repairs = defects.repairs_of(resource, from_day=local_date(now))
    return render_template(
        "lending/defects.html", resource=resource, reports=defects.reports_of(resource),
        repairs=[(closure, defects.affected(closure, now=now)) for closure in repairs],
        repair_form=repair_form or RepairForm(prefix="repair"),
        resolve_form=ButtonForm(prefix="resolve"),
        may_manage=resource.can_manage(current_user),
    ), status


@bp.get("/resources/<int:resource_id>/defects")
@login_required
def defect_list(resource_id: int):
    """Defect reports and repairs of a resource (its lenders and the office)."""
    resource = db.session.get(Resource, resource_id)
    if resource is None or not resource.can_see(current_user):
        abort(404)
    if not (resource.can_manage(current_user) or current_user.is_admin):
        abort(403)
    return defects_page(resource)


@bp.post("/defects/<int:report_id>/resolve")
@login_required
def defect_resolve(report_id: int) -> Response:
    """Mark a defect as resolved (lenders)."""
    report = db.session.get(DefectReport, report_id)
    if report is None or not defects.may_see_report(report, current_user):
        abort(404)
    if not report.resource.can_manage(current_user):
        abort(403)
    if ButtonForm(prefix="resolve").validate_on_submit():
        try:
            with write_transaction():
                defects.resolve(report, current_user)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("Marked as resolved."), "success")
    return redirect(url_for(".defect_list", resource_id=report.resource_id))


@bp.get("/defects/<int:report_id>/photo")
@login_required
def defect_photo(report_id: int):
    """The photo of a defect report (the reporter, the lenders and the office)."""
    report = db.session.get(DefectReport, report_id)
    if report is None or not defects.may_see_report(report, current_user):
        abort(404)
    if not report.photo_stem:
        abort(404)
    found = resolve(file_name(report.photo_stem, report.photo_ext, 1280))
    if found is None:
        abort(404)
    path, mimetype = found
    response = Response(path.read_bytes(), mimetype=mimetype)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.post("/resources/<int:resource_id>/repairs")
@login_required
def repair_new(resource_id: int):
    """Take a resource out of service for repair (lenders)."""
    resource = managed_resource(resource_id)
    form = RepairForm(prefix="repair")
    if form.validate_on_submit():
        report = None
        if (form.defect_id.data or "").isdigit():
            report = db.session.get(DefectReport, int(form.defect_id.data))
        try:
            with write_transaction():
                closure = defects.take_out_of_service(
                    resource, current_user, form.start_date.data, form.end_date.data,
                    reason=form.reason.data or "", defect=report)
                closure_id = closure.id
        except Forbidden:
            raise
        except DomainError as error:
            place_errors(form, error)
        else:
            flash(_("Out of service from %(first)s to %(last)s.",
                    first=form.start_date.data.strftime("%d.%m.%Y"),
                    last=form.end_date.data.strftime("%d.%m.%Y")), "success")
            return redirect(url_for(".repair_page", resource_id=resource.id,
                                    closure_id=closure_id))
    return defects_page(resource, repair_form=form, status=422)


def repair_closure(resource: Resource, closure_id: int) -> Closure:
    closure = db.session.get(Closure, closure_id)
    if closure is None or closure.resource_id != resource.id or not closure.is_repair:
        abort(404)
    return closure


@bp.get("/resources/<int:resource_id>/repairs/<int:closure_id>")
@login_required
def repair_page(resource_id: int, closure_id: int):
    """The reservations that fall into a repair, to cancel in one step."""
    resource = managed_resource(resource_id)
    closure = repair_closure(resource, closure_id)
    return render_template("lending/repair.html", resource=resource, closure=closure,
                           affected=defects.affected(closure),
                           form=CancelAffectedForm(prefix="affected"))


@bp.post("/resources/<int:resource_id>/repairs/<int:closure_id>/cancel")
@login_required
def repair_cancel(resource_id: int, closure_id: int) -> Response:
    """Cancel every reservation in a repair period and offer the borrowers alternatives."""
    resource = managed_resource(resource_id)
    closure = repair_closure(resource, closure_id)
    form = CancelAffectedForm(prefix="affected")
    back = redirect(url_for(".repair_page", resource_id=resource.id, closure_id=closure.id))
    if not form.validate_on_submit():
        flash(_("Please check your input."), "error")
        return back
    try:
        with write_transaction():
            count = len(defects.cancel_affected(closure, current_user,
                                                reason=form.reason.data or ""))
    except Forbidden:
        raise
    except DomainError as error:
        flash(error.message, "error")
        return back
    flash(_("Cancelled %(n)s reservations; the borrowers have been told.", n=count), "success")
    return back


# ----------------------------------------------------------------- counter ----
@bp.route("/resources/<int:resource_id>/counter", methods=["GET", "POST"])
@login_required
def counter_loan(resource_id: int):
    """Record a loan for a visitor without an account (lenders)."""
    resource = managed_resource(resource_id)
    if resource.kind not in ("item", "room"):
        abort(404)
    if resource.granularity == "day":
        form = DayCounterForm()
    else:
        form = with_time_choices(SlotCounterForm(), resource)
    if request.method == "GET" and not request.args.get("start"):
        today = local_date(utcnow())
        prefill(form, local_midnight(today), local_midnight(today + timedelta(days=1)))
    prefill_from_args(form)
    refusal: Refused | None = None
    status = 422 if request.method == "POST" else 200
    if form.validate_on_submit():
        try:
            start, end = form_period(form)
        except ValueError as error:
            form.form_errors.append(str(error))
        else:
            try:
                with write_transaction():
                    loan = counter.lend_to_guest(
                        resource, current_user, start, end,
                        guest_name=form.guest_name.data, guest_contact=form.guest_contact.data,
                        units=form.units.data or 1, note=form.note.data or "",
                        hand_over_now=bool(form.hand_over_now.data),
                    )
                    loan_id = loan.id
            except Refused as error:
                refusal, status = error, error.status
            except Forbidden:
                raise
            except DomainError as error:
                place_errors(form, error)
                status = error.status
            else:
                flash(_("The loan is recorded."), "success")
                return redirect(url_for(".detail", reservation_id=loan_id))
    suggestions = []
    if refusal is not None:
        suggestions = [
            (reservation_period(s, e), url_for(".counter_loan", resource_id=resource.id,
                                               start=isoformat(s), end=isoformat(e)))
            for s, e in refusal.suggestions
        ]
    return render_template("lending/counter.html", resource=resource, form=form,
                           refusal=refusal, suggestions=suggestions), status


# ------------------------------------------------------------------- codes ----
@bp.route("/lending/code", methods=["GET", "POST"])
@login_required
def code_lookup():
    """Find a reservation of what I lend by its handover code (at the counter)."""
    form = CodeLookupForm()
    if form.validate_on_submit():
        found = handover.find_by_code(current_user, form.code.data)
        if found is not None:
            return redirect(url_for(".detail", reservation_id=found.id, _anchor="handover-code"))
        form.code.errors = [_("No reservation of yours to hand over or take back has this code.")]
    return render_template("lending/code.html", form=form), 422 if form.errors else 200


@bp.post("/reservations/<int:reservation_id>/code/<any(handover,return):verb>")
@login_required
def code_action(reservation_id: int, verb: str) -> Response:
    """The lender confirms a handover or return by entering the borrower's code."""
    reservation = viewable_reservation(reservation_id)
    if "lender" not in service.roles_of(reservation, current_user):
        abort(403)
    form = CodeHandOverForm(prefix="code") if verb == "handover" else CodeReturnForm(
        prefix="code")
    back = redirect(url_for(".detail", reservation_id=reservation.id, _anchor="handover-code"))
    if not form.validate_on_submit():
        flash(_("Please enter the code."), "error")
        return back
    try:
        with write_transaction():
            if verb == "handover":
                handover.hand_over_with_code(
                    reservation, current_user, form.code.data,
                    briefing_given=bool(form.briefing_given.data),
                    deposit_taken_cents=form.deposit_taken.cents,
                    fee_paid_cents=form.fee_paid.cents, note=form.note.data or "")
            else:
                handover.return_with_code(
                    reservation, current_user, form.code.data,
                    condition=form.condition.data or "",
                    deposit_returned_cents=form.deposit_returned.cents)
    except Forbidden:
        raise
    except DomainError as error:
        flash(error.message, "error")
        return back
    flash(_("Handover recorded.") if verb == "handover" else _("Return recorded."), "success")
    return back


# ---------------------------------------------------------------- messages ----
def message_author_key() -> str:
    return f"message:{current_user.get_id()}" if current_user.is_authenticated else "anon"


@bp.post("/reservations/<int:reservation_id>/messages")
@login_required
@limiter.limit("30/hour", key_func=message_author_key)
def message_post(reservation_id: int) -> Response:
    """Write to the other side of a reservation (also mailed, without addresses)."""
    reservation = viewable_reservation(reservation_id)
    if messages.author_role(reservation, current_user) is None:
        abort(403)
    form = MessageForm(prefix="message")
    back = redirect(url_for(".detail", reservation_id=reservation.id, _anchor="messages"))
    if not form.validate_on_submit():
        flash(_("Please write a message."), "error")
        return back
    try:
        with write_transaction():
            messages.post(reservation, current_user, form.body.data)
    except Forbidden:
        raise
    except DomainError as error:
        flash(error.message, "error")
        return back
    flash(_("Your message has been sent."), "success")
    return back
