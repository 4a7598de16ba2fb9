"""The inbox (every signed-in user), the email address setting, delivery status and retry for staff,
and the SMS outbox for committee staff."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from liaison.accounts.access import (DISTRICT_ROLES, STAFF_ROLES, refuse_out_of_scope, roles_required,
                                     visible_township_ids)
from liaison.errors import reshows_expired_form
from liaison.extensions import db
from liaison.notifications import bp, operations, queries
from liaison.notifications.channels import sms_text
from liaison.notifications.forms import EmailAddressForm
from liaison.notifications.models import Delivery, DeliveryStatus, EmailAddress, Message
from liaison.paging import one_page
from liaison.transaction import commit


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


@bp.route("/notifications/deliveries")
@roles_required(*STAFF_ROLES)
def deliveries():
    """Whether each message to the user's townships went out by email or SMS: sent, waiting (with
    the next try), or failed with the reason and a retry button."""
    status = {s.value: s for s in DeliveryStatus}.get(request.args.get("status", ""))
    query = queries.deliveries(visible_township_ids(), status=status)
    pagination = one_page(query)
    return render_template("notifications/deliveries.html", pagination=pagination, status=status,
                           statuses=list(DeliveryStatus), failed=DeliveryStatus.failed)


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
    status = request.form.get("status") or None
    return redirect(url_for(".deliveries", status=status, page=request.form.get("page", type=int)))


