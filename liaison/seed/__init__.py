"""``liaison seed``: fill a database with a fictional district for demos and trials."""
import click


@click.group("seed")
def seed_cli():
    """Fill the database with fictional data."""
