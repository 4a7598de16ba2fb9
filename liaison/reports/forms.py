"""Forms for reporting sessions, duty reports, exemptions and the target terms."""
from flask_babel import lazy_gettext as _l
from wtforms import (BooleanField, DateField, HiddenField, RadioField, SelectField, SelectMultipleField,
                     StringField, SubmitField, TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from liaison.forms import Form, WholeNumberField, optional_enum
from liaison.deputies.models import ExemptionScope
from liaison.reports.models import PlaceKind, ReportForm
from liaison.uploads import UploadField


def optional_int(value):
    """A select's value as an int; the empty option (or 0) as None."""
    if value in (None, "", "0", 0):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _ids(values):
    """Checked ids as ints, ignoring anything that is not a whole number."""
    return [int(v) for v in values or [] if str(v).isdigit()]


class SessionForm(Form):
    """A reporting session (述职活动): date, place and the deputies reporting."""

    session_date = DateField(_l("日期"), validators=[InputRequired(_l("请填写述职活动的日期。"))])
    place_kind = RadioField(
        _l("地点类型"), coerce=optional_enum(PlaceKind), default=PlaceKind.home.value,
        choices=[SelectChoice(value=k.value, label=k.label) for k in PlaceKind],
        validators=[InputRequired(_l("请选择述职地点的类型。"))],
    )
    station_id = SelectField(_l("代表之家或联络站"), coerce=optional_int, validate_choice=False,
                             description=_l("地点类型为代表之家或代表联络站时选择。"))
    place = StringField(_l("具体地点"), validators=[Length(max=200)],
                        description=_l("“其他地点”必填，如村委会会议室；也可补充家站内的具体位置。"))
    notes = TextAreaField(_l("备注"), validators=[Length(max=2000)])
    mandate_ids = SelectMultipleField(_l("述职代表"), coerce=str, validate_choice=False)
    submit = SubmitField(_l("保存"))

    def fill_choices(self, places):
        """Offer the township's homes and stations."""
        self.station_id.choices = [SelectChoice(value="", label=_l("请选择"))] + [
            SelectChoice(value=str(s.id), label=f"{s.kind.short_label} · {s.name}") for s in places]

    @property
    def chosen_mandate_ids(self):
        """The ticked mandates' ids."""
        return _ids(self.mandate_ids.data)


class DutyReportForm(Form):
    """One deputy's duty report (年述职)."""

    report_date = DateField(_l("述职日期"), validators=[InputRequired(_l("请填写述职日期。"))])
    kind = RadioField(
        _l("述职形式"), coerce=optional_enum(ReportForm), default=ReportForm.on_site.value,
        choices=[SelectChoice(value=f.value, label=f.label) for f in ReportForm],
        validators=[InputRequired(_l("请选择述职形式。"))],
        description=_l("以现场面对面向选民述职为主，个别走访、书面述职为辅。"),
    )
    voters_present = WholeNumberField(_l("到场选民人数"), default=0, render_kw={"inputmode": "numeric"})
    satisfied = WholeNumberField(_l("满意人数"), default=0, render_kw={"inputmode": "numeric"})
    basically_satisfied = WholeNumberField(_l("基本满意人数"), default=0, render_kw={"inputmode": "numeric"})
    dissatisfied = WholeNumberField(_l("不满意人数"), default=0, render_kw={"inputmode": "numeric"})
    completed = BooleanField(_l("已完成述职"), default=True,
                             description=_l("只有已完成的述职计入“已述”；计划中的述职请不要勾选。"))
    attachment = UploadField(_l("附件"),
                             description=_l("可选：述职报告或现场照片，PDF、Word 或 JPG/PNG 图片，不超过 10 MB。"),
                             render_kw={"accept": ".pdf,.doc,.docx,.jpg,.jpeg,.png"})
    remove_attachment = BooleanField(_l("删除现有附件"))
    also_cover = SelectMultipleField(_l("同时计入本人的其他代表资格"), coerce=str, validate_choice=False)
    version = HiddenField()
    submit = SubmitField(_l("保存"))

    @property
    def also_cover_ids(self):
        """The ids of the other mandates ticked as also covered."""
        return _ids(self.also_cover.data)

    def fields(self):
        """The report's fields as keyword arguments for the operations."""
        return {"report_date": self.report_date.data, "form": self.kind.data,
                "voters_present": self.voters_present.data, "satisfied": self.satisfied.data,
                "basically_satisfied": self.basically_satisfied.data, "dissatisfied": self.dissatisfied.data,
                "completed": self.completed.data}


class ExemptionForm(Form):
    """An approved exemption (应述尽述) for a mandate's term reporting, a year, a month or a quarter."""

    scope = RadioField(
        _l("免除事项"), coerce=optional_enum(ExemptionScope), default=ExemptionScope.term_report.value,
        choices=[SelectChoice(value=s.value, label=s.label) for s in ExemptionScope],
        validators=[InputRequired(_l("请选择免除的事项。"))],
    )
    year = SelectField(_l("年份"), coerce=optional_int, validate_choice=False,
                       description=_l("年度述职、月进站、季回家必选。"))
    month = SelectField(_l("月份"), coerce=optional_int, validate_choice=False,
                        choices=[SelectChoice(value="", label=_l("月进站时选择"))] + [
                            SelectChoice(value=str(m), label=_l("%(m)s月", m=m)) for m in range(1, 13)])
    quarter = SelectField(_l("季度"), coerce=optional_int, validate_choice=False,
                          choices=[SelectChoice(value="", label=_l("季回家时选择"))] + [
                              SelectChoice(value=str(q), label=_l("第%(q)s季度", q=q)) for q in range(1, 5)])
    reason = StringField(_l("原因"), validators=[InputRequired(_l("请填写免除的原因（如因病、外出挂职）。")),
                                                Length(max=200)])
    approver = StringField(_l("批准人"), validators=[InputRequired(_l("请填写批准人或批准机构。")), Length(max=100)],
                           description=_l("批准的负责人或机构，如“主任会议”。"))
    approved_on = DateField(_l("批准日期"), validators=[InputRequired(_l("请填写批准日期。"))])
    submit = SubmitField(_l("保存"))

    def fill_years(self, first, last):
        """Offer the years of the mandate's term."""
        self.year.choices = [SelectChoice(value="", label=_l("请选择年份"))] + [
            SelectChoice(value=str(y), label=_l("%(y)s年", y=y)) for y in range(first, last + 1)]


class TargetsForm(Form):
    """Which terms' in-term reporting rates are the "two 100%" targets."""

    term_ids = SelectMultipleField(_l("目标届次"), coerce=str, validate_choice=False)
    submit = SubmitField(_l("保存"))
    restore = SubmitField(_l("恢复默认（现任市、区两级届次）"))

    @property
    def chosen_term_ids(self):
        """The ticked terms' ids."""
        return _ids(self.term_ids.data)

