"""The liaison platform: the application factory, read as a list of steps."""
import functools
import logging
import os

from flask import Flask, session
from werkzeug.middleware.proxy_fix import ProxyFix

from liaison.config import load_config

#: Top-level folders shared by every package.
PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def create_app(test_config=None, check_zone=True):
    """Create and configure one app; ``test_config`` overrides the environment (tests use it).

    With ``check_zone`` it refuses to start (``liaison.zone.operations.ZoneMismatch``) when the stored
    local dates were written in another zone than LIAISON_TIMEZONE (rule R2); the commands that
    repair or migrate the database start without it.
    """
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=os.path.join(PROJECT_ROOT, "templates"),
    )
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(load_config(app.instance_path, test_config))
    if app.config["LIAISON_PROXY_COUNT"]:
        # Trust exactly the configured number of proxies for the client address and scheme.
        n = app.config["LIAISON_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    configure_logging(app)
    register_extensions(app)
    register_security(app)
    register_blueprints(app)
    connect_features()
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    if check_zone:
        check_stored_zone(app)
    return app


def check_stored_zone(app):
    """Refuse to start on local dates stored in another zone than the configured one (rule R2)."""
    from liaison.zone.operations import check_zone_at_start

    with app.app_context():
        check_zone_at_start()


def configure_logging(app):
    """Log to stderr in a compact form; gunicorn collects it."""
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Alembic announces each of its plugins at INFO on every command; only its migrations matter.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def register_extensions(app):
    """Bind the extensions made bare in ``liaison.extensions``."""
    from liaison.extensions import babel, bootstrap, csrf, db, login_manager, migrate
    from liaison import i18n, sqlite
    # Imported for its session hooks: after-commit and after-rollback work (file cleanup).
    from liaison import transaction  # noqa: F401

    db.init_app(app)
    with app.app_context():
        sqlite.configure_engine(db.engine, app.config["LIAISON_SQLITE_BUSY_TIMEOUT_MS"])
    migrate.init_app(app, db, directory=os.path.join(PROJECT_ROOT, "migrations"))
    csrf.init_app(app)
    bootstrap.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    i18n.make_lazy_strings_text()

    from liaison.accounts import session as account_session

    account_session.init_login_manager(login_manager)
    login_manager.init_app(app)
    account_session.init_app(app)


def register_security(app):
    """Security headers on every response."""
    from liaison import security

    security.init_app(app)


def select_locale():
    """Chinese unless the user switched to another language in this session."""
    from flask import current_app, has_request_context

    chosen = session.get("lang") if has_request_context() else None
    if chosen in current_app.config["LIAISON_LANGUAGES"]:
        return _parsed_locale(chosen)
    return _parsed_locale(current_app.config["BABEL_DEFAULT_LOCALE"])


@functools.cache
def _parsed_locale(name):
    # Flask-Babel parses a name on every request, and Babel's check that the locale exists scans
    # every known locale (1-2 ms); a Locale object it takes as it is.
    from babel import Locale

    return Locale.parse(name)


def register_blueprints(app):
    """Import blueprints here, layer by layer (see docs/architecture.md), so packages never import the app."""
    from liaison.accounts import bp as accounts_bp
    from liaison.calendar import bp as calendar_bp
    from liaison.deputies import bp as deputies_bp
    from liaison.main import bp as main_bp
    from liaison.notifications import bp as notifications_bp
    from liaison.terms import bp as terms_bp
    from liaison.townships import bp as townships_bp

    from stations import bp as stations_bp
    from stations.checkin import bp as checkin_bp
    from stations.scanner import bp as scanner_bp

    from liaison.activities import bp as activities_bp
    from liaison.dashboard import bp as dashboard_bp
    from liaison.imports import bp as imports_bp
    from liaison.opinions import bp as opinions_bp
    from liaison.public import bp as public_bp
    from liaison.reports import bp as reports_bp
    from liaison.rota import bp as rota_bp
    from liaison.system import bp as system_bp

    for blueprint in (main_bp, accounts_bp, townships_bp, terms_bp, deputies_bp, calendar_bp, notifications_bp,
                      stations_bp, checkin_bp, scanner_bp,
                      reports_bp, rota_bp, activities_bp, dashboard_bp, imports_bp, opinions_bp, system_bp,
                      public_bp):
        app.register_blueprint(blueprint)

    if app.config["LIAISON_BENCH_ENDPOINTS"]:
        from liaison.benchpoints import bp as bench_bp

        app.register_blueprint(bench_bp)


def connect_features():
    """Connect the features that follow the network's changes from above it (rule R20): a mandate
    that ends or is suspended takes its deputy off the rota's slots, in the same transaction."""
    from liaison.deputies.operations import follow_mandates
    from liaison.rota.operations import release_places_of_mandate

    follow_mandates(release_places_of_mandate)


def register_errorhandlers(app):
    from liaison.errors import register_errorhandlers as register

    register(app)


def register_template_helpers(app):
    """Filters and globals the templates share."""
    from liaison import templating

    templating.init_app(app)


def register_commands(app):
    """The ``liaison`` CLI's own commands (``db`` and ``run`` come from Flask and Flask-Migrate)."""
    from liaison.accounts.cli import users_cli
    from liaison.audit.cli import audit_cli
    from liaison.backup import backup_command, restore_command
    from liaison.seed import seed_cli

    from liaison.jobs.cli import jobs_cli, scheduler_command

    for command in (jobs_cli, scheduler_command):
        app.cli.add_command(command)
    for command in (users_cli, audit_cli, seed_cli, backup_command, restore_command):
        app.cli.add_command(command)

    from liaison.dashboard.cli import export_cli

    app.cli.add_command(export_cli)

    from liaison.imports.cli import import_cli

    app.cli.add_command(import_cli)

    from liaison.zone.cli import zone_cli

    app.cli.add_command(zone_cli)


__all__ = ["create_app"]
