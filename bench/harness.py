"""What bench/load.py and bench/faults.py share: gunicorn on loopback, a browser-like
HTTP client (cookies, CSRF, ETags, keep-alive), and the domain for set-up and counting.

Nothing here mocks the app: the server is gunicorn with the repository's gunicorn.conf.py
and `app:create_app()`, the database is a real file or a real PostgreSQL cluster.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import html
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
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


# What Chrome on a phone accepts (Safari: no zstd). The app compresses with the first it
# knows of zstd, br and gzip (workshop/web/compression.py).
PHONE_ENCODINGS = "gzip, deflate, br, zstd"


def decoded(raw: bytes, encoding: str) -> bytes:
    """The body as sent before compression (the app sends zstd, br or gzip)."""
    if encoding == "gzip":
        return gzip.decompress(raw)
    if encoding == "br":
        import brotli  # noqa: PLC0415 — Flask-Compress's dependency, only for br replies

        return brotli.decompress(raw)
    if encoding == "zstd":
        from flask_compress.compat import compression  # noqa: PLC0415 — as above

        return compression.zstd.decompress(raw)
    return raw


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


def _process_stats() -> dict[int, tuple[int, int, int]]:
    """pid -> (parent pid, process group, CPU ticks) of every process now, the ticks
    (user + system) with those of its children that have exited and been reaped (cutime
    and cstime)."""
    stats = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            ticks = sum(int(value) for value in fields[11:15])
            stats[int(stat.parent.name)] = (int(fields[1]), int(fields[2]), ticks)
    return stats


def tree_cpu_seconds(root: int) -> float:
    """CPU time (user + system) so far of a process and all its descendants, exited
    ones included."""
    stats = _process_stats()
    children: dict[int, list[int]] = {}
    for pid, (parent, _group, _ticks) in stats.items():
        children.setdefault(parent, []).append(pid)
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += stats[pid][2] if pid in stats else 0
        todo += children.get(pid, [])
    return total / os.sysconf("SC_CLK_TCK")


def postgresql_cpu_seconds(cluster) -> float:
    """CPU seconds so far of the cluster's postmaster and its backends (backends that
    have exited count through the postmaster's cutime and cstime)."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        pid = int((cluster.directory / "data" / "postmaster.pid").read_text().split()[0])
        return tree_cpu_seconds(pid)
    return 0.0


def restart_postgresql(cluster) -> None:
    """pg_ctl restart (fast mode): every open connection is cut, the server comes back."""
    data = cluster.directory / "data"
    cluster._run(str(cluster.bin / "pg_ctl"), "--pgdata", str(data), "--mode", "fast",
                 "--wait", "restart", "-l", str(cluster.directory / "restart.log"))  # fmt: skip


# --- gunicorn -------------------------------------------------------------------------


def group_cpu_seconds(group: int) -> float:
    """CPU time (user + system) so far of the processes in a process group (a server
    started in its own session: its master and workers), exited workers included."""
    ticks = sum(
        ticks for _parent, in_group, ticks in _process_stats().values() if in_group == group
    )
    return ticks / os.sysconf("SC_CLK_TCK")


GUNICORN_TROUBLE = re.compile(r"\[(ERROR|CRITICAL|WARNING)\]|Traceback|WORKER TIMEOUT")
NGINX_TROUBLE = re.compile(r"\[(warn|error|crit|alert|emerg)\]")


def log_troubles(log: Path, trouble: re.Pattern) -> list[str]:
    with contextlib.suppress(OSError):
        text = log.read_text(encoding="utf-8", errors="replace")
        return [line for line in text.splitlines() if trouble.search(line)]
    return []


@dataclass
class Server:
    """gunicorn -c gunicorn.conf.py 'app:create_app()' on a free loopback port."""

    database_url: str
    workdir: Path
    workers: int | None = None
    threads: int | None = None
    extra_env: dict = field(default_factory=dict)
    port: int = 0
    process: subprocess.Popen | None = None

    def cpu_seconds(self) -> float:
        """CPU time (user + system) of gunicorn's master and live workers so far."""
        return group_cpu_seconds(self.process.pid)

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
        }
        env.pop("PORT", None)
        if self.workers:
            env["WEB_CONCURRENCY"] = str(self.workers)
        if self.threads:
            env["GUNICORN_THREADS"] = str(self.threads)
        env.update(self.extra_env)  # last: what the caller asks for wins
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

    def log_troubles(self) -> list[str]:
        """gunicorn's log lines that say something went wrong (a worker timed out or died,
        an error, a traceback), to show beside the client's view of errors."""
        return log_troubles(self.workdir / "gunicorn.log", GUNICORN_TROUBLE)

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
    headers: http.client.HTTPMessage | dict  # a dict by lower-case name from AsyncBrowser
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


# --- the same phone in asyncio --------------------------------------------------------


class ServerClosed(ConnectionError):
    """A kept-alive connection the server had closed before our request got an answer."""


class AsyncBrowser:
    """Browser for an event loop: one phone as a coroutine, a thousand in one process.

    A small HTTP/1.1 client on asyncio streams (the standard library has none): one
    keep-alive connection, the request line and headers written in one go, the reply's
    status and headers read at once, its body by Content-Length or chunked, gzip undone.
    Cookies, the CSRF token and the ETags of polled URLs as Browser keeps them. Like a
    browser it sends a request again, once, when the server had closed the kept-alive
    connection before answering (counted in `reconnects`). `timeout` bounds a whole
    request (connecting, sending, the reply read to its end): a TimeoutError."""

    def __init__(self, port: int, timeout: float = 30):
        self.port = port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.csrf = ""
        self.etags: dict[str, str] = {}
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.reconnects = 0

    def clone(self) -> AsyncBrowser:
        """The same phone on a second connection (a double tap racing the first)."""
        twin = AsyncBrowser(self.port, self.timeout)
        twin.cookies, twin.csrf = dict(self.cookies), self.csrf
        return twin

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()  # the transport goes at once; nothing to wait for
            self.reader = self.writer = None

    def _head(
        self,
        method: str,
        path: str,
        body: bytes | None,
        htmx: bool,
        poll: bool,
        headers: dict | None,
    ) -> bytes:
        # Like a phone's browser: compressed replies are welcome.
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: 127.0.0.1:{self.port}",
            "Accept-Language: da",
            f"Accept-Encoding: {PHONE_ENCODINGS}",
        ]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if htmx:
            lines.append("HX-Request: true")
        if poll and path in self.etags:
            lines.append(f"If-None-Match: {self.etags[path]}")
        if body is not None:
            lines.append("Content-Type: application/x-www-form-urlencoded")
            lines.append(f"Content-Length: {len(body)}")
            if self.csrf:
                lines.append(f"X-CSRFToken: {self.csrf}")
        for name, value in (headers or {}).items():
            lines.append(f"{name}: {value}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    async def _exchange(self, method: str, message: bytes) -> tuple[int, dict, list, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        self.writer.write(message)
        reader = self.reader
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError as cut:
                if not cut.partial:
                    raise ServerClosed("closed before any reply") from None
                raise
            lines = head.decode("latin-1").split("\r\n")
            version, status, *_ = lines[0].split(" ", 2)
            status = int(status)
            if status >= 200:
                break  # a 1xx (100 Continue) is followed by the real reply
        headers: dict[str, str] = {}
        cookies = []
        for line in lines[1:]:
            if not line:
                continue
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                cookies.append(value)
            elif name in headers:
                headers[name] += ", " + value
            else:
                headers[name] = value
        connection = headers.get("connection", "").lower()
        keep = connection != "close" if version == "HTTP/1.1" else connection == "keep-alive"
        if method == "HEAD" or status in (204, 304):
            body = b""
        elif "chunked" in headers.get("transfer-encoding", "").lower():
            parts = []
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";", 1)[0], 16)
                if size == 0:
                    while await reader.readuntil(b"\r\n") != b"\r\n":
                        pass  # trailers
                    break
                parts.append((await reader.readexactly(size + 2))[:-2])
            body = b"".join(parts)
        elif "content-length" in headers:
            body = await reader.readexactly(int(headers["content-length"]))
        else:
            body, keep = await reader.read(), False  # the body ends with the connection
        if not keep:
            self.close()
        return status, headers, cookies, body

    async def request(
        self,
        method: str,
        path: str,
        data: dict | None = None,
        *,
        htmx: bool = False,
        poll: bool = False,
        headers: dict | None = None,
    ) -> Reply:
        """The reply, its headers in a dict by lower-case name."""
        body = None if data is None else urllib.parse.urlencode(data).encode()
        message = self._head(method, path, body, htmx, poll, headers) + (body or b"")
        for attempt in (1, 2):
            reused = self.writer is not None
            started = time.perf_counter()
            try:
                async with asyncio.timeout(self.timeout):
                    status, reply_headers, cookies, raw = await self._exchange(method, message)
            except (ServerClosed, ConnectionResetError, BrokenPipeError):
                self.close()
                if attempt == 2 or not reused:
                    raise
                self.reconnects += 1
                continue
            except BaseException:
                self.close()  # a timed-out connection can't carry the next request
                raise
            seconds = time.perf_counter() - started
            break
        raw = decoded(raw, reply_headers.get("content-encoding", ""))
        text = raw.decode("utf-8", "replace")
        for cookie in cookies:
            name, _, value = cookie.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()
        if poll and status == 200 and "etag" in reply_headers:
            self.etags[path] = reply_headers["etag"]
        token = CSRF_HEADER.search(text) or CSRF_FIELD.search(text)
        if token:
            self.csrf = html.unescape(token.group(1))
        return Reply(status, reply_headers, text, seconds)

    async def login(self) -> None:
        await self.request("GET", "/login")
        form = {
            "email": FACILITATOR_EMAIL,
            "password": FACILITATOR_PASSWORD,
            "csrf_token": self.csrf,
        }
        reply = await self.request("POST", "/login", form)
        if reply.status != 302:
            raise RuntimeError(f"facilitator login failed: {reply.status}")
        target = urllib.parse.urlsplit(reply.headers["location"])
        await self.request("GET", target.path + (f"?{target.query}" if target.query else ""))


# --- nginx in front, as docs/deploying.md configures it --------------------------------

NGINX = Path("/usr/sbin/nginx")  # Debian's nginx package
DEPLOYING = ROOT / "docs" / "deploying.md"


def _top_level_blocks(text: str) -> list[tuple[int, int]]:
    """(start, end) of each top-level `name … { … }` block; comments and quotes skipped."""
    blocks, depth, start, index, quote = [], 0, 0, 0, ""
    while index < len(text):
        char = text[index]
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == "#":
            end = text.find("\n", index)
            index = len(text) if end < 0 else end
            continue
        elif char == "{":
            if depth == 0:
                start = text.rfind("\n", 0, index) + 1  # the block's name starts its line
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                blocks.append((start, index + 1))
        index += 1
    return blocks


def nginx_site_from_docs(listen_port: int, upstream_port: int, docs: Path = DEPLOYING) -> str:
    """The ```nginx block of docs/deploying.md, made to run on loopback without a
    certificate: `listen 443 ssl;` becomes a loopback port, the port-80 redirect goes,
    the upstream points at gunicorn's port, and ssl_ directives (none by default, the
    docs have them as comments) are dropped. Everything else stays as the docs say."""
    found = re.search(r"```nginx\n(.*?)```", docs.read_text(encoding="utf-8"), re.DOTALL)
    if not found:
        raise RuntimeError(f"no ```nginx block in {docs}")
    site = found.group(1)
    if not re.search(r"listen\s+443\s+ssl\s*;", site):
        raise RuntimeError(f"{docs}'s nginx block has no `listen 443 ssl;` to replace")
    site = re.sub(r"listen\s+443\s+ssl\s*;", f"listen 127.0.0.1:{listen_port};", site)
    for start, end in reversed(_top_level_blocks(site)):
        block = site[start:end]
        if block.lstrip().startswith("server") and re.search(r"listen\s+80\s*;", block):
            site = site[:start] + site[end:]
    site, upstreams = re.subn(
        r"(upstream\s+\S+\s*\{[^}]*?\bserver\s+)[^;\s]+",
        rf"\g<1>127.0.0.1:{upstream_port}",
        site,
    )
    if upstreams != 1:
        raise RuntimeError(f"{docs}'s nginx block should have one upstream, has {upstreams}")
    return re.sub(r"(?m)^\s*ssl_\w+[^;]*;", "", site)


@dataclass
class Nginx:
    """A real nginx (Debian's package) in front of gunicorn, with the site configuration
    of docs/deploying.md wrapped in a minimal main configuration of the bench's own."""

    upstream_port: int
    worker_connections: int = 4096
    port: int = 0
    directory: Path | None = None
    process: subprocess.Popen | None = None

    @staticmethod
    def available() -> bool:
        return NGINX.exists()

    def main_config(self) -> str:
        site = nginx_site_from_docs(self.port, self.upstream_port)
        here = self.directory
        temp_paths = "\n".join(
            f"    {kind}_temp_path {here}/{kind};"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        return f"""\
# The bench's own main configuration (Debian's /etc/nginx/nginx.conf is not read).
# In the foreground: the bench started it and stops it (its own process group).
daemon off;
# One worker per core, as Debian's nginx.conf has it.
worker_processes auto;
# Not /run/nginx.pid and /var/log/nginx: no clash with a system nginx, nothing left behind.
pid {here}/nginx.pid;
error_log {here}/error.log warn;
# Each phone holds a connection to nginx and, while it is answered, one to gunicorn.
worker_rlimit_nofile {2 * self.worker_connections + 100};
events {{
    # Debian's nginx.conf has 768 per worker: fewer than 1,000 phones' keep-alive
    # connections plus the upstream ones; a worker may get most phones, so each gets all.
    worker_connections {self.worker_connections};
}}
http {{
    # Like gunicorn's ACCESS_LOG= here: a log line per request would cost the bench CPU.
    access_log off;
    # The defaults are under /var/lib/nginx (Debian): paths of our own.
{temp_paths}

    # --- from docs/deploying.md (listen on loopback, upstream at gunicorn) ---
{site}
}}
"""

    def start(self, timeout: float = 15) -> Nginx:
        self.port = self.port or free_port()
        # Its own directory, readable by nginx's unprivileged workers (`nobody` when the
        # bench runs as root), which write the proxy's temp files there.
        self.directory = Path(tempfile.mkdtemp(prefix="samskabt-nginx-"))
        self.directory.chmod(0o755)
        config = self.directory / "nginx.conf"
        config.write_text(self.main_config(), encoding="utf-8")
        log = self.directory / "error.log"
        self.process = subprocess.Popen(  # noqa: S603 — Debian's nginx, our own configuration
            [str(NGINX), "-e", str(log), "-p", str(self.directory), "-c", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=log.open("ab"),
            start_new_session=True,  # master and workers in one group, for their CPU
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited: {log.read_text(errors='replace')[-2000:]}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    connection.close()
                    return self
            time.sleep(0.2)
        raise RuntimeError("nginx did not pass /healthz on in time")

    def log_troubles(self) -> list[str]:
        """nginx's error log lines from `warn` up (upstream timeouts, resets, too few
        worker_connections), read before stop() removes its directory."""
        return log_troubles(self.directory / "error.log", NGINX_TROUBLE)

    def cpu_seconds(self) -> float:
        """CPU time (user + system) of nginx's master and workers so far."""
        return group_cpu_seconds(self.process.pid)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()  # fast shutdown
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)
