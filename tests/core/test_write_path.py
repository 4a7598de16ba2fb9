"""One way to write: no view module commits or rolls back by itself (docs/architecture.md).

Views hand their write to ``liaison.transaction.commit`` (or ``Form.save``), which commits once or
rolls back and runs the after-commit / after-rollback work; a view that called
``db.session.commit()`` itself would skip that work and the refusal handling.
"""
import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
FORBIDDEN = {"commit", "rollback"}


def _view_modules():
    for package in ("liaison", "stations"):
        yield from sorted((ROOT / package).rglob("views.py"))


def _session_calls(path):
    """``(line, name)`` of each ``….session.commit()`` / ``….session.rollback()`` call in a module."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in FORBIDDEN and isinstance(node.func.value, ast.Attribute)
                and node.func.value.attr == "session"):
            yield node.lineno, node.func.attr


def test_view_modules_are_found():
    """The check looks at every package's views (a renamed layout must not make it pass vacuously)."""
    names = {p.parent.name for p in _view_modules()}
    assert {"accounts", "deputies", "rota", "checkin", "opinions", "reports"} <= names


def test_no_view_commits_or_rolls_back_by_itself():
    """Every write view goes through liaison.transaction.commit."""
    found = [f"{path.relative_to(ROOT)}:{line} session.{name}()"
             for path in _view_modules() for line, name in _session_calls(path)]
    assert found == [], "write through liaison.transaction.commit instead:\n" + "\n".join(found)
