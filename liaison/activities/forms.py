"""The form of a collective activity."""
from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectChoice, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import Optional

from liaison.activities.models import ActivityType
from liaison.forms import NOT_AN_OPTION, Form, optional_enum, optional_int, strip_spaces
from stations.forms import LocalTimeField, MultiCheckboxField

DATE_HINT = {"placeholder": "2026-10-14"}


class ActivityForm(Form):
    """A collective activity at a home (季回家) and whom it invites."""

    local_date = DateField(_l("日期"), validators=[Optional()], render_kw=DATE_HINT)
    starts = LocalTimeField(_l("开始"))
    ends = LocalTimeField(_l("结束"))
    type = SelectField(_l("活动类型"),
                       choices=[SelectChoice("", _l("请选择"))]
                       + [SelectChoice(t.value, t.label) for t in ActivityType],
                       coerce=optional_enum(ActivityType), invalid_choice_message=NOT_AN_OPTION,
                       invalid_value_message=NOT_AN_OPTION)
    title = StringField(_l("活动名称"), filters=[strip_spaces], render_kw={"maxlength": 100})
    invited = MultiCheckboxField(_l("邀请的代表"), coerce=optional_int, validate_choice=False)
    submit = SubmitField(_l("保存并通知受邀代表"))


def _id(value):
    """A ticked box's value as an id; garbage becomes 0, which names nobody."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


class AttendanceForm(Form):
    """The deputies ticked from an activity's paper sign-in sheet (rule R26)."""

    deputy_ids = SelectMultipleField(coerce=_id, validate_choice=False)
    submit = SubmitField(_l("保存出席"))
