"""Deputy pages: the list, a deputy's record with their account, and the committee's edit forms."""
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from liaison.accounts.access import (DISTRICT_ROLES, STAFF_ROLES, recent_password_required, roles_required,
                                    visible_township_ids)
from liaison.accounts.models import Role
from liaison.clock import local_today
from liaison.deputies import bp, operations, queries, roster_book
from liaison.deputies.forms import DeputyForm, EndMandateForm, MandateForm, SuspensionForm
from liaison.exports.xlsx import XLSX_MIMETYPE
from liaison.errors import reshows_expired_form
from liaison.network.models import StationKind
from liaison.paging import one_page
from liaison.text import mask_mobile, normalize_mobile
from liaison.transaction import commit
from liaison.uploads import content_disposition


def _int_arg(name):
    """A positive integer query parameter, or ``None`` when absent or malformed."""
    value = request.args.get(name, type=int)
    return value if value and value > 0 else None


#: Why a closed term's mandate no longer changes, on its forms before saving (rule R14): the same
#: words the refusal gives.
bp.app_template_global("frozen_mandate_message")(operations.frozen_mandate_message)


@bp.route("/deputies")
@roles_required(*STAFF_ROLES)
def index():
    """The deputies a staff member may see, searchable and filtered by term and township."""
    scope_ids = visible_township_ids()
    q = request.args.get("q", "").strip()
    term_id, township_id = _int_arg("term_id"), _int_arg("township_id")
    # 姓氏笔画 order unless pinyin is chosen (rule R16).
    order = request.args.get("order") if request.args.get("order") in queries.NAME_ORDERS else "strokes"
    query = queries.deputy_list(q=q, term_id=term_id, township_id=township_id, township_ids=scope_ids,
                                order=order)
    pagination = one_page(query)
    today = local_today()
    rows = []
    for deputy in pagination.items:
        mandates = queries.visible_mandates(deputy, scope_ids)
        current = [m for m in mandates if m.held_on(today)]
        shown = current or mandates
        townships = list(dict.fromkeys(m.township.name for m in shown))
        rows.append({"deputy": deputy, "current": current, "townships": townships})
    return render_template(
        "deputies/index.html", pagination=pagination, rows=rows, q=q, term_id=term_id, order=order,
        township_id=township_id, terms=queries.terms(), townships=queries.townships(scope_ids),
        can_manage=current_user.has_role(*DISTRICT_ROLES),
    )


@bp.route("/deputies/new", methods=["GET", "POST"])
@reshows_expired_form
@roles_required(*DISTRICT_ROLES)
def new():
    """Add a person; mandates are added on their page."""
    form = DeputyForm()
    if form.validate_on_submit():
        if form.save(lambda: operations.create_deputy(
            form.name.data, form.gender.data, form.ethnicity.data, form.mobile.data)):
            deputy = form.saved
            flash(_l("已添加代表 %(name)s，请继续添加其代表资格。", name=deputy.name), "success")
            return redirect(url_for("deputies.new_mandate", deputy_id=deputy.id))
    return render_template("deputies/deputy_form.html", form=form, deputy=None)


@bp.route("/deputies/<int:deputy_id>")
@roles_required(*STAFF_ROLES)
def detail(deputy_id):
    """A deputy's data, the mandates the viewer may see, and their account with its buttons."""
    deputy = queries.get_deputy_or_404(deputy_id)
    scope_ids = visible_township_ids()
    mandates = queries.visible_mandates(deputy, scope_ids)
    account = deputy.account
    return render_template(
        "deputies/detail.html", deputy=deputy, mandates=mandates,
        hidden_mandates=len(deputy.mandates) - len(mandates), account=account,
        can_manage=current_user.has_role(*DISTRICT_ROLES), can_manage_account=_may_manage(account),
        today=local_today(),
    )


def _may_manage(account):
    """Whether the accounts routes would let the viewer act on this account (no dead buttons).

    Township staff cannot touch staff accounts, only admins touch an admin's, and nobody
    disables themselves.
    """
    if account is None or account.id == current_user.id:
        return False
    if account.has_role(Role.admin):
        return current_user.has_role(Role.admin)
    return current_user.has_role(*DISTRICT_ROLES) or not account.has_role(*STAFF_ROLES)


@bp.route("/deputies/<int:deputy_id>/edit", methods=["GET", "POST"])
@reshows_expired_form
@roles_required(*DISTRICT_ROLES)
def edit(deputy_id):
    """Correct a person's data; the account's name and sign-in number follow."""
    deputy = queries.get_deputy_or_404(deputy_id)
    form = DeputyForm(obj=deputy)
    # The number is masked here as on every page; the full one only through the audited reveal.
    shown = mask_mobile(deputy.mobile)
    form.mobile.description = _l("号码只显示前三位和后四位。不改号码时保持原样即可；更正时请输入完整的新号码。")
    if not form.is_submitted():
        form.mobile.data = shown
    if form.validate_on_submit():
        # The masked value sent back unchanged means "keep the number".
        typed = form.mobile.data
        mobile = deputy.mobile if normalize_mobile(typed).replace("＊", "*") == shown else typed
        if form.save(lambda: operations.update_deputy(
            deputy, form.name.data, form.gender.data, form.ethnicity.data, mobile)):
            flash(_l("代表信息已保存。"), "success")
            return redirect(url_for("deputies.detail", deputy_id=deputy_id))
    return render_template("deputies/deputy_form.html", form=form, deputy=deputy)


def _mandate_form(mandate=None):
    """The mandate form with its options (inactive places already on this mandate stay listed)."""
    form = MandateForm(obj=mandate)
    keep_home = [mandate.home_id] if mandate else []
    keep_station = [mandate.station_id] if mandate else []
    form.fill_choices(
        queries.terms(), queries.townships(), queries.district_rows(),
        queries.station_rows(StationKind.home, keep_home),
        queries.station_rows(StationKind.station, keep_station),
    )
    return form


def _mandate_fields(form):
    """The mandate form's data as keyword arguments for the operations."""
    return {
        "term_id": form.term_id.data, "township_id": form.township_id.data,
        "electoral_district_id": form.electoral_district_id.data, "home_id": form.home_id.data,
        "station_id": form.station_id.data, "start_date": form.start_date.data,
        "by_election": form.by_election.data,
    }


@bp.route("/deputies/<int:deputy_id>/mandates/new", methods=["GET", "POST"])
@reshows_expired_form
@roles_required(*DISTRICT_ROLES)
def new_mandate(deputy_id):
    """Give a deputy a seat in a term; their account, awaiting activation, comes with it."""
    deputy = queries.get_deputy_or_404(deputy_id)
    form = _mandate_form()
    if form.validate_on_submit():
        if form.save(lambda: operations.create_mandate(deputy, **_mandate_fields(form))):
            mandate = form.saved
            flash(_l("已添加 %(term)s 代表资格。代表账号已建立，可发放激活码。", term=mandate.term.name), "success")
            return redirect(url_for("deputies.detail", deputy_id=deputy_id))
    return render_template("deputies/mandate_form.html", form=form, deputy=deputy, mandate=None)


@bp.route("/mandates/<int:mandate_id>/edit", methods=["GET", "POST"])
@reshows_expired_form
@roles_required(*DISTRICT_ROLES)
def edit_mandate(mandate_id):
    """Correct a mandate."""
    mandate = queries.get_mandate_or_404(mandate_id)
    deputy_id = mandate.deputy_id
    form = _mandate_form(mandate)
    if form.validate_on_submit():
        if form.save(lambda: operations.update_mandate(mandate, **_mandate_fields(form))):
            flash(_l("代表资格已保存。"), "success")
            return redirect(url_for("deputies.detail", deputy_id=deputy_id))
    return render_template("deputies/mandate_form.html", form=form, deputy=mandate.deputy, mandate=mandate)


@bp.route("/mandates/<int:mandate_id>/end", methods=["GET", "POST"])
@reshows_expired_form
@roles_required(*DISTRICT_ROLES)
def end_mandate(mandate_id):
    """Record the early end of a mandate (or withdraw one recorded by mistake)."""
    mandate = queries.get_mandate_or_404(mandate_id)
    deputy_id = mandate.deputy_id
    form = EndMandateForm(obj=mandate)
    if form.validate_on_submit():
        if form.save(lambda: operations.end_mandate(mandate, form.end_date.data, form.end_reason.data)):
            flash(_l("代表资格终止情况已保存。"), "success")
            return redirect(url_for("deputies.detail", deputy_id=deputy_id))
    return render_template("deputies/end_mandate.html", form=form, mandate=mandate)


@bp.route("/mandates/<int:mandate_id>/suspensions/new", methods=["GET", "POST"])
@reshows_expired_form
@roles_required(*DISTRICT_ROLES)
def new_suspension(mandate_id):
    """Record a period of 暂停执行代表职务."""
    mandate = queries.get_mandate_or_404(mandate_id)
    deputy_id = mandate.deputy_id
    form = SuspensionForm()
    if form.validate_on_submit():
        if form.save(lambda: operations.create_suspension(
            mandate, form.start_date.data, form.end_date.data, form.reason.data)):
            flash(_l("暂停执行代表职务的记录已保存。"), "success")
            return redirect(url_for("deputies.detail", deputy_id=deputy_id))
    return render_template("deputies/suspension_form.html", form=form, mandate=mandate)



@bp.route("/deputies/export.xlsx")
@roles_required(*STAFF_ROLES)
@recent_password_required
def export_roster():
    """The roster of the deputies in the viewer's scope: the import template filled with their data.

    The committee gets full mobile numbers (its password was just re-entered; the reveal is audited,
    R17) unless it asks for a masked copy (``?masked=1``, to send to a township); everyone else gets
    masked numbers. Either file can be edited and imported back: a masked number means "unchanged".
    """
    scope_ids = visible_township_ids()
    full = current_user.has_role(*DISTRICT_ROLES) and not request.args.get("masked")
    mandates = queries.roster_rows(scope_ids).all()
    reasons = roster_book.reason_labels()
    rows = [roster_book.roster_row(r, r.mobile if full else mask_mobile(r.mobile), reasons) for r in mandates]
    title = str(_l("代表名单（%(day)s）", day=local_today().isoformat()))
    data = roster_book.write_roster_book(rows, title, roster_book.network_names())
    people = len({r.mobile for r in mandates})
    commit(lambda: operations.record_roster_export(scope_ids, full_mobiles=people if full else 0))
    response = current_app.response_class(data, mimetype=XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = content_disposition(f"{title}.xlsx")
    return response


@bp.route("/deputies/<int:deputy_id>/mobile", methods=["POST"])
@roles_required(*STAFF_ROLES)
@recent_password_required
def reveal_mobile(deputy_id):
    """Show one deputy's full mobile number to staff in scope; every reveal is audited."""
    deputy = queries.get_deputy_or_404(deputy_id)
    scope_ids = visible_township_ids()
    townships = [m.township_id for m in queries.visible_mandates(deputy, scope_ids)]
    commit(lambda: operations.record_mobile_reveal(deputy, townships[0] if townships else None))
    # Back to the page the button was on: the record, or the committee's edit form.
    edit_url = url_for("deputies.edit", deputy_id=deputy.id)
    from_edit = request.form.get("next") == edit_url and current_user.has_role(*DISTRICT_ROLES)
    return render_template("deputies/mobile.html", deputy=deputy, from_edit=from_edit, edit_url=edit_url)
