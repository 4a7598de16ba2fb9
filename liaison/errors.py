"""The domain's input error and the friendly error pages (403, 404, 500, 503, expired form)."""
import logging

import sqlalchemy as sa
from flask import current_app, g, render_template, request, session
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException

from liaison.extensions import db

log = logging.getLogger(__name__)

#: ``Session.info`` key set while a view runs again for a request whose CSRF token failed.
_NO_WRITES = "reshowing_expired_form"


def reshows_expired_form(view):
    """Mark a form view (put it right under ``@bp.route``) whose POST, when the form does not validate,
    shows the form again: a post whose CSRF token failed then gets the form back with what was typed.

    Only views marked so run at all for a failed token; every other view answers the plain 400 page.
    The view must write nothing when ``form.validate_on_submit()`` is False (a failed token makes it
    False); even so its database work is rolled back and the session put back (see ``form_expired``).
    """
    view.reshows_expired_form = True
    return view


class WriteRefused(RuntimeError):
    """A commit tried while a view re-shows an expired form."""


@sa.event.listens_for(Session, "before_commit")
def _refuse_commit_while_reshowing(db_session):
    if db_session.info.get(_NO_WRITES):
        raise WriteRefused("commit refused: the request's CSRF token failed")


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
        # A request whose token failed changes nothing. A form view marked @reshows_expired_form
        # shows its form again with what was typed (and a fresh token); anything else gets this page.
        g.csrf_failed = True  # read by after-request hooks that would otherwise touch the session
        view = app.view_functions.get(request.endpoint)
        if request.method == "POST" and getattr(view, "reshows_expired_form", False):
            response = _reshown_form(view)
            if response is not None:
                return response
        return page(400, _l("页面已过期"), _l("页面停留太久已过期，请返回后重新提交。"))


def _reshown_form(view):
    """The view's page for a failed validation (status 400), or None when it answers anything else.

    The view runs as it would with a valid token (after the request hooks CSRF cut short, such as the
    staff idle sign-out) but ``validate_on_submit()`` is False. Whatever it does is undone: a commit
    raises and the transaction rolls back, and the session (sign-in, language, flashes) is put back
    as it came, keeping only the fresh CSRF token the page carries.
    """
    kept = dict(session)
    g.form_expired = True
    db.session.info[_NO_WRITES] = True
    response = None
    try:
        if not any(current_app.ensure_sync(hook)() is not None for hook in _hooks_after_csrf()):
            response = current_app.make_response(view(**(request.view_args or {})))
    except HTTPException as error:
        log.info("expired form not shown again at %s: %s", request.endpoint, error.code)
    except Exception as error:  # noqa: BLE001 - whatever failed, the answer is the expired page
        # The class only: a database error's text would carry the query's parameters.
        log.error("expired form not shown again at %s: %s", request.endpoint, error.__class__.__name__)
    finally:
        db.session.rollback()
        db.session.info.pop(_NO_WRITES, None)
        token_key = current_app.config["WTF_CSRF_FIELD_NAME"]
        fresh_token = session.get(token_key)
        session.clear()
        session.update(kept)
        if fresh_token is not None:
            session[token_key] = fresh_token
    if response is None or response.status_code not in (200, 400):
        return None  # a redirect or another page means the view did not just show its form
    response.status_code = 400
    return response


def _hooks_after_csrf():
    """The before-request hooks that a valid token would have reached (Flask-WTF's check raised)."""
    hooks = [hook for name in (None, *reversed(request.blueprints))
             for hook in current_app.before_request_funcs.get(name, ())]
    for position, hook in enumerate(hooks):
        if hook.__module__ == "flask_wtf.csrf":
            return hooks[position + 1:]
    return hooks
