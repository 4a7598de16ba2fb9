"""Forms for the rota pages: propose a month, add a slot or a deputy, leave and swap requests and their
decision, unavailable dates, and collective activities."""
from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, RadioField, SelectChoice, SelectField, StringField, SubmitField
from wtforms import TextAreaField
from wtforms.validators import Optional

from liaison.forms import Form, optional_enum, strip_spaces
from liaison.rota.models import RequestKind
from liaison.rota.planning import DEFAULT_CAPACITY
from stations.forms import LocalTimeField, WholeNumberField, optional_int

MONTH_CHOICES = [SelectChoice(m, _l("%(m)s 月", m=m)) for m in range(1, 13)]
DATE_HINT = {"placeholder": "2026-10-14"}


class ConfirmForm(Form):
    """The CSRF check of a one-button POST (publish, delete, remove)."""


class ProposeForm(Form):
    """生成排班: a township's month, the places per slot and an optional theme for every slot."""

    township_id = SelectField(_l("乡镇（街道）"), coerce=optional_int, validate_choice=False)
    year = WholeNumberField(_l("年份"), render_kw={"inputmode": "numeric", "min": 2000, "max": 2100})
    month = SelectField(_l("月份"), choices=MONTH_CHOICES, coerce=optional_int, validate_choice=False)
    capacity = WholeNumberField(_l("每个时段名额"), default=DEFAULT_CAPACITY,
                                render_kw={"inputmode": "numeric", "min": 1, "max": 20},
                                description=_l("每个接待时段最多安排几位代表，一般 3 人。"))
    theme = StringField(_l("接待主题（可不填）"), filters=[strip_spaces], render_kw={"maxlength": 100})
    submit = SubmitField(_l("生成排班建议"))

    def set_choices(self, townships):
        """Offer only the townships the user may plan."""
        self.township_id.choices = [SelectChoice(t.id, t.name) for t in townships]


class SlotForm(Form):
    """Add one slot to a month by hand."""

    station_id = SelectField(_l("家站"), coerce=optional_int, validate_choice=False)
    local_date = DateField(_l("日期"), validators=[Optional()], render_kw=DATE_HINT)
    starts = LocalTimeField(_l("开始"))
    ends = LocalTimeField(_l("结束"))
    capacity = WholeNumberField(_l("名额"), default=DEFAULT_CAPACITY,
                                render_kw={"inputmode": "numeric", "min": 1, "max": 20})
    theme = StringField(_l("主题（可不填）"), filters=[strip_spaces], render_kw={"maxlength": 100})
    submit = SubmitField(_l("添加时段"))


class AssignForm(Form):
    """Add a deputy to a slot."""

    deputy_id = SelectField(_l("代表"), coerce=optional_int, validate_choice=False)
    #: What was typed in the slot's search box: a name or its pinyin initials. The page's script
    #: fills deputy_id from its list; without script the view looks the typed text up.
    deputy_name = StringField(_l("添加代表"), filters=[strip_spaces])
    submit = SubmitField(_l("添加"))


class LeaveForm(Form):
    """A deputy's leave or swap request for one place."""

    kind = RadioField(_l("申请类型"), choices=[SelectChoice(k.value, k.label) for k in RequestKind],
                      coerce=optional_enum(RequestKind), validate_choice=False,
                      default=RequestKind.leave.value)
    reason = TextAreaField(_l("原因"), filters=[strip_spaces], render_kw={"maxlength": 200, "rows": 3})
    swap_with_deputy_id = SelectField(
        _l("换班同事"), coerce=optional_int, validate_choice=False,
        description=_l("仅换班时填写。如这位同事本月也有接待安排，批准后两人对调；否则由同事代您接待。"))
    submit = SubmitField(_l("提交申请"))


class DecideForm(Form):
    """Approve or refuse a request, with an optional note."""

    decision = HiddenField()
    note = StringField(_l("说明（可不填）"), filters=[strip_spaces], render_kw={"maxlength": 200})


class UnavailabilityForm(Form):
    """Dates a deputy cannot receive; staff choose the deputy, deputies record their own."""

    deputy_id = SelectField(_l("代表"), coerce=optional_int, validate_choice=False)
    first_day = DateField(_l("从"), validators=[Optional()], render_kw=DATE_HINT)
    last_day = DateField(_l("到（含）"), validators=[Optional()], render_kw=DATE_HINT,
                         description=_l("只有一天时可不填。"))
    reason = StringField(_l("原因"), filters=[strip_spaces],
                         render_kw={"maxlength": 200, "placeholder": _l("如 出差、住院")})
    submit = SubmitField(_l("登记"))
