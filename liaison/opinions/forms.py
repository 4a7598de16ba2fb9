"""Forms for opinions: the public one (with a honeypot), the reception record, staff actions and the
constituent's verdict. Lengths are checked again by the operations, with the same limits."""
from flask import current_app
from flask_babel import lazy_gettext as _l
import wtforms
from wtforms import (BooleanField, DateField, FieldList, FormField, HiddenField, RadioField, SelectField, StringField,
                     SubmitField, TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from liaison.errors import InvalidInput
from liaison.forms import Form, WholeNumberField, id_options, optional_enum
from liaison.opinions.models import Category, Satisfaction
from liaison.opinions.operations import (COMMENT_MAX, CONTENT_MAX, DEPARTMENT_MAX, MATTERS_MAX_LINES, NAME_MAX,
                                         NOTE_MAX, PHOTO_MAX_BYTES, REPLY_MAX, Matter, checked_phone)
from stations.checkin.operations import MAX_CONSTITUENTS
from liaison.uploads import UploadField

#: No category preselected: a constituent who skips the list is asked to choose rather than filed
#: under whichever category happens to come first.
CATEGORY_CHOICES = [SelectChoice(value="", label=_l("请选择类别"))] + [
    SelectChoice(value=c.value, label=c.label) for c in Category]


def _too_long(label, maximum):
    return Length(max=maximum, message=_l("%(label)s不能超过 %(n)s 个字。", label=label, n=maximum))


def _int_or_none(value):
    """A select's id, or None for the empty option."""
    try:
        return int(value) or None
    except (TypeError, ValueError):
        return None


def _content_field(description):
    """The opinion's text, with a hint written for whoever types it."""
    return TextAreaField(
        _l("意见内容"), validators=[InputRequired(_l("请填写意见内容。")), _too_long(_l("意见内容"), CONTENT_MAX)],
        description=description, render_kw={"rows": 6, "maxlength": CONTENT_MAX})


def _mobile_or_blank(_form, field):
    """The same check the operation makes, here too so a mistyped number is reported together with
    the form's other mistakes rather than only after they are corrected."""
    try:
        checked_phone(field.data or "")
    except InvalidInput as error:
        raise ValidationError(str(error.message)) from None


def _phone_field(description, autocomplete):
    """The constituent's optional mobile number."""
    return StringField(_l("手机号码（可不填）"), description=description, validators=[_mobile_or_blank],
                       render_kw={"inputmode": "tel", "autocomplete": autocomplete, "maxlength": 20})


def _name_field(autocomplete):
    """The constituent's optional name."""
    return StringField(_l("姓名（可不填）"), validators=[_too_long(_l("姓名"), NAME_MAX)],
                       render_kw={"autocomplete": autocomplete, "maxlength": NAME_MAX})


def _consent_given_for_a_number(form, field):
    """A number is kept only with consent (rule R29): a typed number with the box unticked is asked
    about, rather than silently dropped or kept."""
    if (form.phone.data or "").strip() and not field.data:
        raise ValidationError(str(CONSENT_MISSING))


#: Said at the box when a number was typed without ticking it.
CONSENT_MISSING = _l("留了手机号码就请勾选上面这一项；不想收短信，请把手机号码清空。")


class _OpinionFields(Form):
    category = SelectField(_l("类别"), coerce=optional_enum(Category), choices=CATEGORY_CHOICES,
                           validators=[InputRequired(_l("请选择意见的类别。"))])
    content = _content_field(_l("请写清事情、地点和您的诉求，不超过 %(n)s 字。", n=CONTENT_MAX))
    name = _name_field("name")
    phone = _phone_field(_l("不留号码也能凭查询号查看办理进度。"), "tel")
    #: Unticked by default: the number is kept only when the constituent ticks it (rule R29).
    phone_consent = BooleanField(
        _l("我同意保存这个手机号码，用于短信告知办理进度（登记、转办、答复、逾期）"),
        validators=[_consent_given_for_a_number], default=False)


class PublicOpinionForm(_OpinionFields):
    """What a constituent leaves on a station's page, without an account."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The retention is a setting: the box says the number the scheduler will keep to.
        self.phone_consent.description = _l(
            "短信只写查询号和办理到哪一步，不写留言内容；号码不会公开，办结 %(n)s 天后删除。",
            n=current_app.config["LIAISON_OPINION_PHONE_RETENTION_DAYS"])

    photo = UploadField(_l("照片（可不传）"), description=_l("JPG 或 PNG 图片，不超过 %(mb)s MB。",
                                                          mb=PHOTO_MAX_BYTES // (1024 * 1024)),
                        render_kw={"accept": "image/jpeg,image/png"})
    #: A field people never see (hidden by CSS, skipped by keyboard); bots that fill every field do.
    website = StringField(_l("网址"), render_kw={"autocomplete": "off", "tabindex": "-1"})
    submit = SubmitField(_l("提交留言"))


class ReceptionForm(_OpinionFields):
    """What a deputy or staff member heard during a reception (接待登记)."""

    # Typed by the deputy or staff member, about the constituent: the hints speak of the constituent,
    # and the browser must not offer the typist's own name and number.
    content = _content_field(_l("请写清群众反映的事情、地点和诉求，不超过 %(n)s 字。", n=CONTENT_MAX))
    name = _name_field("off")
    phone = _phone_field(_l("群众的手机号码，用于短信告知办理进度；不会公开。"), "off")
    phone_consent = BooleanField(
        _l("群众同意保存手机号码，用于短信告知办理进度（登记、转办、答复、逾期）"),
        description=_l("请先问过群众再勾选；短信只写查询号和办理到哪一步，不写意见内容。"),
        validators=[_consent_given_for_a_number], default=False)

    station_id = SelectField(_l("家站"), coerce=_int_or_none, validate_choice=False,
                             validators=[InputRequired(_l("请选择接待的家站。"))])
    deputy_id = SelectField(_l("接待代表"), coerce=_int_or_none, validate_choice=False,
                            description=_l("可不选；由代表本人登记时自动记为本人。"))
    on_spot_reply = TextAreaField(_l("当场答复（可不填）"), validators=[_too_long(_l("当场答复内容"), REPLY_MAX)],
                                  description=_l("若已当场答复群众，请写下答复内容，此意见即办结。"),
                                  render_kw={"rows": 3})
    submit = SubmitField(_l("保存"))

    def fill_choices(self, stations, deputies=None):
        """Offer the stations (and, for staff, the deputies) the person may choose."""
        self.station_id.choices = id_options(_l("请选择"), [
            (s.id, f"{s.township.name} · {s.kind.short_label} · {s.name}") for s in stations])
        if deputies is None:
            del self.deputy_id
        else:
            self.deputy_id.choices = id_options(_l("不指定"), [(d.id, d.name) for d in deputies])


class _ActionForm(Form):
    #: The version of the opinion the page showed (optimistic lock).
    version = HiddenField()


class RegisterForm(_ActionForm):
    """登记: nothing to type; the version guards against acting on a stale page."""


class ReplyForm(_ActionForm):
    """当场答复 or 答复: the text the constituent will read."""

    reply = TextAreaField(_l("答复内容"), validators=[InputRequired(_l("请填写答复内容。")),
                                                   _too_long(_l("答复内容"), REPLY_MAX)],
                          description=_l("群众凭查询号可以看到这段答复。"), render_kw={"rows": 4})
    submit = SubmitField(_l("保存答复"))


class ReferForm(_ActionForm):
    """转办: the department and the due date."""

    department = StringField(_l("承办部门"), validators=[InputRequired(_l("请填写承办部门。")),
                                                       _too_long(_l("承办部门"), DEPARTMENT_MAX)])
    due_on = DateField(_l("办理期限"), validators=[InputRequired(_l("请填写办理期限。"))])
    note = TextAreaField(_l("转办说明（仅工作人员可见）"), validators=[Optional(), _too_long(_l("转办说明"), NOTE_MAX)],
                         render_kw={"rows": 2})
    submit = SubmitField(_l("转办"))


class SuggestionForm(_ActionForm):
    """转为建议: which deputy takes it up, and the suggestion."""

    deputy_id = SelectField(_l("提出建议的代表"), coerce=_int_or_none, validate_choice=False,
                            validators=[InputRequired(_l("请选择提出建议的代表。"))])
    text = TextAreaField(_l("建议内容"), validators=[InputRequired(_l("请填写建议内容。")),
                                                  _too_long(_l("建议内容"), CONTENT_MAX)], render_kw={"rows": 4})
    due_on = DateField(_l("答复期限（可不填）"), validators=[Optional()])
    submit = SubmitField(_l("转为建议"))

    def fill_choices(self, deputies):
        self.deputy_id.choices = id_options(_l("请选择"), [(d.id, d.name) for d in deputies])


class CloseForm(_ActionForm):
    """转信访 or 不予受理: the reason, for staff."""

    note = TextAreaField(_l("说明"), validators=[InputRequired(_l("请填写说明。")), _too_long(_l("说明"), NOTE_MAX)],
                         description=_l("写明理由（转信访的，写明移交给谁）；仅工作人员可见，群众只看到处理结果。"),
                         render_kw={"rows": 2})
    submit = SubmitField(_l("确定"))


class LookupForm(Form):
    """The lookup number a constituent types."""

    class Meta:
        csrf = False  # a GET search form: nothing is written

    number = StringField(_l("查询号"), validators=[InputRequired(_l("请输入查询号。"))],
                         render_kw={"autocapitalize": "characters", "autocomplete": "off", "maxlength": 20})
    submit = SubmitField(_l("查询"))


class RatingForm(Form):
    """The constituent's verdict on the reply."""

    satisfaction = RadioField(_l("您对答复是否满意？"), coerce=optional_enum(Satisfaction),
                              choices=[SelectChoice(value=s.value, label=s.label) for s in Satisfaction],
                              validators=[InputRequired(_l("请选择满意、基本满意或不满意。"))])
    comment = TextAreaField(_l("评价意见（可不填）"), validators=[_too_long(_l("评价意见"), COMMENT_MAX)],
                            description=_l("选“不满意”的，请写下原因：意见将退回工作人员重新办理。"),
                            render_kw={"rows": 3, "maxlength": COMMENT_MAX})
    submit = SubmitField(_l("提交评价"))


# --- 签退: the reception record, one line per matter (rule R33) ------------------------------------

class MatterForm(wtforms.Form):
    """One matter a constituent raised: a line of the 签退 form (no CSRF of its own: the page's form has it).

    Every field may stay blank: a blank line is skipped. The operation checks the rest, line by line.
    """

    category = SelectField(_l("类别"), coerce=optional_enum(Category), choices=CATEGORY_CHOICES)
    content = TextAreaField(_l("群众反映的问题"), validators=[_too_long(_l("问题内容"), CONTENT_MAX)],
                            description=_l("写清事情、地点和诉求；可以分行。"),
                            render_kw={"rows": 3, "maxlength": CONTENT_MAX})
    name = _name_field("off")
    phone = StringField(_l("群众手机号码（可不填）"), validators=[_mobile_or_blank],
                        render_kw={"inputmode": "tel", "autocomplete": "off", "maxlength": 20})
    phone_consent = BooleanField(_l("群众同意留下手机号码，用于短信告知查询号和办理进度、回访"), default=False)

    def matter(self):
        """The line as the operation takes it."""
        return Matter(self.category.data, self.content.data or "", self.name.data or "", self.phone.data or "",
                      bool(self.phone_consent.data))


class CheckoutForm(Form):
    """签退 at a 联络站: the number of constituents received, then each matter raised as its own line."""

    constituents_received = WholeNumberField(
        _l("接待群众人数"), default=0,
        render_kw={"inputmode": "numeric", "min": 0, "max": MAX_CONSTITUENTS},
        description=_l("没有接待群众填 0。"),
    )
    matters = FieldList(FormField(MatterForm), min_entries=1, max_entries=MATTERS_MAX_LINES)
    add_matter = SubmitField(_l("再加一条"))
    submit = SubmitField(_l("签退"))

    def lines(self):
        return [entry.form.matter() for entry in self.matters]

    def attach_error(self, error: InvalidInput):
        """A line's refusal (``matters-<i>-<field>``) goes next to that line's field."""
        if error.field and error.field.startswith("matters-"):
            _, index, name = error.field.split("-", 2)
            entries = self.matters.entries
            if index.isdigit() and int(index) < len(entries):
                field = getattr(entries[int(index)].form, name, None)
                if field is not None:
                    field.errors = list(field.errors) + [error.message]
                    return
        super().attach_error(error)


class HomeCheckoutForm(Form):
    """签退 at a 代表之家: nothing to record (rule R33), the tap itself."""

    submit = SubmitField(_l("签退"))


class NoContactForm(_ActionForm):
    """办结（群众未留联系方式）: the result the constituent will read with their lookup number."""

    reply = TextAreaField(_l("办理结果"), validators=[InputRequired(_l("请填写办理结果。")),
                                                   _too_long(_l("办理结果"), REPLY_MAX)],
                          description=_l("群众未留联系方式，无法回访：办理结果显示在查询页，群众凭查询号可以看到。"),
                          render_kw={"rows": 3})
    submit = SubmitField(_l("办结"))
