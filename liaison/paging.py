"""Lists shown a page at a time: the page asked for in ``?page=`` and the configured page size."""
from flask import current_app, request

from liaison.extensions import db


def one_page(query):
    """One page of a select, ``LIAISON_PAGE_SIZE`` rows long; a page past the end is empty, never a 404."""
    return db.paginate(query, page=request.args.get("page", 1, type=int),
                       per_page=current_app.config["LIAISON_PAGE_SIZE"], error_out=False)
