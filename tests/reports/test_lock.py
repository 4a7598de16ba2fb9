"""Two people editing one report cannot silently overwrite each other (optimistic lock)."""
from datetime import date

import pytest
import sqlalchemy as sa

from liaison.deputies.models import Mandate
from liaison.reports import operations
from liaison.reports.models import DutyReport, ReportForm
from tests.reports.conftest import report_data, text

MESSAGE = "此述职记录已被他人修改，请刷新后重试"


@pytest.fixture()
def report(db, place):
    """A recorded report at version 1."""
    saved = operations.create_duty_report(db.session.get(Mandate, place.bai_d), report_date=date(2024, 6, 18),
                                          form=ReportForm.on_site, voters_present=40, satisfied=30,
                                          completed=True)
    db.session.commit()
    return saved.id


def test_two_edits_from_the_same_version(client, db, place, staff_a, report):
    """Both open the edit page at version 1; the first save wins, the second is refused with the
    message and its input back, and the first one's values stay."""
    for _ in range(2):
        assert 'name="version" type="hidden" value="1"' in text(client.get(f"/reports/{report}/edit"))
    first = client.post(f"/reports/{report}/edit", data=report_data(version="1", voters_present="41"))
    assert first.status_code == 302
    second = client.post(f"/reports/{report}/edit", data=report_data(version="1", voters_present="57"))
    page = text(second)
    assert second.status_code == 200 and MESSAGE in page
    assert 'value="57"' in page  # the loser's input is shown back
    db.session.expire_all()
    saved = db.session.get(DutyReport, report)
    assert (saved.voters_present, saved.version) == (41, 2)
    # After refreshing, the page carries version 2 and a save goes through.
    assert 'value="2"' in text(client.get(f"/reports/{report}/edit"))
    again = report_data(version="2", voters_present="57")
    assert client.post(f"/reports/{report}/edit", data=again).status_code == 302


def test_a_save_racing_another_is_refused_at_the_database(db, place, report):
    """When the other save lands between reading and writing, the versioned UPDATE matches no row
    and the same message comes back (nothing is overwritten)."""
    loaded = db.session.get(DutyReport, report)
    assert loaded.version == 1
    # Another request saves meanwhile (raw SQL: the loaded object does not see it).
    db.session.connection().execute(
        sa.text("UPDATE duty_reports SET version = 2, voters_present = 45 WHERE id = :id"), {"id": report})
    with pytest.raises(operations.StaleReport, match=MESSAGE):
        operations.update_duty_report(loaded, 1, report_date=date(2024, 6, 18), form=ReportForm.on_site,
                                      voters_present=50, completed=True)
    db.session.rollback()
    assert db.session.get(DutyReport, report).voters_present == 40


def test_a_missing_or_forged_version_is_refused(client, db, place, staff_a, report):
    """A post without the version (or with a wrong one) cannot overwrite."""
    assert MESSAGE in text(client.post(f"/reports/{report}/edit", data=report_data(voters_present="41")))
    assert MESSAGE in text(client.post(f"/reports/{report}/edit", data=report_data(version="x")))
    db.session.expire_all()
    assert db.session.get(DutyReport, report).voters_present == 40
