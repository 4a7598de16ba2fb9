"""``liaison seed``: fill a database with a fictional district for demos and trials."""
import click

from liaison.seed.demo import demo_command
from liaison.seed.synthetic import synthetic_command


@click.group("seed")
def seed_cli():
    """Fill the database with fictional data."""


seed_cli.add_command(demo_command)
seed_cli.add_command(synthetic_command)
