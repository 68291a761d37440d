"""Database set-up: the URL, pool settings, and (on SQLite) pragmas and write locks.

SQLite (the default, for trying it out and small courses) takes its write lock when a
writing request's transaction begins (BEGIN IMMEDIATE). PostgreSQL runs at its default
READ COMMITTED; the domain functions that read and then write take a row lock where the
read decides the write (workshop.votes.cast_vote holds the course row FOR SHARE, so the
phase can't change under it, and locks the participant's row for the dot budget) and rely
on unique constraints where two requests may insert the same row (the double-submit
tokens in workshop.submissions.save_once). A phone's vote takes SQLite's write lock only
for its write (write_lock_only_when_writing, writing).
"""

from __future__ import annotations

import functools
import hashlib
from contextlib import contextmanager

from flask import g, has_request_context, request
from sqlalchemy import event, inspect, select, text
from sqlalchemy.engine import Engine, make_url

from workshop.core.extensions import db

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# What people paste into DATABASE_URL, and the driver SQLAlchemy should use for it.
_POSTGRES_SCHEMES = {"postgres": "postgresql+psycopg", "postgresql": "postgresql+psycopg"}


def normalise_database_url(url: str) -> str:
    """postgres://… and postgresql://… (as hosting platforms hand them out) become
    postgresql+psycopg://… (psycopg 3); every other URL is left as it is."""
    scheme, separator, rest = url.partition("://")
    if separator and scheme in _POSTGRES_SCHEMES:
        return f"{_POSTGRES_SCHEMES[scheme]}://{rest}"
    return url


def is_postgresql(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def configure_database(config: dict) -> None:
    """DATABASE_URL as given (postgres:// too); PostgreSQL gets a pool fit for a worker."""
    url = normalise_database_url(config["SQLALCHEMY_DATABASE_URI"])
    config["SQLALCHEMY_DATABASE_URI"] = url
    if is_postgresql(url):
        options = postgresql_engine_options(
            config["DATABASE_POOL_SIZE"], config["DATABASE_MAX_OVERFLOW"]
        )
        options.update(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def postgresql_engine_options(pool_size: int = 5, max_overflow: int = 5) -> dict:
    """Pool settings for one worker process.

    A gunicorn worker serves one request per thread at a time; the pool holds a few more
    connections than it has threads (DATABASE_POOL_SIZE, default 5, plus up to
    DATABASE_MAX_OVERFLOW, default 5, more under a burst). Workers x (size + overflow)
    must stay below the server's max_connections (100 by default). pool_pre_ping replaces
    connections that died with a restarted server before a request uses them.
    """
    return {
        "pool_pre_ping": True,
        "pool_size": pool_size,
        "max_overflow": max_overflow,
        "pool_timeout": 10,  # a request waits this long for a connection, then fails
        "pool_recycle": 1800,  # survive proxies and firewalls that drop idle connections
        "connect_args": {"connect_timeout": 10, "application_name": "samskabt"},
    }


def _wants_write_lock() -> bool:
    # A request that may write takes SQLite's write lock when its transaction begins.
    # A deferred transaction that reads (the dot budget) and then writes fails at once
    # with "database is locked" when another writer got in between; busy_timeout can't
    # help it. Reads (the polling views) keep plain BEGIN and never block the writer.
    if not has_request_context():
        return True
    if g.get("samskabt_writes"):  # inside writing(), whatever the method (a kept PDF)
        return True
    return request.method not in READ_ONLY_METHODS and not g.get("samskabt_reads_only")


def write_lock_only_when_writing(view):
    """A hot writing view whose reads come first (a phone's vote): its transactions begin
    without SQLite's write lock, and `writing()` takes it for the write alone.

    SQLite lets one writer in at a time. A request that holds the lock from its first
    query through parsing the form, loading the course and so on makes every other vote
    wait for all of that, and under gunicorn's threads the holder also waits for the GIL.
    """

    @functools.wraps(view)
    def view_that_reads_first(*args, **kwargs):
        # Restored afterwards: `g` outlives the request where an app context was pushed
        # around it (scripts, tests).
        before = g.get("samskabt_reads_only", False)
        g.samskabt_reads_only = True
        try:
            return view(*args, **kwargs)
        finally:
            g.samskabt_reads_only = before

    return view_that_reads_first


@contextmanager
def writing():
    """Run the block in a transaction of its own that begins with SQLite's write lock.

    The read transaction before it ends here (it wrote nothing), so the block must read
    again what its decision rests on (cast_vote locks and reloads the course and the item).
    A refusal rolls back at once, so the lock is not held while the reply is drawn.
    The block must not leave the session with expired objects it needs afterwards.
    """
    session = db.session()
    # What the request loaded stays loaded through both commits (nothing it shows is
    # changed by the block's write): no reloading the course, the person and the item
    # for the reply. The block reloads what it decides on itself.
    expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
    reads_only = g.get("samskabt_reads_only", False)
    writes = g.get("samskabt_writes", False)
    try:
        session.commit()
        g.samskabt_reads_only = False
        g.samskabt_writes = True  # also in a GET request (a rendered PDF kept for the next)
        yield
    except BaseException:
        session.rollback()
        raise
    finally:
        g.samskabt_reads_only = reads_only
        g.samskabt_writes = writes
        session.expire_on_commit = expire_on_commit


def configure_sqlite(engine: Engine) -> None:
    """WAL, durable commits, foreign keys, and BEGIN IMMEDIATE for writing transactions."""

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Let us emit BEGIN ourselves (SQLAlchemy's pysqlite recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL: an acknowledged vote survives even a power cut; affordable (~2.7k commits/s).
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        # A connection opened with execution_options(samskabt_read_only=True) never writes.
        reads = connection.get_execution_options().get("samskabt_read_only", False)
        writes = not reads and _wants_write_lock()
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


def lock_row(instance, *, shared: bool = False):
    """Lock the instance's row until the transaction ends, and reload it.

    PostgreSQL: SELECT … FOR NO KEY UPDATE, so a transaction that read the row (a course's
    voting phase) before deciding a write sees it as it is and keeps it so until it commits;
    rows that only point at it (new cards, votes) are not blocked. `shared` takes FOR SHARE:
    any number of transactions hold it together (300 phones voting at once), and a change
    of the row (the phase) waits until they are done. A transaction that holds it must not
    update the row itself (two of them would deadlock). SQLite: the transaction already
    holds the database's write lock (BEGIN IMMEDIATE); this only reloads the row.
    Take the course row first in every transaction that writes votes: one order, no
    deadlocks.
    """
    model = type(instance)
    key = inspect(model).primary_key[0]
    return db.session.scalars(
        select(model)
        .where(key == inspect(instance).identity[0])
        .with_for_update(read=shared, key_share=not shared)
        .execution_options(populate_existing=True)
    ).one()


def serialise(name: str) -> None:
    """Let one transaction at a time past this point for `name`, on every worker and machine.

    PostgreSQL: a transaction-level advisory lock, released at commit or rollback; a
    transaction that waited sees what the one before it committed (READ COMMITTED).
    SQLite: writing transactions already run one at a time (BEGIN IMMEDIATE).
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return
    key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
    db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
