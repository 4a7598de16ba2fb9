"""Forms for townships (乡镇/街道) and their electoral districts (选区)."""
from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField, StringField, SubmitField

from liaison.forms import NOT_AN_OPTION, Form, WholeNumberField, optional_enum, single_line, strip_spaces
from liaison.townships.models import TownshipKind

class TownshipForm(Form):
    name = StringField(_l("名称"), validators=[single_line],
                       description=_l("如 安平镇、城关街道；2 到 50 个字，不能与已有的重名。"))
    kind = SelectField(
        _l("类型"),
        choices=[SelectChoice(value="", label=_l("请选择")),
                 *(SelectChoice(value=k.value, label=k.label) for k in TownshipKind)],
        coerce=optional_enum(TownshipKind),
        invalid_choice_message=NOT_AN_OPTION, invalid_value_message=NOT_AN_OPTION,
        description=_l("乡镇设有本级人大；街道不设人大，由人大工委组织区代表活动。"),
    )
    position = WholeNumberField(
        _l("排序号"), render_kw={"inputmode": "numeric"},
        description=_l("在本区行政区划顺序中的位置，1 排最前；各统计表和名单按此顺序列出乡镇（街道）。"
                       "新增时留空则排在最后，修改时留空则不变。"))
    office_name = StringField(
        _l("制表单位"), filters=[strip_spaces], validators=[single_line],
        description=_l("本乡镇（街道）导出统计表时署的制表单位，如 安平镇人大主席团；"
                       "留空则用默认名称：乡镇为“××人大主席团”，街道为“××人大工委”。"))
    submit = SubmitField(_l("保存"))


class DistrictForm(Form):
    """A 选区; ``township_id`` is only shown when editing (a new one belongs to the page's township)."""

    term_id = SelectField(_l("届次"), coerce=int, choices=[],
                          invalid_choice_message=NOT_AN_OPTION, invalid_value_message=NOT_AN_OPTION,
                          description=_l("只有区和乡镇代表按选区直接选举。"))
    township_id = SelectField(_l("所在乡镇（街道）"), coerce=int, choices=[],
                              invalid_choice_message=NOT_AN_OPTION, invalid_value_message=NOT_AN_OPTION)
    name = StringField(_l("选区名称"), validators=[single_line],
                       description=_l("如 第一选区；同一乡镇（街道）同一届次内不能重名。"))
    submit = SubmitField(_l("保存"))
