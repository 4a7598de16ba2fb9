"""Forms for signing in, activating an account and changing a password."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import EqualTo, InputRequired, Length

from liaison.forms import Form


class LoginForm(Form):
    mobile = StringField(_l("手机号码"), validators=[InputRequired(_l("请输入手机号码。")), Length(max=20)],
                         render_kw={"inputmode": "numeric", "autocomplete": "username"})
    password = PasswordField(_l("密码"), validators=[InputRequired(_l("请输入密码。")), Length(max=128)],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("在这台手机上保持登录"), default=True)
    next = HiddenField()
    submit = SubmitField(_l("登录"))


class SetPasswordForm(Form):
    password = PasswordField(_l("设置密码"), validators=[InputRequired(_l("请输入密码。"))],
                             render_kw={"autocomplete": "new-password"},
                             description=_l("至少 8 位，不能全是数字，不能包含手机号码。"))
    confirm = PasswordField(_l("再次输入密码"), validators=[
        InputRequired(_l("请再次输入密码。")), EqualTo("password", _l("两次输入的密码不一致。"))],
        render_kw={"autocomplete": "new-password"})
    submit = SubmitField(_l("设置密码并登录"))


class ChangePasswordForm(Form):
    current_password = PasswordField(_l("当前密码"), validators=[InputRequired(_l("请输入当前密码。"))],
                                     render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(_l("新密码"), validators=[InputRequired(_l("请输入新密码。"))],
                                 render_kw={"autocomplete": "new-password"},
                                 description=_l("至少 8 位，不能全是数字，不能包含手机号码。"))
    confirm = PasswordField(_l("再次输入新密码"), validators=[
        InputRequired(_l("请再次输入新密码。")), EqualTo("new_password", _l("两次输入的密码不一致。"))],
        render_kw={"autocomplete": "new-password"})
    submit = SubmitField(_l("修改密码"))


class ConfirmForm(Form):
    """A bare form for POST buttons (CSRF only)."""

    submit = SubmitField(_l("确定"))
