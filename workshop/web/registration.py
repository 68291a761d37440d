"""The web layer on an app, in one call from create_app: `register_web(app)`.

Each part is a small function: the routes (every blueprint, the steps' from
workshop.web.steps), the error pages, the template helpers, the steps themselves, logins,
and the security around every response (rate limits, headers, compression).
"""

from __future__ import annotations

from flask import Flask, has_request_context, request, session
from werkzeug.routing import IntegerConverter

from steps import STEPS
from workshop.core.extensions import login_manager
from workshop.facilitators import facilitator_for_login
from workshop.web import (
    audit,
    auth,
    bank,
    card_box,
    catalogue,
    exports,
    facilitator,
    health,
    local_feedback,
    manager,
    meetings,
    organisation,
    participant,
    path,
    reminders,
    reports,
    state_feedback,
)
from workshop.web import steps as step_routes
from workshop.web.compression import init_compression
from workshop.web.errors import register_error_handlers
from workshop.web.headers import init_security_headers
from workshop.web.ratelimits import init_rate_limits
from workshop.web.sessions import DailySignedSessions
from workshop.web.templating import register_template_helpers

LANGUAGES = ("da", "en")
VIEWS = (
    audit,
    auth,
    bank,
    card_box,
    catalogue,
    exports,
    facilitator,
    health,
    manager,
    meetings,
    organisation,
    participant,
    path,
    reminders,
    reports,
    state_feedback,
)


def select_locale() -> str:
    """Danish unless the person chose English (?lang=en) or their browser prefers it."""
    if not has_request_context():
        return "da"  # the CLI and the demo speak Danish
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        session["lang"] = chosen
    return session.get("lang") or request.accept_languages.best_match(LANGUAGES) or "da"


class DatabaseInt(IntegerConverter):
    """<int:…> in a URL, up to the database's largest integer."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(url_map, *args, **kwargs)


def register_web(app: Flask) -> None:
    app.session_interface = DailySignedSessions()
    register_blueprints(app)
    register_error_handlers(app)
    register_template_helpers(app)
    register_steps(app)
    register_logins(app)
    register_security(app)


def register_blueprints(app: Flask) -> None:
    # An id beyond the database's integer range is simply not found (404), not a 500.
    app.url_map.converters["int"] = DatabaseInt
    for module in VIEWS:
        app.register_blueprint(module.bp)
    for blueprint in step_routes.BLUEPRINTS:
        app.register_blueprint(blueprint)
    for blueprint in local_feedback.blueprints:  # one per route beyond the state
        app.register_blueprint(blueprint)


def register_steps(app: Flask) -> None:
    """The six steps, where the views, the screens and the report look them up."""
    app.extensions["samskabt_steps"] = STEPS


def register_logins(app: Flask) -> None:
    """Who is logged in: a facilitator while their login stands (facilitator_for_login)."""
    login_manager.login_view = "auth.login"
    login_manager.unauthorized_handler(auth.unauthorized)
    login_manager.user_loader(facilitator_for_login)


def register_security(app: Flask) -> None:
    """Rate limits (wrapping the views registered above), headers, compression."""
    init_rate_limits(app)
    init_security_headers(app)
    init_compression(app)
