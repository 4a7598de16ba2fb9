"""Rule R2: the zone is part of the stored data.

Check-ins and opinions written at 23:30 or 00:30 in Asia/Shanghai around the end of March 2024; the
configured zone then changes. The app refuses to start until ``liaison zone recompute`` has moved the
stored local dates and period keys, after which the month's 月进站 figure follows the new zone.
"""
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from flask.cli import ScriptInfo
from freezegun import freeze_time

from liaison.accounts.models import Role
from liaison.audit.models import AuditEvent
import liaison.cli
from liaison.cli import main
from liaison.extensions import db as _db
from liaison.opinions.models import Category, Channel, Opinion
from liaison.opinions.operations import receive_opinion
from liaison.rates import queries as rates
from liaison.zone.models import StoredZone
from liaison.zone.operations import ZoneMismatch, record_zone
from liaison.zone.queries import stored_zone
from stations.checkin.models import Checkin
from stations.checkin.queries import period_keys
from tests import factories
from tests.conftest import make_test_app
from tests.opinions.sample import make_station

SHANGHAI = "Asia/Shanghai"
MARCH, APRIL = 202403, 202404


@pytest.fixture()
def district(db):
    """A district deputy of 2024 with a 联络站, in a database whose zone is recorded as Shanghai."""
    term = factories.make_term(start_date=date(2021, 12, 1), end_date=date(2026, 11, 30))
    township = factories.make_township()
    station = make_station(term, township)
    deputy = factories.make_deputy()
    factories.make_mandate(deputy=deputy, term=term, township=township)
    staff = factories.make_user(roles=(Role.committee,))
    record_zone(SHANGHAI)
    db.session.commit()
    return term, station, deputy, staff


def _write(district, when):
    """A check-in and a staff-recorded opinion answered on the spot, both at ``when`` (product code)."""
    term, station, deputy, staff = district
    checkin = factories.make_checkin(deputy, station, when)
    with freeze_time(when.astimezone(timezone.utc)):
        opinion = receive_opinion(station, Channel.reception, Category.transport, "路口红绿灯时间太短，老人来不及。",
                                  by=staff, on_spot_reply="已请交警调整配时。")
    ids = checkin.id, opinion.id
    _db.session.commit()
    return ids


def _met(term):
    """月进站 met in March and April 2024 (district figure, rule R7)."""
    rows = rates.monthly_visits(2024, term.id, date(2024, 12, 31), group_by=None)
    return {row.period_key: row.met for row in rows if row.period_key in (MARCH, APRIL)}


def _starts(database_url, zone):
    """Create the app as gunicorn does, with LIAISON_TIMEZONE = ``zone``; dispose of it after."""
    _db.session.commit()  # the test's reads hold SQLite's lock (commands begin immediate)
    other = make_test_app(database_url, LIAISON_TIMEZONE=zone)
    with other.app_context():
        _db.engine.dispose()
    return other


@pytest.mark.parametrize("zone, when, before, after", [
    # 23:30 on 31 March in Shanghai is already 1 April in Tokyo.
    ("Asia/Tokyo", factories.local(2024, 3, 31, 23, 30), date(2024, 3, 31), date(2024, 4, 1)),
    # 00:30 on 1 April in Shanghai is still 31 March in UTC and in Urumqi.
    ("UTC", factories.local(2024, 4, 1, 0, 30), date(2024, 4, 1), date(2024, 3, 31)),
    ("Asia/Urumqi", factories.local(2024, 4, 1, 0, 30), date(2024, 4, 1), date(2024, 3, 31)),
])
def test_a_changed_zone_refuses_to_start_until_recomputed(app, db, database_url, district, monkeypatch,
                                                          zone, when, before, after):
    term = district[0]
    checkin_id, opinion_id = _write(district, when)
    month_before, month_after = before.year * 100 + before.month, after.year * 100 + after.month
    assert _met(term) == {month_before: 1, month_after: 0}

    with pytest.raises(ZoneMismatch) as refused:
        _starts(database_url, zone)
    message = str(refused.value)
    assert "liaison zone recompute" in message and SHANGHAI in message and zone in message

    monkeypatch.setitem(app.config, "LIAISON_TIMEZONE", zone)
    result = app.test_cli_runner().invoke(args=["zone", "recompute"])
    assert result.exit_code == 0, result.output
    assert f"已按时区 {zone} 重算（原记录：{SHANGHAI}）" in result.output
    assert "签到记录（本地日期、月份、季度）：改动 1 条" in result.output
    assert "民意接收日期和月份：改动 1 条" in result.output
    assert "民意答复日期：改动 1 条" in result.output and "民意登记日期：改动 1 条" in result.output

    db.session.expire_all()
    checkin = db.session.get(Checkin, checkin_id)
    assert (checkin.local_date, checkin.month_key, checkin.quarter_key) == (
        after, month_after, after.year * 10 + (after.month - 1) // 3 + 1)
    opinion = db.session.get(Opinion, opinion_id)
    assert (opinion.received_on, opinion.received_month) == (after, f"{after:%Y-%m}")
    assert opinion.replied_on == after and opinion.registered_on == after
    # The month's figure follows: the check-in now meets the other month's 月进站.
    assert _met(term) == {month_before: 0, month_after: 1}
    assert stored_zone().name == zone
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "zone.recomputed"))
    assert event.detail.startswith(f"{SHANGHAI} -> {zone}: checkins=1, opinions.received=1")
    _starts(database_url, zone)  # starts now

    # Running it again changes nothing.
    again = app.test_cli_runner().invoke(args=["zone", "recompute"])
    assert "签到记录（本地日期、月份、季度）：改动 0 条" in again.output


def test_the_command_line_refuses_but_zone_commands_run(app, db, database_url, district):
    """``liaison`` with another zone: ordinary commands stop with the message; ``zone show`` says why."""
    _write(district, factories.local(2024, 3, 31, 23, 30))
    env = {"LIAISON_ENV": "testing", "LIAISON_DATABASE_URL": database_url, "LIAISON_TIMEZONE": "Asia/Tokyo"}
    refused = CliRunner().invoke(main, ["jobs", "list"], env=env)
    assert refused.exit_code == 1
    assert "liaison zone recompute" in refused.output and "Traceback" not in refused.output
    made = []

    def create_app():  # the command line's own factory, keeping the app to close its connections
        made.append(liaison.cli._create_app())
        return made[-1]

    shown = CliRunner().invoke(main, ["zone", "show"], env=env, obj=ScriptInfo(create_app=create_app))
    listed = CliRunner().invoke(main, ["--help"], env=env, obj=ScriptInfo(create_app=create_app))
    for made_app in made:
        with made_app.app_context():
            _db.engine.dispose()
    assert listed.exit_code == 0 and "jobs" in listed.output and "zone" in listed.output
    assert shown.exit_code == 0, shown.output
    assert f"已存数据的时区：{SHANGHAI}" in shown.output
    assert "配置的时区（LIAISON_TIMEZONE）：Asia/Tokyo" in shown.output
    assert "签到 1 条，民意 1 条" in shown.output and "两者不同" in shown.output


def test_recompute_on_an_empty_database_records_the_zone(app, db, monkeypatch):
    assert stored_zone() is None  # emptied by the db fixture: nothing recorded
    monkeypatch.setitem(app.config, "LIAISON_TIMEZONE", "Asia/Urumqi")
    result = app.test_cli_runner().invoke(args=["zone", "recompute"])
    assert result.exit_code == 0, result.output
    assert "已按时区 Asia/Urumqi 重算（原记录：未记录）" in result.output
    assert "没有含本地日期的记录，只记录了时区。" in result.output
    assert stored_zone().name == "Asia/Urumqi"


def test_without_data_a_changed_zone_is_recorded_at_start(app, db, database_url):
    record_zone(SHANGHAI)
    db.session.commit()
    _starts(database_url, "UTC")
    db.session.expire_all()
    assert stored_zone().name == "UTC"


def test_a_failed_recompute_leaves_everything_as_it_was(app, db, database_url, district, monkeypatch):
    """The check-ins are updated first; the database then refuses the opinions' update: nothing is kept."""
    term = district[0]
    checkin_id, _ = _write(district, factories.local(2024, 3, 31, 23, 30))
    sqlite = db.engine.dialect.name == "sqlite"
    with db.engine.begin() as conn:
        if sqlite:
            conn.exec_driver_sql("CREATE TRIGGER zone_test_refuse BEFORE UPDATE ON opinions "
                                 "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END")
        else:
            conn.exec_driver_sql("CREATE FUNCTION zone_test_refuse() RETURNS trigger LANGUAGE plpgsql AS "
                                 "$$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$")
            conn.exec_driver_sql("CREATE TRIGGER zone_test_refuse BEFORE UPDATE ON opinions "
                                 "FOR EACH ROW EXECUTE FUNCTION zone_test_refuse()")
    monkeypatch.setitem(app.config, "LIAISON_TIMEZONE", "Asia/Tokyo")
    try:
        failed = app.test_cli_runner().invoke(args=["zone", "recompute"])
    finally:
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TRIGGER zone_test_refuse" + ("" if sqlite else " ON opinions"))
            if not sqlite:
                conn.exec_driver_sql("DROP FUNCTION zone_test_refuse()")
    assert failed.exit_code != 0 and "refused by the test" in str(failed.exception)
    db.session.expire_all()
    assert db.session.get(Checkin, checkin_id).month_key == MARCH
    assert stored_zone().name == SHANGHAI
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "zone.recomputed")) == 0
    assert _met(term)[MARCH] == 1
    with pytest.raises(ZoneMismatch):
        _starts(database_url, "Asia/Tokyo")
    # Nothing of the failed run is left in the way: the next run does it all.
    result = app.test_cli_runner().invoke(args=["zone", "recompute"])
    assert result.exit_code == 0, result.output
    assert db.session.get(Checkin, checkin_id).month_key == APRIL


def test_recomputed_dates_match_the_zone_across_daylight_saving(app, db, district, monkeypatch):
    """Every hour across both 2024 changes of New York's clocks: each stored local date and key is what
    the product writes for that instant in the new zone."""
    _, station, deputy, _ = district
    instants = [datetime(2024, 3, 9, tzinfo=timezone.utc) + timedelta(hours=h) for h in range(72)]
    instants += [datetime(2024, 11, 2, 0, 59, tzinfo=timezone.utc) + timedelta(hours=h) for h in range(72)]
    for when in instants:
        factories.make_checkin(deputy, station, when)
    db.session.commit()
    monkeypatch.setitem(app.config, "LIAISON_TIMEZONE", "America/New_York")
    result = app.test_cli_runner().invoke(args=["zone", "recompute"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    rows = db.session.execute(sa.select(Checkin.occurred_at, Checkin.local_date, Checkin.month_key,
                                        Checkin.quarter_key)).all()
    assert len(rows) == len(instants)
    with app.app_context():
        assert all(tuple(row[1:]) == period_keys(row.occurred_at) for row in rows)
    assert any(row.local_date != row.occurred_at.astimezone(ZoneInfo(SHANGHAI)).date() for row in rows)


def test_the_record_is_one_row(db):
    record_zone(SHANGHAI)
    record_zone("UTC")
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StoredZone)) == 1


def test_an_unknown_zone_is_refused_before_anything_is_written(app, db, district, monkeypatch):
    checkin_id, _ = _write(district, factories.local(2024, 3, 31, 23, 30))
    monkeypatch.setitem(app.config, "LIAISON_TIMEZONE", "Asia/Atlantis")
    result = app.test_cli_runner().invoke(args=["zone", "recompute"])
    assert result.exit_code == 1 and "LIAISON_TIMEZONE 不是有效的时区名称：Asia/Atlantis" in result.output
    assert stored_zone().name == SHANGHAI and db.session.get(Checkin, checkin_id).month_key == MARCH


def test_the_check_does_not_wait_behind_a_writer(app, db, database_url, district):
    """On SQLite a starting app reads the stored zone without the write lock: a long write elsewhere
    (here the test's own open transaction) neither delays nor defeats the refusal."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the write lock is SQLite's")
    _write(district, factories.local(2024, 3, 31, 23, 30))
    factories.make_township()  # holds the write lock until the rollback below
    try:
        with pytest.raises(ZoneMismatch):
            make_test_app(database_url, LIAISON_TIMEZONE="Asia/Tokyo", LIAISON_SQLITE_BUSY_TIMEOUT_MS=200)
    finally:
        db.session.rollback()
