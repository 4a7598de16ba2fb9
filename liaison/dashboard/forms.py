"""The forms for closing a term (换届) and for reopening its frozen figures."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from liaison.forms import Form


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
