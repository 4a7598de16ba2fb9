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
    def nav_groups():
        """The menu for the signed-in user's roles: (label, [(endpoint, label), ...]) groups.

        The same groups on a phone (behind one menu button) and on a desktop (a bar of small
        menus); a group the user may not open any page of is left out. Endpoints of features
        that are not registered are skipped, so a group lists only pages that exist.
        """
        from liaison.accounts.models import Role

        groups = []
        if current_user.has_role(Role.deputy):
            groups.append((_l("我的"), [("checkin.mine", _l("我的履职")), ("rota.my_slots", _l("我的排班")),
                                       ("rota.my_unavailability", _l("不便参加的日期")),
                                       ("opinions.mine", _l("我接待的民意"))]))
        staff = current_user.has_role(Role.township_staff, Role.committee, Role.admin)
        committee = current_user.has_role(Role.committee, Role.admin)
        if staff:
            groups.append((_l("网络"), [("stations.index", _l("家站"))]
                           + ([("townships.index", _l("乡镇（街道）")), ("terms.index", _l("届次"))]
                              if committee else [])))
            groups.append((_l("代表"), [("deputies.index", _l("代表名单")), ("checkin.today", _l("今日签到")),
                                       ("scanner.choose", _l("扫代表码")),
                                       ("checkin.queue", _l("待核实签到")),
                                       ("checkin.back_entry_many", _l("批量补登")),
                                       ("accounts.bulk_activation", _l("批量发放激活码"))]
                           + ([("imports.roster", _l("导入名单"))] if committee else [])))
            groups.append((_l("排班"), [("rota.index", _l("排班")), ("rota.requests", _l("请假与换班")),
                                       ("rota.unavailability", _l("代表不便日期")),
                                       ("activities.index", _l("季回家活动"))]
                           + ([("calendar.index", _l("节假日"))] if committee else [])))
            groups.append((_l("述职与统计"), [("reports.sessions", _l("述职活动")), ("dashboard.index", _l("述职率")),
                                             ("dashboard.bulletins_page", _l("月度通报"))]
                           + ([("dashboard.terms", _l("换届"))] if committee else [])))
            groups.append((_l("民意"), [("opinions.queue", _l("民意")), ("public.district_account", _l("履职公开"))]))
        if staff:
            groups.append((_l("系统"), ([("accounts.users", _l("账号")), ("notifications.outbox", _l("短信发件箱"))]
                                        if committee else [])
                           + [("notifications.deliveries", _l("发送记录"))]
                           + ([("system.jobs", _l("定时任务")), ("system.audit", _l("操作日志"))]
                              if committee else [])))
        registered = current_app.view_functions
        groups = [(label, [(e, item) for e, item in items if e in registered]) for label, items in groups]
        return [(label, items) for label, items in groups if items]

    @app.template_global()
    def nav_items():
        """Every menu entry as flat (endpoint, label) pairs: 首页, the groups' pages, then 消息."""
        items = [("main.index", _l("首页"))]
        for _label, entries in nav_groups():
            items += entries
        if current_user.is_authenticated:
            items.append(("notifications.inbox", inbox_label()))
        return items

    @app.template_global()
    def inbox_label():
        """消息, with the number of unread messages when there are any."""
        from liaison.notifications.queries import unread_count

        unread = unread_count(current_user.id)
        return _l("消息（%(n)s）", n=unread) if unread else _l("消息")

    @app.context_processor
    def globals_for_templates():
        return {
            "current_locale": str(get_locale() or "zh_CN"),
            "languages": (("zh_CN", "中文"), ("en", "English")),
            "current_path": request.full_path.rstrip("?") if request else "/",
        }
