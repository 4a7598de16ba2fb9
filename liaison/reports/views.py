"""Duty report pages: sessions and reports for township staff in scope (and the committee);
exemptions and the target terms for the committee."""
import os

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from liaison.accounts.access import (DISTRICT_ROLES, STAFF_ROLES, ensure_township, roles_required,
                                    visible_township_ids)
from liaison.clock import local_today
from liaison.deputies.models import term_end_is_real
from liaison.errors import reshows_expired_form
from liaison.extensions import db
from liaison.opinions import counters as opinion_counters
from liaison.paging import one_page
from liaison.reports import bp, operations, queries
from liaison.reports.forms import DutyReportForm, ExemptionForm, SessionForm, TargetsForm
from liaison.townships.models import Township
from liaison.uploads import attachment_path, content_disposition


def _user():
    """The signed-in user as a model instance (for relationships)."""
    return current_user._get_current_object()


def _int_arg(name):
    """A positive integer query parameter, or ``None`` when absent or malformed."""
    value = request.args.get(name, type=int)
    return value if value and value > 0 else None


# --- sessions --------------------------------------------------------------------------------

@bp.route("/reports/sessions")
@roles_required(*STAFF_ROLES)
def sessions():
    """Reporting sessions in the viewer's townships, newest first, searchable."""
    q = request.args.get("q", "").strip()
    pagination = one_page(queries.session_list(visible_township_ids(), q))
    return render_template("reports/sessions.html", pagination=pagination, q=q,
                           can_manage=current_user.has_role(*DISTRICT_ROLES))


@bp.route("/reports/sessions/new", methods=["GET", "POST"])
@reshows_expired_form
@roles_required(*STAFF_ROLES)
def new_session():
    """Plan a reporting session: first the township (when the viewer has several), then the form."""
    scope_ids = visible_township_ids()
    township_id = _int_arg("township_id")
    if township_id is None and scope_ids is not None and len(scope_ids) == 1:
        township_id = next(iter(scope_ids))
    if township_id is None:
        return render_template("reports/choose_township.html", townships=queries.townships(scope_ids))
    township = db.get_or_404(Township, township_id)
    ensure_township(township.id)
    form = SessionForm()
    form.fill_choices(queries.place_options(township.id))
    options = queries.session_mandate_options(township.id)
    if form.validate_on_submit():
        if form.save(lambda: operations.create_session(
            township, form.session_date.data, form.place_kind.data, form.station_id.data, form.place.data,
            form.notes.data, form.chosen_mandate_ids, by=_user())):
            session = form.saved
            flash(_l("述职活动已保存。活动结束后，请逐一登记每位代表的述职情况。"), "success")
            return redirect(url_for(".session", session_id=session.id))
    return render_template("reports/session_form.html", form=form, township=township, options=options,
                           chosen=set(form.chosen_mandate_ids))


@bp.route("/reports/sessions/<int:session_id>")
@roles_required(*STAFF_ROLES)
def session(session_id):
    """A session with its deputies and, for each, their report or a link to record it."""
    report_session = queries.get_session_or_404(session_id)
    by_mandate = {r.mandate_id: r for r in report_session.reports}
    planned = {m.id for m in report_session.mandates}
    extra = [r for r in report_session.reports if r.mandate_id not in planned]
    return render_template("reports/session.html", report_session=report_session, by_mandate=by_mandate,
                           extra=extra, opinions=_opinions_handled(report_session, extra))


def _opinions_handled(report_session, extra):
    """民意 each reporting deputy handled in the session's year (in the viewer's townships), for the
    report to constituents: ``(year, [(deputy, DeputyOpinionCounts)])``, one statement."""
    deputies = {}
    for mandate in list(report_session.mandates) + [r.mandate for r in extra]:
        deputies.setdefault(mandate.deputy_id, mandate.deputy)
    year = report_session.session_date.year
    counts = opinion_counters.deputy_counts(deputies, *opinion_counters.period_of(year),
                                            township_ids=visible_township_ids())
    return year, [(deputy, counts[deputy_id]) for deputy_id, deputy in deputies.items()]


# --- closed terms ----------------------------------------------------------------------------

def _form_notices(mandate):
    """What a form for ``mandate`` says when its term is closed: the record is kept, outside the frozen
    figures (rule R14)."""
    notice = queries.closed_term_notice(mandate.term)
    return [notice] if notice is not None else []


def _flash_notices(notices):
    """Say on saving that the record stays outside a closed term's frozen figures."""
    for notice in notices:
        if notice is not None:
            flash(notice, "warning")


# --- reports ---------------------------------------------------------------------------------

def _cover_choices(form, mandate):
    """Offer the same person's other mandates the viewer may see, for "also covers"."""
    scope_ids = visible_township_ids()
    others = [m for m in queries.other_mandates(mandate) if scope_ids is None or m.township_id in scope_ids]
    form.also_cover.choices = [(str(m.id), m.term.name) for m in others]
    return others


@bp.route("/reports/new", methods=["GET", "POST"])
@reshows_expired_form
@roles_required(*STAFF_ROLES)
def new_report():
    """Record a deputy's report (``mandate_id``, optionally at ``session_id``); without a mandate,
    choose the deputy first."""
    mandate_id, session_id = _int_arg("mandate_id"), _int_arg("session_id")
    if mandate_id is None:
        q = request.args.get("q", "").strip()
        pagination = one_page(queries.mandate_picker(visible_township_ids(), q))
        return render_template("reports/pick_mandate.html", pagination=pagination, q=q,
                               endpoint="reports.new_report", title=_l("登记述职：选择代表"))
    mandate = queries.get_mandate_or_404(mandate_id)
    report_session = queries.get_session_or_404(session_id) if session_id else None
    form = DutyReportForm()
    if request.method == "GET" and report_session is not None:
        form.report_date.data = report_session.session_date
    others = _cover_choices(form, mandate)
    if form.validate_on_submit():
        if form.save(lambda: operations.create_duty_report(
            mandate, report_session, also_cover_ids=form.also_cover_ids, attachment=form.attachment.data,
            by=_user(), township_ids=visible_township_ids(), **form.fields())):
            report = form.saved
            flash(_l("已登记 %(name)s 的述职情况。", name=mandate.deputy.name), "success")
            if report_session is not None:
                _flash_notices(queries.report_notices(report))
                return redirect(url_for(".session", session_id=report_session.id))
            return redirect(url_for(".edit_report", report_id=report.id))  # which shows the notices
    return render_template("reports/report_form.html", form=form, mandate=mandate,
                           report_session=report_session, report=None, others=others,
                           notices=_form_notices(mandate))


@bp.route("/reports/<int:report_id>/edit", methods=["GET", "POST"])
@reshows_expired_form
@roles_required(*STAFF_ROLES)
def edit_report(report_id):
    """Correct a report; a save based on an older version than the stored one is refused."""
    report = queries.get_report_or_404(report_id)
    if request.method == "GET":
        form = DutyReportForm(obj=report, kind=report.form)
        form.also_cover.data = [str(c.mandate_id) for c in report.coverages]
    else:
        # Only what was posted: a missing version must not be filled in from the stored record.
        form = DutyReportForm()
    others = _cover_choices(form, report.mandate)
    if form.validate_on_submit():
        if form.save(lambda: operations.update_duty_report(
            report, form.version.data, also_cover_ids=form.also_cover_ids, attachment=form.attachment.data,
            remove_attachment=form.remove_attachment.data, by=_user(), township_ids=visible_township_ids(),
            **form.fields())):
            flash(_l("述职记录已保存。"), "success")
            if report.session_id is not None:
                _flash_notices(queries.report_notices(report))
                return redirect(url_for(".session", session_id=report.session_id))
            return redirect(url_for(".edit_report", report_id=report.id))  # which shows the notices
    return render_template("reports/report_form.html", form=form, mandate=report.mandate,
                           report_session=report.session, report=report, others=others,
                           notices=queries.report_notices(report))


@bp.route("/reports/<int:report_id>/attachment")
@roles_required(*STAFF_ROLES)
def attachment(report_id):
    """Download a report's attachment, with the content type told from its bytes."""
    report = queries.get_report_or_404(report_id)
    if not report.attachment_name:
        abort(404)
    path = attachment_path(report.attachment_name)
    if not os.path.exists(path):
        abort(404)
    with open(path, "rb") as handle:
        data = handle.read()
    response = current_app.response_class(data, mimetype=report.attachment_type or "application/octet-stream")
    # Always a download, never shown inline: the file came from a user.
    response.headers["Content-Disposition"] = content_disposition(report.attachment_original or "附件")
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- exemptions and targets (committee) ------------------------------------------------------

@bp.route("/reports/exemptions")
@roles_required(*DISTRICT_ROLES)
def exemptions():
    """Approved exemptions (应述尽述), latest first, searchable by deputy name."""
    q = request.args.get("q", "").strip()
    pagination = one_page(queries.exemption_list(q))
    return render_template("reports/exemptions.html", pagination=pagination, q=q)


@bp.route("/reports/exemptions/new", methods=["GET", "POST"])
@reshows_expired_form
@roles_required(*DISTRICT_ROLES)
def new_exemption():
    """Record an exemption for a mandate (``mandate_id``); without one, choose the deputy first."""
    mandate_id = _int_arg("mandate_id")
    if mandate_id is None:
        q = request.args.get("q", "").strip()
        pagination = one_page(queries.mandate_picker(None, q))
        return render_template("reports/pick_mandate.html", pagination=pagination, q=q,
                               endpoint="reports.new_exemption", title=_l("登记免除：选择代表"))
    mandate = queries.get_mandate_or_404(mandate_id)
    form = ExemptionForm()
    # An open term runs past its planned end until it is closed (rule R5): offer the current year too.
    last_year = mandate.term.end_date.year if term_end_is_real(mandate.term) else max(
        mandate.term.end_date.year, local_today().year)
    form.fill_years(mandate.term.start_date.year, last_year)
    if form.validate_on_submit():
        if form.save(lambda: operations.create_exemption(
            mandate, form.scope.data, form.reason.data, form.approver.data, form.approved_on.data,
            year=form.year.data, month=form.month.data, quarter=form.quarter.data, by=_user())):
            flash(_l("已登记 %(name)s 的免除记录。", name=mandate.deputy.name), "success")
            _flash_notices([queries.exemption_notice(form.saved)])
            return redirect(url_for(".exemptions"))
    return render_template("reports/exemption_form.html", form=form, mandate=mandate,
                           existing=queries.exemptions_for_mandate(mandate.id), notices=_form_notices(mandate))


@bp.route("/reports/targets", methods=["GET", "POST"])
@reshows_expired_form
@roles_required(*DISTRICT_ROLES)
def targets():
    """Choose the "two 100%" target terms, or go back to the default (the 市 and 区 terms in force)."""
    form = TargetsForm()
    if request.method == "GET":
        form.term_ids.data = [str(i) for i in queries.target_term_ids()]
    if form.validate_on_submit():
        if form.save(lambda: operations.set_target_terms(form.chosen_term_ids,
                                                                reset=form.restore.data)):
            flash(_l("目标届次已恢复为默认。") if form.restore.data else _l("目标届次已保存。"), "success")
            return redirect(url_for(".targets"))
    return render_template("reports/targets.html", form=form, terms=queries.terms(),
                           chosen={int(i) for i in form.term_ids.data or [] if str(i).isdigit()},
                           stored=queries.stored_target_term_ids() is not None)
