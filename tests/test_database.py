"""The database layer: URLs, per-database set-up, and migrations that match the models."""

from __future__ import annotations

import json
import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from app import create_app
from workshop.core.db import is_postgresql, normalise_database_url
from workshop.core.extensions import db


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgres://u:p@db:5432/samskabt", "postgresql+psycopg://u:p@db:5432/samskabt"),
        ("postgresql://u:p@db/samskabt", "postgresql+psycopg://u:p@db/samskabt"),
        ("postgresql+psycopg://u@db/s", "postgresql+psycopg://u@db/s"),
        ("postgresql+psycopg2://u@db/s", "postgresql+psycopg2://u@db/s"),  # named: kept
        ("sqlite:////srv/samskabt.db", "sqlite:////srv/samskabt.db"),
        ("sqlite://", "sqlite://"),
    ],
)
def test_database_urls_from_the_environment_get_the_psycopg_driver(given, used):
    assert normalise_database_url(given) == used


def test_database_url_from_the_environment_is_rewritten(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgres://samskabt:secret@127.0.0.1:1/nowhere")
    monkeypatch.setenv("DATABASE_POOL_SIZE", "7")
    monkeypatch.setenv("SECRET_KEY", "x")
    app = create_app()  # no connection is made until a request needs one
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://samskabt:")
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["pool_pre_ping"] is True
    assert options["pool_size"] == 7
    with app.app_context():
        assert db.engine.dialect.driver == "psycopg"
        assert db.engine.pool.size() == 7
        db.engine.dispose()


def test_the_migrations_build_exactly_what_the_models_describe(app):
    """Autogenerate finds nothing to do: same tables, columns, types, keys and indexes."""
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                # Tables without a model (kept by a library) are not the models' business.
                "include_name": lambda name, kind, _parent: (
                    kind != "table" or name in db.metadata.tables
                ),
            },
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_the_check_constraints_hold_on_this_database(app, make):
    from sqlalchemy.exc import IntegrityError

    with app.app_context():
        course = make.course()
        with pytest.raises(IntegrityError):
            db.session.execute(
                text("UPDATE course SET dot_budget = 0 WHERE id = :id"), {"id": course.id}
            )
            db.session.flush()
        db.session.rollback()


@pytest.mark.sqlite_only("the pragmas and BEGIN IMMEDIATE are SQLite's own")
def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_durable_commits(app):
    with app.app_context():
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        db.engine.dispose()


@pytest.mark.postgresql_only("what PostgreSQL gets instead of SQLite's pragmas")
def test_postgresql_reads_committed_checks_connections_and_keeps_sqlite_out(app):
    assert is_postgresql(app.config["SQLALCHEMY_DATABASE_URI"])
    statements = []
    with app.app_context():
        engine = db.engine
        assert engine.dialect.name == "postgresql"
        assert engine.pool._pre_ping
        from sqlalchemy import event

        def remember(_conn, _cursor, statement, *_args):
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", remember)
        try:
            level = db.session.execute(text("SHOW transaction_isolation")).scalar()
            db.session.commit()
        finally:
            event.remove(engine, "before_cursor_execute", remember)
        assert level == "read committed"
        assert not any("IMMEDIATE" in s or "PRAGMA" in s for s in statements)
        assert db.session.execute(text("SHOW server_encoding")).scalar() == "UTF8"
        db.session.rollback()


@pytest.mark.postgresql_only("the row lock is what keeps votes in order on PostgreSQL")
def test_a_vote_waits_for_the_course_row_and_then_sees_the_vote_closed(app, make):
    """While the facilitator's transaction closing the vote is open, a vote waits; once it
    commits, the vote sees the closed phase and is refused (no vote after the close)."""
    from workshop.core.errors import WorkshopError
    from workshop.core.models import Card, Participant, Vote
    from workshop.votes import cast_vote, set_voting_state

    with app.app_context():
        course = make.course(step=2, dot_budget=5)
        person = make.participant(course)
        card_id = make.card(person).id
        set_voting_state(course, "voting")
        course_id, person_id = course.id, person.id

    with app.app_context():
        closing = db.engine.connect()
        transaction = closing.begin()
        closing.execute(
            text("UPDATE course SET voting_state = 'closed' WHERE id = :id"), {"id": course_id}
        )
        outcome = []

        def vote():
            with app.app_context():
                try:
                    cast_vote(
                        db.session.get(Participant, person_id), db.session.get(Card, card_id), 2
                    )
                    outcome.append("ok")
                except WorkshopError as refused:
                    outcome.append(refused.code)

        voter = threading.Thread(target=vote)
        voter.start()
        voter.join(timeout=1.0)
        assert voter.is_alive(), "the vote did not wait for the course row"
        transaction.commit()
        closing.close()
        voter.join(timeout=10)
        assert outcome == ["closed"]
        assert db.session.scalar(db.select(db.func.count()).select_from(Vote)) == 0


def test_two_first_catalogue_loads_at_once_add_each_entry_once(app):
    """Two workers loading the catalogue into an empty database at the same moment (two
    first imports on a new server): both succeed and no entry is there twice."""
    from workshop.catalogue import CATALOGUE_FILE, ensure_catalogue_loaded
    from workshop.core.models import Requirement

    barrier = threading.Barrier(2, timeout=30)
    errors = []

    def load():
        with app.app_context():
            try:
                barrier.wait()
                ensure_catalogue_loaded()
            except Exception as error:  # noqa: BLE001 (reported below)
                errors.append(error)

    threads = [threading.Thread(target=load) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    shipped = len(json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))["requirements"])
    with app.app_context():
        keys = db.session.scalars(db.select(Requirement.key).where(Requirement.kind == "law"))
        keys = list(keys)
    assert len(keys) == len(set(keys)) == shipped
