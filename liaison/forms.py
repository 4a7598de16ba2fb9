"""The base form (CSRF from flask-wtf, an expired token brings the form back filled in) and
small helpers for select fields shared by every domain's forms."""
import enum
import functools
import re

from babel import support
from flask import current_app, flash, g
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectChoice
from wtforms.i18n import messages_path
from wtforms.validators import ValidationError

from liaison.errors import InvalidInput
from liaison.text import is_single_line
from liaison.transaction import commit


@functools.cache
def _wtforms_catalog(locale):
    """WTForms' own messages (“Not a valid integer”...) in one language, read from disk once."""
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class Form(FlaskForm):
    """Every form of the product derives from this one."""

    class Meta:
        def get_translations(self, form):
            # Flask-WTF reads and parses this catalog again on every request (2-3 ms each time).
            if not current_app.config.get("WTF_I18N_ENABLED", True):
                return None
            return _wtforms_catalog(str(get_locale()))

    def validate_on_submit(self, extra_validators=None):
        """Refuse a submission whose CSRF token failed, keeping what was typed.

        ``g.form_expired`` is set while ``liaison.errors`` runs a form view again for such a post:
        the view then takes its "not valid" path and shows the form (told once per page).
        """
        if g.get("form_expired"):
            if not g.get("form_expired_told"):
                g.form_expired_told = True
                flash(_l("页面停留太久已过期。您填写的内容已保留，请检查后重新提交。"), "warning")
            return False
        return super().validate_on_submit(extra_validators=extra_validators)

    def save(self, write):
        """Run one write for this form and commit it; ``self.saved`` then holds what it returned.

        On a broken domain rule the transaction rolls back, the rule's message goes next to its
        field, and False comes back so the view shows the form again with what was typed.
        """
        written = commit(write, form=self)
        self.saved = written.value
        return written.ok

    def attach_error(self, error: InvalidInput):
        """Show a domain rule's message next to the field it names, or at the top of the form."""
        field = getattr(self, error.field, None) if error.field else None
        if field is not None:
            field.errors = list(field.errors) + [error.message]
        else:
            flash(error.message, "danger")


NOT_AN_OPTION = _l("请从列表中选择。")


def strip_spaces(value):
    """A field filter: drop the spaces people type around text."""
    return value.strip() if isinstance(value, str) else value


def optional_int(value):
    """Coerce a submitted id to int; blank or garbage becomes None (the rules then say what is missing)."""
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def single_line(form, field):
    """Validator for names shown on one line (townships, districts, stations, terms): no line breaks,
    tabs or invisible control characters, which pages hide and spreadsheets refuse or mangle."""
    if isinstance(field.data, str) and not is_single_line(field.data):
        raise ValidationError(_l("%(label)s只能是一行文字，不能包含换行、制表符等控制字符或不可见字符。",
                                 label=field.label.text))


def optional_enum(enum_cls):
    """A ``coerce`` for enum selects: blank means None; a model's enum (from ``obj=``) passes through."""

    def coerce(value):
        """Map a submitted option value to its enum member."""
        if isinstance(value, enum.Enum) or value is None:
            return value
        return enum_cls(value) if value != "" else None

    return coerce


def id_options(placeholder, pairs):
    """Select options for records: a "none chosen" option (value 0), then ``(id, label)`` pairs."""
    return [SelectChoice(value="0", label=placeholder)] + [
        SelectChoice(value=str(record_id), label=label) for record_id, label in pairs]


#: Full-width digits and signs (typed with a Chinese input method) read as their ASCII forms.
_FULL_WIDTH = str.maketrans("０１２３４５６７８９＋－", "0123456789+-")
#: What a whole number may be: an optional sign, then ASCII digits only. Python's ``int`` would also
#: take ``1_000`` and the digits of every script (٣, ३, ๓), which nobody types for a count of people.
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")
#: More digits than any count or year here; also keeps the value inside a database integer.
_MAX_DIGITS = 9


class WholeNumberField(IntegerField):
    """An integer with a Chinese message for anything else; blank means none."""

    def process_formdata(self, valuelist):
        """Read a whole number (ASCII or full-width digits); refuse anything else in Chinese."""
        raw = (valuelist[0] if valuelist else "").strip().translate(_FULL_WIDTH)
        self.data = None
        if not raw:
            return
        if not _WHOLE_NUMBER.fullmatch(raw):
            raise ValueError(_l("%(label)s应为整数。", label=self.label.text))
        if len(raw.lstrip("+-")) > _MAX_DIGITS:
            raise ValueError(_l("%(label)s的数值太大。", label=self.label.text))
        self.data = int(raw)
