"""What bench/load.py and bench/faults.py share: gunicorn on loopback, a browser-like
HTTP client (cookies, CSRF, ETags, keep-alive), and the domain for set-up and counting.

Nothing here mocks the app: the server is gunicorn with the repository's gunicorn.conf.py
and `app:create_app()`, the database is a real file or a real PostgreSQL cluster.
"""

from __future__ import annotations

import contextlib
import gzip
import html
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SECRET_KEY = "bench-secret-key-not-for-production"  # noqa: S105 — a throwaway server
FACILITATOR_EMAIL = "bench@example.dk"
FACILITATOR_PASSWORD = "bench password 1234"  # noqa: S105

CSRF_HEADER = re.compile(r"hx-headers='\{\"X-CSRFToken\": \"([^\"]+)\"\}'")
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
CLIENT_TOKEN = re.compile(r'name="client_token"[^>]*value="([^"]+)"')
STAGE_FIELD = re.compile(r'name="stage" value="([^"]*)"')
LIVE_URL = re.compile(r'hx-get="(/c/[^"]+/live\?stage=[^"]*)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- the database ---------------------------------------------------------------------


def migrate(database_url: str) -> None:
    """`flask --app app db upgrade`, exactly the release step the README names."""
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": SECRET_KEY}
    subprocess.run(  # noqa: S603 — our own interpreter and arguments
        [sys.executable, "-m", "flask", "--app", "app", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )


@contextlib.contextmanager
def domain(database_url: str):
    """An app context on the database, for set-up and for counting through the models."""
    from app import create_app
    from workshop.core.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": SECRET_KEY})
    with app.app_context():
        try:
            yield db
        finally:
            db.session.rollback()
            db.engine.dispose()


def create_workshop(database_url: str, *, dot_budget: int = 5) -> tuple[int, str]:
    """A facilitator and a course in step 2, collecting cards: (course id, join code)."""
    from workshop.courses import create_course, go_to_step
    from workshop.facilitators import create_facilitator, find_facilitator

    with domain(database_url):
        facilitator = find_facilitator(FACILITATOR_EMAIL) or create_facilitator(
            FACILITATOR_EMAIL, FACILITATOR_PASSWORD, "Bench"
        )
        course = create_course(
            facilitator,
            title="Kick-off for the whole job centre",
            municipality="Benchmark Kommune",
            dot_budget=dot_budget,
        )
        go_to_step(course, 2)
        return course.id, course.join_code


@contextlib.contextmanager
def postgresql_cluster():
    """A throwaway PostgreSQL cluster (tests/postgres.py, shared with the test suite),
    durable: fsync and synchronous commits on, as a real server pays for them.
    Yields (cluster, url of a fresh database)."""
    try:
        from tests.postgres import PostgresCluster
    except ImportError as missing:
        raise RuntimeError(f"tests/postgres.py is not available ({missing})") from None
    try:
        cluster = PostgresCluster(durable=True).start()
    except RuntimeError as unavailable:  # PostgresUnavailable: no binaries, no start
        raise RuntimeError(str(unavailable)) from None
    try:
        yield cluster, cluster.create_database("samskabt_bench")
    finally:
        cluster.stop()


def restart_postgresql(cluster) -> None:
    """pg_ctl restart (fast mode): every open connection is cut, the server comes back."""
    data = cluster.directory / "data"
    cluster._run(str(cluster.bin / "pg_ctl"), "--pgdata", str(data), "--mode", "fast",
                 "--wait", "restart", "-l", str(cluster.directory / "restart.log"))  # fmt: skip


# --- gunicorn -------------------------------------------------------------------------


@dataclass
class Server:
    """gunicorn -c gunicorn.conf.py 'app:create_app()' on a free loopback port."""

    database_url: str
    workdir: Path
    workers: int | None = None
    extra_env: dict = field(default_factory=dict)
    port: int = 0
    process: subprocess.Popen | None = None

    def cpu_seconds(self) -> float:
        """CPU time (user + system) of gunicorn's master and live workers so far."""
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[2]) == self.process.pid:  # its process group (own session)
                    total += int(fields[11]) + int(fields[12])
        return total / os.sysconf("SC_CLK_TCK")

    def start(self, timeout: float = 30) -> Server:
        self.port = self.port or free_port()
        env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "SECRET_KEY": SECRET_KEY,
            "BIND": f"127.0.0.1:{self.port}",
            "ACCESS_LOG": "",  # a log line per request would cost the benchmark CPU
            "RATELIMIT_ENABLED": "0",  # hundreds of phones from one address, by design
            "GUNICORN_CONTROL_SOCKET": str(self.workdir / "gunicorn.ctl"),
            **self.extra_env,
        }
        env.pop("PORT", None)
        if self.workers:
            env["WEB_CONCURRENCY"] = str(self.workers)
        log = (self.workdir / "gunicorn.log").open("ab")
        self.process = subprocess.Popen(  # noqa: S603 — our own interpreter and arguments
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                str(ROOT / "gunicorn.conf.py"),
                "app:create_app()",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=log,
            start_new_session=True,  # its own process group: master and workers together
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.workdir / 'gunicorn.log'}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    connection.close()
                    time.sleep(1.5)  # let every worker finish booting
                    return self
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer /healthz in time")

    def worker_pids(self) -> list[int]:
        output = subprocess.run(  # noqa: S603
            ["pgrep", "-g", str(self.process.pid)],  # noqa: S607
            capture_output=True,
            text=True,
        ).stdout
        return [int(pid) for pid in output.split() if int(pid) != self.process.pid]

    def kill(self) -> None:
        """SIGKILL to the master and every worker at once: no graceful anything."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


# --- a browser-like client ------------------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: str
    seconds: float


class Browser:
    """One phone or laptop: a keep-alive connection, its cookies, its CSRF token, and the
    ETags of what it polled. Like a browser, it resends a request once when the server
    had closed an idle kept-alive connection (safe here: card forms carry a client token,
    votes set a number of dots)."""

    def __init__(self, port: int, timeout: float = 60):
        self.port = port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.csrf = ""
        self.etags: dict[str, str] = {}
        self.connection: http.client.HTTPConnection | None = None
        self.reconnects = 0

    def clone(self) -> Browser:
        """The same phone on a second connection (a double tap racing the first)."""
        twin = Browser(self.port, self.timeout)
        twin.cookies, twin.csrf = dict(self.cookies), self.csrf
        return twin

    def _connect(self) -> http.client.HTTPConnection:
        if self.connection is None:
            self.connection = http.client.HTTPConnection(
                "127.0.0.1", self.port, timeout=self.timeout
            )
        return self.connection

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def request(
        self,
        method: str,
        path: str,
        data: dict | None = None,
        *,
        htmx: bool = False,
        poll: bool = False,
    ) -> Reply:
        # Like a phone's browser: compressed replies are welcome (static/app.js's polls and
        # the voting list are a few KB gzipped instead of a few hundred).
        headers = {"Accept-Language": "da", "Accept-Encoding": "gzip"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if htmx:
            headers["HX-Request"] = "true"
        if poll and path in self.etags:
            headers["If-None-Match"] = self.etags[path]
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            if self.csrf:
                headers["X-CSRFToken"] = self.csrf
        for attempt in (1, 2):
            reused = self.connection is not None
            started = time.perf_counter()
            try:
                connection = self._connect()
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                raw = response.read()
                if response.getheader("Content-Encoding", "") == "gzip":
                    raw = gzip.decompress(raw)
                text = raw.decode("utf-8", "replace")
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if attempt == 2 or not reused:
                    raise
                self.reconnects += 1
                continue
            except BaseException:
                self.close()  # a timed-out connection can't carry the next request
                raise
            seconds = time.perf_counter() - started
            if response.getheader("Connection", "").lower() == "close":
                self.close()
            break
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        if poll and response.getheader("ETag"):
            self.etags[path] = response.getheader("ETag")
        token = CSRF_HEADER.search(text) or CSRF_FIELD.search(text)
        if token:
            self.csrf = html.unescape(token.group(1))
        return Reply(response.status, response.headers, text, seconds)

    def login(self) -> None:
        self.request("GET", "/login")
        reply = self.request(
            "POST",
            "/login",
            {"email": FACILITATOR_EMAIL, "password": FACILITATOR_PASSWORD, "csrf_token": self.csrf},
        )
        if reply.status != 302:
            raise RuntimeError(f"facilitator login failed: {reply.status}")
        self.request("GET", reply.headers["Location"].replace(f"http://127.0.0.1:{self.port}", ""))
