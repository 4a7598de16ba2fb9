"""The ``liaison`` console command: the Flask CLI bound to the app factory."""
import os

import click
from flask.cli import FlaskGroup


def _create_app():
    from liaison import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False, load_dotenv=False)
def main():
    """Run and manage the deputy liaison platform (代表之家/代表联络站).

    Configuration comes from LIAISON_* environment variables; see .env.example.
    """
    os.environ.setdefault("FLASK_APP", "liaison")
