"""Writes of an import: a checked roster goes through the deputies operations; the caller commits."""
import logging
import os
import re
import secrets
import time

from flask import current_app
from flask_babel import lazy_gettext as _l

from liaison.audit.operations import record_event
from liaison.deputies.operations import (create_deputy, create_mandate, end_mandate, update_deputy,
                                         update_mandate)
from liaison.errors import InvalidInput
from liaison.imports.roster import FIELD_COLUMNS, Problem

log = logging.getLogger(__name__)

#: Uploaded files wait this long for the confirmation, then go.
UPLOAD_MAX_AGE = 3600
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


class RosterRejected(InvalidInput):
    """The roster cannot be written; ``problems`` say where and why. The caller rolls back."""

    def __init__(self, problems):
        super().__init__(problems[0].text if problems else _l("名单未导入。"), "file")
        self.problems = problems


def import_roster(plan, filename=""):
    """Write a checked roster (代表名单导入): new people, their mandates and accounts; changed fields.

    Every write goes through the deputies operations, so their rules are checked once more
    against the database as it is now; a rule failing there is reported with its row and the
    whole import is refused (the caller rolls back). Rows that change nothing are not touched.
    """
    if not plan.ok:
        raise RosterRejected(plan.problems)
    people = {}
    for row in plan.rows:
        try:
            _write_row(row, people)
        except InvalidInput as error:
            column = FIELD_COLUMNS.get(error.field, "ordinal")
            raise RosterRejected([Problem(row.number, column, error.message)]) from None
    # One event for the whole roster (its rows are in the file): the mandate writes above are not
    # audited one by one.
    record_event("import", detail=plan.audit_detail(filename))
    counts = plan.counts
    log.info("roster imported: rows=%s new=%s updated=%s unchanged=%s new_people=%s", counts["rows"],
             counts["new"], counts["updated"], counts["unchanged"], counts["new_people"])
    return counts


def _write_row(row, people):
    """Apply one row; ``people`` maps mobile numbers to the person written by an earlier row."""
    deputy = people.get(row.mobile) or row.deputy
    if deputy is None:
        deputy = create_deputy(row.name, row.gender, row.ethnicity, row.mobile)
    elif row.person_changes:
        update_deputy(deputy, row.name, row.gender, row.ethnicity or deputy.ethnicity, deputy.mobile)
    people[row.mobile] = deputy
    mandate = row.mandate
    if mandate is None:
        # create_mandate gives a new deputy an account awaiting activation (account_for_deputy).
        mandate = create_mandate(deputy, audit=False, **row.mandate_fields())
    elif any(c.column not in ("end_date", "end_reason") for c in row.mandate_changes):
        update_mandate(mandate, audit=False, **row.mandate_fields())
    if row.end_date is not None and (row.mandate is None or row.end_changes):
        end_mandate(mandate, row.end_date, row.end_reason, audit=False)


# --- the uploaded file between the check and the confirmation ---------------------------------

def upload_folder():
    """Where uploaded rosters wait for confirmation (``LIAISON_IMPORT_FOLDER``, else instance/imports)."""
    folder = (current_app.config.get("LIAISON_IMPORT_FOLDER")
              or os.path.join(current_app.instance_path, "imports"))
    os.makedirs(folder, exist_ok=True)
    return folder


def keep_upload(data):
    """Store an uploaded file under a random token; return the token."""
    discard_stale_uploads()
    token = secrets.token_hex(16)
    path = os.path.join(upload_folder(), f"{token}.xlsx")
    with open(path, "xb") as fh:
        fh.write(data)
    return token


def load_upload(token):
    """The bytes kept under ``token``, or None when the token is malformed, unknown or older than an hour."""
    if not token or not _TOKEN.match(token):
        return None
    path = os.path.join(upload_folder(), f"{token}.xlsx")
    try:
        if time.time() - os.path.getmtime(path) > UPLOAD_MAX_AGE:
            os.remove(path)
            return None
        with open(path, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        return None


def discard_upload(token):
    """Delete the file kept under ``token`` (nothing happens when it is already gone)."""
    if token and _TOKEN.match(token):
        try:
            os.remove(os.path.join(upload_folder(), f"{token}.xlsx"))
        except FileNotFoundError:
            pass


def discard_stale_uploads():
    """Delete uploaded files that waited longer than an hour; return how many went."""
    folder, now, count = upload_folder(), time.time(), 0
    for name in os.listdir(folder):
        path = os.path.join(folder, name)
        if name.endswith(".xlsx") and _TOKEN.match(name[:-5]):
            try:
                if now - os.path.getmtime(path) > UPLOAD_MAX_AGE:
                    os.remove(path)
                    count += 1
            except FileNotFoundError:
                pass  # another request removed it first
    return count
