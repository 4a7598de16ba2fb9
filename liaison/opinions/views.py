"""Opinion pages: leave one on a station's public page and follow it by number (no account);
record one heard at a reception (deputy or staff); the staff queue and the handling of one opinion."""
import os

import sqlalchemy as sa
from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from liaison.accounts.access import (STAFF_ROLES, recent_password_required, roles_required,
                                    visible_township_ids)
from liaison.accounts.models import Role
from liaison.clock import local_today
from liaison.deputies.queries import deputies_in_force
from liaison.errors import InvalidInput, reshows_expired_form
from liaison.extensions import db
from liaison.network.models import Station, StationKind
from liaison.opinions import bp, counters, operations, queries
from liaison.opinions.forms import (CheckoutForm, CloseForm, HomeCheckoutForm, LookupForm, NoContactForm,
                                    PublicOpinionForm, RatingForm, ReceptionForm, ReferForm, RegisterForm, ReplyForm,
                                    SuggestionForm)
from liaison.opinions.models import Channel, Opinion, Satisfaction, Status
from liaison.paging import one_page
from liaison.transaction import commit
from liaison.uploads import attachment_path
from stations.checkin.models import Checkin
from stations.checkin.operations import can_check_out
from stations.checkin.queries import own_checkin_or_404


def _user():
    """The signed-in user as a model instance (for relationships)."""
    return current_user._get_current_object()


def _photo_of(form):
    """The checked photo of a form, or a refusal shown next to the photo field."""
    try:
        return operations.read_photo(form.photo.data)
    except InvalidInput as error:
        form.attach_error(error)
        return None


# --- the constituent's pages ---------------------------------------------------------------------

@bp.route("/p/<code>/opinion", methods=["GET", "POST"])
@reshows_expired_form
def leave(code):
    """我要留言: a constituent leaves an opinion at this station, without an account."""
    station = queries.active_station_by_code(code)
    form = PublicOpinionForm()
    ip = request.remote_addr
    if request.method == "POST" and operations.submissions_blocked(ip):
        flash(operations.SUBMISSIONS_REFUSED, "danger")
        return render_template("opinions/leave.html", form=form, station=station), 429
    if form.validate_on_submit():
        if form.website.data:
            # A person never sees this field; whatever filled it is not a person. Nothing is stored.
            flash(_l("提交未成功，请稍后再试。"), "danger")
            return render_template("opinions/leave.html", form=form, station=station), 400
        photo = _photo_of(form)
        if photo is not None:
            if form.save(lambda: _receive_public(station, form, photo, ip)):
                opinion = form.saved
                return redirect(url_for(".received", number=opinion.number))
    status = 200
    if request.method == "POST":
        # Refused by the limit counted with the write (a parallel post took the last place): 429.
        status = 429 if operations.submissions_blocked(ip) else 400
        _ask_for_photo_again(form)
    return render_template("opinions/leave.html", form=form, station=station), status


def _ask_for_photo_again(form):
    """A browser never keeps the chosen file on a page sent back with errors: say so at the photo,
    or the constituent believes the photo went with the corrected opinion."""
    chosen = form.photo.data
    if chosen and getattr(chosen, "filename", "") and not form.photo.errors:
        form.photo.errors = [_l("照片尚未保存：改正上面的问题后，请重新选择照片。")]


def _receive_public(station, form, photo, ip):
    operations.count_submission(ip)  # first: its lock holds parallel posts from the address until commit
    return operations.receive_opinion(station, Channel.public_page, form.category.data, form.content.data,
                                      name=form.name.data, phone=form.phone.data, photo=photo,
                                      phone_consent=form.phone_consent.data)


def _lookups_refused(form=None):
    """The lookup page saying this address asked for too many unknown numbers (429)."""
    flash(_l("查询过于频繁，请稍后再试。"), "danger")
    return render_template("opinions/lookup.html", form=form or LookupForm(formdata=None)), 429


def _opinion_by_number_or_404(number):
    """The opinion a public page's URL names; an unknown number counts towards the address's limit,
    as on the lookup form, so numbers cannot be walked through the URL either."""
    ip = request.remote_addr
    if operations.lookups_blocked(ip):
        abort(make_response(_lookups_refused()))
    opinion = queries.find_by_number(number)
    if opinion is None:
        commit(lambda: operations.count_lookup_miss(ip))
        abort(404)
    return opinion


@bp.route("/o/<number>/received")
def received(number):
    """Right after leaving an opinion: the lookup number, large, and where to follow it."""
    opinion = _opinion_by_number_or_404(number)
    public_url = current_app.config["LIAISON_PUBLIC_URL"].rstrip("/")
    track_url = public_url + url_for(".track", number=opinion.number)
    return render_template("opinions/received.html", opinion=opinion, track_url=track_url)


@bp.route("/o")
def lookup():
    """Type a lookup number to follow an opinion."""
    form = LookupForm(request.args)
    if request.args.get("number") is not None and form.validate():
        ip = request.remote_addr
        if operations.lookups_blocked(ip):
            return _lookups_refused(form)
        opinion = queries.find_by_number(form.number.data)
        if opinion is not None:
            return redirect(url_for(".track", number=opinion.number))
        commit(lambda: operations.count_lookup_miss(ip))
        form.number.errors = [_l("没有找到这个查询号，请核对后重新输入（查询号为 8 位字母和数字）。")]
    return render_template("opinions/lookup.html", form=form)


def _track_page(opinion, rating_form=None, status=200):
    events = [e for e in opinion.events if e.public]
    if rating_form is None and opinion.can_be_rated:
        rating_form = RatingForm()
    page = render_template("opinions/track.html", opinion=opinion, events=events, rating_form=rating_form)
    return page, status


@bp.route("/o/<number>")
def track(number):
    """An opinion's status, timeline and reply, by its number: never the name or phone."""
    opinion = _opinion_by_number_or_404(number)
    return _track_page(opinion)


@bp.route("/o/<number>/rate", methods=["POST"])
@reshows_expired_form
def rate(number):
    """满意度: the constituent's verdict on the reply, once."""
    opinion = _opinion_by_number_or_404(number)
    form = RatingForm()
    if form.validate_on_submit():
        if form.save(lambda: operations.rate_reply(opinion, form.satisfaction.data, form.comment.data)):
            if form.satisfaction.data is Satisfaction.unsatisfied:
                flash(_l("感谢您的评价。您的意见已退回工作人员重新办理，答复后会在这里显示。"), "success")
            else:
                flash(_l("感谢您的评价。"), "success")
            return redirect(url_for(".track", number=opinion.number))
        opinion = queries.find_by_number(number)
    return _track_page(opinion, form if opinion.can_be_rated else None, 400)


# --- reception records (deputy on duty or staff) ------------------------------------------------

@bp.route("/opinions/record", methods=["GET", "POST"])
@reshows_expired_form
@roles_required(Role.deputy, *STAFF_ROLES)
def record():
    """接待登记: an opinion heard during a reception, recorded by the deputy on duty or staff."""
    user = _user()
    is_staff = user.has_role(*STAFF_ROLES)
    if is_staff:
        stations = queries.stations_in_scope(visible_township_ids())
    else:
        stations = queries.deputy_stations(user.deputy) if user.deputy else []
    deputies = None
    form = ReceptionForm()
    station_ids = {s.id for s in stations}
    if is_staff:
        deputies = _deputies_for(stations)
    form.fill_choices(stations, deputies)
    if request.method == "GET" and not is_staff and user.deputy:
        form.station_id.data = queries.likely_reception_station(user.deputy, station_ids)
    if form.validate_on_submit():
        if form.save(lambda: _receive_reception(form, user, is_staff, station_ids)):
            opinion = form.saved
            if opinion.status is Status.received:  # a deputy's record waits for staff to register it
                flash(_l("已保存，待工作人员登记；查询号 %(number)s。可把查询号告诉群众，用于查看办理进度。",
                         number=opinion.grouped_number), "success")
            else:
                flash(_l("已登记，查询号 %(number)s。可把查询号告诉群众，用于查看办理进度。",
                         number=opinion.grouped_number), "success")
            if is_staff:
                return redirect(url_for(".detail", opinion_id=opinion.id))
            return redirect(url_for(".mine"))
    status = 400 if request.method == "POST" else 200
    return render_template("opinions/record.html", form=form, stations=stations), status


def _deputies_for(stations):
    """Deputies in force today in the townships of these stations, by pinyin, each once."""
    today = local_today()
    people = {}
    for township_id in sorted({s.township_id for s in stations}):
        for deputy in deputies_in_force(township_id, today):
            people.setdefault(deputy.id, deputy)
    return sorted(people.values(), key=lambda d: (d.name_sort_key, d.id))


def _deputy_at(station, deputy_id):
    """The chosen deputy, in force in the station's township today; None when none was chosen."""
    if not deputy_id:
        return None
    deputy = next((d for d in _deputies_for([station]) if d.id == deputy_id), None)
    if deputy is None:
        raise InvalidInput(_l("这位代表不在此家站所在乡镇（街道）任职，请重新选择。"), "deputy_id")
    return deputy


def _receive_reception(form, user, is_staff, station_ids):
    station_id = form.station_id.data
    if station_id not in station_ids:
        raise InvalidInput(_l("请从列表中选择接待的家站。"), "station_id")
    station = db.session.get(Station, station_id)
    if is_staff:
        deputy = _deputy_at(station, form.deputy_id.data)
    else:
        deputy = user.deputy
    return operations.receive_opinion(station, Channel.reception, form.category.data, form.content.data,
                                      name=form.name.data, phone=form.phone.data, by=user, deputy=deputy,
                                      on_spot_reply=form.on_spot_reply.data,
                                      phone_consent=form.phone_consent.data)


# --- 签退 with the reception record: each matter an opinion (rule R33) -------------------------------

@bp.route("/checkins/<int:checkin_id>/checkout", methods=["GET", "POST"])
@reshows_expired_form
@roles_required(Role.deputy)
def checkout(checkin_id):
    """签退: the time of leaving and, at a 联络站, the reception record — each matter a constituent raised
    on its own line, each saved as an opinion with its lookup number for the deputy to hand over. The
    page lives with opinions, which it writes; the check-out itself is the check-in's operation."""
    checkin = own_checkin_or_404(checkin_id)
    user = _user()
    if not can_check_out(checkin, user):
        flash(_l("这次签到已签退，或已不能签退（只能在签到当天为自己的签到签退）。"), "warning")
        return redirect(url_for("checkin.done", checkin_id=checkin.id))
    at_station = checkin.station_kind is StationKind.station
    form = CheckoutForm() if at_station else HomeCheckoutForm()
    if at_station and request.method == "POST" and form.add_matter.data:
        # 再加一条: the page again with one more blank line, nothing saved and nothing refused yet.
        if len(form.matters.entries) < form.matters.max_entries:
            form.matters.append_entry()
        return render_template("checkin/checkout.html", checkin=checkin, form=form, at_station=at_station)
    if form.validate_on_submit():
        if at_station:
            write = lambda: operations.check_out_with_reception(checkin, user, form.constituents_received.data,
                                                                form.lines())
        else:
            write = lambda: operations.check_out_with_reception(checkin, user)
        if form.save(write):
            opinions = form.saved
            if opinions:
                flash(_l("已签退，在站 %(minutes)s 分钟。已登记 %(n)s 条群众意见，请把下面的查询号交给群众。",
                         minutes=checkin.duration_minutes, n=len(opinions)), "success")
            elif at_station:
                flash(_l("已签退，在站 %(minutes)s 分钟。谢谢您接待群众！", minutes=checkin.duration_minutes),
                      "success")
            else:
                flash(_l("已签退，在代表之家 %(minutes)s 分钟。", minutes=checkin.duration_minutes), "success")
            return redirect(url_for("checkin.done", checkin_id=checkin.id))
    failed = request.method == "POST"
    return render_template("checkin/checkout.html", checkin=checkin, form=form, at_station=at_station,
                           failed=failed), 400 if failed else 200


@bp.app_template_global("reception_opinions")
def reception_opinions(checkin_id):
    """The opinions a check-in's 签退 recorded, in the order typed (the check-in's page lives a layer
    below opinions, so opinions lend it this)."""
    return db.session.scalars(sa.select(Opinion).where(Opinion.checkin_id == checkin_id)
                              .order_by(Opinion.id)).all()


@bp.route("/my/opinions")
@roles_required(Role.deputy)
def mine():
    """The opinions a deputy received or took up, with phone numbers masked."""
    deputy = _user().deputy
    if deputy is None:
        abort(403)
    today = local_today()
    year_counts = counters.deputy_counts([deputy.id], *counters.period_of(today.year))[deputy.id]
    return render_template("opinions/mine.html", opinions=queries.deputy_opinions(deputy.id),
                           today=today, year=today.year, year_counts=year_counts)


# --- staff: the queue and one opinion -----------------------------------------------------------

def _status_arg():
    try:
        return Status(request.args.get("status", ""))
    except ValueError:
        return None


@bp.route("/opinions")
@roles_required(*STAFF_ROLES)
def queue():
    """民意 queue: opinions in the viewer's townships, filtered by status, station and overdue."""
    status = _status_arg()
    station_id = request.args.get("station_id", type=int)
    overdue = request.args.get("overdue") == "1"
    township_ids = visible_township_ids()
    pagination = one_page(queries.queue(status, station_id, overdue, township_ids))
    return render_template("opinions/queue.html", pagination=pagination, status=status, station_id=station_id,
                           overdue=overdue, statuses=list(Status), stations=queries.queue_stations(),
                           counts=queries.status_counts(township_ids), today=local_today())


def _action_forms(opinion):
    """The forms for the steps allowed from the opinion's status, filled with its version."""
    forms = {}
    version = opinion.version
    if opinion.status in operations.UNDECIDED:
        if opinion.status is not Status.reopened:  # 当场答复 is for a first reading, not a second round
            forms["answer"] = ReplyForm(prefix="answer", version=version)
        forms["suggest"] = SuggestionForm(prefix="suggest", version=version)
        forms["suggest"].fill_choices(_deputies_for([opinion.station]))
        forms["hand_over"] = CloseForm(prefix="hand_over", version=version)
        forms["reject"] = CloseForm(prefix="reject", version=version)
    if opinion.status in operations.UNDECIDED + (Status.referred,):
        forms["refer"] = ReferForm(prefix="refer", version=version, department=opinion.department,
                                   due_on=opinion.due_on)
    if opinion.status in operations.UNDECIDED + (Status.referred, Status.suggestion):
        forms["reply"] = ReplyForm(prefix="reply", version=version)
        if not opinion.phone:
            forms["no_contact"] = NoContactForm(prefix="no_contact", version=version)
    return forms


def _detail_page(opinion, forms=None, failed=None, status=200, phone_revealed=False):
    forms = forms or _action_forms(opinion)
    register_form = RegisterForm(prefix="register", version=opinion.version)
    page = render_template("opinions/detail.html", opinion=opinion, forms=forms, failed=failed,
                           today=local_today(), register_form=register_form, phone_revealed=phone_revealed)
    return page, status


@bp.route("/opinions/<int:opinion_id>")
@roles_required(*STAFF_ROLES)
def detail(opinion_id):
    """One opinion: content, contact (phone masked), photo, timeline and the next steps."""
    return _detail_page(queries.get_opinion_or_404(opinion_id))


@bp.route("/opinions/<int:opinion_id>/phone", methods=["POST"])
@roles_required(*STAFF_ROLES)
@recent_password_required
def reveal_phone(opinion_id):
    """The constituent's full phone number, for staff of the township and the committee; audited."""
    opinion = queries.get_opinion_or_404(opinion_id)
    commit(lambda: operations.record_phone_reveal(opinion))
    return _detail_page(opinion, phone_revealed=True)


@bp.route("/opinions/<int:opinion_id>/photo")
@roles_required(*STAFF_ROLES)
def photo(opinion_id):
    """The opinion's photo, for staff in scope; its type was told from its bytes at upload."""
    opinion = queries.get_opinion_or_404(opinion_id)
    if not opinion.photo_name or not os.path.exists(attachment_path(opinion.photo_name)):
        abort(404)
    with open(attachment_path(opinion.photo_name), "rb") as handle:
        response = current_app.response_class(handle.read(), mimetype=opinion.photo_type)
    response.headers["Cache-Control"] = "private, no-store"
    return response


#: Each step (also its form's prefix): the write it makes from the form, and the message on success.
_STEPS = {
    "answer": (lambda o, f, by: operations.answer_on_spot(o, f.reply.data, by, f.version.data),
               _l("已当场答复，群众凭查询号可以看到答复。")),
    "refer": (lambda o, f, by: operations.refer_opinion(o, f.department.data, f.due_on.data, by, f.note.data,
                                                        f.version.data), _l("已转办。")),
    "suggest": (lambda o, f, by: operations.turn_into_suggestion(
        o, _deputy_at(o.station, f.deputy_id.data), f.text.data, f.due_on.data, by, f.version.data),
        _l("已转为代表建议。")),
    "reply": (lambda o, f, by: operations.record_reply(o, f.reply.data, by, f.version.data),
              _l("答复已保存，群众凭查询号可以看到。")),
    "hand_over": (lambda o, f, by: operations.hand_over_petition(o, f.note.data, by, f.version.data),
                  _l("已标记为信访件并移交信访部门，不再作为联络站意见办理。")),
    "reject": (lambda o, f, by: operations.reject_opinion(o, f.note.data, by, f.version.data),
               _l("已标记为不予受理。")),
    "no_contact": (lambda o, f, by: operations.close_without_contact(o, f.reply.data, by, f.version.data),
                   _l("已办结：办理结果显示在查询页。")),
}


@bp.route("/opinions/<int:opinion_id>/"
          "<any(answer, refer, suggest, reply, hand_over, reject, no_contact):step>", methods=["POST"])
@reshows_expired_form
@roles_required(*STAFF_ROLES)
def act(opinion_id, step):
    """One handling step (当场答复、转办、转为建议、答复、转信访、不予受理、未留联系方式办结) from the opinion's page."""
    opinion = queries.get_opinion_or_404(opinion_id)
    forms = _action_forms(opinion)
    form = forms.get(step)
    if form is None:
        flash(_l("此意见当前状态为“%(status)s”，不能进行这项操作。", status=opinion.status.label), "warning")
        return redirect(url_for(".detail", opinion_id=opinion.id))
    write, done = _STEPS[step]
    if form.validate_on_submit() and form.save(lambda: write(opinion, form, _user())):
        flash(done, "success")
        return redirect(url_for(".detail", opinion_id=opinion.id))
    opinion = queries.get_opinion_or_404(opinion_id)
    return _detail_page(opinion, forms, failed=step, status=400)


@bp.route("/opinions/<int:opinion_id>/register", methods=["POST"])
@roles_required(*STAFF_ROLES)
def register(opinion_id):
    """登记: accept a received opinion into the queue."""
    opinion = queries.get_opinion_or_404(opinion_id)
    form = RegisterForm(prefix="register")
    if form.validate_on_submit() and form.save(lambda: operations.register_opinion(opinion, _user(),
                                                                                   form.version.data)):
        flash(_l("已登记。"), "success")
    return redirect(url_for(".detail", opinion_id=opinion_id))
