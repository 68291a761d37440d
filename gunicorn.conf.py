"""Gunicorn settings for serving Samskabt in production.

    gunicorn -c gunicorn.conf.py 'app:create_app()'

Every value can be changed from the environment (below) without editing this file.

Why several workers are safe: everything a workshop shares — courses, participants,
cards, votes, the live revision phones poll — is in the database, and sessions live in a
signed cookie (the same SECRET_KEY on every worker and machine); rendered PDFs are kept
in the database too (workshop/core/caches.py), so a redaction deletes them for every worker. The
only per-process memory is the phones' voting list (workshop/web/fragments.py: dropped when the
worker sees a newer revision of the course, and after 60 s at the latest), compressed copies
of large bodies (at most a minute old), the session cookies already checked, which codes are
courses, and the parsed catalogue file: a worker that has not got them simply makes them.
"""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


# Workers: WEB_CONCURRENCY, else 2 × cores, capped at 8. Each worker imports WeasyPrint and
# keeps its own database pool (~100 MB); beyond that the database, not Python, is the limit
# — with SQLite every write takes one lock anyway. For PostgreSQL keep workers × threads
# below the server's max_connections (100 by default). Measured with bench/load.py on 2
# cores (300 phones tapping at once, each worker on its own socket, see reuse_port):
# 4 workers answer a vote with 4.4 ms of CPU, 8 workers with 5.4 ms (more processes on the
# same cores switch and queue more), at the same latency.
workers = _int("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count(), 8))

# Threads: phones poll their live fragment every 2 s, and the answer is almost always a
# 304 from one indexed query. A sync worker is blocked for the whole of a slow request —
# rendering the action plan PDF takes ~3 s for a large course — and every poll queued
# behind it waits. gthread workers run a few requests at once, so polls keep flowing
# while one thread renders, and idle keep-alive connections wait in the worker's poller
# instead of holding a thread. Two are enough for that; more cost throughput, because the
# work is CPU-bound Python under the GIL once the database has answered.
worker_class = "gthread"
threads = _int("GUNICORN_THREADS", 2)

# Bind: BIND (e.g. "unix:/run/samskabt.sock" or "0.0.0.0:8000"); else PORT on every
# interface (as platforms that set PORT expect); else loopback for a reverse proxy.
if os.environ.get("BIND"):
    bind = [address.strip() for address in os.environ["BIND"].split(",") if address.strip()]
elif os.environ.get("PORT"):
    bind = [f"0.0.0.0:{_int('PORT', 8000)}"]  # noqa: S104 — what PORT means on a platform
else:
    bind = ["127.0.0.1:8000"]

# Each worker listens on a socket of its own (SO_REUSEPORT), so the kernel hands new
# connections to the workers in turn. With one shared socket, the worker that happens to be
# awake accepts connection after connection, and a phone's kept-alive connection stays with
# that worker: measured with 300 phones tapping at once, a few workers held most phones,
# their requests queued while other workers idled, and votes took 0.5–1.3 s (p50–p95)
# instead of 32–114 ms. Only for TCP addresses: a Unix socket cannot be shared this way.
# GUNICORN_REUSE_PORT=0 turns it off. The price: a worker that stops (a reload, a
# replacement after max_requests) resets the connections still waiting in its own socket's
# queue, unless the host sets net.ipv4.tcp_migrate_req=1 (Linux 5.14+), which hands them to
# the other workers' sockets.
reuse_port = os.environ.get("GUNICORN_REUSE_PORT", "1").strip() != "0" and not any(
    address.startswith(("unix:", "fd://")) for address in bind
)

# A worker that says nothing for `timeout` seconds is killed and replaced. The slowest
# request is the PDF (~3 s for 300 cards and 60 actions, see bench/pdf_bench.py); gthread
# workers keep reporting while a thread renders, so this is a generous guard against a hung
# process, not a request deadline. Graceful: time for running requests on reload or stop.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = 30
# A phone (or the proxy's upstream keep-alive) asks again within 2 s: keep the
# connection a little longer than that so polling reuses it.
keepalive = 5

# Replace each worker after many requests (jittered, so they don't all restart together):
# a safety net against slow leaks in native libraries (WeasyPrint, pango). Not a few
# thousand: 1,000 phones polling every 2 s are 500 requests a second, and each new worker
# spends a second or two of CPU starting the app (bench/load.py saw workers replaced every
# minute or so at 5,000).
max_requests = _int("GUNICORN_MAX_REQUESTS", 100_000)
max_requests_jitter = max_requests // 10

# Forwarded headers: trust them exactly as far as the app does. With TRUSTED_PROXIES=N
# the app's ProxyFix takes X-Forwarded-For/-Proto/-Host from N proxies, so gunicorn
# must let them through ("*": the app port must then be reachable only by the proxy —
# the default bind is loopback). With TRUSTED_PROXIES=0 nobody's headers are trusted.
# FORWARDED_ALLOW_IPS overrides this with gunicorn's own list of addresses.
if "FORWARDED_ALLOW_IPS" in os.environ:
    forwarded_allow_ips = os.environ["FORWARDED_ALLOW_IPS"]
else:
    forwarded_allow_ips = "*" if _int("TRUSTED_PROXIES", 0) > 0 else ""

# Access log on standard output (ACCESS_LOG=path to a file, ACCESS_LOG= for none), with
# the time each request took in milliseconds and the forwarded client address.
accesslog = os.environ.get("ACCESS_LOG", "-") or None
access_log_format = '%(h)s %({x-forwarded-for}i)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s"'
errorlog = "-"
# gunicorn 25+ listens on a control socket for `gunicornc` (default in $HOME): two
# instances on one machine (or the benchmarks) need their own path.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
loglevel = os.environ.get("LOG_LEVEL", "info")

# preload_app stays off: each worker imports and builds the app after the fork, so no
# database connection or pool is ever shared between processes, and `kill -HUP` on the
# master reloads new code worker by worker (see reuse_port above for the one exception).
# The price is a second or two of start-up per worker and no copy-on-write sharing of memory.
preload_app = False


def on_starting(server):
    """Before any worker starts: make sure every worker will sign with the same key.

    Without SECRET_KEY in the environment the app keeps a random key in instance/; if
    several workers created it at once, they could end up with different keys and refuse
    each other's cookies and CSRF tokens. The master makes it first (production sets
    SECRET_KEY, and then this does nothing)."""
    if os.environ.get("SECRET_KEY"):
        return
    from workshop.core.config import kept_secret_key

    instance = Path(__file__).resolve().parent / "instance"
    instance.mkdir(exist_ok=True)
    kept_secret_key(instance)
