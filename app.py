"""The application factory: `flask --app app run` serves Samskabt."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import Flask

from workshop.audit import init_audit
from workshop.commands.cli import register_cli
from workshop.core.config import Config, kept_secret_key, settle
from workshop.core.db import configure_database, configure_sqlite
from workshop.core.extensions import babel, csrf, db, htmx, login_manager, migrate
from workshop.core.translations import compiled_translations
from workshop.web.addresses import Samskabt, trust_proxies
from workshop.web.registration import register_web, select_locale

HERE = Path(__file__).resolve().parent

# Settings of ours that the environment does not change (those it does: workshop/core/config.py).
FIXED = {
    # A phone may keep a form open for an hour: the token lives as long as the session.
    "WTF_CSRF_TIME_LIMIT": None,
    "PERMANENT_SESSION_LIFETIME": timedelta(days=180),
    "REMEMBER_COOKIE_DURATION": timedelta(days=14),
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "MAX_CONTENT_LENGTH": 256 * 1024,
    "BABEL_DEFAULT_LOCALE": "da",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Copenhagen",
    "BABEL_TRANSLATION_DIRECTORIES": str(HERE / "translations"),
}


def create_app(test_config: dict | None = None) -> Flask:
    """The app, set up from the environment (read once, here) and `test_config` over it."""
    app = Samskabt(__name__, template_folder="templates", static_folder="static")
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(FIXED, **Config.from_environ().flask_config(instance))
    if test_config:
        app.config.update(test_config)
        # Tests switch rate limits on where they test them.
        if app.config.get("TESTING") and "RATELIMIT_ENABLED" not in test_config:
            app.config["RATELIMIT_ENABLED"] = False
    settle(app.config)
    app.config["SECRET_KEY"] = app.config["SECRET_KEY"] or kept_secret_key(instance)
    trust_proxies(app)
    configure_database(app.config)
    _compile_translations(app, instance)
    _init_extensions(app)
    register_web(app)
    register_cli(app)
    return app


def _compile_translations(app: Flask, instance: Path) -> None:
    """Danish is part of the app, not a build step that can be skipped: compile the
    catalogues if `pybabel compile` was not run, or refuse to start without them."""
    source = Path(app.config["BABEL_TRANSLATION_DIRECTORIES"])
    compiled = compiled_translations(source, instance / "translations")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(compiled)


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(HERE / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    htmx.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    # Every login_user and logout_user (password or single sign-on) goes to the audit trail.
    init_audit(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)
