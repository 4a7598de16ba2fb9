"""The form for recording a holiday or a swapped workday."""
from flask_babel import lazy_gettext as _l
from wtforms import (DateField, IntegerField, SelectChoice, SelectField, StringField, SubmitField,
                     TextAreaField)
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


class NoticeForm(Form):
    """The pasted State Council notice and its year (rule R27); ``action`` is review or save."""

    year = IntegerField(_l("年份"), validators=[Optional()],
                        description=_l("留空时按通知标题中的年份，如“2027年部分节假日安排”。"))
    text = TextAreaField(_l("通知内容"), render_kw={"rows": 10},
                         description=_l("粘贴通知全文或其中“一、元旦：……”等各行。"))
    submit = SubmitField(_l("识别并核对"))
