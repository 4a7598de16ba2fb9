"""Roster import through `liaison import roster`: all or nothing, idempotent, people kept across terms."""
import time
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from liaison.accounts.models import Role, User
from liaison.deputies.models import Deputy, EndReason, Mandate
from liaison.extensions import db
from tests import factories
from tests.imports.conftest import counts, import_events, roster_row, run_cli, workbook_bytes


@pytest.fixture()
def write_file(tmp_path):
    """``write_file(rows, **kw)`` saves a roster workbook and returns its path."""

    def write(rows, name="roster.xlsx", **kw):
        """Save the workbook under ``name``."""
        path = tmp_path / name
        path.write_bytes(workbook_bytes(rows, **kw))
        return str(path)

    return write


def _deputy(mobile):
    """The stored person with that mobile number."""
    return db.session.scalar(sa.select(Deputy).where(Deputy.mobile == mobile))


def test_500_rows_with_a_bad_mobile_in_row_317_write_nothing_and_name_the_row(app, network, write_file):
    """Row 317 (as Excel numbers it, under the header in row 1) has a 10-digit number: nothing is written."""
    rows = [roster_row(n) for n in range(1, 501)]
    rows[315]["手机号码"] = "1380000000"  # data row 316 is Excel row 317
    before = counts()
    result = run_cli(app, "roster", write_file(rows))
    assert result.exit_code == 1, result.output
    assert "第 317 行「手机号码」：1380000000 不是 11 位手机号码" in result.output
    assert "发现 1 个问题，名单未导入" in result.output
    assert counts() == before
    assert import_events() == []


def test_a_good_file_imports_then_importing_it_again_changes_nothing(app, network, write_file):
    """500 new deputies with accounts awaiting activation; the second import reports 0 new, 0 updated."""
    path = write_file([roster_row(n) for n in range(1, 501)], title="2021 年区第八届代表名单")
    started = time.perf_counter()
    first = run_cli(app, "roster", path)
    elapsed = time.perf_counter() - started
    assert first.exit_code == 0, first.output
    assert "共 500 行：新增 500 人，更新 0 项，未变 0 项，新增代表资格 500 项。" in first.output
    after_first = counts()
    assert after_first["Deputy"] == 500 and after_first["Mandate"] == 500 and after_first["User"] == 500
    account = _deputy("13900000317").account
    assert account.has_role(Role.deputy) and account.password_hash is None  # awaiting activation
    assert elapsed < 60, f"500-row import took {elapsed:.1f} s"

    second = run_cli(app, "roster", path)
    assert second.exit_code == 0, second.output
    assert "新增 0 人，更新 0 项，未变 500 项，新增代表资格 0 项" in second.output
    after_second = counts()
    assert after_second["AuditEvent"] == after_first["AuditEvent"] + 1  # the import itself is audited
    assert {k: v for k, v in after_second.items() if k != "AuditEvent"} == \
           {k: v for k, v in after_first.items() if k != "AuditEvent"}
    details = sorted(e.detail for e in import_events())
    assert details[0].startswith("roster rows=500 new=0 updated=0 unchanged=500")
    assert details[1].startswith("roster rows=500 new=500 updated=0 unchanged=0 new_people=500")


def test_a_re_elected_deputy_keeps_the_person_record_and_account(app, network, write_file):
    """Known by mobile from the previous term: the new mandate goes on the same person and account."""
    old_term = factories.make_term(ordinal=7, name="区第七届", start_date=date(2016, 12, 1),
                                   end_date=date(2021, 11, 30))
    deputy = factories.make_deputy(name="王芳", mobile="13911112222")
    factories.make_mandate(deputy=deputy, term=old_term, township=network.chengguan)
    account = factories.make_user(roles={Role.deputy}, deputy=deputy)
    deputy_id, account_id = deputy.id, account.id
    users_before = counts()["User"]

    result = run_cli(app, "roster", write_file([roster_row(1, 姓名="王芳", 手机号码="139 1111 2222")]))
    assert result.exit_code == 0, result.output
    assert "新增 0 人，更新 0 项，未变 0 项，新增代表资格 1 项" in result.output
    deputy = db.session.get(Deputy, deputy_id)
    assert sorted(m.term.name for m in deputy.mandates) == ["区第七届", "区第八届"]
    assert deputy.account.id == account_id and deputy.account.password_hash  # still their own password
    assert counts()["User"] == users_before


def test_dates_in_every_accepted_form_and_as_excel_dates(app, network, write_file):
    """Typed 2022-03-05, 2022/3/5, 2022年3月5日, 2022.3.5 and real Excel dates all read as 5 March 2022."""
    forms = ["2022-03-05", "2022/3/5", "2022年3月5日", "2022.3.5", " 2022-3-5 ", datetime(2022, 3, 5),
             date(2022, 3, 5)]
    rows = [roster_row(n, 任职开始=value) for n, value in enumerate(forms, start=1)]
    rows.append(roster_row(50, 任职开始="2021/12/1", 任职结束="2023年6月30日", 终止原因="辞职被接受"))
    rows.append(roster_row(51, 任职开始=datetime(2021, 12, 1), 任职结束=datetime(2024, 1, 2), 终止原因="死亡"))
    result = run_cli(app, "roster", write_file(rows))
    assert result.exit_code == 0, result.output
    starts = {m.deputy.mobile: m for m in db.session.scalars(sa.select(Mandate))}
    for n in range(1, len(forms) + 1):
        mandate = starts[f"139{n:08d}"]
        assert mandate.start_date == date(2022, 3, 5)
        assert mandate.by_election  # started after the term did: a by-election
    ended = starts["13900000050"]
    assert (ended.start_date, ended.end_date, ended.end_reason) == (date(2021, 12, 1), date(2023, 6, 30),
                                                                   EndReason.resigned)
    assert not ended.by_election
    assert (starts["13900000051"].end_date, starts["13900000051"].end_reason) == (date(2024, 1, 2),
                                                                                 EndReason.died)


def test_malformed_and_impossible_dates_are_named(app, network, write_file):
    """A date that is not one, or a day that does not exist, is reported with its row and column."""
    rows = [roster_row(1, 任职开始="2021-13-01"), roster_row(2, 任职开始="十二月一日"), roster_row(3, 任职开始=None)]
    result = run_cli(app, "roster", write_file(rows))
    assert result.exit_code == 1
    assert "第 2 行「任职开始」：“2021-13-01”不是有效的日期（没有这一天）。" in result.output
    assert "第 3 行「任职开始」：“十二月一日”不是日期。" in result.output
    assert "第 4 行「任职开始」：必须填写。" in result.output
    assert counts()["Deputy"] == 0


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x","y")', "+1", "@SUM(A1)", "-2+3"])
def test_names_that_look_like_formulas_are_stored_as_the_cell_text(app, network, write_file, name):
    """A name is a name: the stored Deputy.name equals the cell's text exactly."""
    result = run_cli(app, "roster", write_file([roster_row(1, 姓名=name)]))
    assert result.exit_code == 0, result.output
    assert _deputy("13900000001").name == name
    assert _deputy("13900000001").account.name == name


def test_changed_fields_are_updated_and_listed(app, network, write_file):
    """A corrected name, a moved district and an early end are updated; other rows stay untouched."""
    first = write_file([roster_row(1), roster_row(2)], name="first.xlsx")
    assert run_cli(app, "roster", first).exit_code == 0
    changed = write_file([roster_row(1, 姓名="代表一", 选区="第二选区", 任职结束="2024-05-01", 终止原因="迁出"),
                          roster_row(2)], name="second.xlsx")
    result = run_cli(app, "roster", changed)
    assert result.exit_code == 0, result.output
    assert "新增 0 人，更新 1 项，未变 1 项" in result.output
    assert "姓名：代表1 → 代表一" in result.output and "选区：第一选区 → 第二选区" in result.output
    deputy = _deputy("13900000001")
    mandate = deputy.mandates[0]
    assert (deputy.name, deputy.account.name) == ("代表一", "代表一")
    assert mandate.electoral_district.name == "第二选区" and mandate.township.name == "城关镇"
    assert (mandate.end_date, mandate.end_reason) == (date(2024, 5, 1), EndReason.moved_away)
    assert "未变 2 项" in run_cli(app, "roster", changed).output


def test_blank_optional_cells_keep_what_is_recorded(app, network, write_file):
    """Blank 民族, 联络站, 代表之家 and end cells do not erase the stored ones."""
    assert run_cli(app, "roster", write_file([roster_row(1, 民族="回族", 任职结束="2024-05-01",
                                                          终止原因="辞职被接受")])).exit_code == 0
    result = run_cli(app, "roster", write_file([roster_row(1, 民族=None, 联络站=None, 代表之家=None)],
                                               name="blank.xlsx"))
    assert "未变 1 项" in result.output, result.output
    mandate = _deputy("13900000001").mandates[0]
    assert _deputy("13900000001").ethnicity == "回族"
    assert mandate.station.name == "城关第一联络站" and mandate.home.name == "城关镇代表之家"
    assert mandate.end_reason is EndReason.resigned


def test_city_township_and_full_term_names_are_found(app, network, write_file):
    """市 deputies have no district; 乡镇 terms are found with the township; 届次 as 15, 十八 or a full name."""
    rows = [
        roster_row(1, 层级="市", 届次=15, 选区=None, 联络站=None, 任职开始="2022-01-10"),
        roster_row(2, 层级="乡镇", 届次="十八", 选区="镇第一选区", 联络站=None, 任职开始="2021-11-20"),
        roster_row(3, 层级="区级", 届次="区第八届", 联络站=None, 代表之家="安平街道代表之家",
                   **{"乡镇（街道）": "安平街道"}),
        roster_row(1, 层级="区", 届次="8"),  # the same person, also a 区 deputy
    ]
    result = run_cli(app, "roster", write_file(rows))
    assert result.exit_code == 0, result.output
    assert "新增 3 人，更新 0 项，未变 0 项，新增代表资格 4 项" in result.output
    terms = sorted(m.term.name for m in _deputy("13900000001").mandates)
    assert terms == ["区第八届", "市第十五届"]
    assert _deputy("13900000002").mandates[0].term.name == "城关镇第十八届"
    assert _deputy("13900000003").mandates[0].electoral_district.township.name == "安平街道"


def test_rows_that_disagree_with_each_other_are_refused(app, network, write_file):
    """One mobile with two names, or one person twice in a term: both rows named, nothing written."""
    rows = [roster_row(1), roster_row(2), roster_row(1, 姓名="别人", 层级="市", 届次=15, 选区=None),
            roster_row(2, 选区="第二选区")]
    result = run_cli(app, "roster", write_file(rows))
    assert result.exit_code == 1
    assert "第 4 行「姓名」：手机号码 139****0001 在第 2 行登记的姓名是“代表1”" in result.output
    assert "第 5 行「届次」：与第 3 行重复：同一人在 区第八届 只能有一项代表资格，请合并为一行。" in result.output
    assert counts()["Deputy"] == 0


def test_domain_rules_name_their_row_and_column(app, network, write_file):
    """Districts, terms, places and dates follow the same rules as the mandate form."""
    rows = [
        roster_row(1, 选区=None),  # 区 deputies need a district
        roster_row(2, 层级="市", 届次=15, 选区="第一选区", 任职开始="2022-01-10"),  # 市 deputies have none
        roster_row(3, 任职开始="2021-01-01"),  # before the term
        roster_row(4, 联络站="城关镇代表之家"),  # a home in the station column
        roster_row(5, 选区="第一选区", 联络站="城关第一联络站", 代表之家=None,
                   **{"乡镇（街道）": "安平街道"}),
        roster_row(6, **{"乡镇（街道）": "不存在镇"}),
        roster_row(7, 届次="第九届"),
        roster_row(8, 任职结束="2027-01-01", 终止原因="死亡"),  # after the term's end
        roster_row(9, 任职结束="2024-01-01"),  # no reason
        roster_row(10, 性别="未知", 民族="火星族", 层级="省"),
        roster_row(11, 终止原因="丧失"),  # ambiguous
    ]
    result = run_cli(app, "roster", write_file(rows))
    out = result.output
    assert result.exit_code == 1
    assert "第 2 行「选区」：区级人大代表由选区直接选举产生，请选择选区。" in out
    assert "第 3 行「选区」：市人大代表由人民代表大会选举产生，没有选区，请将此格留空。" in out
    assert "第 4 行「任职开始」：任职开始日期应在 区第八届 的任期内（2021-12-01 至 2026-12-31）。" in out
    assert "第 5 行「联络站」：“城关镇代表之家”是代表之家，不是代表联络站。" in out
    assert "第 6 行「联络站」：“城关第一联络站”在 城关镇，不在 安平街道。" in out
    assert "第 7 行「乡镇（街道）」：没有名为“不存在镇”的乡镇（街道）。" in out
    assert "第 8 行「届次」：系统中没有 区第九届。" in out
    assert "第 9 行「任职结束」：任职结束日期不能晚于 区第八届 的届满日期（2026-12-31）" in out
    assert "第 10 行「终止原因」：填写了任职结束日期，请同时填写终止原因" in out
    assert "第 11 行「性别」：“未知”不是性别。" in out and "第 11 行「民族」：“火星族”不是民族名称。" in out
    assert "第 11 行「层级」：“省”不是层级。" in out
    assert "第 12 行「终止原因」：“丧失”不是代表法规定的终止原因。" in out
    assert counts()["Deputy"] == 0


def test_headers_are_matched_by_name_with_spaces_and_half_width_brackets(app, network, write_file):
    """Columns in another order, ' 姓名 ', 乡镇(街道) and a missing optional column still import."""
    headers = ["手机号码", " 姓名 ", "性别", "层级", "届次", "乡镇(街道)", "选区", "任职开始", "备注"]
    row = {"手机号码": "+86 139-0000-0001", " 姓名 ": "甲", "性别": "男", "层级": "区", "届次": 8,
           "乡镇(街道)": "城关镇", "选区": "第一选区", "任职开始": date(2021, 12, 1), "备注": "随便写"}
    result = run_cli(app, "roster", write_file([row], headers=headers))
    assert result.exit_code == 0, result.output
    assert _deputy("13900000001").name == "甲"


def test_a_file_without_the_required_headers_is_refused(app, network, write_file):
    """Missing columns are listed by name."""
    result = run_cli(app, "roster", write_file([{"姓名": "甲", "手机号码": "13900000001"}],
                                               headers=["姓名", "手机号码"]))
    assert result.exit_code == 1
    assert "表头缺少这些列：性别、层级、届次、乡镇（街道）、任职开始。" in result.output


def test_dry_run_prints_the_report_and_writes_nothing(app, network, write_file):
    """--dry-run checks, prints what would change and leaves the database as it was."""
    before = counts()
    result = run_cli(app, "roster", write_file([roster_row(1), roster_row(2)]), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "新增 2 人，更新 0 项，未变 0 项，新增代表资格 2 项" in result.output
    assert "dry run: nothing written" in result.output
    assert counts() == before


def test_a_csv_without_the_required_columns_is_refused_by_the_cli(app, network, tmp_path):
    """The command reads a CSV as the pages do (issue 15), and refuses a partial header."""
    path = tmp_path / "roster.xlsx"
    path.write_text("姓名,手机号码\n张三,13900000001\n", encoding="utf-8")
    result = run_cli(app, "roster", str(path))
    assert result.exit_code == 1 and "表头缺少这些列：性别、层级、届次、乡镇（街道）、任职开始" in result.output
    assert counts()["Deputy"] == 0


def test_a_rule_failing_while_writing_rolls_everything_back(app, network, write_file, monkeypatch):
    """If the operations refuse a row while writing, earlier rows of the same import are not kept."""
    from liaison.errors import InvalidInput
    from liaison.imports import operations

    real = operations.create_mandate

    def refuse_third(deputy, **fields):
        """Refuse the third person, as a concurrent change would."""
        if deputy.mobile == "13900000003":
            raise InvalidInput("已被并发修改", "station_id")
        return real(deputy, **fields)

    monkeypatch.setattr(operations, "create_mandate", refuse_third)
    result = run_cli(app, "roster", write_file([roster_row(n) for n in range(1, 6)]))
    assert result.exit_code == 1
    assert "第 4 行「联络站」：已被并发修改" in result.output
    assert counts()["Deputy"] == 0 and counts()["User"] == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0
