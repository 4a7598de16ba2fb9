"""Configuration: production refuses to run without a real secret; development has safe defaults."""
import os
import secrets

import pytest

from liaison import PROJECT_ROOT, create_app
from liaison.config import DEVELOPMENT_SECRET, SECRET_MIN_LENGTH, ConfigError
from liaison.extensions import db


def test_production_refuses_to_start_without_a_secret(monkeypatch, tmp_path):
    monkeypatch.delenv("LIAISON_SECRET_KEY", raising=False)
    monkeypatch.setenv("LIAISON_ENV", "production")
    monkeypatch.setenv("LIAISON_DATABASE_URL", "sqlite:///" + str(tmp_path / "x.db"))
    with pytest.raises(ConfigError, match="LIAISON_SECRET_KEY"):
        create_app()


def test_production_refuses_the_public_development_secret(monkeypatch, tmp_path):
    monkeypatch.setenv("LIAISON_ENV", "production")
    monkeypatch.setenv("LIAISON_SECRET_KEY", DEVELOPMENT_SECRET)
    monkeypatch.setenv("LIAISON_DATABASE_URL", "sqlite:///" + str(tmp_path / "x.db"))
    with pytest.raises(ConfigError):
        create_app()


def test_development_defaults(monkeypatch):
    for name in ("LIAISON_SECRET_KEY", "LIAISON_DATABASE_URL", "LIAISON_TIMEZONE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LIAISON_ENV", "development")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("liaison.db")
    assert app.config["LIAISON_TIMEZONE"] == "Asia/Shanghai"
    assert app.config["BABEL_DEFAULT_LOCALE"] == "zh_CN"


def _production(monkeypatch, tmp_path, secret):
    """Set up the environment of a production start with ``secret`` as the key."""
    monkeypatch.setenv("LIAISON_ENV", "production")
    monkeypatch.setenv("LIAISON_SECRET_KEY", secret)
    monkeypatch.setenv("LIAISON_DATABASE_URL", "sqlite:///" + str(tmp_path / "x.db"))


def _sample_secret():
    """LIAISON_SECRET_KEY exactly as deploy/liaison.env ships it."""
    sample = os.path.join(PROJECT_ROOT, "deploy", "liaison.env")
    with open(sample, encoding="utf-8") as handle:
        values = dict(line.strip().split("=", 1) for line in handle if line.strip() and not line.startswith("#"))
    return values["LIAISON_SECRET_KEY"]


@pytest.mark.parametrize("secret", [
    _sample_secret(),
    "CHANGE-ME-" + "x" * 40,
    "x",
    "a" * (SECRET_MIN_LENGTH - 1),
])
def test_production_refuses_sample_and_short_secrets_and_says_how_to_make_one(monkeypatch, tmp_path, secret):
    """The sample key from deploy/liaison.env, a longer one still holding CHANGE-ME, ``x`` and
    31 characters all stop the start, and the message gives the command that makes a good key."""
    _production(monkeypatch, tmp_path, secret)
    with pytest.raises(ConfigError) as refused:
        create_app()
    assert "LIAISON_SECRET_KEY" in str(refused.value)
    assert "python -c 'import secrets; print(secrets.token_urlsafe(48))'" in str(refused.value)


def test_production_starts_with_a_generated_secret(monkeypatch, tmp_path):
    """A key made the way the message says (64 characters) is accepted; so is exactly 32."""
    for secret in (secrets.token_urlsafe(48), secrets.token_hex(16)):
        _production(monkeypatch, tmp_path, secret)
        app = create_app()
        assert app.config["SECRET_KEY"] == secret
        with app.app_context():
            db.engine.dispose()
