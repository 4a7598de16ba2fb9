"""Translation-layer safety: lazily translated messages are text, never HTML.

Flask-Babel's ``LazyString.__html__`` returns the string as is, so Jinja treats a lazy message
as already safe. Messages interpolate what users typed (``_l("%(name)s 已存在", name=...)``) and
end up in flashes and form errors: unescaped, a township named ``<script>…`` would run.
Escaping here closes that for every message at once; no message of this product carries markup.
"""
from flask_babel.speaklater import LazyString
from markupsafe import escape


def _escaped_html(self):
    return escape(str(self))


def make_lazy_strings_text():
    """Make every lazily translated message escape itself when rendered."""
    LazyString.__html__ = _escaped_html
