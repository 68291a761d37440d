"""Fixtures: a fresh SQLite database per test, made by the real migrations, and factories."""

from __future__ import annotations

import shutil
import sqlite3

import pytest
from flask_migrate import upgrade

from app import create_app
from workshop.extensions import db


def _config(path, **extra):
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
        "WTF_CSRF_ENABLED": False,
        **extra,
    }


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory):
    """Run the migrations once; each test gets a copy of the result."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    app = create_app(_config(path))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    # Fold the write-ahead log into the file so a plain copy is complete.
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def db_path(migrated_db, tmp_path):
    path = tmp_path / "samskabt.db"
    shutil.copy(migrated_db, path)
    return path


@pytest.fixture
def app(db_path, request):
    extra = getattr(request, "param", {})
    app = create_app(_config(db_path, **extra))
    yield app
    with app.app_context():
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
