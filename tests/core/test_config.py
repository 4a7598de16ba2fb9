"""Configuration: production refuses to run without a real secret; development has safe defaults."""
import pytest

from liaison import create_app
from liaison.config import DEVELOPMENT_SECRET, ConfigError


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
