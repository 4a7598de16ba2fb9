"""Writing audit events, and pruning those past the retention period."""
import logging
from datetime import timedelta

import sqlalchemy as sa
from flask import has_request_context, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from liaison.audit.models import AuditEvent, Outcome
from liaison.clock import utcnow
from liaison.extensions import db
from liaison.sqlite import write_next

log = logging.getLogger(__name__)

#: Every audited action and its Chinese name, for the audit page. ``record_event`` refuses an action
#: that is not here, so the list is the policy (see "What is audited" in the README).
ACTION_LABELS = {
    "login.success": _l("登录成功"),
    "login.failure": _l("登录失败"),
    "login.locked": _l("登录被锁定"),
    "login.refused": _l("锁定期间被拒绝的登录"),
    "logout": _l("退出登录"),
    "password.changed": _l("修改密码"),
    "password.confirmed": _l("验证密码"),
    "password.reset_requested": _l("忘记密码：申请短信验证码"),
    "password.reset": _l("忘记密码：用短信验证码重设密码"),
    "password.help_requested": _l("忘记密码：请工作人员协助"),
    "account.activated": _l("激活账号"),
    "account.activation_issued": _l("发放激活码"),
    "account.activation_mismatch": _l("激活时输入的手机号码不符"),
    "account.enabled": _l("启用账号"),
    "account.disabled": _l("停用账号"),
    "user.created": _l("新建账号"),
    "user.access_changed": _l("修改角色或管辖范围"),
    "deputy.mobile_changed": _l("修改代表登录手机号码"),
    "access.denied": _l("越权访问"),
    "mobile.revealed": _l("查看完整手机号码"),
    "export": _l("导出"),
    "bulletin.made": _l("生成月度通报"),
    "import": _l("导入"),
    "record.deleted": _l("删除记录"),
    "checkin.back_entry": _l("补登签到"),
    "checkin.confirmed": _l("确认签到"),
    "checkin.rejected": _l("驳回签到"),
    "station.rekeyed": _l("二维码重新生成"),
    "station.created": _l("新建家站"),
    "station.updated": _l("修改家站"),
    "station.activated": _l("启用家站"),
    "station.deactivated": _l("停用家站"),
    "township.created": _l("新建乡镇（街道）"),
    "township.updated": _l("修改乡镇（街道）"),
    "district.created": _l("新建选区"),
    "district.updated": _l("修改选区"),
    "term.created": _l("新建届次"),
    "term.updated": _l("修改届次"),
    "term.closed": _l("闭届"),
    "term.reopened": _l("重新冻结闭届数据"),
    "targets.changed": _l("修改“两个100%”目标届次"),
    "mandate.created": _l("新增代表资格"),
    "mandate.updated": _l("修改代表资格"),
    "mandate.ended": _l("登记代表资格提前终止"),
    "mandate.end_withdrawn": _l("撤销代表资格提前终止"),
    "suspension.recorded": _l("登记暂停执行职务"),
    "exemption.recorded": _l("登记免除事项"),
    "rota.published": _l("公示排班"),
    "audit.pruned": _l("清理过期日志"),
    "zone.recomputed": _l("按新时区重算本地日期"),
    "job.taken_over": _l("接管中断的定时任务"),
    "job.premature_rerun": _l("重跑期间结束前运行的定时任务"),
    "delivery.retried": _l("重发消息"),
    "visit.reminded": _l("提醒进行中的代表进站或回家"),
    "opinion.received": _l("收到民意"),
    "opinion.registered": _l("登记民意"),
    "opinion.referred": _l("转办民意"),
    "opinion.suggestion": _l("民意转为代表建议"),
    "opinion.replied": _l("答复民意"),
    "opinion.rated": _l("群众评价答复"),
    "opinion.handed_over": _l("民意转信访"),
    "opinion.rejected": _l("民意不予受理"),
    "opinion.reopened": _l("群众不满意，民意重新办理"),
    "opinion.closed_no_contact": _l("民意办结（群众未留联系方式）"),
    "opinion.phones_removed": _l("按期删除群众联系电话"),
}


def record_event(action, outcome=Outcome.success, target=None, target_type="", target_id="",
                 township_id=None, detail="", actor=None):
    """Add one audit event to the session (the caller's commit saves it with the change it describes).

    ``target`` may be a model instance; its table name and id are recorded. An action without a
    label in ``ACTION_LABELS`` is a programming error: it would show as a bare code to reviewers.
    """
    if action not in ACTION_LABELS:
        raise ValueError(f"audit action {action!r} has no label in ACTION_LABELS")
    if actor is None and has_request_context() and current_user and current_user.is_authenticated:
        actor = current_user
    if target is not None:
        target_type = target.__tablename__
        target_id = target.id
        township_id = township_id if township_id is not None else getattr(target, "township_id", None)
    event = AuditEvent(
        occurred_at=utcnow(),
        actor_id=actor.id if actor is not None else None,
        actor_name=(actor.name if actor is not None else "")[:50],
        action=action,
        outcome=outcome,
        target_type=target_type or "",
        target_id=str(target_id or ""),
        township_id=township_id,
        ip=(request.remote_addr or "")[:45] if has_request_context() else "",
        user_agent=(request.user_agent.string or "")[:200] if has_request_context() else "",
        detail=str(detail)[:500],
    )
    db.session.add(event)
    return event


def record_event_now(action, **kwargs):
    """Record an event and commit it on its own, for failures and refusals.

    Whatever the request had written and not committed is rolled back first (the refusal
    discards it), so this commit holds exactly the event and nothing half-done.
    """
    db.session.rollback()
    write_next(db.session())
    event = record_event(action, **kwargs)
    db.session.commit()
    return event


def prune_events(retention_days):
    """Delete events older than the retention period; returns how many went."""
    cutoff = utcnow() - timedelta(days=retention_days)
    count = db.session.execute(sa.delete(AuditEvent).where(AuditEvent.occurred_at < cutoff)).rowcount
    record_event("audit.pruned", detail=f"retention_days={retention_days} deleted={count}")
    db.session.flush()
    log.info("audit events pruned: %s older than %s days", count, retention_days)
    return count
