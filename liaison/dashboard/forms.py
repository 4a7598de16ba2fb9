"""The form for closing a term (换届)."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, SubmitField
from wtforms.validators import DataRequired, InputRequired

from liaison.forms import Form


class CloseTermForm(Form):
    end_date = DateField(_l("本届最后一天"), validators=[InputRequired(_l("请填写本届的最后一天。"))],
                         description=_l("即下一届人民代表大会第一次会议召开的日期。"))
    confirm = BooleanField(_l("我确认闭届后本届的最终数据将被冻结，不能撤销"),
                           validators=[DataRequired(_l("请勾选确认。"))])
    submit = SubmitField(_l("闭届并冻结数据"))
