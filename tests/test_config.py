"""The settings (workshop/core/config.py): read from the environment once, when the app is
made, each with its default; a value that cannot be used stops the start naming its
variable; and no module but the config reads the environment."""

from __future__ import annotations

import ast
from dataclasses import fields
from pathlib import Path

import pytest

from app import create_app
from workshop.audit import keep_days
from workshop.core.config import Config
from workshop.core.extensions import db
from workshop.web import fragments

ROOT = Path(__file__).resolve().parent.parent

# Entry points that run before any app exists and read only their own variables.
READ_BEFORE_THE_APP = {
    "workshop/core/config.py",  # the one place the app's settings are read
    "workshop/commands/lan.py",  # `make serve-lan`: PORT, and the environment it hands on
}


def started(url: str, **extra):
    return create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url, **extra})


def dispose(app) -> None:
    with app.app_context():
        db.engine.dispose()


def test_every_setting_names_its_variable_its_key_and_what_it_means():
    settings = fields(Config)
    assert all(s.metadata["variable"] and s.metadata["meaning"] for s in settings)
    assert len({s.metadata["key"] for s in settings}) == len(settings)


def test_settings_unset_or_blank_take_their_defaults():
    blank = {s.metadata["variable"]: "  " for s in fields(Config)}
    assert Config.from_environ({}) == Config() == Config.from_environ(blank)
    assert Config().audit_days == 730 and Config().ratelimit_enabled is True


def test_each_setting_is_read_from_its_variable():
    config = Config.from_environ(
        {
            "SECRET_KEY": "k",
            "SECURE_COOKIES": "Yes",
            "TRUSTED_PROXIES": "2",
            "DATABASE_URL": "postgres://u@h/d",
            "DATABASE_POOL_SIZE": "7",
            "SAMSKABT_PUBLIC_URL": "http://10.0.0.7:8000/",
            "SAMSKABT_RETENTION_DAYS": "365",
            "SAMSKABT_AUDIT_DAYS": "90",
            "SAMSKABT_FRAGMENT_MAX_AGE": "5",
            "RATELIMIT_ENABLED": "0",
            "RATELIMIT_JOIN": "1/minute",
            "SAMSKABT_OIDC_FJORDBY_SECRET": " s3cret ",
            "SAMSKABT_OIDC_EMPTY_SECRET": "",
            "SAMSKABT_SMTP_HOST": " smtp.fjordby.example ",
            "SAMSKABT_SMTP_PORT": "2525",
            "SAMSKABT_SMTP_SECURITY": "SSL",
            "SAMSKABT_SMTP_USER": "samskabt",
            "SAMSKABT_SMTP_PASSWORD": " pass word ",
            "SAMSKABT_SMTP_FROM": "Samskabt <samskabt@fjordby.example>",
        }
    )
    assert (config.secret_key, config.secure_cookies, config.trusted_proxies) == ("k", True, 2)
    assert (config.database_url, config.database_pool_size) == ("postgres://u@h/d", 7)
    assert config.public_url == "http://10.0.0.7:8000"
    assert (config.retention_days, config.audit_days, config.fragment_max_age) == (365, 90, 5.0)
    assert (config.ratelimit_enabled, config.ratelimit_join) == (False, "1/minute")
    assert config.oidc_secrets == {"SAMSKABT_OIDC_FJORDBY_SECRET": "s3cret"}
    assert (config.smtp_host, config.smtp_port, config.smtp_security) == (
        "smtp.fjordby.example",
        2525,
        "ssl",
    )
    assert (config.smtp_user, config.smtp_password) == ("samskabt", " pass word ")
    assert config.smtp_from == "Samskabt <samskabt@fjordby.example>"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DATABASE_POOL_SIZE", "many"),
        ("TRUSTED_PROXIES", "one"),
        ("SAMSKABT_AUDIT_DAYS", "0"),
        ("SAMSKABT_FRAGMENT_MAX_AGE", "a minute"),
        ("SAMSKABT_PUBLIC_URL", "192.168.1.23:8000"),
        ("SAMSKABT_SMTP_SECURITY", "tls-please"),
        ("SAMSKABT_SMTP_PORT", "70000"),
        ("SAMSKABT_SMTP_FROM", "samskabt at fjordby"),
    ],
)
def test_a_value_that_cannot_be_used_stops_the_start_naming_its_variable(variable, value):
    with pytest.raises(ValueError, match=variable):
        Config.from_environ({variable: value})


def test_the_voting_lists_time_in_memory_comes_from_the_environment(monkeypatch, database_url):
    monkeypatch.setenv("SAMSKABT_FRAGMENT_MAX_AGE", "5")
    app = started(database_url)
    try:
        assert fragments.of(app).max_age == 5.0
    finally:
        dispose(app)


def test_the_environment_is_read_once_when_the_app_is_made(monkeypatch, database_url):
    app = started(database_url)
    try:
        monkeypatch.setenv("SAMSKABT_AUDIT_DAYS", "30")
        monkeypatch.setenv("RATELIMIT_JOIN", "1/minute")
        with app.app_context():
            assert keep_days() == 730
        assert app.config["RATELIMIT_JOIN"] == "600/minute;3000/hour"
    finally:
        dispose(app)


def test_a_test_config_wins_over_the_environment(monkeypatch, database_url):
    monkeypatch.setenv("SAMSKABT_AUDIT_DAYS", "30")
    app = started(database_url, AUDIT_DAYS=45)
    try:
        with app.app_context():
            assert keep_days() == 45
    finally:
        dispose(app)


def _reads_the_environment(tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in ("environ", "getenv", "environb")
            and isinstance(node.value, ast.Name)
            and node.value.id == "os"
        ):
            return True
        if (
            isinstance(node, ast.ImportFrom)
            and node.module == "os"
            and any(alias.name in ("environ", "getenv") for alias in node.names)
        ):
            return True
    return False


def test_no_module_but_the_config_reads_the_environment():
    sources = [ROOT / "app.py", *ROOT.joinpath("workshop").rglob("*.py")]
    sources += ROOT.joinpath("steps").rglob("*.py")
    reading = {
        path.relative_to(ROOT).as_posix()
        for path in sources
        if _reads_the_environment(ast.parse(path.read_text()))
    }
    assert reading == READ_BEFORE_THE_APP


def test_the_mail_servers_port_follows_its_security_unless_one_is_given():
    from workshop.mail import SmtpSettings  # noqa: PLC0415 (only this test sends mail)

    assert SmtpSettings.from_config({"SMTP_SECURITY": "ssl", "SMTP_PORT": 0}).port == 465
    assert SmtpSettings.from_config({"SMTP_SECURITY": "starttls", "SMTP_PORT": 0}).port == 587
    assert SmtpSettings.from_config({"SMTP_SECURITY": "none", "SMTP_PORT": 2525}).port == 2525
