"""The English catalog: complete, placeholders intact, and used once a person switches to English.

Chinese is written in the source (the msgids); English is the translation in
liaison/translations/en/LC_MESSAGES/messages.po. The compiled .mo is git-ignored and built by
`make translations`, which `make test` runs first. So that a bare `pytest` works too, the
``compiled_catalog`` fixture compiles the .po itself (babel's write_mo) when the .mo is missing or
older than the .po, and then drops Flask-Babel's cached translations.
"""
import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from liaison import PROJECT_ROOT
from liaison.extensions import babel
from tests.conftest import sign_in

CATALOG_DIR = Path(PROJECT_ROOT) / "liaison" / "translations" / "en" / "LC_MESSAGES"
PO = CATALOG_DIR / "messages.po"
MO = CATALOG_DIR / "messages.mo"

#: %(name)s, %(max)d, %%: what the % operator fills in (or turns into "%").
PLACEHOLDER = re.compile(r"%(?:\([A-Za-z_][A-Za-z0-9_]*\))?[#0 +\-]*\d*(?:\.\d+)?[sdifr%]")


def placeholders(text):
    return sorted(PLACEHOLDER.findall(text))


def read_catalog():
    with PO.open("rb") as fh:
        return read_po(fh, locale="en")


@pytest.fixture(scope="module")
def compiled_catalog():
    """The English .mo, compiled here from the .po unless `make translations` already did it."""
    if not MO.exists() or MO.stat().st_mtime < PO.stat().st_mtime:
        catalog = read_catalog()
        with MO.open("wb") as fh:
            write_mo(fh, catalog, use_fuzzy=True)  # as `make translations` does (--use-fuzzy)
        babel.domain_instance.cache.clear()
    with MO.open("rb") as fh:
        return read_mo(fh)


def test_every_message_has_an_english_translation_with_the_same_placeholders(compiled_catalog):
    catalog = read_catalog()
    messages = [m for m in catalog if m.id]
    assert len(messages) > 500
    # babel's read_mo hands contexts back as bytes: key the compiled messages by text.
    compiled = {(m.id, m.context.decode() if isinstance(m.context, bytes) else m.context): m.string
                for m in compiled_catalog}
    problems = []
    for message in messages:
        assert isinstance(message.id, str), f"unexpected plural form: {message.id!r}"
        if not message.string.strip():
            problems.append(f"untranslated: {message.id!r}")
        elif message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        elif placeholders(message.id) != placeholders(message.string):
            problems.append(f"placeholders differ: {message.id!r} -> {message.string!r}")
        elif compiled.get((message.id, message.context)) != message.string:
            problems.append(f"not in the compiled catalog (run `make translations`): {message.id!r}")
    assert not problems, "\n".join(problems)


def test_every_chinese_string_in_the_source_is_in_the_catalog():
    """What `make extract-messages` would find: a new _("…") left out of the catalog shows here."""
    with open(Path(PROJECT_ROOT) / "babel.cfg", encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_pgettext": ((1, "c"), 2)}
    found = {(message, context) for _file, _line, message, _comments, context in
             extract_from_dir(PROJECT_ROOT, method_map, options_map, keywords=keywords)}
    catalog = read_catalog()
    missing = sorted(m for m, context in found if isinstance(m, str) and catalog.get(m, context=context) is None)
    assert not missing, ("run `make extract-messages`, then translate: "
                         + ", ".join(repr(m) for m in missing))


def _nav(html):
    return html.split('<nav', 1)[1].split('</nav>', 1)[0]


def test_a_signed_in_page_switches_from_chinese_to_english(compiled_catalog, client, db):
    from liaison.accounts.models import Role
    from tests import factories

    user = factories.make_user(roles={Role.committee}, name="Li Ming")  # the nav shows the name
    db.session.commit()
    assert sign_in(client, user.mobile).status_code == 302

    chinese = client.get("/").get_data(as_text=True)
    assert 'lang="zh-CN"' in chinese
    assert "<summary>代表</summary>" in _nav(chinese)  # the menu group
    assert "Deputies" not in chinese

    response = client.post("/lang/en", data={"next": "/deputies"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/deputies")

    english = client.get("/").get_data(as_text=True)
    nav = _nav(english)
    assert 'lang="en"' in english
    assert "<summary>Deputies</summary>" in nav and ">Accounts</a>" in nav, nav
    assert not re.search(r"[\u4e00-\u9fff]", nav), nav

    client.post("/lang/zh_CN", data={"next": "/"})
    assert "<summary>代表</summary>" in _nav(client.get("/").get_data(as_text=True))


def test_a_term_named_by_default_is_named_in_chinese_whatever_the_reader_language(compiled_catalog, app):
    """Stored names are data: a committee member reading English still gets 区第八届, not District第八届."""
    from flask import session

    from liaison.terms.models import Level, Term

    with app.test_request_context("/"):
        session["lang"] = "en"
        assert str(Level.district.label) == "District"
        assert Term.default_name(Level.district, 8) == "区第八届"
        assert Term.default_name(Level.municipal, 15) == "市第十五届"
