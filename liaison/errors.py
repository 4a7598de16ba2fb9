"""The domain's input error and the friendly error pages (403, 404, 500, 503, expired form)."""
import logging

from flask import g, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError

log = logging.getLogger(__name__)


class InvalidInput(ValueError):
    """Input that breaks a domain rule; ``message`` is shown to the user, ``field`` names the input."""

    def __init__(self, message, field=None):
        super().__init__(str(message))
        self.message = message
        self.field = field


def register_errorhandlers(app):
    """Answer errors with Chinese pages and no stack traces."""

    def page(code, title, message):
        return render_template("errors/error.html", code=code, title=title, message=message), code

    @app.errorhandler(403)
    def forbidden(_error):
        return page(403, _l("无权访问"), _l("您的账号没有访问此页面的权限。"))

    @app.errorhandler(404)
    def not_found(_error):
        return page(404, _l("页面不存在"), _l("您访问的页面不存在，或不在您的管辖范围内。"))

    @app.errorhandler(405)
    def method_not_allowed(_error):
        return page(405, _l("操作不被允许"), _l("此页面不接受这种请求。"))

    @app.errorhandler(413)
    def too_large(_error):
        return page(413, _l("文件太大"), _l("上传的内容超过了允许的大小。"))

    @app.errorhandler(500)
    def server_error(_error):
        return page(500, _l("系统出错了"), _l("系统遇到问题，请稍后再试。问题已记录。"))

    @app.errorhandler(OperationalError)
    def database_unavailable(error):
        log.error("database unavailable: %s", error.__class__.__name__)
        return page(503, _l("系统暂时不可用"), _l("数据库暂时无法连接，请稍后再试。"))

    @app.errorhandler(CSRFError)
    def form_expired(_error):
        # Show the same form again with what was typed: the view runs as for a failed
        # validation (see liaison.forms.Form) and the page gets a fresh token.
        view = app.view_functions.get(request.endpoint)
        if request.method == "POST" and view is not None and getattr(view, "reshows_expired_form", True):
            g.form_expired = True
            response = app.make_response(view(**(request.view_args or {})))
            response.status_code = 400
            return response
        return page(400, _l("页面已过期"), _l("页面停留太久已过期，请返回后重新提交。"))
