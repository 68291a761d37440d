"""The application factory: `flask --app app run` serves Samskabt."""

from __future__ import annotations

import os
import re
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, current_app, has_request_context, request, session
from markupsafe import Markup, escape
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

HERE = Path(__file__).resolve().parent
LANGUAGES = ("da", "en")


def _secret_key(instance_path: Path) -> str:
    """SECRET_KEY from the environment; on a developer machine, one kept in instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def select_locale() -> str:
    """Danish unless the person chose English (?lang=en) or their browser prefers it."""
    if not has_request_context():
        return "da"  # the CLI and the demo speak Danish
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        session["lang"] = chosen
    return session.get("lang") or request.accept_languages.best_match(LANGUAGES) or "da"


def _env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name, "").strip().lower()
    return value in ("1", "true", "yes", "on") if value else default


class DatabaseInt(IntegerConverter):
    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(url_map, *args, **kwargs)


def short_date(value) -> str:
    """1.1.2020 in Danish, 1/1/2020 in English; accepts a date or an ISO string."""
    from datetime import date

    from flask_babel import format_date, get_locale

    from workshop.core.clock import local_date

    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    if value is None:
        return ""
    value = local_date(value)  # a stored time: its day in Denmark, even at year 9999
    return format_date(value, "d.M.yyyy" if str(get_locale()) == "da" else "d/M/yyyy")


def paragraphs(text: str | None):
    """Typed text as it was typed: a blank line starts a paragraph, a line break stays one.
    Escaped first, so a "<" typed by someone is shown, never run."""
    blocks = re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n").strip())
    return Markup("").join(
        Markup("<p>{}</p>").format(
            Markup("<br>\n").join(escape(line) for line in block.split("\n"))
        )
        for block in blocks
        if block.strip()
    )


def public_base_url(value: str) -> str:
    """SAMSKABT_PUBLIC_URL as "scheme://host[:port]", or "" when unset; anything else is
    refused at start-up rather than printed on a QR code nobody can open."""
    value = (value or "").strip()
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path.strip("/"):
        raise ValueError(
            "SAMSKABT_PUBLIC_URL must be a scheme and an address, such as "
            f"http://192.168.1.23:8000 or https://samskabt.kommune.dk, not {value!r}"
        )
    if parts.query or parts.fragment:
        raise ValueError(f"SAMSKABT_PUBLIC_URL takes no query or fragment: {value!r}")
    return f"{parts.scheme}://{parts.netloc}"


def retention_days(value) -> int | None:
    """SAMSKABT_RETENTION_DAYS as a whole number of days, or None when unset; anything else
    is refused at start rather than promised to participants in the privacy notice."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        days = int(value)
    except (TypeError, ValueError):
        days = 0
    if days < 1:
        raise ValueError(f"SAMSKABT_RETENTION_DAYS must be a whole number of days, not {value!r}")
    return days


class Samskabt(Flask):
    """Flask, with links for other devices built on the address they reach the app at.

    With PUBLIC_URL set (SAMSKABT_PUBLIC_URL), every external URL — the join link and QR
    code, manager links — starts with it instead of the address the facilitator's own
    browser used: on a laptop serving the room (`make serve-lan`) that is 127.0.0.1,
    which no phone can reach."""

    def url_for(self, /, endpoint: str, *, _external: bool | None = None, **values) -> str:
        public = self.config.get("PUBLIC_URL")
        if not (public and _external and has_request_context() and not values.get("_scheme")):
            return super().url_for(endpoint, _external=_external, **values)
        return public + super().url_for(endpoint, _external=False, **values)


def public_host() -> str:
    """The address people type to join: the public URL's host, else the one in use."""
    public = current_app.config.get("PUBLIC_URL")
    return urlsplit(public).netloc if public else request.host


def create_app(test_config: dict | None = None) -> Flask:
    app = Samskabt(__name__, template_folder="templates", static_folder="static")
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(
        SECRET_KEY=None,
        SQLALCHEMY_DATABASE_URI=os.environ.get("DATABASE_URL")
        or f"sqlite:///{instance / 'samskabt.db'}",
        # A phone may keep a form open for an hour: the token lives as long as the session.
        WTF_CSRF_TIME_LIMIT=None,
        PERMANENT_SESSION_LIFETIME=timedelta(days=180),
        REMEMBER_COOKIE_DURATION=timedelta(days=14),
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        MAX_CONTENT_LENGTH=256 * 1024,
        SECURE_COOKIES=_env_flag("SECURE_COOKIES"),
        # Where phones reach the app, for the join link and QR code (see Samskabt above).
        PUBLIC_URL=os.environ.get("SAMSKABT_PUBLIC_URL", ""),
        # Courses idle for more than this many days are deleted by `course purge` (run from
        # cron); the privacy notice tells participants so. Unset: kept until deleted by hand.
        RETENTION_DAYS=os.environ.get("SAMSKABT_RETENTION_DAYS", ""),
        # Rate limits (workshop/web/ratelimits.py); counters in our own database unless a
        # redis:// or memcached:// URI is given, so every worker and machine counts together.
        RATELIMIT_ENABLED=_env_flag("RATELIMIT_ENABLED", default=True),
        RATELIMIT_STORAGE_URI=os.environ.get("RATELIMIT_STORAGE_URI") or "database://",
        BABEL_DEFAULT_LOCALE="da",
        BABEL_DEFAULT_TIMEZONE="Europe/Copenhagen",
        BABEL_TRANSLATION_DIRECTORIES=str(HERE / "translations"),
    )
    # Behind N reverse proxies: trust their X-Forwarded-* headers, so join links and the QR
    # code carry the public address (and rate limits count the phone's, not the proxy's).
    trusted_proxies = int(os.environ.get("TRUSTED_PROXIES", "0") or 0)
    if trusted_proxies:
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=trusted_proxies, x_proto=trusted_proxies, x_host=trusted_proxies
        )
    if test_config:
        app.config.update(test_config)
        # Tests switch rate limits on where they test them.
        if app.config.get("TESTING") and "RATELIMIT_ENABLED" not in test_config:
            app.config["RATELIMIT_ENABLED"] = False
    app.config["PUBLIC_URL"] = public_base_url(app.config["PUBLIC_URL"])
    app.config["RETENTION_DAYS"] = retention_days(app.config["RETENTION_DAYS"])
    if app.config["SECURE_COOKIES"]:
        # Served over HTTPS: cookies never travel over plain HTTP (and HSTS is sent).
        app.config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    _configure_database(app)
    _compile_translations(app, instance)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _secret_key(instance)

    # An id beyond the database's integer range is simply not found (404), not a 500.
    app.url_map.converters["int"] = DatabaseInt
    _init_extensions(app)
    _register_blueprints(app)
    _init_security(app)

    from workshop.commands.cli import register_cli

    register_cli(app)
    return app


def _configure_database(app: Flask) -> None:
    """DATABASE_URL as given (postgres:// too); PostgreSQL gets a pool fit for a worker."""
    from workshop.core.db import is_postgresql, normalise_database_url, postgresql_engine_options

    url = normalise_database_url(app.config["SQLALCHEMY_DATABASE_URI"])
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    if is_postgresql(url):
        options = postgresql_engine_options()
        options.update(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _compile_translations(app: Flask, instance: Path) -> None:
    """Danish is part of the app, not a build step that can be skipped: compile the
    catalogues if `pybabel compile` was not run, or refuse to start without them."""
    from workshop.core.translations import compiled_translations

    source = Path(app.config["BABEL_TRANSLATION_DIRECTORIES"])
    compiled = compiled_translations(source, instance / "translations")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(compiled)


def _init_security(app: Flask) -> None:
    from workshop.web.compression import init_compression
    from workshop.web.headers import init_security_headers
    from workshop.web.ratelimits import init_rate_limits

    init_rate_limits(app)
    init_security_headers(app)
    init_compression(app)


def _robust_date_filters(app: Flask) -> None:
    """Flask-Babel's date filters, but a stored time at the ends of the calendar (year 1 or
    9999, say from an imported file) shows in UTC instead of failing the whole page."""
    from workshop.core.clock import format_moment

    filters = app.jinja_env.filters
    filters["dateformat"] = lambda value, format="medium": format_moment(value, format, "date")
    filters["datetimeformat"] = lambda value, format="medium": format_moment(value, format)
    filters["timeformat"] = lambda value, format="medium": format_moment(value, format, "time")


def _init_extensions(app: Flask) -> None:
    from workshop.core.db import configure_sqlite
    from workshop.core.extensions import babel, csrf, db, htmx, login_manager, migrate
    from workshop.web import auth as auth_views

    db.init_app(app)
    migrate.init_app(app, db, directory=str(HERE / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    htmx.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    _robust_date_filters(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.unauthorized_handler(auth_views.unauthorized)
    login_manager.user_loader(_load_facilitator)
    # Every login_user and logout_user (password or single sign-on) goes to the audit trail.
    from workshop.audit import init_audit

    init_audit(app)

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)


def _load_facilitator(login_id: str):
    """The logged-in facilitator, while their login stands: a deactivated one, or one who
    logged out or changed password since this cookie was issued, is logged out here."""
    from workshop.facilitators import facilitator_for_login

    return facilitator_for_login(login_id)


def _register_blueprints(app: Flask) -> None:
    from flask_babel import get_locale

    from steps import STEPS
    from workshop.catalogue import catalogue_metadata
    from workshop.core import vocabulary
    from workshop.courses import epoch_ms, format_join_code, timer_seconds_left
    from workshop.web import (
        audit,
        auth,
        bank,
        catalogue,
        exports,
        facilitator,
        health,
        manager,
        organisation,
        participant,
        reports,
        state_feedback,
    )
    from workshop.web import steps as step_blueprints
    from workshop.web.errors import register_error_handlers

    for module in (
        audit,
        auth,
        bank,
        catalogue,
        exports,
        facilitator,
        health,
        manager,
        organisation,
        participant,
        reports,
        state_feedback,
    ):
        app.register_blueprint(module.bp)
    app.extensions["samskabt_steps"] = STEPS
    for blueprint in step_blueprints.BLUEPRINTS:
        app.register_blueprint(blueprint)
    register_error_handlers(app)
    for name in (
        "ROLES",
        "CARD_CATEGORIES",
        "ORIGINS",
        "PRIORITY_STATUSES",
        "REQUIREMENT_STATUSES",
        "CHANGE_EFFECTS",
        "CONFIDENCE",
        "LOCAL_RULE_KINDS",
        "SOLUTION_KINDS",
        "SOLUTION_KIND_SHORT",
        "EFFECT_DIMENSIONS",
        "EFFECT_SCALE",
        "LIKELIHOOD",
        "EFFORT",
        "ACTION_STATUSES",
        "BARRIERS",
        "PERIODS",
        "LESSON_KINDS",
        "NEXT_STEP_KINDS",
    ):
        app.add_template_global(getattr(vocabulary, name), name)
    app.add_template_filter(format_join_code, "join_code")
    app.add_template_filter(short_date)
    app.add_template_filter(paragraphs)
    app.add_template_global(get_locale)
    app.add_template_global(public_host)
    app.add_template_global(timer_seconds_left)
    app.add_template_global(epoch_ms)
    app.add_template_global(lambda: catalogue_metadata()[1], "target_groups")
