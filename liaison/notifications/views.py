"""The inbox (every signed-in user), the email address setting, delivery status and retry for staff,
and the SMS outbox for committee staff."""
from datetime import date

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from liaison.accounts.access import (DISTRICT_ROLES, STAFF_ROLES, recent_password_required,
                                     refuse_out_of_scope, roles_required, visible_township_ids)
from liaison.audit.operations import record_event
from liaison.clock import local_today
from liaison.errors import reshows_expired_form
from liaison.exports.xlsx import XLSX_MIMETYPE, Table, write_tables
from liaison.extensions import db
from liaison.notifications import bp, operations, queries
from liaison.notifications.channels import sms_text
from liaison.notifications.forms import EmailAddressForm
from liaison.notifications.models import Delivery, DeliveryStatus, EmailAddress, Message
from liaison.paging import one_page
from liaison.townships.models import ADMINISTRATIVE_ORDER, Township
from liaison.transaction import commit
from liaison.uploads import content_disposition


@bp.route("/inbox")
@login_required
def inbox():
    """The signed-in user's messages, newest first, unread ones marked."""
    pagination = one_page(queries.inbox(current_user.id))
    return render_template("notifications/inbox.html", pagination=pagination,
                           unread=queries.unread_count(current_user.id))


@bp.route("/inbox/<int:message_id>/read", methods=["POST"])
@login_required
def mark_read(message_id):
    """Mark one of the user's own messages read; anyone else's answers 404."""
    message = db.session.get(Message, message_id)
    if message is None or message.user_id != current_user.id:
        abort(404)
    commit(lambda: operations.mark_read(message))
    return redirect(url_for(".inbox", page=request.form.get("page", 1, type=int)))


@bp.route("/inbox/read-all", methods=["POST"])
@login_required
def mark_all_read():
    """Mark all of the user's messages read."""
    count = commit(lambda: operations.mark_all_read(current_user)).value
    flash(_l("已将 %(n)s 条消息标为已读。", n=count), "success")
    return redirect(url_for(".inbox"))


@bp.route("/inbox/email", methods=["GET", "POST"])
@reshows_expired_form
@login_required
def email():
    """Choose the address messages are also emailed to."""
    row = db.session.get(EmailAddress, current_user.id)
    form = EmailAddressForm(data={"address": row.address if row else ""})
    if form.validate_on_submit():
        if form.save(lambda: operations.set_email_address(current_user, form.address.data)):
            saved = form.saved
            flash(_l("已保存：消息会同时发到 %(a)s。", a=saved.address) if saved else _l("已取消邮件通知。"),
                  "success")
            return redirect(url_for(".inbox"))
    return render_template("notifications/email.html", form=form,
                           email_enabled=bool(current_app.config.get("LIAISON_SMTP_HOST")))


@bp.route("/notifications/outbox")
@roles_required(*DISTRICT_ROLES)
def outbox():
    """The SMS deliveries, newest first, phone numbers masked; with the default gateway they stay here."""
    q = request.args.get("q", "").strip()
    pagination = one_page(queries.outbox(q))
    return render_template("notifications/outbox.html", pagination=pagination, q=q, sms_text=sms_text)


class _DeliveryFilters:
    """The delivery list's filters from the query string: state, channel, township, dates (local)."""

    def __init__(self, args):
        self.status = {s.value: s for s in DeliveryStatus}.get(args.get("status", ""))
        self.undelivered = args.get("status") == "undelivered"
        self.channel = args.get("channel") if args.get("channel") in ("sms", "email") else None
        self.township = args.get("township", type=int)
        self.since, self.until = _day_arg(args, "since"), _day_arg(args, "until")
        self.scope = visible_township_ids()
        if self.township is not None:
            if self.scope is not None and self.township not in self.scope:
                refuse_out_of_scope()
            if db.session.get(Township, self.township) is None:
                abort(404)

    @property
    def township_ids(self):
        return [self.township] if self.township is not None else self.scope

    def query(self):
        status = queries.UNDELIVERED if self.undelivered else self.status
        return queries.deliveries(self.township_ids, status=status, channel=self.channel, since=self.since,
                                  until=self.until)

    def args(self, **changes):
        """The filters as query arguments (for links and the retry form), with ``changes``."""
        values = {"status": "undelivered" if self.undelivered else self.status.value if self.status else None,
                  "channel": self.channel, "township": self.township,
                  "since": self.since.isoformat() if self.since else None,
                  "until": self.until.isoformat() if self.until else None}
        values.update(changes)
        return {key: value for key, value in values.items() if value not in (None, "")}


def _day_arg(args, name):
    """A date argument (2026-12-06); a malformed one is ignored with a message."""
    value = (args.get(name) or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        flash(_l("日期应写成 2026-12-06 这样的格式，已忽略“%(value)s”。", value=value[:20]), "warning")
        return None


@bp.route("/notifications/deliveries")
@roles_required(*STAFF_ROLES)
def deliveries():
    """Whether each message to the user's townships went out by email or SMS: sent, waiting (with
    the next try), or failed with the reason and a retry button; filtered by state, channel,
    township and date, and the undelivered ones of a township exported for passing on by hand."""
    filters = _DeliveryFilters(request.args)
    pagination = one_page(filters.query())
    townships = [t for t in db.session.scalars(sa.select(Township).order_by(*ADMINISTRATIVE_ORDER))
                 if filters.scope is None or t.id in filters.scope]
    return render_template("notifications/deliveries.html", pagination=pagination, filters=filters,
                           status=filters.status, statuses=list(DeliveryStatus), failed=DeliveryStatus.failed,
                           townships=townships)


@bp.route("/notifications/deliveries/undelivered.xlsx")
@roles_required(*STAFF_ROLES)
@recent_password_required
def export_undelivered():
    """A township's messages not (yet) delivered, as a workbook staff can pass on by phone or by hand
    (numbers masked; the export is audited)."""
    township_id = request.args.get("township", type=int)
    scope = visible_township_ids()
    if township_id is None:
        if scope is None or len(scope) != 1:
            flash(_l("请先选择一个乡镇（街道），再导出未送达的消息。"), "warning")
            return redirect(url_for(".deliveries", status="undelivered"))
        township_id = next(iter(scope))
    if scope is not None and township_id not in scope:
        refuse_out_of_scope()
    township = db.get_or_404(Township, township_id)
    rows = list(queries.undelivered_rows(township.id))
    title = str(_l("%(township)s未送达的消息（%(day)s）", township=township.name, day=local_today().isoformat()))
    headers = [str(h) for h in (_l("收件人"), _l("渠道"), _l("号码或邮箱"), _l("主题"), _l("发送内容"), _l("状态"),
                                _l("已尝试次数"), _l("最后一次失败原因"), _l("写入时间"))]
    data = write_tables([Table(title=str(_l("未送达")), caption=title, headers=headers, rows=rows,
                               widths=[10, 6, 16, 24, 50, 10, 10, 30, 17])])
    commit(lambda: record_event("export", township_id=township.id,
                                detail=f"undelivered messages township={township.id} rows={len(rows)}"))
    response = current_app.response_class(data, mimetype=XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = content_disposition(f"{title}.xlsx")
    return response


@bp.route("/notifications/deliveries/<int:delivery_id>/retry", methods=["POST"])
@roles_required(*STAFF_ROLES)
def retry_delivery(delivery_id):
    """Queue a failed delivery again; township staff only for messages to their townships (404 else)."""
    delivery = db.session.scalar(queries.deliveries(visible_township_ids()).where(Delivery.id == delivery_id))
    if delivery is None:
        if db.session.get(Delivery, delivery_id) is not None:
            refuse_out_of_scope()
        abort(404)
    if commit(lambda: operations.retry_delivery(delivery), flash_category="warning"):
        flash(_l("已重新排队，稍后自动发送。"), "success")
    back = {key: request.form.get(key) for key in ("status", "channel", "township", "since", "until")
            if request.form.get(key)}
    return redirect(url_for(".deliveries", page=request.form.get("page", type=int), **back))


