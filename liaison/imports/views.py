"""Roster import pages for committee staff: the template, the upload and check, the confirmation."""
import io
import os

from flask import current_app, flash, redirect, render_template, session, url_for
from flask_babel import lazy_gettext as _l

from liaison.accounts.access import DISTRICT_ROLES, roles_required
from liaison.errors import InvalidInput, reshows_expired_form
from liaison.exports.xlsx import XLSX_MIMETYPE
from liaison.imports import bp, operations, queries
from liaison.imports.forms import ConfirmForm, RosterUploadForm
from liaison.imports.roster import plan_roster, template_workbook
from liaison.transaction import commit
from liaison.uploads import checked_table_file, content_disposition

#: The session remembers the file waiting for confirmation: its token, name and expected counts.
PENDING = "roster_import"
#: The session keeps the last import's result for the upload page: how many new people it added.
DONE = "roster_import_done"
#: The report page lists at most this many problems or changed rows.
SHOWN = 1000


def _roster_page(form=None):
    """The upload page with the latest imports (and, once after an import, the way to its new accounts)."""
    return render_template("imports/roster.html", form=form or RosterUploadForm(),
                           recent=queries.recent_imports(), done=session.pop(DONE, None))


def _report(plan, filename, confirm=None, notice=None):
    """The check's result: every problem, or what the import would change (and the confirm button)."""
    return render_template("imports/report.html", plan=plan, filename=filename, confirm=confirm,
                           notice=notice, shown=SHOWN)


def _forget_pending():
    """Drop the file waiting for confirmation, if any."""
    pending = session.pop(PENDING, None) or {}
    operations.discard_upload(pending.get("token"))


@bp.route("/imports/roster")
@roles_required(*DISTRICT_ROLES)
def roster():
    """Upload a roster: the form, a link to the template, and the recent imports."""
    return _roster_page()


@bp.route("/imports/roster/template.xlsx")
@roles_required(*DISTRICT_ROLES)
def template():
    """The roster template: the columns with drop-downs, and a sheet explaining each column."""
    data = template_workbook()
    response = current_app.response_class(data, mimetype=XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = content_disposition(f"{_l('代表名单导入模板')}.xlsx")
    return response


@bp.route("/imports/roster", methods=["POST"])
@reshows_expired_form
@roles_required(*DISTRICT_ROLES)
def upload():
    """Check an uploaded roster (nothing written): list its problems, or what it would change."""
    form = RosterUploadForm()
    if not form.validate_on_submit():
        return _roster_page(form)
    upload = form.file.data
    filename = os.path.basename(upload.filename or "")[:100]
    try:
        data = checked_table_file(upload.stream).getvalue()
    except InvalidInput as error:
        form.attach_error(error)
        return _roster_page(form)
    _forget_pending()
    plan = plan_roster(io.BytesIO(data))  # reads only; the request's end closes the transaction
    if not plan.ok:
        return _report(plan, filename)
    session[PENDING] = {"token": operations.keep_upload(data), "filename": filename, "counts": plan.counts}
    return _report(plan, filename, confirm=ConfirmForm())


@bp.route("/imports/roster/confirm", methods=["POST"])
@roles_required(*DISTRICT_ROLES)
def confirm():
    """Check the kept file once more and write it all in one transaction, or nothing."""
    form = ConfirmForm()
    pending = session.get(PENDING) or {}
    if not form.validate_on_submit():
        return redirect(url_for("imports.roster"))
    data = operations.load_upload(pending.get("token"))
    if data is None:
        _forget_pending()
        flash(_l("没有待确认的名单：文件已导入、已过期（超过 1 小时）或未上传。请重新上传。"), "warning")
        return redirect(url_for("imports.roster"))
    filename = pending.get("filename", "")
    plan = plan_roster(checked_table_file(io.BytesIO(data)))
    if not plan.ok:
        _forget_pending()
        return _report(plan, filename)
    if plan.counts != pending.get("counts"):
        # The records changed since the check (someone else edited or imported): show the new result.
        session[PENDING] = dict(pending, counts=plan.counts)
        return _report(plan, filename, confirm=ConfirmForm(),
                       notice=_l("检查之后系统中的记录有了变化，以下是重新检查的结果，请核对后再次确认。"))
    written = commit(lambda: operations.import_roster(plan, filename), show=False,
                     refusals=(operations.RosterRejected,))
    _forget_pending()
    if not written:
        plan.problems, plan.rows = written.error.problems, []
        return _report(plan, filename)
    flash(str(_l("名单已导入。%(summary)s", summary=plan.summary)), "success")
    # Activation is one step away: the upload page links to the accounts still without a password.
    session[DONE] = {"new_people": plan.counts["new_people"]}
    return redirect(url_for("imports.roster"))
