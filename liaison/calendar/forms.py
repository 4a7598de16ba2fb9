"""The form for recording a holiday or a swapped workday."""
from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import Optional

from liaison.calendar.models import DayKind
from liaison.forms import NOT_AN_OPTION, Form, optional_enum


class CalendarDayForm(Form):
    """Blank fields arrive as None; ``operations.record_calendar_day`` says in Chinese what is missing."""

    local_date = DateField(_l("日期"), validators=[Optional()])
    kind = SelectField(
        _l("类型"),
        choices=[SelectChoice(value="", label=_l("请选择")),
                 *(SelectChoice(value=k.value, label=k.label) for k in DayKind)],
        coerce=optional_enum(DayKind),
        invalid_choice_message=NOT_AN_OPTION, invalid_value_message=NOT_AN_OPTION,
        description=_l("调休上班：原本是周六或周日、按国务院通知要上班的日子。"),
    )
    name = StringField(_l("名称"), description=_l("节日名称，如 元旦、春节；调休上班日可填所补的节日。最多 20 个字。"))
    submit = SubmitField(_l("保存"))
