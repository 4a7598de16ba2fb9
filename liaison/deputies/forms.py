"""Forms for a deputy's personal data, a mandate, its early end and its suspensions."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, RadioField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice, enum_coerce
from wtforms.validators import InputRequired, Length, Optional

from liaison.deputies.models import EndReason, Gender
from liaison.forms import Form
from liaison.text import ETHNIC_GROUPS


def optional_id(value):
    """Coerce a select's value to an id, the empty option to ``None``."""
    if value in (None, ""):
        return None
    return int(value)


def optional_enum(enum_cls):
    """Coerce a select's value to a member of ``enum_cls``, the empty option to ``None``."""
    to_member = enum_coerce(enum_cls)

    def coerce(value):
        """Map the submitted value to a member, or to None for the empty option."""
        if value in (None, ""):
            return None
        return to_member(value)

    return coerce


def _empty(label):
    """The first, empty option of a select."""
    return SelectChoice(value="", label=label)


class DeputyForm(Form):
    """The person (人大代表): kept across terms."""

    name = StringField(_l("姓名"), validators=[InputRequired(_l("请填写代表姓名。")), Length(max=50)])
    gender = RadioField(
        _l("性别"),
        choices=[SelectChoice(value=g.value, label=g.label) for g in Gender],
        coerce=enum_coerce(Gender),
        validators=[InputRequired(_l("请选择性别。"))],
    )
    ethnicity = SelectField(
        _l("民族"), choices=[SelectChoice(value=e) for e in ETHNIC_GROUPS], default="汉族",
        validators=[InputRequired(_l("请选择民族。"))],
    )
    mobile = StringField(
        _l("手机号码"), validators=[InputRequired(_l("请填写手机号码。")), Length(max=20)],
        render_kw={"inputmode": "tel", "autocomplete": "off"},
        description=_l("代表用此号码登录，每人一个号码。"),
    )
    submit = SubmitField(_l("保存"))


class MandateForm(Form):
    """A seat in one term (代表资格); the select options are filled by ``fill_choices``."""

    term_id = SelectField(_l("届次"), coerce=optional_id, validate_choice=False,
                          validators=[InputRequired(_l("请选择届次。"))])
    township_id = SelectField(
        _l("所属乡镇（街道）"), coerce=optional_id, validate_choice=False,
        validators=[InputRequired(_l("请选择所属乡镇（街道）。"))],
        description=_l("区、乡镇代表选其选区所在的乡镇（街道）；市、全国代表选其编入的乡镇（街道）。"),
    )
    electoral_district_id = SelectField(
        _l("选区"), coerce=optional_id, validate_choice=False,
        description=_l("区、乡镇代表必选，须是该届次在所属乡镇（街道）划分的选区；市、全国代表不选。"),
    )
    home_id = SelectField(_l("代表之家"), coerce=optional_id, validate_choice=False,
                          description=_l("须在所属乡镇（街道）。"))
    station_id = SelectField(_l("代表联络站"), coerce=optional_id, validate_choice=False,
                             description=_l("须在所属乡镇（街道）。"))
    start_date = DateField(_l("任职开始日期"), validators=[InputRequired(_l("请填写任职开始日期。"))],
                           description=_l("一般为届次开始日期；补选的代表填当选日期。"))
    by_election = BooleanField(_l("补选产生"))
    submit = SubmitField(_l("保存"))

    def fill_choices(self, terms, townships, districts, homes, stations):
        """Offer the options; districts, homes and stations are grouped by township."""
        self.term_id.choices = [_empty(_l("请选择届次"))] + [
            SelectChoice(value=str(t.id), label=t.name) for t in terms]
        self.township_id.choices = [_empty(_l("请选择乡镇（街道）"))] + [
            SelectChoice(value=str(t.id), label=t.name) for t in townships]
        self.electoral_district_id.choices = [_empty(_l("无（市、全国代表）"))] + [
            SelectChoice(value=str(d.id), label=f"{d.term} · {d.name}", optgroup=d.township)
            for d in districts]
        self.home_id.choices = [_empty(_l("暂不指定"))] + _place_choices(homes)
        self.station_id.choices = [_empty(_l("暂不指定"))] + _place_choices(stations)


def _place_choices(rows):
    """Homes or stations as options grouped by township, inactive ones marked."""
    inactive = _l("（已停用）")
    return [SelectChoice(value=str(r.id), label=r.name if r.active else f"{r.name}{inactive}",
                         optgroup=r.township) for r in rows]


class EndMandateForm(Form):
    """The early end of a mandate (代表资格终止) under the 代表法."""

    end_date = DateField(_l("终止日期"), validators=[Optional()],
                         description=_l("从这一天起不再担任代表。日期和原因都留空并保存，可撤销误登记的终止。"))
    end_reason = SelectField(
        _l("终止原因"), coerce=optional_enum(EndReason), validate_choice=False,
        choices=[_empty(_l("请选择原因"))] + [SelectChoice(value=r.value, label=r.label) for r in EndReason],
    )
    submit = SubmitField(_l("保存"))


class SuspensionForm(Form):
    """A period of 暂停执行代表职务."""

    start_date = DateField(_l("暂停开始日期"), validators=[InputRequired(_l("请填写暂停开始日期。"))])
    end_date = DateField(_l("暂停结束日期"), validators=[Optional()],
                         description=_l("最后一天；尚未恢复的留空。"))
    reason = StringField(_l("原因"), validators=[InputRequired(_l("请填写原因。")), Length(max=200)])
    submit = SubmitField(_l("保存"))
