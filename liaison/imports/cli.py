"""``liaison import``: imports from spreadsheets on the command line."""
import os

import click
from flask_babel import lazy_gettext as _l

from liaison.errors import InvalidInput
from liaison.extensions import db
from liaison.imports.operations import RosterRejected, import_roster
from liaison.imports.roster import plan_roster
from liaison.uploads import checked_table_file


@click.group("import")
def import_cli():
    """Import data from .xlsx workbooks (导入)."""


@import_cli.command("roster")
@click.argument("file", type=click.File("rb"))
@click.option("--dry-run", is_flag=True,
              help="Check the file and print what would change (新增/更新/未变) without writing anything.")
def roster(file, dry_run):
    """Import a deputy roster (代表名单) from FILE, an .xlsx made from the template (or an export), or a
    CSV file in UTF-8 or GBK.

    Columns: 姓名, 性别, 民族, 手机号码, 层级 (全国/市/区/乡镇), 届次, 乡镇（街道）, 选区,
    联络站, 代表之家, 任职开始, 任职结束, 终止原因. People are matched by mobile number
    (手机号码) and mandates (代表资格) by person and term (届次), so importing a file twice
    changes nothing. Every row is checked first; if any row is invalid, the problems are
    printed with their row and column, nothing is written and the exit status is 1.
    """
    try:
        plan = plan_roster(checked_table_file(file))
    except InvalidInput as error:
        raise click.ClickException(str(error.message)) from None
    for note in plan.notes:
        click.echo(str(note), err=True)
    if plan.ok and not dry_run:
        try:
            import_roster(plan, os.path.basename(file.name or ""))
        except RosterRejected as rejected:
            plan.problems, plan.rows = rejected.problems, []
    if not plan.ok:
        db.session.rollback()
        for problem in plan.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(str(_not_imported(plan)))
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    for row in plan.changed_rows:
        click.echo(_row_line(row))
    click.echo(str(plan.summary))
    if dry_run:
        click.echo("dry run: nothing written")


def _not_imported(plan):
    """The closing line of a refused import."""
    return _l("发现 %(n)s 个问题，名单未导入。", n=len(plan.problems))


def _row_line(row):
    """One changed row as a line of the report."""
    parts = []
    if row.new_person:
        parts.append(str(_l("新增人员")))
    if row.action == "new":
        parts.append(str(_l("新增代表资格")))
    parts += [str(change.text) for change in row.person_changes + row.mandate_changes]
    return f"{row.number}\t{row.who}\t{row.term.name}\t{'；'.join(parts)}"
