"""The dashboard's forms: closing a term (换届) and reopening its frozen figures; a month's 通报 made by hand."""
from flask_babel import lazy_gettext as _l
from wtforms import (BooleanField, DateField, HiddenField, SelectMultipleField, StringField, SubmitField,
                     TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from liaison.forms import Form, WholeNumberField, strip_spaces


class CloseTermForm(Form):
    end_date = DateField(_l("本届最后一天"), validators=[InputRequired(_l("请填写本届的最后一天。"))],
                         description=_l("即下一届人民代表大会第一次会议召开的日期。"))
    confirm = BooleanField(_l("我确认闭届后本届的最终数据将被冻结，不能撤销"),
                           validators=[DataRequired(_l("请勾选确认。"))])
    submit = SubmitField(_l("闭届并冻结数据"))


class ReopenTermForm(Form):
    """Reopen a closed term's figures: a new frozen version takes in what was recorded since (rule R14)."""

    reason = TextAreaField(_l("重新冻结的原因"),
                           validators=[InputRequired(_l("请填写重新冻结的原因（如补录了换届前完成的述职）。")),
                                       Length(max=500, message=_l("原因太长了（最多 %(n)s 个字）。", n=500))],
                           description=_l("记入操作日志，并显示在换届页面的版本记录中。"))
    confirm = BooleanField(_l("我确认按目前的记录重新计算并冻结本届数据，原有版本保留备查"),
                           validators=[DataRequired(_l("请勾选确认。"))])
    submit = SubmitField(_l("重新冻结数据"))
class BulletinForm(Form):
    """A past month's 通报 and workbook, made now (the job makes last month's on the 1st)."""

    # A text field (rendered as a month picker): the operation checks the month and says what is wrong.
    month = StringField(_l("通报月份"), filters=[strip_spaces],
                        validators=[InputRequired(_l("请选择要通报的月份。"))],
                        render_kw={"type": "month", "placeholder": "2026-11"},
                        description=_l("只能选择已经结束的月份；数据统计到该月最后一天。"))
    threshold = WholeNumberField(
        _l("单列述职率低于（%）的乡镇（街道）"),
        validators=[InputRequired(_l("请填写述职率的单列标准。")),
                    NumberRange(min=1, max=100, message=_l("单列标准应在 1 到 100 之间。"))])
    with_names = BooleanField(_l("附未述代表名单"),
                              description=_l("通报发至各乡镇（街道），名单对全区的乡镇专干可见。默认只通报人数。"))
    replace = BooleanField(_l("替换该月已有的通报"),
                           description=_l("按现在的数据重新生成该月的通报和统计表，原文件被替换。"))
    submit = SubmitField(_l("生成通报"))


def _id(value):
    """A ticked box's value as an id; garbage becomes 0, which names nobody."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


class RemindForm(Form):
    """Remind the ticked deputies of a 进行中 list (rule R24); the period comes with the form."""

    ids = SelectMultipleField(coerce=_id, validate_choice=False)
    figure = HiddenField()
    term = HiddenField()
    period = HiddenField()
    township = HiddenField()
    station = HiddenField()
    submit = SubmitField(_l("发送提醒"))
