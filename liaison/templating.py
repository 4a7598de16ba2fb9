"""Template filters and globals: local times, masked phones, language switch."""
from flask import current_app, request
from flask_babel import format_date, format_datetime, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from liaison.clock import to_local
from liaison.text import mask_address, mask_mobile


def init_app(app):
    @app.template_filter("local_datetime")
    def local_datetime(instant, fmt="yyyy-MM-dd HH:mm"):
        """Show a stored UTC instant in the configured local zone."""
        return format_datetime(to_local(instant), fmt) if instant else ""

    @app.template_filter("day")
    def day(value, fmt="yyyy-MM-dd"):
        return format_date(value, fmt) if value else ""

    app.add_template_filter(mask_mobile, "masked")
    app.add_template_filter(mask_address, "masked_address")

    @app.template_global()
    def nav_items():
        """The menu for the signed-in user's roles, as (endpoint, label) pairs."""
        from liaison.accounts.models import Role

        items = [("main.index", _l("首页"))]
        if current_user.has_role(Role.deputy):
            items += [("checkin.mine", _l("我的履职")), ("rota.my_slots", _l("我的排班")),
                      ("opinions.mine", _l("我接待的民意"))]
        if current_user.has_role(Role.township_staff, Role.committee, Role.admin):
            items += [("deputies.index", _l("代表")), ("stations.index", _l("家站")),
                      ("checkin.today", _l("今日签到")), ("scanner.choose", _l("扫代表码")),
                      ("checkin.queue", _l("待核实")),
                      ("rota.index", _l("排班")), ("activities.index", _l("季回家活动")),
                      ("reports.sessions", _l("述职活动")), ("opinions.queue", _l("民意"))]
            items.append(("dashboard.index", _l("述职率")))
        if current_user.has_role(Role.committee, Role.admin):
            items += [("townships.index", _l("乡镇（街道）")), ("terms.index", _l("届次")),
                      ("accounts.users", _l("账号")), ("dashboard.terms", _l("换届")),
                      ("calendar.index", _l("节假日")),
                      ("system.jobs", _l("定时任务")), ("system.audit", _l("操作日志")),
                      ("notifications.outbox", _l("短信发件箱"))]
            items.append(("imports.roster", _l("导入名单")))
        if current_user.is_authenticated:
            from liaison.notifications.queries import unread_count

            unread = unread_count(current_user.id)
            items.append(("notifications.inbox", _l("消息（%(n)s）", n=unread) if unread else _l("消息")))
        return [(e, label) for e, label in items if e in current_app.view_functions]

    @app.context_processor
    def globals_for_templates():
        return {
            "current_locale": str(get_locale() or "zh_CN"),
            "languages": (("zh_CN", "中文"), ("en", "English")),
            "current_path": request.full_path.rstrip("?") if request else "/",
        }
