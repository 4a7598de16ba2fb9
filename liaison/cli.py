"""The ``liaison`` console command: the Flask CLI bound to the app factory."""
import os

import click
from flask.cli import FlaskGroup, ScriptInfo

#: What ``liaison --help`` loads the app for: listing the commands.
LISTING = "--help"

#: Commands that start without the stored-zone check (rule R2): ``zone`` repairs what it would refuse,
#: ``db`` migrates the schema, ``backup`` and ``restore`` copy the database whatever its zone, and
#: the list of commands shows them all.
UNCHECKED_COMMANDS = frozenset({"zone", "db", "backup", "restore", LISTING})


class LiaisonGroup(FlaskGroup):
    """Flask's group, remembering which command is being looked up so the app knows what it is for."""

    def get_command(self, ctx, name):
        ctx.ensure_object(ScriptInfo).data["command"] = name
        return super().get_command(ctx, name)

    def list_commands(self, ctx):
        ctx.ensure_object(ScriptInfo).data.setdefault("command", LISTING)
        return super().list_commands(ctx)


def _create_app():
    from liaison import create_app
    from liaison.zone.operations import ZoneMismatch

    ctx = click.get_current_context(silent=True)
    info = ctx.find_object(ScriptInfo) if ctx is not None else None
    command = info.data.get("command") if info is not None else None
    try:
        return create_app(check_zone=command not in UNCHECKED_COMMANDS)
    except ZoneMismatch as error:
        raise click.ClickException(str(error)) from None


@click.group(cls=LiaisonGroup, create_app=_create_app, add_version_option=False, load_dotenv=False)
def main():
    """Run and manage the deputy liaison platform (代表之家/代表联络站).

    Configuration comes from LIAISON_* environment variables; see .env.example.
    """
    os.environ.setdefault("FLASK_APP", "liaison")
