"""The base form: CSRF from flask-wtf, and an expired token that brings the form back filled in."""
from flask import flash, g
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from liaison.errors import InvalidInput


class Form(FlaskForm):
    """Every form of the product derives from this one."""

    def validate_on_submit(self, extra_validators=None):
        """Refuse a submission whose CSRF token had expired, keeping what was typed."""
        if g.get("form_expired"):
            flash(_l("页面停留太久已过期。您填写的内容已保留，请检查后重新提交。"), "warning")
            return False
        return super().validate_on_submit(extra_validators=extra_validators)

    def attach_error(self, error: InvalidInput):
        """Show a domain rule's message next to the field it names, or at the top of the form."""
        field = getattr(self, error.field, None) if error.field else None
        if field is not None:
            field.errors = list(field.errors) + [error.message]
        else:
            flash(error.message, "danger")
