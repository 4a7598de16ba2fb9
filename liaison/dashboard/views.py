"""Dashboard pages: the two 100% targets, townships, visits, the 未述 list, the workbook, the bulletins."""
from datetime import date

import sqlalchemy as sa
from flask import (Response, abort, current_app, flash, make_response, redirect, render_template, request,
                   send_file, url_for)
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape

from liaison.accounts.access import DISTRICT_ROLES, STAFF_ROLES, recent_password_required, roles_required, \
    visible_township_ids
from liaison.accounts.models import Role
from liaison.clock import local_today
from liaison.dashboard import bp, bulletins, operations, queries
from liaison.dashboard.forms import BulletinForm, CloseTermForm, RemindForm, ReopenTermForm
from liaison.dashboard.record import deputy_opinion_record, deputy_timeline
from liaison.deputies import queries as deputy_queries
from liaison.dashboard.charts import rate_bars
from liaison.dashboard.workbook import build_workbook, workbook_filename, workbook_scope
from liaison.errors import reshows_expired_form
from liaison.exports.xlsx import XLSX_MIMETYPE
from liaison.extensions import db
from liaison.rates import queries as rates
from liaison.dashboard.models import TermClosure
from liaison.terms.models import Level, Term
from liaison.townships.models import Township
from liaison.transaction import commit
from liaison.uploads import content_disposition


def _as_of():
    """The as-of date of the request (``as_of``), today when absent or malformed."""
    return queries.parse_as_of(request.args.get("as_of", ""), local_today())


@bp.get("/dashboard")
@roles_required(*STAFF_ROLES)
def index():
    """The two 100% targets, the township table, 月进站 and 季回家 by township, and the monthly chart."""
    as_of = _as_of()
    year = request.args.get("year", type=int) or as_of.year
    if not 2000 <= year <= 2100:
        year = as_of.year
    township_ids = visible_township_ids()
    terms = queries.target_terms(as_of)
    visit_term = _visit_term(terms)
    matrices = queries.visit_matrices(year, visit_term.id if visit_term else None, as_of, township_ids)
    months, quarters = matrices["month"], matrices["quarter"]
    # The headline rows are the township table's sums (every mandate is in one township).
    townships = queries.township_table(terms, as_of, township_ids)
    # A month still running is marked and its figure said to be so far (rule R8).
    chart = rate_bars(gettext("%(year)s年月进站率", year=year),
                      [(queries.period_label("month", row.period_key) + ("" if row.closed else "*"), row.rate,
                        gettext("已到 %(met)s / 应到 %(due)s", met=row.met, due=row.due)
                        + ("" if row.closed else gettext("（截至目前）")))
                       for row in months.district])
    people_url = url_for("dashboard.people")
    visit_cell = _VisitCells(people_url, visit_term.id if visit_term else None, year, as_of.isoformat())
    return render_template(
        "dashboard/index.html", as_of=as_of, year=year, terms=terms, visit_term=visit_term,
        targets=queries.targets_of_townships(terms, townships),
        closures=queries.latest_closures([term.id for term in terms]),
        townships=townships,
        annual=queries.annual_table(terms, year, as_of, township_ids),
        months=months, quarters=quarters, chart=chart, period_label=queries.period_label, pct=_percent,
        opinions=queries.opinion_panel(year, _opinion_month(), local_today(), township_ids),
        scoped=township_ids is not None,
        people=lambda **args: _people_link(people_url, args), visit_cell=visit_cell,
        archive=bulletins.archive())


class _VisitCells:
    """The cells of the 月进站 and 季回家 tables as markup, built in Python: a table has a cell per
    township and period (a macro call each cost more than the rest of the page). An ended period
    shows its rate, 已到/应到 and who missed it; a running one 进行中 and its figure so far, never
    a miss (rule R8). Every count links to its people."""

    def __init__(self, people_url, term_id, year, as_of):
        self.base = f"{people_url}?term={term_id}&year={year}&as_of={as_of}"
        self.linked = term_id is not None
        self.running = escape(gettext("进行中"))
        self.so_far = escape(gettext("截至目前"))
        self.missed = escape(gettext("未到 %(n)s", n="{n}"))
        self.pending = escape(gettext("尚未 %(n)s", n="{n}"))

    def _link(self, text, kind, row, township_id, what, css=""):
        if not self.linked:
            return str(text)
        where = "" if township_id is None else f"&township={township_id}"
        href = escape(f"{self.base}&figure={kind}&period={row.period_key}{where}&what={what}")
        css = f' class="{css}"' if css else ""
        return f'<a{css} href="{href}">{text}</a>'

    def __call__(self, row, kind, township_id=None):
        if row is None:
            return Markup('<td class="cell-rate">—</td>')
        counts = (f'{self._link(row.met, kind, row, township_id, "met")}/'
                  f'{self._link(row.due, kind, row, township_id, "due")}')
        if row.closed:
            cell = (f'<td class="cell-rate cell-ended">{_percent(row.rate)}'
                    f'<br><span class="small text-muted">{counts}</span>')
            if row.unmet:
                cell += "<br>" + self._link(self.missed.replace("{n}", str(row.unmet)), kind, row, township_id,
                                            "missed", "small text-danger cell-missed")
        else:
            cell = (f'<td class="cell-rate cell-running"><span class="badge text-bg-info">{self.running}</span>'
                    f'<br><span class="small">{self.so_far} {_percent(row.rate)}</span>'
                    f'<br><span class="small text-muted">{counts}</span>')
            if row.in_progress:
                cell += "<br>" + self._link(self.pending.replace("{n}", str(row.in_progress)), kind, row,
                                            township_id, "in_progress", "small cell-pending")
        return Markup(cell + "</td>")


def _people_link(base, args):
    """The drill-down address of a number (``dashboard.people``), built without ``url_for``: the page
    links every count of its tables, hundreds of them (the arguments are numbers and plain words)."""
    return base + "?" + "&".join(f"{key}={value}" for key, value in args.items() if value is not None)


@bp.app_template_global("year_duty")
def year_duty(deputy_id, today):
    """我的履职's 年述职 of this year, per mandate (the page lives with check-ins, a layer below the
    rates, so the dashboard lends it this)."""
    return queries.year_duty(deputy_id, today.year, today)


#: How many of the latest events of their own 履职档案 我的履职 shows (the whole record is a tap away).
MY_RECORD_EVENTS = 8


@bp.app_template_global("my_record_events")
def my_record_events():
    """The latest events of the signed-in deputy's own 履职档案: the staff's timeline, asked for that
    deputy's mandates only (rule R34). It takes no deputy: nobody can ask it for someone else's."""
    deputy = getattr(current_user, "deputy", None)
    if deputy is None:
        return []
    return deputy_timeline(deputy, list(deputy.mandates))[:MY_RECORD_EVENTS]


@bp.get("/me/record")
@roles_required(Role.deputy)
def my_record():
    """我的履职档案: the deputy's own record, the same timeline and 民意 staff see on 履职档案, for
    themselves only (rule R34)."""
    deputy = current_user.deputy
    if deputy is None:
        abort(403)
    mandates = list(deputy.mandates)
    today = local_today()
    return render_template("dashboard/record.html", deputy=deputy, mandates=mandates, own=True,
                           events=deputy_timeline(deputy, mandates), today=today,
                           opinions=deputy_opinion_record(deputy, today.year))


@bp.app_template_global("closed_mandates")
def closed_mandates(deputy_id):
    """我的履职's mandates in closed terms (已换届) with the deputy's place in the frozen figures (rule R14)."""
    return queries.closed_mandates(deputy_id)


def _percent(rate):
    """A rate as the page's cells show it: 87.5%, or — when nobody is due (a function, not a template
    macro: the page shows hundreds of rates and a macro call costs many times more)."""
    return "—" if rate is None else f"{rate * 100:.1f}%"


def _opinion_month():
    """The month of the 民意 table (``opinion_month`` 1–12); None for the whole year."""
    month = request.args.get("opinion_month", type=int)
    return month if month and 1 <= month <= 12 else None


def _visit_term(terms):
    """The term whose 月进站 and 季回家 are shown: ``visit_term`` if it is a target term, else the 区 target."""
    wanted = request.args.get("visit_term", type=int)
    for term in terms:
        if term.id == wanted:
            return term
    district = [term for term in terms if term.level is Level.district]
    return (district or terms or [None])[0]


@bp.get("/dashboard/missing")
@roles_required(*STAFF_ROLES)
def missing():
    """The 未述 list of one term: who is due to report and has not, as of the date."""
    as_of = _as_of()
    term = db.session.get(Term, request.args.get("term_id", type=int) or 0)
    if term is None:
        abort(404)
    township_ids = visible_township_ids()
    rows = rates.missing_reporters(term.id, as_of, township_ids=township_ids)
    summary = rates.in_term_reporting(term.id, as_of, township_ids=township_ids)[0]
    return render_template("dashboard/missing.html", term=term, as_of=as_of, rows=rows, summary=summary)


#: Rows per page of a drill-down list.
PEOPLE_PER_PAGE = 100

#: The heading of each figure's list, and the label of each filter.
FIGURE_TITLES = {"term": _l("届内述职"), "year": _l("年述职"), "month": _l("月进站"), "quarter": _l("季回家")}
FILTER_LABELS = {
    "due": _l("应述"), "done": _l("已述"), "missing": _l("未述"), "exempted": _l("免"), "ended": _l("已终止资格"),
    "late_start": _l("下半年任职"), "met": _l("已到"), "missed": _l("未到"), "in_progress": _l("进行中"),
    "partial": _l("部分时间任职"), "suspended": _l("暂停"),
}
#: For a month or quarter, 应述 reads 应到.
VISIT_FILTER_LABELS = dict(FILTER_LABELS, due=_l("应到"))
#: Each person's state in the list.
STATE_LABELS = {
    "done": _l("已述"), "missing": _l("未述"), "exempted": _l("免"), "ended": _l("已终止资格"),
    "late_start": _l("下半年任职，本年不需述职"), "met": _l("已到"), "missed": _l("未到"),
    "in_progress": _l("进行中"), "partial": _l("部分时间任职"), "suspended": _l("暂停"),
}


def _refuse(message, code=400):
    """Stop the request with an error page that says what was wrong with the address."""
    title = _l("参数有误") if code == 400 else _l("页面不存在")
    abort(make_response(render_template("errors/error.html", code=code, title=title, message=message), code))


def _int_arg(name, message, required=True):
    """An integer query argument; missing (when required) or not a number answers 400 with ``message``."""
    value = request.args.get(name, "")
    if value == "" and not required:
        return None
    if not (value.isascii() and value.isdigit()) or len(value) > 9:  # "²" is a digit to isdigit()
        _refuse(message)
    return int(value)


@bp.get("/dashboard/people")
@roles_required(*STAFF_ROLES)
def people():
    """The people behind a number of the dashboard: ``figure`` (term, year, month, quarter) of
    ``term``, filtered by ``what``, optionally one ``township``; ``year`` and ``period`` for the
    annual and visit figures; as of ``as_of``. Township staff see only their townships' people."""
    figure = request.args.get("figure", "")
    if figure not in queries.PEOPLE_FILTERS:
        _refuse(_l("统计项目不对：应为届内述职、年述职、月进站或季回家之一。"))
    what = request.args.get("what", "due")
    if what not in queries.PEOPLE_FILTERS[figure]:
        _refuse(_l("筛选条件不对。"))
    raw_as_of = request.args.get("as_of", "")
    try:
        as_of = date.fromisoformat(raw_as_of) if raw_as_of else local_today()
    except ValueError:
        _refuse(_l("统计截止日期应写成 2026-01-31 这样的格式。"))
    term = db.session.get(Term, _int_arg("term", _l("请指定届次。")))
    if term is None:
        _refuse(_l("没有这个届次。"), 404)
    township_ids = visible_township_ids()
    township = _int_arg("township", _l("乡镇（街道）编号不对。"), required=False)
    township_name = None
    if township is not None:
        if township_ids is not None and township not in township_ids:
            abort(403)
        found = db.session.get(Township, township)
        if found is None:
            _refuse(_l("没有这个乡镇（街道）。"), 404)
        township_ids, township_name = [township], found.name
    year = period = None
    if figure != "term":
        year = _int_arg("year", _l("年度不对。"), required=False)
        year = as_of.year if year is None else year
        if not 2000 <= year <= 2100:
            _refuse(_l("年度不对。"))
    if figure in ("month", "quarter"):
        period = _int_arg("period", _l("请指定月份或季度。"))
        if period not in queries.period_keys(figure, year, as_of):
            _refuse(_l("这个月份或季度不在所选年度内，或在统计截止日期时还没有开始。"), 404)
    rows = queries.people(figure, term.id, as_of, year, period, township_ids)
    states = queries.FILTER_STATES
    counts = {name: sum(1 for row in rows if row.state in states[name])
              for name in queries.PEOPLE_FILTERS[figure]}
    chosen = [row for row in rows if row.state in states[what]]
    page = _list_page(chosen, request.args.get("page", 1, type=int))
    labels = VISIT_FILTER_LABELS if figure in ("month", "quarter") else FILTER_LABELS
    annual_final = year is not None and as_of >= date(year, 12, 1)
    state_labels = STATE_LABELS
    if figure == "year" and not annual_final:
        state_labels = dict(STATE_LABELS, missing=_l("尚未述职"))
    missing_list = stations = station = None
    if figure in ("month", "quarter") and what == "in_progress":
        # Who is missing, with what it takes to remind them (rule R24).
        missing_list = queries.missing_people(figure, term.id, as_of, year, period, township_ids,
                                              today=local_today())
        stations = sorted({(p.station_id, p.station_name) for p in missing_list if p.station_id},
                          key=lambda pair: pair[1])
        station = request.args.get("station", type=int)
        if station is not None:
            missing_list = [p for p in missing_list if p.station_id == station]
        page = _list_page(missing_list, request.args.get("page", 1, type=int))
    return render_template(
        "dashboard/people.html", figure=figure, figure_title=FIGURE_TITLES[figure], what=what, term=term,
        as_of=as_of, year=year, period=period, township=township, counts=counts, page=page, labels=labels,
        period_name=queries.period_label(figure, period) if period else None,
        township_name=township_name, state_labels=state_labels,
        scope_limited=visible_township_ids() is not None,
        annual_final=annual_final, missing_list=missing_list, stations=stations, station=station,
        remind_form=RemindForm(figure=figure, term=term.id, period=period, township=township,
                               station=station) if missing_list is not None else None)


@bp.post("/dashboard/people/remind")
@roles_required(*STAFF_ROLES)
def remind():
    """Remind the ticked deputies of a 进行中 list by inbox and SMS (rule R24). Only deputies still in
    progress today and in the user's townships are reminded; the list then says how many times."""
    form = RemindForm()
    if not form.validate_on_submit() or form.figure.data not in ("month", "quarter"):
        _refuse(_l("提醒的参数不对，请回到名单重新勾选。"))
    term = db.session.get(Term, _form_int(form.term.data)) if _form_int(form.term.data) else None
    period = _form_int(form.period.data)
    if term is None or period is None:
        _refuse(_l("提醒的参数不对，请回到名单重新勾选。"))
    figure, today = form.figure.data, local_today()
    year = period // 100 if figure == "month" else period // 10
    township_ids = visible_township_ids()
    township = _form_int(form.township.data)
    if township is not None:
        if township_ids is not None and township not in township_ids:
            abort(403)
        township_ids = [township]
    station = _form_int(form.station.data)
    back = url_for(".people", term=term.id, figure=figure, year=year, period=period, what="in_progress",
                   as_of=today.isoformat(), township=township, station=station)
    if period not in queries.period_keys(figure, year, today):
        flash(_l("这个月份或季度还没有开始，不能提醒。"), "warning")
        return redirect(back)
    wanted = set(form.ids.data or [])
    listed = queries.missing_people(figure, term.id, today, year, period, township_ids, today=today)
    chosen = [p for p in listed if p.deputy_id in wanted]
    written = commit(lambda: operations.remind_deputies(chosen, figure, period, current_user),
                     flash_category="warning")
    if written:
        reminded, without_account = written.value
        flash(_l("已提醒 %(n)s 位代表（站内消息和短信，短信稍后自动发出）。", n=len(reminded)), "success")
        if without_account:
            flash(_l("%(names)s 还没有可用的账号，无法发送消息，已记下这次提醒，请电话联系。",
                     names="、".join(p.deputy_name for p in without_account)), "warning")
    gone = len(wanted) - len(chosen)
    if gone > 0:
        flash(_l("%(n)s 位代表已不在“进行中”名单（可能已签到），未提醒。", n=gone), "info")
    return redirect(back)


def _form_int(value):
    """A hidden field's whole number, or None."""
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 9 else None


class _ListPage:
    """One page of a list already in memory, with the attributes the ``pager`` macro reads."""

    def __init__(self, items, page, per_page):
        self.total = len(items)
        self.pages = max(1, -(-self.total // per_page))
        self.page = max(1, min(page or 1, self.pages))
        self.items = items[(self.page - 1) * per_page:self.page * per_page]
        self.has_prev, self.has_next = self.page > 1, self.page < self.pages
        self.prev_num, self.next_num = self.page - 1, self.page + 1
        self.first = (self.page - 1) * per_page


def _list_page(items, page):
    return _ListPage(items, page, PEOPLE_PER_PAGE)


@bp.get("/dashboard/export.xlsx")
@roles_required(*STAFF_ROLES)
@recent_password_required
def export():
    """Download the official workbook (township staff get their townships only, labelled as theirs)
    as of ``as_of`` (default today, never later) for the year ``year`` (default the as-of date's,
    as the dashboard shows it); a malformed or impossible value answers 400 saying why. ``ended=1``
    leaves out the month and quarter still running, as a bulletin's workbook does (township staff
    get theirs this way beside the district's 通报). Audited."""
    today = local_today()
    try:
        as_of, year = _export_dates(request.args, today)
    except ValueError as error:
        return render_template("errors/error.html", code=400, title=gettext("无法导出统计表"),
                               message=str(error)), 400
    township_ids = visible_township_ids()
    scope = workbook_scope(township_ids)
    data = build_workbook(as_of, current_user.name, township_ids, year=year,
                          ended_only=request.args.get("ended") == "1", scope=scope)
    commit(lambda: operations.record_export(
        "workbook", f"rates as of {as_of.isoformat()}, year {year}, {scope.label}"))
    response = Response(data, mimetype=XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = content_disposition(
        workbook_filename(as_of, year=year, scope=scope))
    return response


#: The earliest year a workbook is made for (the platform holds no earlier data).
FIRST_YEAR = 2000


def _export_dates(args, today):
    """The export's as-of date and year from the query, or ValueError with the Chinese reason."""
    value = args.get("as_of", "").strip()
    try:
        as_of = date.fromisoformat(value) if value else today
    except ValueError:
        raise ValueError(gettext("统计日期“%(value)s”无效，请按“年-月-日”填写，例如 %(today)s。",
                                 value=value, today=today.isoformat())) from None
    if as_of > today:
        raise ValueError(gettext("统计日期 %(day)s 晚于今天（%(today)s），只能导出已经发生的情况。",
                                 day=as_of.isoformat(), today=today.isoformat()))
    if as_of.year < FIRST_YEAR:
        raise ValueError(gettext("统计日期不能早于 %(year)s 年。", year=FIRST_YEAR))
    value = args.get("year", "").strip()
    if not value:
        return as_of, as_of.year
    if not value.isdigit() or not FIRST_YEAR <= int(value) <= as_of.year:
        raise ValueError(gettext("年度“%(value)s”无效：应为 %(first)s 年至统计日期所在的 %(last)s 年之间的年份。",
                                 value=value, first=FIRST_YEAR, last=as_of.year))
    return as_of, int(value)


@bp.get("/dashboard/bulletins")
@roles_required(*STAFF_ROLES)
def bulletins_page():
    """The archive of monthly 通报 (the district's, for township staff too); the committee's form
    to make a past month's."""
    return _bulletins_page(_bulletin_form() if current_user.has_role(*DISTRICT_ROLES) else None)


@bp.route("/dashboard/bulletins/new", methods=["GET", "POST"])
@reshows_expired_form
@roles_required(*DISTRICT_ROLES)
def make_bulletin():
    """Make a past month's 通报 and workbook now (the job makes last month's on the 1st)."""
    form = _bulletin_form()
    if form.validate_on_submit():
        if form.save(lambda: operations.make_bulletin(form.month.data, form.threshold.data,
                                                      form.with_names.data, form.replace.data, current_user)):
            flash(gettext("已生成%(month)s的通报和统计表。", month=form.saved.label), "success")
            return redirect(url_for("dashboard.bulletins_page"))
    return _bulletins_page(form)


def _bulletin_form():
    """The form to make a bulletin, its threshold set to the configured one."""
    return BulletinForm(threshold=current_app.config["LIAISON_BULLETIN_THRESHOLD"])


def _bulletins_page(form):
    return render_template("dashboard/bulletins.html", archive=bulletins.archive(), form=form)


@bp.get("/dashboard/bulletins/<name>")
@roles_required(*STAFF_ROLES)
def bulletin(name):
    """Download one archived 通报 (.docx) or workbook (.xlsx) of the district; only files named like
    bulletin-2026-10.docx are served. Township staff read the district's 通报 like everyone it is
    sent to; its workbook lists every deputy of the district with 已述/未述, beyond their scope, so it
    stays with the committee (staff export their own townships' workbook)."""
    path = bulletins.path_of(name)
    if path is None:
        abort(404)
    if name.endswith(".xlsx") and not current_user.has_role(*DISTRICT_ROLES):
        abort(403)
    commit(lambda: operations.record_export("bulletin", name))
    response = send_file(path, mimetype=bulletins.MIMETYPES[name.rsplit(".", 1)[1]], max_age=0)
    response.headers["Content-Disposition"] = content_disposition(bulletins.download_name(name))
    return response


@bp.get("/dashboard/terms")
@roles_required(*DISTRICT_ROLES)
def terms():
    """换届: every term with its closing state and its frozen versions; close a term, reopen a closed
    term's figures, download any version's frozen workbook."""
    versions = queries.closure_versions()
    all_terms = db.session.scalars(sa.select(Term).order_by(Term.level, Term.start_date.desc())).all()
    return render_template("dashboard/terms.html", terms=all_terms, versions=versions)


@bp.route("/dashboard/terms/<int:term_id>/close", methods=["GET", "POST"])
@reshows_expired_form
@roles_required(*DISTRICT_ROLES)
def close_term(term_id):
    """Confirm a term's last day and freeze its final figures (reopened only as a new version)."""
    term = db.get_or_404(Term, term_id)
    form = CloseTermForm(end_date=term.end_date)
    if form.validate_on_submit():
        if form.save(lambda: operations.close_term(term, form.end_date.data, current_user)):
            closure = form.saved
            flash(gettext("%(term)s 已闭届：应述 %(due)s 人，已述 %(done)s 人，数据已冻结。", term=term.name,
                          due=closure.due, done=closure.done), "success")
            return redirect(url_for("dashboard.terms"))
    return render_template("dashboard/close_term.html", term=term, form=form)


@bp.route("/dashboard/terms/<int:term_id>/reopen", methods=["GET", "POST"])
@reshows_expired_form
@roles_required(*DISTRICT_ROLES)
@recent_password_required
def reopen_term(term_id):
    """Reopen a closed term's figures with a reason: a new frozen version takes in what was recorded
    since the last one (rule R14); the password is asked again first, the act is audited."""
    term = db.get_or_404(Term, term_id)
    current = operations.latest_closure(term.id)
    if current is None:
        abort(404)
    form = ReopenTermForm()
    if form.validate_on_submit():
        if form.save(lambda: operations.reopen_term(term, form.reason.data, current_user)):
            closure = form.saved
            flash(gettext("%(term)s 的数据已重新冻结（第 %(version)s 版）：应述 %(due)s 人，已述 %(done)s 人。",
                          term=term.name, version=closure.version, due=closure.due, done=closure.done),
                  "success")
            return redirect(url_for("dashboard.terms"))
    return render_template("dashboard/reopen_term.html", term=term, form=form, current=current,
                           late=queries.recorded_since_freeze(term))


@bp.get("/dashboard/terms/<int:term_id>/final.xlsx")
@roles_required(*DISTRICT_ROLES)
@recent_password_required
def final_workbook(term_id):
    """The closed term's workbook exactly as frozen: the latest version, or ``version`` when asked."""
    version = request.args.get("version", type=int)
    query = sa.select(TermClosure).where(TermClosure.term_id == term_id)
    query = query.where(TermClosure.version == version) if version else query.order_by(TermClosure.version.desc())
    closure = db.session.scalar(query.limit(1))
    if closure is None:
        abort(404)
    commit(lambda: operations.record_export(
        "terms", f"final workbook of term {term_id} version {closure.version}", term=closure.term))
    response = Response(closure.workbook, mimetype=XLSX_MIMETYPE)
    name = gettext("%(term)s最终述职率统计表", term=closure.term.name)
    if version:
        name += gettext("（第%(version)s版）", version=closure.version)
    response.headers["Content-Disposition"] = content_disposition(name + ".xlsx")
    return response


@bp.get("/dashboard/deputies/<int:deputy_id>")
@roles_required(*STAFF_ROLES)
def deputy_record(deputy_id):
    """履职档案: one deputy's mandates, visits, activities, reports and exemptions in a printable timeline."""
    deputy = deputy_queries.get_deputy_or_404(deputy_id)
    township_ids = visible_township_ids()
    mandates = deputy_queries.visible_mandates(deputy, township_ids)
    events = deputy_timeline(deputy, mandates, township_ids)
    today = local_today()
    return render_template("dashboard/record.html", deputy=deputy, mandates=mandates, events=events,
                           today=today, opinions=deputy_opinion_record(deputy, today.year, township_ids))
