"""Request and response guards: NUL bytes refused, security headers, no caching, no values in DB errors."""
from flask import render_template, request
from flask_babel import lazy_gettext as _l

#: No inline scripts or styles anywhere: every script and stylesheet is a file served by the app.
#: Images may be data: URLs (QR codes rendered for download previews).
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])



#: Replaces the database's DETAIL text (e.g. ``Key (mobile)=(139...) already exists``) in errors.
HIDDEN_DETAIL = "[detail hidden]"


def _is_static(endpoint):
    """Whether the endpoint serves the app's own CSS, JS or fonts: the only responses a cache may keep."""
    return endpoint is not None and (endpoint == "static" or endpoint.endswith(".static"))


def _holds_nul(value):
    """Whether a string, or any string inside a JSON value, holds a NUL character."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


def _request_holds_nul():
    """Whether the path, query, headers, form fields, upload names or JSON body hold a NUL.

    File contents are not looked at: an uploaded workbook or photo is binary and never reaches
    a text column as it is.
    """
    pairs = [request.path, *request.args.items(multi=True), *request.headers.items()]
    if request.method not in {"GET", "HEAD", "OPTIONS"}:
        pairs += request.form.items(multi=True)
        pairs += [(name, upload.filename or "") for name, upload in request.files.items(multi=True)]
        if request.is_json:
            pairs.append(request.get_json(silent=True))
    return any(_holds_nul(list(p) if isinstance(p, tuple) else p) for p in pairs)


def refuse_nul_bytes():
    """Answer 400 to a request carrying a NUL character, before any hook or view reads the database.

    PostgreSQL cannot store NUL in text, so such a value would otherwise fail inside a query (a 500,
    and a log line); no person types one.
    """
    if _request_holds_nul():
        return render_template("errors/error.html", code=400, title=_l("请求无效"),
                               message=_l("提交的内容含有无法处理的空字符（NUL），已拒绝。请检查后重新输入。")), 400
    return None


def hide_database_detail(context):
    """Strip the DETAIL text a database adds to an error: it quotes the values of the failing row.

    With ``hide_parameters`` the SQL parameters already stay out of the message; PostgreSQL's
    DETAIL (a unique key's value, a failing row) would still reach logs and job-run records.
    """
    original = context.original_exception
    detail = getattr(getattr(original, "diag", None), "message_detail", None)
    if not detail:
        return
    for error in (original, context.sqlalchemy_exception):
        if error is not None:
            error.args = tuple(a.replace(detail, HIDDEN_DETAIL) if isinstance(a, str) else a for a in error.args)


def init_app(app):
    """Refuse NUL bytes first of all, keep values out of database errors, add the security headers."""
    import sqlalchemy as sa

    from liaison.extensions import db

    # First of every before-request hook: CSRF and the session hooks already read the form or the database.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_nul_bytes)
    with app.app_context():
        sa.event.listen(db.engine, "handle_error", hide_database_detail)

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        # Location is asked for by the check-in page of this site only.
        headers.setdefault("Permissions-Policy", "geolocation=(self), camera=(), microphone=()")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if not _is_static(request.endpoint) and "no-store" not in headers.get("Cache-Control", ""):
            # Pages, workbooks, attachments and JSON carry names and phone numbers: no cache, shared
            # or the browser's own, may keep them (send_file's "no-cache" still stores).
            headers["Cache-Control"] = "no-store"
        return response
