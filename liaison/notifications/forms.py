"""The form for the address messages are emailed to."""
from flask_babel import lazy_gettext as _l
from wtforms import StringField, SubmitField

from liaison.forms import Form


class EmailAddressForm(Form):
    """One field; a blank value stops email delivery."""

    address = StringField(_l("电子邮箱"), render_kw={"inputmode": "email", "autocomplete": "email"},
                          description=_l("填写后，站内消息会同时发到这个邮箱；留空则不发邮件。"))
    submit = SubmitField(_l("保存"))
