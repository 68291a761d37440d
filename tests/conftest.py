"""Fixtures: a fresh database per test, made by the real migrations, and factories.

The suite runs against SQLite (the default) or PostgreSQL: `--db=postgresql` or
SAMSKABT_TEST_DB=postgresql. For PostgreSQL the session starts a throwaway server of its
own (tests/postgres.py, Debian's binaries), migrates a template database once, and gives
each test a copy of it (CREATE DATABASE ... TEMPLATE); SQLite copies a migrated file.

Markers: `sqlite_only("why")` and `postgresql_only("why")` skip a test on the other database.
"""

from __future__ import annotations

import itertools
import os
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from flask_migrate import upgrade

from app import create_app
from workshop.core.extensions import db

DATABASES = ("sqlite", "postgresql")

# The browser tests' fixtures (`e2e_server`, `browser`) and helpers; the reminder tests'
# SMTP server (`mailbox`).
pytest_plugins = ("tests.browser_support", "tests.mail_support")


def pytest_addoption(parser):
    parser.addoption(
        "--db",
        choices=DATABASES,
        default=os.environ.get("SAMSKABT_TEST_DB") or "sqlite",
        help="the database the tests run against (default: $SAMSKABT_TEST_DB or sqlite)",
    )


def pytest_configure(config):
    if config.getoption("--db") not in DATABASES:  # a bad SAMSKABT_TEST_DB
        raise pytest.UsageError(f"--db / SAMSKABT_TEST_DB must be one of {DATABASES}")
    config.addinivalue_line("markers", "sqlite_only(reason): runs only against SQLite")
    config.addinivalue_line("markers", "postgresql_only(reason): runs only against PostgreSQL")


def pytest_report_header(config):
    return f"database: {config.getoption('--db')}"


def pytest_collection_modifyitems(config, items):
    kind = config.getoption("--db")
    for item in items:
        for marker, wanted in (("sqlite_only", "sqlite"), ("postgresql_only", "postgresql")):
            found = item.get_closest_marker(marker)
            if found is not None and kind != wanted:
                reason = found.args[0] if found.args else f"{wanted} only"
                item.add_marker(pytest.mark.skip(reason=f"{wanted} only: {reason}"))


def _config(url, **extra):
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        **extra,
    }


def _migrate(url: str) -> None:
    app = create_app(_config(url))
    with app.app_context():
        upgrade(revision="heads")
        db.session.remove()
        db.engine.dispose()


class SqliteDatabases:
    """Each database is a copy of one migrated file."""

    kind = "sqlite"

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.template = directory / "template.db"
        self._numbers = itertools.count(1)
        _migrate(f"sqlite:///{self.template}")
        # Fold the write-ahead log into the file so a plain copy is complete.
        with sqlite3.connect(self.template) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def new(self, path: Path | None = None) -> str:
        path = path or self.directory / f"db{next(self._numbers)}.db"
        shutil.copy(self.template, path)
        return f"sqlite:///{path}"

    def drop(self, url: str) -> None:
        pass  # the file goes with its temporary directory

    def close(self) -> None:
        pass


class PostgresDatabases:
    """Each database is CREATE DATABASE ... TEMPLATE of one migrated database."""

    kind = "postgresql"
    TEMPLATE = "samskabt_template"

    def __init__(self) -> None:
        from tests.postgres import PostgresCluster

        self.cluster = PostgresCluster().start()
        self._numbers = itertools.count(1)
        try:
            _migrate(self.cluster.create_database(self.TEMPLATE))
        except BaseException:
            self.cluster.stop()
            raise

    def new(self, path: Path | None = None) -> str:
        return self.cluster.create_database(f"test_{next(self._numbers)}", template=self.TEMPLATE)

    def drop(self, url: str) -> None:
        self.cluster.drop_database(url.rsplit("/", 1)[1])

    def close(self) -> None:
        self.cluster.stop()


@pytest.fixture(scope="session")
def db_kind(pytestconfig) -> str:
    """ "sqlite" or "postgresql": what this run tests against."""
    return pytestconfig.getoption("--db")


@pytest.fixture(scope="session")
def databases(db_kind, tmp_path_factory):
    """The migrated template, and fresh copies of it on request."""
    if db_kind == "postgresql":
        backend = PostgresDatabases()
    else:
        backend = SqliteDatabases(tmp_path_factory.mktemp("databases"))
    yield backend
    backend.close()


@pytest.fixture(scope="session")
def new_database(databases) -> Callable[[], str]:
    """Make another freshly migrated database (for a second server); returns its URL.

    Each lives until the end of the session.
    """
    return databases.new


def _apps_with_engines() -> set:
    engines = getattr(db, "_app_engines", None)  # Flask-SQLAlchemy 3.1: app -> its engines
    return set(engines.keys()) if engines is not None else set()


def _dispose_engines_of_apps_made_since(before: set) -> None:
    """Close the pooled connections of every app made since (also by create_app in a test),
    so none is left for the garbage collector (psycopg warns about those, and warnings are
    errors) and a test's database can be dropped at once."""
    engines = getattr(db, "_app_engines", None)
    for app in _apps_with_engines() - before:
        for engine in list(engines.get(app, {}).values()):
            engine.dispose()


@pytest.fixture(autouse=True)
def _close_connections_of_apps_made_in_the_test():
    before = _apps_with_engines()
    yield
    _dispose_engines_of_apps_made_since(before)


@pytest.fixture
def database_url(databases, tmp_path):
    """This test's own freshly migrated database."""
    before = _apps_with_engines()
    url = databases.new(tmp_path / "samskabt.db")
    yield url
    _dispose_engines_of_apps_made_since(before)
    databases.drop(url)


@pytest.fixture
def db_path(database_url, db_kind):
    """The SQLite file of this test's database (SQLite only: a test using it is skipped on
    PostgreSQL; prefer `database_url`)."""
    if db_kind != "sqlite":
        pytest.skip("uses the SQLite database file")
    return Path(database_url.removeprefix("sqlite:///"))


@pytest.fixture
def app(database_url, request):
    extra = getattr(request, "param", {})
    app = create_app(_config(database_url, **extra))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def ctx(app):
    """An application context, for tests that call the domain functions directly."""
    with app.app_context():
        yield
        db.session.rollback()


@pytest.fixture
def make(app):
    """Factories for tests: each returns the object inside the test's app context."""
    from tests.factories import Factories

    return Factories(app)


class AuthActions:
    def __init__(self, client):
        self.client = client

    def login(self, email="facilitator@example.dk", password="correct horse"):
        return self.client.post("/login", data={"email": email, "password": password})

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def live_server(app):
    """The app served over real HTTP on a free loopback port, one thread per request."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
