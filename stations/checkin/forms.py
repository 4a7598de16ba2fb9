"""Forms for check-in: the one-button scan form, staff review and 补登 (签退 is with the opinions)."""
from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.fields.datetime import TimeField
from wtforms.validators import InputRequired, Length

from liaison.forms import Form
from stations.checkin.operations import NOTE_MAX, REASON_MAX, REJECTION_REASONS, Location


def optional_id(value):
    """Coerce a select's value to an id; the empty option or garbage becomes None."""
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def int_list(value):
    """Coerce a ticked box's value to an id (garbage becomes 0, which names no check-in)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


class ScanForm(Form):
    """The 签到 button: a nonce made when the page was shown, the kiosk token, and the phone's fix."""

    nonce = HiddenField()
    #: The kiosk token from the scanned URL (?t=…); empty for a poster.
    t = HiddenField()
    # Filled by checkin.js from navigator.geolocation; empty when the phone shared nothing.
    latitude = HiddenField()
    longitude = HiddenField()
    accuracy = HiddenField()

    def location(self):
        """The phone's location from the hidden fields, or None."""
        return Location.parse(self.latitude.data, self.longitude.data, self.accuracy.data)


class ReviewForm(Form):
    """Confirm or reject ticked pending check-ins; a rejection needs a reason (chosen or typed, rule R23)."""

    ids = SelectMultipleField(coerce=int_list, validate_choice=False)
    action = HiddenField()
    reason = SelectField(_l("驳回原因"), validate_choice=False, choices=[
        SelectChoice(value=value, label=label)
        for value, label in (("", _l("（驳回时必选，或在说明中填写）")), *REJECTION_REASONS)])
    note = StringField(_l("说明"), validators=[Length(max=NOTE_MAX, message=_l("备注最多 %(max)d 字。"))],
                       description=_l("例如“已核对纸质签到簿”；驳回原因会发给代表。"))


def station_choices(stations):
    """The options of a 补登 form's 家站 select: the user's homes and stations, grouped by township."""
    inactive = _l("（已停用）")
    return [SelectChoice(value="", label=_l("请选择家站"))] + [
        SelectChoice(value=str(s.id), optgroup=s.township.name,
                     label=str(_l("%(name)s（%(kind)s）", name=s.name, kind=s.kind.short_label))
                     + ("" if s.active else str(inactive)))
        for s in stations]


class BackEntryForm(Form):
    """补登: a check-in from a paper sign-in sheet; the select options are filled by the view."""

    station_id = SelectField(_l("家站"), coerce=optional_id, validate_choice=False,
                             validators=[InputRequired(_l("请选择家站。"))])
    deputy_id = SelectField(_l("代表"), coerce=optional_id, validate_choice=False,
                            validators=[InputRequired(_l("请选择代表。"))])
    day = DateField(_l("签到日期"), validators=[InputRequired(_l("请填写签到日期。"))])
    time = TimeField(_l("签到时间"), validators=[InputRequired(_l("请填写签到时间，例如 09:30。"))])
    reason = StringField(
        _l("补登原因"), validators=[InputRequired(_l("请填写补登原因。")), Length(max=REASON_MAX)],
        description=_l("例如“手机没电，已在纸质签到簿签名”。"),
    )

    def fill_choices(self, stations, deputies):
        """Offer the user's homes and stations (grouped by township) and the deputies found."""
        self.station_id.choices = station_choices(stations)
        self.deputy_id.choices = [SelectChoice(value="", label=_l("请选择代表"))] + [
            SelectChoice(value=str(d.id), label=d.name) for d in deputies]


class BulkBackEntryForm(Form):
    """补登 for many deputies of one event (rule R26): one home or station, date, time and reason, and
    the ticked deputies (offered by the view: those serving in the station's township that day)."""

    station_id = SelectField(_l("家站"), coerce=optional_id, validate_choice=False,
                             validators=[InputRequired(_l("请选择家站。"))])
    day = DateField(_l("签到日期"), validators=[InputRequired(_l("请填写签到日期。"))])
    time = TimeField(_l("签到时间"), validators=[InputRequired(_l("请填写签到时间，例如 09:30。"))])
    reason = StringField(
        _l("补登原因（所有勾选的代表共用）"), validators=[InputRequired(_l("请填写补登原因。")), Length(max=REASON_MAX)],
        description=_l("例如“座谈会纸质签到表”。"),
    )
    deputy_ids = SelectMultipleField(coerce=int_list, validate_choice=False)
