"""The holiday calendar page: committee staff record holidays and swapped workdays the library lacks."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from liaison.accounts.access import DISTRICT_ROLES, roles_required
from liaison.calendar import bp, operations, queries
from liaison.calendar.forms import CalendarDayForm, NoticeForm
from liaison.calendar.notice import parse_notice
from liaison.calendar.models import CalendarDay, DayKind
from liaison.clock import local_today
from liaison.errors import InvalidInput, reshows_expired_form
from liaison.extensions import db
from liaison.transaction import commit


@bp.route("/calendar")
@roles_required(*DISTRICT_ROLES)
def index():
    """Years with the source deciding each, and one year's holidays and swapped workdays."""
    today = local_today()
    low, high = operations.YEAR_RANGE
    year = request.args.get("year", today.year, type=int)
    if not low <= year <= high:
        year = today.year
    recorded = queries.recorded_years()
    years = sorted({today.year - 1, today.year, today.year + 1, today.year + 2, year} | recorded)
    overview = []
    for y in years:
        counts = queries.recorded_counts(y) if y in recorded else {}
        overview.append({"year": y, "source": queries.year_source(y, recorded=y in recorded),
                         "holidays": counts.get(DayKind.holiday, 0),
                         "swapped": counts.get(DayKind.swapped_workday, 0)})
    return render_template("calendar/index.html", year=year, overview=overview, today=today,
                           source=queries.year_source(year, recorded=year in recorded),
                           days=queries.special_days_in_year(year), Source=queries.Source)


@bp.route("/calendar/days/new", methods=["GET", "POST"])
@reshows_expired_form
@roles_required(*DISTRICT_ROLES)
def new_day():
    """Record one holiday or swapped workday."""
    form = CalendarDayForm()
    if form.validate_on_submit():
        if form.save(lambda: operations.record_calendar_day(form.local_date.data, form.kind.data, form.name.data,
                                                            recorded_by=current_user)):
            day = form.saved
            flash(_l("已录入 %(day)s：%(kind)s %(name)s。", day=day.local_date.isoformat(), kind=day.kind.label,
                     name=day.name), "success")
            if queries.library_knows(day.local_date.year):
                flash(_l("%(year)s 年已有内置的节假日安排；人工录入的日期优先于内置数据。", year=day.local_date.year),
                      "warning")
            return redirect(url_for(".index", year=day.local_date.year))
    return render_template("calendar/day_form.html", form=form)


@bp.route("/calendar/days/<int:day_id>/delete", methods=["POST"])
@roles_required(*DISTRICT_ROLES)
def delete_day(day_id):
    """Delete a recorded day (audited); that date falls back to the library or the weekend rule."""
    day = db.get_or_404(CalendarDay, day_id)
    year, label = day.local_date.year, day.local_date.isoformat()
    commit(lambda: operations.delete_calendar_day(day))
    flash(_l("已删除 %(day)s 的人工录入记录。", day=label), "success")
    return redirect(url_for(".index", year=year))


@bp.route("/calendar/notice", methods=["GET", "POST"])
@reshows_expired_form
@roles_required(*DISTRICT_ROLES)
def notice():
    """Paste the year's State Council notice: the days it fixes are shown to review (beside the
    built-in data when the library knows the year), then saved at once (rule R27)."""
    form = NoticeForm()
    if request.method == "GET":
        form.year.data = local_today().year + 1
    if form.validate_on_submit():
        if request.form.get("action") == "edit":
            return render_template("calendar/notice.html", form=form)
        try:
            parsed = parse_notice(form.text.data, form.year.data)
        except InvalidInput as error:
            form.attach_error(error)
            return render_template("calendar/notice.html", form=form)
        if request.form.get("action") == "save":
            if form.save(lambda: operations.record_notice(parsed, recorded_by=current_user)):
                added, kept = form.saved
                flash(_l("已按通知录入 %(year)s 年：新增 %(added)s 天，已有 %(kept)s 天保持不变。", year=parsed.year,
                         added=added, kept=kept), "success")
                return redirect(url_for(".index", year=parsed.year))
        recorded = {row.local_date: row
                    for row in queries.recorded_between(parsed.days[0].day, parsed.days[-1].day)}
        builtin = queries.builtin_special_days(parsed.year)
        differences = None
        if builtin is not None:
            holidays, workdays = builtin
            differences = sorted((holidays ^ {d.day for d in parsed.holidays})
                                 | (workdays ^ {d.day for d in parsed.workdays}))
        form.year.data = parsed.year
        return render_template("calendar/notice_review.html", form=form, notice=parsed, recorded=recorded,
                               differences=differences)
    return render_template("calendar/notice.html", form=form)
