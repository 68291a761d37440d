"""Rate limits: joining by code, guessing codes, logging in and manager links.

Flask-Limiter does the bookkeeping; its counters live in our own database by default
(`RATELIMIT_STORAGE_URI=database://`, the table `rate_limit_counter`), so every gunicorn
worker and every machine behind the proxy counts together with nothing extra to install.
Redis or memcached can take over through `RATELIMIT_STORAGE_URI` (redis://…, memcached://…).

Every hit is counted before the view opens its own transaction, on a connection of its
own that commits at once: on SQLite a counter written after a view's BEGIN IMMEDIATE
would wait for a lock held by the same request.

Nothing here touches the phones of people who have joined: live polls, cards and votes
are never limited, and a participant's own course code is never counted as a guess.

Nor can a stranger lock a facilitator out by typing wrong passwords for their email: a
browser that has logged in to the account before carries a signed "known device" cookie,
and its attempts for that email are neither counted nor refused by the per-email limit
(the per-address limit still holds for it, as for everyone).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import threading
import time
from collections import OrderedDict

from flask import Flask, Response, current_app, make_response, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from itsdangerous import BadSignature, URLSafeSerializer
from limits import parse_many
from limits.errors import ConfigurationError
from limits.storage import Storage
from sqlalchemy import Column, Float, Index, Integer, String, Table, case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import TooManyRequests

from workshop.core.extensions import db
from workshop.core.models import Course
from workshop.courses import normalise_join_code
from workshop.web.common import SESSION_KEY
from workshop.web.errors import error_response

# One row per limit, client and window. `expires_at` is the end of the current window in
# seconds since the epoch; a row past it counts as zero and is overwritten by the next hit.
rate_limit_counter = Table(
    "rate_limit_counter",
    db.metadata,
    Column("key", String(255), primary_key=True),
    Column("hits", Integer, nullable=False),
    Column("expires_at", Float, nullable=False),
    Index("ix_rate_limit_counter_expires_at", "expires_at"),
)

CODE_GUESSES_SCOPE = "code-guesses"


class DatabaseStorage(Storage):
    """A `limits` storage in the app's own database (SQLite or PostgreSQL), fixed windows.

    Increments are one atomic upsert (INSERT … ON CONFLICT … DO UPDATE … RETURNING), which
    SQLite (3.35+) and PostgreSQL both run without a race between workers.
    """

    STORAGE_SCHEME = ["database"]
    # Expired rows are deleted now and then by the increment that happens to draw this.
    CLEANUP_ONE_IN = 500

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self):
        return SQLAlchemyError

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        table = rate_limit_counter
        expired = table.c.expires_at <= now
        statement = (
            _insert_for(db.engine.dialect.name)(table)
            .values(key=key, hits=amount, expires_at=now + expiry)
            .on_conflict_do_update(
                index_elements=[table.c.key],
                set_={
                    "hits": case((expired, amount), else_=table.c.hits + amount),
                    "expires_at": case((expired, now + expiry), else_=table.c.expires_at),
                },
            )
            .returning(table.c.hits)
        )
        with db.engine.begin() as connection:
            hits = connection.execute(statement).scalar_one()
            if secrets.randbelow(self.CLEANUP_ONE_IN) == 0:
                connection.execute(delete(table).where(table.c.expires_at < now))
        return hits

    def get(self, key: str) -> int:
        row = self._row(key)
        return row.hits if row is not None else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return row.expires_at if row is not None else time.time()

    def check(self) -> bool:
        try:
            with db.engine.connect() as connection:
                connection.execute(select(1))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with db.engine.begin() as connection:
            return connection.execute(delete(rate_limit_counter)).rowcount

    def clear(self, key: str) -> None:
        with db.engine.begin() as connection:
            connection.execute(delete(rate_limit_counter).where(rate_limit_counter.c.key == key))

    def _row(self, key: str):
        table = rate_limit_counter
        with db.engine.connect() as connection:
            return connection.execute(
                select(table.c.hits, table.c.expires_at).where(
                    table.c.key == key, table.c.expires_at > time.time()
                )
            ).first()


def _insert_for(dialect: str):
    if dialect == "sqlite":
        return sqlite.insert
    if dialect == "postgresql":
        return postgresql.insert
    raise ConfigurationError(
        f"The database rate-limit storage supports SQLite and PostgreSQL, not {dialect}; "
        "set RATELIMIT_STORAGE_URI to redis:// or memcached://."
    )


class TooManyCodeGuesses(TooManyRequests):
    """Too many codes from this address matched no course."""

    def __init__(self, retry_after: int):
        super().__init__(retry_after=retry_after)
        self.seconds = retry_after


def limiter_of(app: Flask) -> Limiter | None:
    return app.extensions.get("samskabt_limiter")


def email_key() -> str:
    """The email someone tries to log in as, hashed: no addresses in the counter table."""
    email = (request.form.get("email") or "").strip().lower()
    return "email:" + hashlib.sha256(email.encode()).hexdigest()[:32]


# --- Known devices: where a facilitator has logged in before --------------------------

KNOWN_DEVICE_COOKIE = "samskabt_device"
KNOWN_DEVICE_DAYS = 365
_KNOWN_ACCOUNTS_KEPT = 8  # a shared office PC may serve a few facilitators


def _device_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="samskabt-known-device")


def _account_mark(email: str) -> str:
    """The account in the cookie: a keyed hash of the email (the cookie is signed, not
    encrypted, and need not show which addresses were used on the device)."""
    key = str(current_app.secret_key).encode()
    email = (email or "").strip().lower()
    return hmac.new(key, b"known-device:" + email.encode(), hashlib.sha256).hexdigest()[:32]


def _known_accounts() -> list[str]:
    raw = request.cookies.get(KNOWN_DEVICE_COOKIE)
    if not raw:
        return []
    try:
        marks = _device_serializer().loads(raw)
    except BadSignature:
        return []
    return [mark for mark in marks if isinstance(mark, str)] if isinstance(marks, list) else []


def is_known_device() -> bool:
    """Has this browser logged in before to the account whose email is being tried?"""
    return _account_mark(request.form.get("email") or "") in _known_accounts()


def remember_device(response: Response, email: str) -> Response:
    """After a successful login: this browser is known for this account from now on."""
    mark = _account_mark(email)
    marks = [mark, *(known for known in _known_accounts() if known != mark)]
    response.set_cookie(
        KNOWN_DEVICE_COOKIE,
        _device_serializer().dumps(marks[:_KNOWN_ACCOUNTS_KEPT]),
        max_age=KNOWN_DEVICE_DAYS * 24 * 3600,
        path=url_for("auth.login"),  # sent with login attempts only
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        httponly=True,
        samesite="Lax",
    )
    return response


def init_rate_limits(app: Flask) -> None:
    """A limiter for this app, its route limits, and the guard against guessed codes."""
    if not app.config.get("RATELIMIT_ENABLED"):
        return
    limiter = Limiter(
        key_func=get_remote_address,
        strategy="fixed-window",
        key_prefix="samskabt",
        headers_enabled=False,  # Retry-After goes on the 429 only (too_many_requests)
    )
    limiter.init_app(app)
    app.extensions["samskabt_limiter"] = limiter
    # The views are wrapped here rather than decorated where they are defined: one limiter
    # per app (its settings are the app's), and every limit in one place.
    for endpoint, decorators in _route_limits(limiter, app.config).items():
        view = app.view_functions[endpoint]
        for decorate in decorators:
            view = decorate(view)
        app.view_functions[endpoint] = view
    app.before_request(guard_code_lookups)
    app.register_error_handler(RateLimitExceeded, too_many_requests)
    app.register_error_handler(TooManyCodeGuesses, too_many_requests)


def _route_limits(limiter: Limiter, config) -> dict[str, list]:
    """The limits on each limited view (its endpoint), from the app's settings."""
    join = limiter.shared_limit(config["RATELIMIT_JOIN"], scope="join", methods=["POST"])
    manager = limiter.shared_limit(config["RATELIMIT_MANAGER_LINK"], scope="manager-link")
    return {
        "participant.home": [join],
        "participant.join_course": [join],
        "auth.login": [
            limiter.limit(config["RATELIMIT_LOGIN"], methods=["POST"]),
            # Not for a browser that logged in to the account before: ten wrong passwords
            # from anywhere must not lock the facilitator out of their own laptop.
            limiter.limit(
                config["RATELIMIT_LOGIN_EMAIL"],
                methods=["POST"],
                key_func=email_key,
                exempt_when=is_known_device,
            ),
        ],
        # The card box is an open link: per address, only its posts (cards) count.
        "card_box.box": [
            limiter.shared_limit(config["RATELIMIT_CARD_BOX"], scope="card-box", methods=["POST"])
        ],
        "manager.status": [manager],
        "manager.action_plan_pdf": [manager],
        "state_feedback.manager_pdf": [manager],
        "manager.meeting_calendar": [manager],
        "vendor_feedback.manager_pdf": [manager],
        "vendor_feedback.manager_csv": [manager],
        "political_feedback.manager_pdf": [manager],
        "political_feedback.manager_csv": [manager],
    }


def _code_in_request() -> str | None:
    code = (request.view_args or {}).get("code")
    if code is None and request.endpoint == "participant.home" and request.method == "POST":
        code = request.form.get("code")
    return code


# Codes that matched a course, per worker: every request of a joined phone passes the
# guard, and a code never moves to another course. (A deleted course's code stays here
# until the worker restarts; the view answers 404 for it all the same.)
_known_codes: OrderedDict[str, int] = OrderedDict()
_known_codes_lock = threading.Lock()
_KNOWN_CODES_KEPT = 4096


def _course_id_for(code: str) -> int | None:
    # The same rule as courses.find_course_by_code, on a connection of our own: the view's
    # session must not hold SQLite's write lock while we count (see the module docstring),
    # and this connection reads without taking it (samskabt_read_only, see workshop.core.db).
    if not code or len(code) > 12:
        return None
    with _known_codes_lock:
        if code in _known_codes:
            _known_codes.move_to_end(code)
            return _known_codes[code]
    with db.engine.connect().execution_options(samskabt_read_only=True) as connection:
        course_id = connection.scalar(select(Course.id).where(Course.join_code == code))
    if course_id is not None:
        with _known_codes_lock:
            _known_codes[code] = course_id
            while len(_known_codes) > _KNOWN_CODES_KEPT:
                _known_codes.popitem(last=False)
    return course_id


def guard_code_lookups() -> None:
    """Count codes that match no course, per address; past the limit, look up nothing.

    A phone that has joined the course its URL names is never counted or refused, so its
    polls, cards and votes go on whatever its network's neighbours typed. Everyone else is
    refused once the address used up its wrong codes, whether the code is right or not:
    a refusal must not tell a guesser that the code exists.
    """
    raw = _code_in_request()
    if raw is None:
        return
    code = normalise_join_code(raw)
    if not code:
        return  # an empty form looks nothing up
    course_id = _course_id_for(code)
    if course_id is not None and str(course_id) in session.get(SESSION_KEY, {}):
        return
    limiter = limiter_of(current_app)
    strategy = limiter.limiter
    address = get_remote_address()
    items = parse_many(current_app.config["RATELIMIT_CODE_GUESSES"])
    for item in items:
        if not strategy.test(item, CODE_GUESSES_SCOPE, address):
            reset_at = strategy.get_window_stats(item, CODE_GUESSES_SCOPE, address).reset_time
            raise TooManyCodeGuesses(_seconds_until(reset_at))
    if course_id is None:
        for item in items:
            strategy.hit(item, CODE_GUESSES_SCOPE, address)


def _seconds_until(reset_at: float) -> int:
    return max(1, math.ceil(reset_at - time.time()))


def _retry_after(error: TooManyRequests) -> int:
    if isinstance(error, TooManyCodeGuesses):
        return error.seconds
    limit = limiter_of(current_app).current_limit
    return _seconds_until(limit.window.reset_time) if limit is not None else 60


def too_many_requests(error: TooManyRequests):
    """The friendly 429 (a page, or for htmx a message in #messages) with Retry-After."""
    seconds = _retry_after(error)
    minutes = math.ceil(seconds / 60)
    if isinstance(error, RateLimitExceeded) and error.limit.key_func is email_key:
        # Someone else may be guessing: the real facilitator learns how to get in anyway.
        message = ngettext(
            "Too many login attempts for this email address. Try again in %(num)s minute, "
            "or log in from a computer or phone you have logged in from before.",
            "Too many login attempts for this email address. Try again in %(num)s minutes, "
            "or log in from a computer or phone you have logged in from before.",
            minutes,
        )
    elif seconds <= 90:
        message = _("Too many attempts. Wait a minute and try again.")
    else:
        message = ngettext(
            "Too many attempts from this network. Try again in %(num)s minute.",
            "Too many attempts from this network. Try again in %(num)s minutes.",
            minutes,
        )
    response = make_response(error_response(429, message))
    response.headers["Retry-After"] = str(seconds)
    response.headers["Cache-Control"] = "no-store"
    return response
