"""Forms for signing in, activating an account, changing a password and managing accounts."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, PasswordField, SelectMultipleField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import EqualTo, InputRequired, Length

from liaison.accounts.access import STAFF_ROLES
from liaison.accounts.models import Role
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
    #: The person's full number, typed before a first password (rule R25); the page shows its last
    #: four digits.
    mobile = StringField(_l("您的手机号码"), validators=[InputRequired(_l("请输入您的完整手机号码（11 位）。")),
                                                   Length(max=20)],
                         render_kw={"inputmode": "numeric", "autocomplete": "tel"},
                         description=_l("请输入完整的 11 位号码，确认是您本人。"))
    password = PasswordField(_l("设置密码"), validators=[InputRequired(_l("请输入密码。"))],
                             render_kw={"autocomplete": "new-password"},
                             description=_l("至少 8 位，不能全是数字，不能包含手机号码，不能是常见密码。"))
    confirm = PasswordField(_l("再次输入密码"), validators=[
        InputRequired(_l("请再次输入密码。")), EqualTo("password", _l("两次输入的密码不一致。"))],
        render_kw={"autocomplete": "new-password"})
    submit = SubmitField(_l("设置密码并登录"))


class ConfirmPasswordForm(Form):
    """The password again, before exports and phone-number reveals."""

    password = PasswordField(_l("登录密码"), validators=[InputRequired(_l("请输入密码。")), Length(max=128)],
                             render_kw={"autocomplete": "current-password"})
    next = HiddenField()
    submit = SubmitField(_l("确认"))


class ChangePasswordForm(Form):
    current_password = PasswordField(_l("当前密码"), validators=[InputRequired(_l("请输入当前密码。"))],
                                     render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(_l("新密码"), validators=[InputRequired(_l("请输入新密码。"))],
                                 render_kw={"autocomplete": "new-password"},
                                 description=_l("至少 8 位，不能全是数字，不能包含手机号码，不能是常见密码。"))
    confirm = PasswordField(_l("再次输入新密码"), validators=[
        InputRequired(_l("请再次输入新密码。")), EqualTo("new_password", _l("两次输入的密码不一致。"))],
        render_kw={"autocomplete": "new-password"})
    submit = SubmitField(_l("修改密码"))


class ConfirmForm(Form):
    """A bare form for POST buttons (CSRF only)."""

    submit = SubmitField(_l("确定"))


class UserAccessForm(Form):
    """Name, roles and townships of an account (the edit page); the view fills the township choices.

    Choices are not checked here: the operation refuses what may not be granted, with a message
    that says why (a committee member ticking 系统管理员, for instance).
    """

    name = StringField(_l("姓名"), validators=[InputRequired(_l("请输入姓名。")),
                                               Length(max=50, message=_l("姓名最多 50 个字。"))])
    roles = SelectMultipleField(_l("角色"), choices=[SelectChoice(r.value, r.label) for r in STAFF_ROLES],
                                validate_choice=False)
    townships = SelectMultipleField(_l("所属乡镇（街道）"), coerce=int, validate_choice=False,
                                    description=_l("乡镇（街道）工作人员只能看到这里选中的乡镇（街道）。"))
    submit = SubmitField(_l("保存"))

    def role_set(self):
        """The ticked roles as ``Role`` members; unknown values stay strings for the operation to refuse."""
        known = {role.value: role for role in Role}
        return {known.get(value, value) for value in self.roles.data or ()}


class NewUserForm(UserAccessForm):
    """A new staff account: the same fields plus the mobile number it signs in with."""

    mobile = StringField(_l("手机号码"), validators=[InputRequired(_l("请输入手机号码。")), Length(max=20)],
                         render_kw={"inputmode": "numeric", "autocomplete": "off"},
                         description=_l("用作登录账号。创建后发放激活码，由本人设置密码。"))
    submit = SubmitField(_l("创建账号并发放激活码"))


def _id(value):
    """A ticked box's value as an id; garbage becomes 0, which names nobody."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


class BulkActivationForm(Form):
    """Accounts ticked on the bulk activation page, and what to do: print slips or send SMS (rule R25)."""

    ids = SelectMultipleField(coerce=_id, validate_choice=False)
    township = HiddenField()
    action = HiddenField()


class ForgotPasswordForm(Form):
    """忘记密码: the number, then either an SMS code or a request to township staff (rule R35)."""

    mobile = StringField(_l("手机号码"), validators=[InputRequired(_l("请输入手机号码。")), Length(max=20)],
                         render_kw={"inputmode": "numeric", "autocomplete": "username"},
                         description=_l("请输入您登录用的手机号码。"))
    send_code = SubmitField(_l("发送短信验证码"))
    ask_staff = SubmitField(_l("请乡镇人大工作人员帮我重置"))


class ResetPasswordForm(Form):
    """The SMS code and the new password."""

    mobile = StringField(_l("手机号码"), validators=[InputRequired(_l("请输入手机号码。")), Length(max=20)],
                         render_kw={"inputmode": "numeric", "autocomplete": "username"})
    code = StringField(_l("短信验证码"), validators=[InputRequired(_l("请输入短信中的 6 位验证码。")), Length(max=12)],
                       render_kw={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 12})
    password = PasswordField(_l("新密码"), validators=[InputRequired(_l("请输入新密码。"))],
                             render_kw={"autocomplete": "new-password"},
                             description=_l("至少 8 位，不能全是数字，不能包含手机号码，不能是常见密码。"))
    confirm = PasswordField(_l("再次输入新密码"), validators=[
        InputRequired(_l("请再次输入新密码。")), EqualTo("password", _l("两次输入的密码不一致。"))],
        render_kw={"autocomplete": "new-password"})
    submit = SubmitField(_l("设置新密码并登录"))
