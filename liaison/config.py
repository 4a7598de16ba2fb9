"""Configuration read from LIAISON_* environment variables, with safe development defaults."""
import os
from datetime import timedelta


class ConfigError(RuntimeError):
    """The configuration cannot run safely (for example, production without a secret key)."""


#: The secret used when none is configured; only development and testing accept it.
DEVELOPMENT_SECRET = "liaison-development-only-secret"

#: Production secrets shorter than this are refused: a short key can be guessed offline from one
#: signed cookie, and whoever has the key signs sessions and kiosk tokens.
SECRET_MIN_LENGTH = 32

#: Placeholders from the sample files (deploy/liaison.env ships CHANGE-ME): refused wherever they appear.
SAMPLE_SECRET_MARKERS = ("change-me", "changeme", "change_me")

#: How to make a key, printed with every refusal.
SECRET_HOWTO = "Make one with: python -c 'import secrets; print(secrets.token_urlsafe(48))'"


def _env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _smtp_tls(value):
    """Read LIAISON_SMTP_TLS: starttls, ssl or none (a yes/no value means starttls/none)."""
    value = (value or "").strip().lower()
    if value in {"starttls", "ssl", "none"}:
        return value
    if value in {"1", "true", "yes", "on"}:
        return "starttls"
    if value in {"0", "false", "no", "off", ""}:
        return "none"
    raise ConfigError(f"LIAISON_SMTP_TLS must be starttls, ssl or none, not {value!r}")


def _sms_templates(value):
    """Read LIAISON_SMS_TEMPLATES: ``kind=template_id`` pairs, comma-separated; ``default`` for the rest."""
    templates = {}
    for part in (value or "").split(","):
        if not part.strip():
            continue
        kind, sep, template = part.partition("=")
        if not sep or not kind.strip() or not template.strip():
            raise ConfigError(f"LIAISON_SMS_TEMPLATES: {part.strip()!r} is not kind=template_id")
        templates[kind.strip()] = template.strip()
    return templates


def _check_production_secret(secret):
    """Refuse a secret anyone could know or guess: the development one, a sample, a short one."""
    secret = str(secret)
    if secret == DEVELOPMENT_SECRET:
        problem = "is the public development secret"
    elif any(marker in secret.lower() for marker in SAMPLE_SECRET_MARKERS):
        problem = "is still the placeholder from the sample configuration (CHANGE-ME)"
    elif len(secret) < SECRET_MIN_LENGTH:
        problem = f"is shorter than {SECRET_MIN_LENGTH} characters"
    else:
        return
    raise ConfigError(f"LIAISON_SECRET_KEY {problem}; production refuses to start with it. {SECRET_HOWTO}")


def load_config(instance_path, overrides=None):
    """Build the config dict for one app from the environment, then apply ``overrides``.

    ``LIAISON_ENV`` is ``production`` (the default under gunicorn), ``development`` or
    ``testing``; only the latter two run without ``LIAISON_SECRET_KEY``.
    """
    overrides = dict(overrides or {})
    env = overrides.pop("ENV", None) or os.environ.get("LIAISON_ENV", "production")
    default_db = "sqlite:///" + os.path.join(instance_path, "liaison.db")
    config = {
        "LIAISON_ENV": env,
        "TESTING": env == "testing",
        "SECRET_KEY": os.environ.get("LIAISON_SECRET_KEY"),
        "SQLALCHEMY_DATABASE_URI": os.environ.get("LIAISON_DATABASE_URL", default_db),
        # Errors and logs never show a statement's values (names, phone numbers).
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
        #: Calendar periods (month, quarter, year) are counted in this zone.
        "LIAISON_TIMEZONE": os.environ.get("LIAISON_TIMEZONE", "Asia/Shanghai"),
        #: Base URL printed into station QR codes; phones must be able to reach it.
        "LIAISON_PUBLIC_URL": os.environ.get("LIAISON_PUBLIC_URL", "http://127.0.0.1:5000"),
        #: Show the demo accounts on the login page (only for a seeded demo database).
        "LIAISON_DEMO": _env_bool("LIAISON_DEMO"),
        "LIAISON_ACTIVATION_DAYS": 7,
        #: Seconds a kiosk QR token stays valid (the screen shows a new one every 20 s).
        "LIAISON_KIOSK_TOKEN_SECONDS": int(os.environ.get("LIAISON_KIOSK_TOKEN_SECONDS", 60)),
        #: Hours a kiosk screen keeps working after the staff member who opened it signs out.
        "LIAISON_KIOSK_DISPLAY_HOURS": int(os.environ.get("LIAISON_KIOSK_DISPLAY_HOURS", 12)),
        #: Scan mode (扫代表码): a scan reaching the server longer than this after the device read the
        #: code waits for staff (待核实) instead of counting at its scan time (rule R37).
        "LIAISON_SCAN_MAX_AGE_HOURS": int(os.environ.get("LIAISON_SCAN_MAX_AGE_HOURS", 24)),
        #: Sign-in throttling: failures an account takes before each further try waits (BACKOFF_SECONDS,
        #: doubling, at most LOCK_MINUTES); failures per client address in LOCK_MINUTES that lock the
        #: address for LOCK_MINUTES; distinct addresses failing on one account that alert the committee.
        "LIAISON_LOGIN_MAX_FAILURES": int(os.environ.get("LIAISON_LOGIN_MAX_FAILURES", 5)),
        "LIAISON_LOGIN_MAX_FAILURES_PER_ADDRESS": int(os.environ.get("LIAISON_LOGIN_MAX_FAILURES_PER_ADDRESS", 30)),
        "LIAISON_LOGIN_LOCK_MINUTES": int(os.environ.get("LIAISON_LOGIN_LOCK_MINUTES", 15)),
        "LIAISON_LOGIN_BACKOFF_SECONDS": int(os.environ.get("LIAISON_LOGIN_BACKOFF_SECONDS", 30)),
        "LIAISON_LOGIN_ALERT_ADDRESSES": int(os.environ.get("LIAISON_LOGIN_ALERT_ADDRESSES", 5)),
        #: 忘记密码 (rule R35): requests (an SMS code or a request to township staff) per number and per
        #: client address in a window of minutes, counted alike for unknown numbers; the code's life in
        #: minutes; wrong codes per address in the window.
        "LIAISON_RESET_MAX_PER_NUMBER": int(os.environ.get("LIAISON_RESET_MAX_PER_NUMBER", 3)),
        "LIAISON_RESET_MAX_PER_ADDRESS": int(os.environ.get("LIAISON_RESET_MAX_PER_ADDRESS", 10)),
        "LIAISON_RESET_WINDOW_MINUTES": int(os.environ.get("LIAISON_RESET_WINDOW_MINUTES", 60)),
        "LIAISON_RESET_CODE_MINUTES": int(os.environ.get("LIAISON_RESET_CODE_MINUTES", 10)),
        "LIAISON_RESET_WRONG_CODES_PER_ADDRESS": int(os.environ.get("LIAISON_RESET_WRONG_CODES_PER_ADDRESS", 20)),
        #: Opinions (民意) left on public pages: at most this many per client address per window, and
        #: lookups of numbers that do not exist (guessing) per address per window.
        "LIAISON_OPINION_MAX_PER_ADDRESS": int(os.environ.get("LIAISON_OPINION_MAX_PER_ADDRESS", 5)),
        "LIAISON_OPINION_LOOKUP_MISSES": int(os.environ.get("LIAISON_OPINION_LOOKUP_MISSES", 20)),
        "LIAISON_OPINION_WINDOW_MINUTES": int(os.environ.get("LIAISON_OPINION_WINDOW_MINUTES", 60)),
        # Days a constituent's phone number is kept after the opinion closes (rule R29), at least one.
        "LIAISON_OPINION_PHONE_RETENTION_DAYS": max(
            1, int(os.environ.get("LIAISON_OPINION_PHONE_RETENTION_DAYS", 180))),
        #: Staff are signed out after this many idle minutes (deputies keep their phone sign-in).
        "LIAISON_STAFF_IDLE_MINUTES": int(os.environ.get("LIAISON_STAFF_IDLE_MINUTES", 30)),
        #: Exports and phone-number reveals ask for the password again after this many minutes.
        "LIAISON_REAUTH_MINUTES": 10,
        #: Audit events older than this are pruned by `liaison audit prune` (at least 180 days).
        "LIAISON_AUDIT_RETENTION_DAYS": max(180, int(os.environ.get("LIAISON_AUDIT_RETENTION_DAYS", 1095))),
        #: Number of reverse proxies in front of the app whose X-Forwarded-For may be trusted.
        "LIAISON_PROXY_COUNT": int(os.environ.get("LIAISON_PROXY_COUNT", 0)),
        #: Days of the month (comma-separated, 1-31 or "last") when deputies who have not visited a
        #: station get the month-end reminder (月进站); it is sent once per deputy and month.
        "LIAISON_MONTH_END_REMINDER_DAYS": os.environ.get("LIAISON_MONTH_END_REMINDER_DAYS", "25"),
        #: The same for 季回家, in the last month of each quarter (March, June, September, December).
        "LIAISON_QUARTER_END_REMINDER_DAYS": os.environ.get("LIAISON_QUARTER_END_REMINDER_DAYS", "25"),
        #: A rota should be published (公示) at least this many days before its first slot; publishing
        #: later is allowed, with a warning.
        "LIAISON_ROTA_NOTICE_DAYS": int(os.environ.get("LIAISON_ROTA_NOTICE_DAYS", 3)),
        #: From this many days before a month starts, township staff whose rota for it is not published
        #: get one reminder (publish_deadline_reminder).
        "LIAISON_ROTA_PUBLISH_REMINDER_DAYS": int(os.environ.get("LIAISON_ROTA_PUBLISH_REMINDER_DAYS", 7)),
        #: A job run still marked running this many minutes after it started is taken to be abandoned
        #: (its process died): the scheduler's catch-up and `liaison jobs run --retry` take it over.
        #: Keep it well above the longest run, or a slow run could be started a second time.
        "LIAISON_JOB_STALE_MINUTES": int(os.environ.get("LIAISON_JOB_STALE_MINUTES", 120)),
        #: Email delivery: off unless a host is set. TLS is "starttls" (port 587), "ssl" (465) or "none".
        "LIAISON_SMTP_HOST": os.environ.get("LIAISON_SMTP_HOST", ""),
        "LIAISON_SMTP_PORT": int(os.environ.get("LIAISON_SMTP_PORT", 587)),
        "LIAISON_SMTP_USER": os.environ.get("LIAISON_SMTP_USER", ""),
        "LIAISON_SMTP_PASSWORD": os.environ.get("LIAISON_SMTP_PASSWORD", ""),
        "LIAISON_SMTP_FROM": os.environ.get("LIAISON_SMTP_FROM") or os.environ.get("LIAISON_SMTP_USER", ""),
        "LIAISON_SMTP_TLS": _smtp_tls(os.environ.get("LIAISON_SMTP_TLS", "starttls")),
        #: Seconds one SMTP conversation may take; bounds a hanging relay (in the delivery job only).
        "LIAISON_SMTP_TIMEOUT": float(os.environ.get("LIAISON_SMTP_TIMEOUT", 15)),
        #: The SMS gateway: "outbox" (default: texts stay in an outbox committee staff read), "http"
        #: (HttpSmsGateway, the settings below), "none" (SMS off) or a dotted path to a gateway class.
        "LIAISON_SMS_GATEWAY": os.environ.get("LIAISON_SMS_GATEWAY", "outbox"),
        "LIAISON_SMS_URL": os.environ.get("LIAISON_SMS_URL", ""),
        #: Shared secret of the HMAC-SHA256 signature over each request body.
        "LIAISON_SMS_SECRET": os.environ.get("LIAISON_SMS_SECRET", ""),
        #: Pre-approved template ids per message kind: "default=SMS_1,rota_published=SMS_2".
        "LIAISON_SMS_TEMPLATES": _sms_templates(os.environ.get("LIAISON_SMS_TEMPLATES", "")),
        "LIAISON_SMS_TIMEOUT": float(os.environ.get("LIAISON_SMS_TIMEOUT", 10)),
        #: The scheduler's delivery job runs this often (seconds).
        "LIAISON_DELIVERY_INTERVAL_SECONDS": int(os.environ.get("LIAISON_DELIVERY_INTERVAL_SECONDS", 30)),
        #: A failed try waits this long before the next, doubling each time (capped at 6 hours) ...
        "LIAISON_DELIVERY_RETRY_SECONDS": int(os.environ.get("LIAISON_DELIVERY_RETRY_SECONDS", 60)),
        #: ... until this many tries have failed; then the delivery is marked failed for staff to retry.
        "LIAISON_DELIVERY_MAX_ATTEMPTS": int(os.environ.get("LIAISON_DELIVERY_MAX_ATTEMPTS", 8)),
        #: Folders for monthly bulletins, duty-report attachments and rosters waiting for confirmation;
        #: under instance/ when unset. App instances on several machines must share them (a network mount).
        "LIAISON_BULLETIN_FOLDER": os.environ.get("LIAISON_BULLETIN_FOLDER", ""),
        "LIAISON_ATTACHMENT_FOLDER": os.environ.get("LIAISON_ATTACHMENT_FOLDER", ""),
        "LIAISON_IMPORT_FOLDER": os.environ.get("LIAISON_IMPORT_FOLDER", ""),
        #: The monthly 通报 lists the townships whose 届内述职率 is below this percentage (1-100).
        "LIAISON_BULLETIN_THRESHOLD": int(os.environ.get("LIAISON_BULLETIN_THRESHOLD", 80)),
        "LIAISON_PAGE_SIZE": 20,
        #: SQLite only: how long a writer waits for the one write lock before "database is locked" (ms).
        "LIAISON_SQLITE_BUSY_TIMEOUT_MS": int(os.environ.get("LIAISON_SQLITE_BUSY_TIMEOUT_MS", 15000)),
        #: Serve the two yardstick endpoints of bench/checkin.py (never set this in a deployment).
        "LIAISON_BENCH_ENDPOINTS": _env_bool("LIAISON_BENCH_ENDPOINTS"),
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("LIAISON_TIMEZONE", "Asia/Shanghai"),
        "LIAISON_LANGUAGES": ["zh_CN", "en"],
        "BOOTSTRAP_SERVE_LOCAL": True,
        "BOOTSTRAP_BTN_SIZE": "md",
        # Deputies scan a station once a month: their sign-in on the phone slides for 60 days.
        "REMEMBER_COOKIE_DURATION": timedelta(days=60),
        # Sliding refresh for deputies only: see liaison.accounts.session.init_app.
        "REMEMBER_COOKIE_REFRESH_EACH_REQUEST": False,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=8),
        "WTF_CSRF_TIME_LIMIT": 3600 * 8,
        "MAX_CONTENT_LENGTH": 10 * 1024 * 1024,
    }
    if _env_bool("LIAISON_HTTPS"):
        config["SESSION_COOKIE_SECURE"] = True
        config["REMEMBER_COOKIE_SECURE"] = True
        config["PREFERRED_URL_SCHEME"] = "https"
    config.update(overrides)
    config["TESTING"] = config.get("TESTING") or config["LIAISON_ENV"] == "testing"

    if not config.get("SECRET_KEY"):
        if config["LIAISON_ENV"] in {"development", "testing"}:
            config["SECRET_KEY"] = DEVELOPMENT_SECRET
        else:
            raise ConfigError(
                "LIAISON_SECRET_KEY is not set. Production refuses to start without a real secret; "
                f"set LIAISON_ENV=development for a local trial. {SECRET_HOWTO}"
            )
    elif config["LIAISON_ENV"] not in {"development", "testing"}:
        _check_production_secret(config["SECRET_KEY"])

    if config["LIAISON_JOB_STALE_MINUTES"] < 1:
        raise ConfigError("LIAISON_JOB_STALE_MINUTES must be at least 1 (minutes; default 120).")

    _check_delivery(config)

    if config["LIAISON_SCAN_MAX_AGE_HOURS"] < 1:
        raise ConfigError("LIAISON_SCAN_MAX_AGE_HOURS must be at least 1 (hours; default 24).")

    if not 1 <= config["LIAISON_BULLETIN_THRESHOLD"] <= 100:
        raise ConfigError("LIAISON_BULLETIN_THRESHOLD must be a percentage from 1 to 100 (default 80).")

    if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # SQLite writers wait for each other instead of failing at once.
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 15}, "hide_parameters": True}
    elif config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # PostgreSQL's JIT compiles the large rate aggregates anew on every call: measured at 10,000
        # deputies it was two thirds of a dashboard page (2.6 s → 0.9 s without it, same figures).
        # This app runs many short statements, where JIT never pays for itself.
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **config["SQLALCHEMY_ENGINE_OPTIONS"], "connect_args": {"options": "-c jit=off"}}
    return config


def _check_delivery(config):
    """Refuse delivery settings that would lose or hammer messages."""
    if config["LIAISON_DELIVERY_MAX_ATTEMPTS"] < 1 or config["LIAISON_DELIVERY_RETRY_SECONDS"] < 1 \
            or config["LIAISON_DELIVERY_INTERVAL_SECONDS"] < 1:
        raise ConfigError("LIAISON_DELIVERY_MAX_ATTEMPTS, _RETRY_SECONDS and _INTERVAL_SECONDS "
                          "must be at least 1.")
    if (config.get("LIAISON_SMS_GATEWAY") or "").strip().lower() == "http":
        missing = [name for name in ("LIAISON_SMS_URL", "LIAISON_SMS_SECRET") if not config.get(name)]
        if missing or not config["LIAISON_SMS_TEMPLATES"]:
            raise ConfigError("LIAISON_SMS_GATEWAY=http needs LIAISON_SMS_URL, LIAISON_SMS_SECRET and "
                              "LIAISON_SMS_TEMPLATES (at least default=<template id>); missing: "
                              + ", ".join(missing or ["LIAISON_SMS_TEMPLATES"]))
