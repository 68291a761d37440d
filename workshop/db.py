"""Database set-up: SQLite pragmas and write locks taken up front."""

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _wants_write_lock() -> bool:
    # A request that may write takes SQLite's write lock when its transaction begins.
    # A deferred transaction that reads (the dot budget) and then writes fails at once
    # with "database is locked" when another writer got in between; busy_timeout can't
    # help it. Reads (the polling views) keep plain BEGIN and never block the writer.
    return not has_request_context() or request.method not in READ_ONLY_METHODS


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
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _wants_write_lock() else "BEGIN")
