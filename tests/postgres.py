"""A throwaway PostgreSQL server for the tests and the load benchmark.

Debian's `postgresql` package provides the binaries (`.ci/run` installs it when missing);
nothing else is needed: no running system service, no configuration. The cluster lives in
a temporary directory, listens on 127.0.0.1 only (and a unix socket inside that directory),
and is removed when it stops. PostgreSQL refuses to run as root, so under root the server
runs as the `postgres` system user, which owns the directory.

    from tests.postgres import PostgresCluster

    with PostgresCluster() as cluster:            # initdb + start on a free port
        cluster.create_database("samskabt")
        url = cluster.url("samskabt")             # postgresql+psycopg://samskabt:…@127.0.0.1:…/samskabt
        ...
        cluster.create_database("copy", template="samskabt")   # a fast copy
        cluster.drop_database("copy")
    # stopped and deleted here

`find_postgres_bin()` tells where the binaries are (None when not installed).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

SUPERUSER = "samskabt"
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL binaries are missing or the server could not be started."""


def _version_key(path: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", path.parent.name) or [0])


def find_postgres_bin() -> Path | None:
    """The directory with initdb and pg_ctl: $PG_BIN, Debian's newest version, or $PATH."""
    candidates: list[Path] = []
    if os.environ.get("PG_BIN"):
        candidates.append(Path(os.environ["PG_BIN"]))
    # Debian and Ubuntu: /usr/lib/postgresql/<version>/bin; the newest version first.
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_version_key, reverse=True)
    candidates.extend(debian)
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    for candidate in candidates:
        if (candidate / "initdb").is_file() and (candidate / "pg_ctl").is_file():
            return candidate
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresCluster:
    """A PostgreSQL server of its own in a temporary directory, for as long as it's needed.

    durable=False (the default) turns fsync and synchronous commits off: right for tests,
    where the data dies with the cluster. The load benchmark passes durable=True to measure
    what a real server pays for every acknowledged vote to be on disk.
    """

    def __init__(
        self,
        *,
        durable: bool = False,
        max_connections: int = 100,
        settings: dict[str, str] | None = None,
    ) -> None:
        self.durable = durable
        self.max_connections = max_connections
        self.settings = dict(settings or {})
        self.password = secrets.token_urlsafe(24)
        self.bin: Path | None = None
        self.directory: Path | None = None
        self.port: int | None = None
        self._as_postgres = os.geteuid() == 0

    # --- life cycle ------------------------------------------------------------------

    def _run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess:
        if self._as_postgres:
            # PostgreSQL refuses root: run it as the postgres system user.
            command = ("runuser", "-u", "postgres", "--", *command)
        return subprocess.run(  # noqa: S603 (fixed programs, our own arguments)
            command, capture_output=True, text=True, check=check, cwd=self.directory
        )

    def start(self) -> PostgresCluster:
        self.bin = find_postgres_bin()
        if self.bin is None:
            raise PostgresUnavailable(
                "PostgreSQL's binaries were not found: install Debian's `postgresql` package "
                "(bash .ci/run does), or point PG_BIN at the directory with initdb and pg_ctl."
            )
        self.directory = Path(tempfile.mkdtemp(prefix="samskabt-pg-"))
        try:
            self._initdb()
            self._start_server()
        except BaseException:
            self.stop()
            raise
        return self

    def _initdb(self) -> None:
        assert self.directory is not None and self.bin is not None
        password_file = self.directory / "password"
        password_file.write_text(self.password)
        if self._as_postgres:
            shutil.chown(self.directory, "postgres", "postgres")
            shutil.chown(password_file, "postgres", "postgres")
        password_file.chmod(0o600)
        try:
            self._run(
                str(self.bin / "initdb"),
                "--pgdata",
                str(self.directory / "data"),
                "--username",
                SUPERUSER,
                "--pwfile",
                str(password_file),
                "--auth-local",
                "trust",  # the socket lives in our own 0700 directory
                "--auth-host",
                "scram-sha-256",
                "--encoding",
                "UTF8",
                "--locale",
                "C.UTF-8",
                "--no-sync",
            )
        except subprocess.CalledProcessError as error:
            raise PostgresUnavailable(f"initdb failed:\n{error.stdout}{error.stderr}") from None
        finally:
            password_file.unlink(missing_ok=True)

    def _start_server(self) -> None:
        assert self.directory is not None and self.bin is not None
        options = {
            "listen_addresses": "127.0.0.1",
            "unix_socket_directories": f"'{self.directory}'",
            "max_connections": str(self.max_connections),
            "shared_buffers": "64MB",
            **({} if self.durable else {"fsync": "off", "synchronous_commit": "off"}),
            **({} if self.durable else {"full_page_writes": "off"}),
            **self.settings,
        }
        log = self.directory / "server.log"
        for _attempt in range(5):
            self.port = _free_port()
            flags = " ".join(f"-c {name}={value}" for name, value in options.items())
            result = self._run(
                str(self.bin / "pg_ctl"),
                "--pgdata",
                str(self.directory / "data"),
                "--log",
                str(log),
                "--wait",
                "--timeout",
                "60",
                "--options",
                f"-p {self.port} {flags}",
                "start",
                check=False,
            )
            if result.returncode == 0:
                return
            # Another process may have taken the port in between: try another one.
            time.sleep(0.2)
        detail = log.read_text() if log.exists() else result.stdout + result.stderr
        raise PostgresUnavailable(f"PostgreSQL did not start:\n{detail}")

    def stop(self) -> None:
        """Stop the server (fast shutdown) and delete its directory."""
        if self.directory is None:
            return
        data = self.directory / "data"
        if self.bin is not None and (data / "postmaster.pid").exists():
            self._run(
                str(self.bin / "pg_ctl"),
                "--pgdata",
                str(data),
                "--mode",
                "immediate",
                "--wait",
                "stop",
                check=False,
            )
        shutil.rmtree(self.directory, ignore_errors=True)
        self.directory = None

    def __enter__(self) -> PostgresCluster:
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()

    # --- databases -------------------------------------------------------------------

    def url(self, database: str, *, driver: str = "postgresql+psycopg") -> str:
        """A SQLAlchemy URL for a database of this cluster, over TCP with the password."""
        return f"{driver}://{SUPERUSER}:{self.password}@127.0.0.1:{self.port}/{database}"

    def execute(self, sql: str, database: str = "postgres") -> None:
        """Run a statement outside a transaction (CREATE/DROP DATABASE need that)."""
        import psycopg

        with psycopg.connect(
            host=str(self.directory), port=self.port, user=SUPERUSER, dbname=database
        ) as connection:
            connection.autocommit = True
            connection.execute(sql)

    def create_database(self, name: str, *, template: str | None = None) -> str:
        """A new database (a copy of `template` if given, which nobody may be connected
        to); returns its URL."""
        _check_name(name)
        sql = f"CREATE DATABASE {name}"
        if template is not None:
            _check_name(template)
            sql += f" TEMPLATE {template}"
        self.execute(sql)
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop a database, ending any connection still open to it."""
        _check_name(name)
        self.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _check_name(name: str) -> None:
    if not _NAME.match(name):
        raise ValueError(f"not a plain database name: {name!r}")


def main() -> None:
    """`python -m tests.postgres`: a throwaway server with an empty database `samskabt`,
    until Ctrl-C; prints the DATABASE_URL to use."""
    import signal

    with PostgresCluster() as cluster:
        cluster.create_database("samskabt")
        print(f"DATABASE_URL={cluster.url('samskabt')}", flush=True)
        print("PostgreSQL is running; Ctrl-C stops it and deletes its data.", flush=True)
        stop = {signal.SIGINT, signal.SIGTERM}
        signal.pthread_sigmask(signal.SIG_BLOCK, stop)
        signal.sigwait(stop)


if __name__ == "__main__":
    main()
