"""Forms for the network pages: the station form with phone-friendly opening hours, the list filter,
and the buttons that (de)activate and re-key a station."""
from datetime import datetime
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from wtforms import (BooleanField, Field, HiddenField, RadioField, SelectField,
                     SelectMultipleField, StringField, SubmitField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, TimeInput

from liaison.forms import Form, WholeNumberField, optional_int, single_line, strip_spaces
from liaison.network.models import WEEKDAY_LABELS, CheckinPolicy, StationKind


def optional_kind(value):
    """Coerce a submitted kind to ``StationKind``; anything else becomes None."""
    if isinstance(value, StationKind):
        return value
    try:
        return StationKind(value)
    except ValueError:
        return None


def optional_policy(value):
    """Coerce a submitted check-in policy to ``CheckinPolicy``; anything else becomes None."""
    if isinstance(value, CheckinPolicy):
        return value
    try:
        return CheckinPolicy(value)
    except ValueError:
        return None


def _offered(field):
    """The ids a select field offers (its blank choice aside)."""
    return {choice.value for choice in field.choices if choice.value != ""}


class LocalTimeField(Field):
    """A wall-clock time typed as HH:MM (phones show their time picker); blank means none."""

    widget = TimeInput()

    def _value(self):
        """What the input shows: the typed text, or the stored time as HH:MM."""
        if self.raw_data:
            return self.raw_data[0]
        return self.data.strftime("%H:%M") if self.data else ""

    def process_formdata(self, valuelist):
        """Read HH:MM (or HH:MM:SS); refuse anything else in Chinese."""
        raw = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if not raw:
            return
        # Some browsers send seconds too when the picker has a step.
        for fmt in ("%H:%M", "%H:%M:%S"):
            try:
                self.data = datetime.strptime(raw, fmt).time()
                return
            except ValueError:
                continue
        raise ValueError(_l("%(label)s应为“时:分”，例如 09:00。", label=self.label.text))


class CoordinateField(StringField):
    """A coordinate in decimal degrees; blank means not surveyed."""

    def _value(self):
        """What the input shows: the typed text, or the stored number."""
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)

    def process_formdata(self, valuelist):
        """Read a decimal number of degrees (a trailing ° is tolerated); refuse anything else."""
        raw = (valuelist[0] if valuelist else "").strip().replace("°", "")
        self.data = None
        if not raw:
            return
        try:
            number = Decimal(raw)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise ValueError(_l("%(label)s应为以度为单位的数字，例如 30.274085。", label=self.label.text))
        self.data = number


class MultiCheckboxField(SelectMultipleField):
    """Several choices shown as checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class StationForm(Form):
    """Add or edit a 代表之家 or 代表联络站; choices are set per user by ``set_choices``."""

    kind = RadioField(_l("类型"), choices=[SelectChoice(k.value, k.label) for k in StationKind],
                      coerce=optional_kind, validate_choice=False, default=StationKind.station)
    name = StringField(_l("名称"), filters=[strip_spaces], validators=[single_line],
                       render_kw={"maxlength": 80},
                       description=_l("例如：城关镇人大代表之家、城关镇第一选区代表联络站。"))
    township_id = SelectField(_l("所属乡镇（街道）"), coerce=optional_int, validate_choice=False)
    electoral_district_id = SelectField(_l("选区"), coerce=optional_int, validate_choice=False,
                                        description=_l("代表联络站必须选择所服务的选区；代表之家不设选区，请留空。"))
    address = StringField(_l("地址"), filters=[strip_spaces], render_kw={"maxlength": 200})
    latitude = CoordinateField(_l("纬度"), render_kw={"inputmode": "decimal", "placeholder": "30.274085"})
    longitude = CoordinateField(_l("经度"), render_kw={"inputmode": "decimal", "placeholder": "120.155070"})
    radius_m = WholeNumberField(_l("签到范围半径（米）"), default=200,
                                render_kw={"inputmode": "numeric", "min": 20, "max": 5000},
                                description=_l("代表在入口这个范围内扫码，签到即时有效；20 到 5000 米，一般 200 米。"))
    checkin_policy = RadioField(
        _l("签到核实方式"), choices=[SelectChoice(p.value, p.label) for p in CheckinPolicy],
        coerce=optional_policy, validate_choice=False, default=CheckinPolicy.fence,
        description=_l("转发到微信群的海报照片也能扫，所以扫海报只在手机定位确认在范围内时才即时有效；"
                       "未测定坐标的家站，扫海报的签到都需工作人员核实。"))
    open_on_holidays = BooleanField(_l("法定节假日也接待选民"))
    active = BooleanField(_l("在用"), default=True,
                          description=_l("停用后保留历史记录，但不再接受签到和排班。"))
    weekdays = MultiCheckboxField(_l("接待日"), coerce=optional_int,
                                  choices=[SelectChoice(day, label)
                                           for day, label in enumerate(WEEKDAY_LABELS)],
                                  validate_choice=False)
    am_opens = LocalTimeField(_l("上午开始"))
    am_closes = LocalTimeField(_l("上午结束"))
    pm_opens = LocalTimeField(_l("下午开始"))
    pm_closes = LocalTimeField(_l("下午结束"))
    submit = SubmitField(_l("保存"))

    #: True when the stored hours differ between weekdays and cannot be shown as one set of ranges.
    hours_irregular = False

    def set_choices(self, townships, districts):
        """Offer only the townships (and their districts) the user may manage."""
        choices = [SelectChoice(t.id, t.name) for t in townships]
        if len(townships) != 1:
            choices.insert(0, SelectChoice("", _l("请选择")))
        self.township_id.choices = choices
        self.electoral_district_id.choices = [SelectChoice("", _l("（无：代表之家不设选区）"))] + [
            SelectChoice(d.id, f"{d.township.name} · {d.term.name} · {d.name}") for d in districts
        ]

    def validate_township_id(self, field):
        """The chosen township must be one offered to this user."""
        if field.data is None:
            raise ValidationError(_l("请选择所属乡镇（街道）。"))
        if field.data not in _offered(field):
            raise ValidationError(_l("只能选择您管辖范围内的乡镇（街道）。"))

    def validate_electoral_district_id(self, field):
        """A chosen district must be one offered to this user."""
        if field.data is not None and field.data not in _offered(field):
            raise ValidationError(_l("只能选择您管辖范围内乡镇（街道）的选区。"))

    def ranges(self):
        """The typed time ranges as ``(field prefix, label, opens, closes)``."""
        return [("am", _l("上午"), self.am_opens.data, self.am_closes.data),
                ("pm", _l("下午"), self.pm_opens.data, self.pm_closes.data)]

    @classmethod
    def initial_data(cls, station):
        """The form's values for an existing station, its hours folded back into weekdays and ranges."""
        by_day = {}
        for hours in station.opening_hours:
            by_day.setdefault(hours.weekday, []).append((hours.opens, hours.closes))
        shapes = {tuple(sorted(periods)) for periods in by_day.values()}
        # The form applies the same ranges to every ticked day; stored hours that differ by day
        # (imported, say) show the first day's ranges and a warning that saving makes them uniform.
        periods = sorted(by_day[min(by_day)]) if by_day else []
        irregular = len(shapes) > 1 or len(periods) > 2
        data = {
            "kind": station.kind, "name": station.name, "township_id": station.township_id,
            "electoral_district_id": station.electoral_district_id, "address": station.address,
            "latitude": station.latitude, "longitude": station.longitude, "radius_m": station.radius_m,
            "open_on_holidays": station.open_on_holidays, "active": station.active,
            "checkin_policy": station.checkin_policy, "weekdays": sorted(by_day),
        }
        for prefix, (opens, closes) in zip(("am", "pm"), periods):
            data[f"{prefix}_opens"], data[f"{prefix}_closes"] = opens, closes
        return data, irregular


class StationFilterForm(Form):
    """The list's filters, read from the query string (GET, so no CSRF token)."""

    class Meta:
        """A GET form writes nothing, so it carries no CSRF token."""

        csrf = False

    q = StringField(_l("搜索"), filters=[strip_spaces], render_kw={"placeholder": _l("名称、地址或二维码编号")})
    kind = SelectField(_l("类型"), coerce=optional_kind, validate_choice=False, choices=[
        SelectChoice("", _l("全部类型"))] + [SelectChoice(k.value, k.label) for k in StationKind])
    township_id = SelectField(_l("乡镇（街道）"), coerce=optional_int, validate_choice=False)
    active = SelectField(_l("状态"), validate_choice=False, choices=[
        SelectChoice("", _l("全部状态")), SelectChoice("1", _l("在用")), SelectChoice("0", _l("已停用"))])

    def set_choices(self, townships):
        """Offer only the townships the user may see."""
        self.township_id.choices = [SelectChoice("", _l("全部乡镇（街道）"))] + [
            SelectChoice(t.id, t.name) for t in townships]

    @property
    def active_value(self):
        """True, False, or None for both."""
        return {"1": True, "0": False}.get(self.active.data)


class ActiveForm(Form):
    """The POST behind the activate/deactivate button."""

    active = HiddenField()
    next = HiddenField()


class RekeyForm(Form):
    """The POST behind "重新生成二维码": the box must be ticked, as every printed poster stops working."""

    confirm = BooleanField(_l("我知道此前打印的二维码将全部作废，需要重新打印张贴"))
