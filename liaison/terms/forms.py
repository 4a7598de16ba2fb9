"""The form for a congress term (届)."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, IntegerField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import Optional

from liaison.forms import NOT_AN_OPTION, Form, optional_enum, single_line
from liaison.terms.models import Level

class TermForm(Form):
    """Blank fields arrive as None; the rules in ``operations`` say in Chinese what is missing."""

    level = SelectField(
        _l("层级"),
        choices=[SelectChoice(value="", label=_l("请选择")),
                 *(SelectChoice(value=lv.value, label=lv.label) for lv in Level)],
        coerce=optional_enum(Level),
        invalid_choice_message=NOT_AN_OPTION, invalid_value_message=NOT_AN_OPTION,
    )
    ordinal = IntegerField(_l("第几届"), validators=[Optional()],
                           render_kw={"inputmode": "numeric", "min": 1, "max": 99},
                           description=_l("填数字，如 8 表示第八届。"))
    township_id = SelectField(_l("所属乡镇"), coerce=int, choices=[],
                              invalid_choice_message=NOT_AN_OPTION, invalid_value_message=NOT_AN_OPTION,
                              description=_l("只有乡镇人大届次需要选择；区、市、全国届次不选。"))
    name = StringField(_l("名称"), validators=[single_line],
                       description=_l("留空则自动生成，如 区第八届、安平镇第十八届。"))
    start_date = DateField(_l("开始日期"), validators=[Optional()], description=_l("本届人大第一次会议的日期。"))
    end_date = DateField(_l("结束日期"), validators=[Optional()],
                         description=_l("下一届人大第一次会议的日期；尚未确定时填计划日期并勾选“暂定”。"))
    end_provisional = BooleanField(_l("结束日期暂定（下一届第一次会议尚未召开）"), default=True)
    submit = SubmitField(_l("保存"))
