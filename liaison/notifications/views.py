"""The inbox (every signed-in user), the email address setting, and the SMS outbox for committee staff."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from liaison.accounts.access import DISTRICT_ROLES, roles_required
from liaison.errors import InvalidInput, reshows_expired_form
from liaison.extensions import db
from liaison.notifications import bp, operations, queries
from liaison.notifications.forms import EmailAddressForm
from liaison.notifications.models import EmailAddress, Message


def _page():
    """The page number asked for."""
    return request.args.get("page", 1, type=int)


@bp.route("/inbox")
@login_required
def inbox():
    """The signed-in user's messages, newest first, unread ones marked."""
    pagination = db.paginate(queries.inbox(current_user.id), page=_page(),
                             per_page=current_app.config["LIAISON_PAGE_SIZE"], error_out=False)
    return render_template("notifications/inbox.html", pagination=pagination,
                           unread=queries.unread_count(current_user.id))


@bp.route("/inbox/<int:message_id>/read", methods=["POST"])
@login_required
def mark_read(message_id):
    """Mark one of the user's own messages read; anyone else's answers 404."""
    message = db.session.get(Message, message_id)
    if message is None or message.user_id != current_user.id:
        abort(404)
    operations.mark_read(message)
    db.session.commit()
    return redirect(url_for(".inbox", page=request.form.get("page", 1, type=int)))


@bp.route("/inbox/read-all", methods=["POST"])
@login_required
def mark_all_read():
    """Mark all of the user's messages read."""
    count = operations.mark_all_read(current_user)
    db.session.commit()
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
        try:
            saved = operations.set_email_address(current_user, form.address.data)
        except InvalidInput as error:
            db.session.rollback()
            form.attach_error(error)
        else:
            db.session.commit()
            flash(_l("已保存：消息会同时发到 %(a)s。", a=saved.address) if saved else _l("已取消邮件通知。"),
                  "success")
            return redirect(url_for(".inbox"))
    return render_template("notifications/email.html", form=form,
                           email_enabled=bool(current_app.config.get("LIAISON_SMTP_HOST")))


@bp.route("/notifications/outbox")
@roles_required(*DISTRICT_ROLES)
def outbox():
    """Text messages the default gateway queued, newest first, phone numbers masked."""
    q = request.args.get("q", "").strip()
    pagination = db.paginate(queries.outbox(q), page=_page(),
                             per_page=current_app.config["LIAISON_PAGE_SIZE"], error_out=False)
    return render_template("notifications/outbox.html", pagination=pagination, q=q)
