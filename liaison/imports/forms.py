"""Forms of the roster import: the upload, and the confirmation that writes."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import SubmitField

from liaison.forms import Form


class RosterUploadForm(Form):
    """A roster workbook to check (nothing is written at this step)."""

    file = FileField(
        _l("名单文件"),
        validators=[FileRequired(_l("请选择要导入的名单文件（.xlsx 或 .csv）。"))],
        description=_l("Excel 工作簿（.xlsx）或 CSV 文件（UTF-8 或 GBK 编码），不超过 10 MB；请按导入模板或导出的名单填写。"),
        render_kw={"accept": ".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv"},
    )
    submit = SubmitField(_l("上传并检查"))


class ConfirmForm(Form):
    """Confirm the import of the file just checked (only the CSRF token and the button)."""

    submit = SubmitField(_l("确认导入"))
