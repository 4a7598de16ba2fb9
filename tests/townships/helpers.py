"""Small helpers shared by the township, district and term page tests."""
import re

import sqlalchemy as sa

from liaison.extensions import db


def count(model):
    """How many rows of ``model`` the database holds now."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def text(response):
    """The response body as text."""
    return response.get_data(as_text=True)


def positions(page, *names):
    """Where each name first appears on a page (to check the order of a list)."""
    return [page.index(name) for name in names]


def csrf_token(page):
    """The CSRF token of the first form on a page."""
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
