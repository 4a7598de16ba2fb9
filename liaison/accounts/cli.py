"""``liaison users``: create accounts and reset passwords from the command line."""
import click
import sqlalchemy as sa

from liaison.accounts import operations
from liaison.accounts.models import Role, User
from liaison.errors import InvalidInput
from liaison.extensions import db
from liaison.text import normalize_mobile
from liaison.townships.models import Township


@click.group("users")
def users_cli():
    """Manage accounts (账号)."""


@users_cli.command("create")
@click.option("--mobile", required=True, help="Mobile number; it is the sign-in name.")
@click.option("--name", required=True, help="The person's name as shown in the product.")
@click.option("--role", "roles", required=True, multiple=True, type=click.Choice([r.value for r in Role]),
              help="Role; repeat for several (township_staff = 乡镇人大专干, committee = 区人大常委会).")
@click.option("--township", "townships", multiple=True,
              help="Township (乡镇/街道) name a township_staff account may see; repeat for several.")
@click.password_option(help="Password (asked for when not given).")
def create_user(mobile, name, roles, townships, password):
    """Create a staff account with a password."""
    found = []
    for township_name in townships:
        township = db.session.scalar(sa.select(Township).where(Township.name == township_name))
        if township is None:
            raise click.BadParameter(f"no township named {township_name!r}", param_hint="--township")
        found.append(township)
    role_set = {Role(r) for r in roles}
    if Role.deputy in role_set:
        raise click.BadParameter("deputy accounts come with their mandate; create the deputy instead",
                                 param_hint="--role")
    try:
        user = operations.create_user(mobile, name, role_set, found, password=password)
    except InvalidInput as error:
        db.session.rollback()
        raise click.ClickException(str(error.message)) from None
    db.session.commit()
    click.echo(f"created user {user.id} ({user.mobile})")


@users_cli.command("set-password")
@click.argument("mobile")
@click.password_option(help="New password (asked for when not given).")
def set_password(mobile, password):
    """Set a new password for the account signing in with MOBILE; its sessions end."""
    user = db.session.scalar(sa.select(User).where(User.mobile == normalize_mobile(mobile)))
    if user is None:
        raise click.ClickException(f"no account with mobile {mobile}")
    try:
        operations.set_password(user, password)
    except InvalidInput as error:
        db.session.rollback()
        raise click.ClickException(str(error.message)) from None
    db.session.commit()
    click.echo(f"password set for user {user.id}")
