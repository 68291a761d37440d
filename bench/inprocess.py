"""The floor: what one request costs in the app alone, without gunicorn, HTTP or a client.

    .venv/bin/python bench/inprocess.py [--db sqlite|postgresql] [--cards 300] [--runs 400]
                                        [--profile vote|poll|list|healthz]

Builds a course in a fresh database through the domain (N participants with a card each,
the vote open), then sends requests through Flask's test client as one phone and prints
the CPU time (process_time: this process only) per request: /healthz, a phone's poll that
is answered 304, a vote (the same dot given and taken back in turn), and a poll that draws
the whole 300-card voting list. bench/load.py prints the same figures next to what the
same requests cost the server through the full stack (gunicorn, HTTP, the proxy), so the
gap between the two is visible. `--profile` prints cProfile's top functions for one kind
(`list`: the poll that draws the whole list, compressed).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import SECRET_KEY, create_workshop, migrate, postgresql_cluster  # noqa: E402

CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
LIVE_URL = re.compile(r'hx-get="(/c/[^"]+/live\?stage=[^"]*)"')
HTMX = {"HX-Request": "true", "Accept-Language": "da"}


def build_course(database_url: str, cards: int) -> tuple[int, str]:
    """A course in step 2 with `cards` participants who wrote a card each, voting open."""
    from harness import domain

    from workshop.cards import submit_card
    from workshop.core.models import Course
    from workshop.participants import join
    from workshop.votes import set_voting_state

    course_id, code = create_workshop(database_url)
    with domain(database_url) as db:
        course = db.session.get(Course, course_id)
        for number in range(cards):
            person = join(course, "medarbejder", f"Team {number % 7}", f"phone-{number:04d}")
            submit_card(
                person,
                f"Kort nummer {number}: dokumentation i fagsystemet tager tid",
                client_token=f"bench-{number}",
            )
        set_voting_state(course, "voting")
    return course_id, code


class Phone:
    """One phone on Flask's test client: joined, its CSRF token, its live URL and ETag."""

    def __init__(self, app, code: str):
        self.client = app.test_client()
        self.code = code
        page = self.client.get(f"/j/{code}", headers=HTMX).text
        self.csrf = CSRF_FIELD.search(page).group(1)
        joined = self.client.post(
            f"/j/{code}",
            data={"role": "medarbejder", "unit": "", "name": "", "csrf_token": self.csrf},
        )
        assert joined.status_code == 302, joined.status_code
        page = self.client.get(f"/c/{code}").text
        self.live = LIVE_URL.search(page).group(1).replace("&amp;", "&")
        self.stage = self.live.rsplit("stage=", 1)[1]
        self.card_ids = [int(i) for i in re.findall(r"/cards/(\d+)/dots", page)]
        self.etag = ""
        self.dots = 0

    def healthz(self) -> int:
        return self.client.get("/healthz").status_code

    def poll(self, *, fresh: bool = False, compressed: bool = False) -> int:
        headers = dict(HTMX)
        if compressed:  # as a phone's browser asks (the compressed body kept by its hash)
            headers["Accept-Encoding"] = "gzip, deflate, br, zstd"
        if self.etag and not fresh:
            headers["If-None-Match"] = self.etag
        reply = self.client.get(self.live, headers=headers)
        if reply.status_code == 200:
            self.etag = reply.headers.get("ETag", "")
        return reply.status_code

    def vote(self) -> int:
        self.dots = 1 - self.dots
        headers = {**HTMX, "X-CSRFToken": self.csrf}
        if self.etag:
            headers["X-Live-ETag"] = self.etag
        reply = self.client.post(
            f"/c/{self.code}/cards/{self.card_ids[0]}/dots",
            data={"dots": str(self.dots), "stage": self.stage},
            headers=headers,
        )
        self.etag = reply.headers.get("X-Live-ETag", self.etag)
        return reply.status_code


def cost(ask, runs: int, expected: int) -> float:
    """CPU milliseconds per request, after a few requests to warm up."""
    for _ in range(5):
        ask()
    began = time.process_time()
    for _ in range(runs):
        status = ask()
        if status != expected:
            raise RuntimeError(f"expected {expected}, got {status}")
    return (time.process_time() - began) * 1000 / runs


def measure_in_process(database_url: str, cards: int = 300, runs: int = 400) -> dict[str, float]:
    """CPU ms per request in this process, by kind: what the app itself costs."""
    _course_id, code = build_course(database_url, cards)
    phone = Phone(_app(database_url), code)
    phone.poll()
    figures = {
        "healthz": cost(phone.healthz, runs, 200),
        "poll 304": cost(phone.poll, runs, 304),
        "vote": cost(phone.vote, runs, 200),
        "poll 304 after a vote": cost(lambda: phone.vote() and phone.poll(), runs // 2, 304),
        "poll drawing the list": cost(lambda: phone.poll(fresh=True), runs // 4, 200),
        "the same, compressed": cost(
            lambda: phone.poll(fresh=True, compressed=True), runs // 4, 200
        ),
    }
    figures["poll 304 after a vote"] -= figures["vote"]  # the pair, less the vote
    return figures


def _app(database_url: str):
    from app import create_app

    config = {"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": SECRET_KEY}
    return create_app(config | {"RATELIMIT_ENABLED": False})


def profile(database_url: str, kind: str, cards: int, runs: int) -> None:
    _course_id, code = build_course(database_url, cards)
    phone = Phone(_app(database_url), code)
    phone.poll()
    ask = {
        "vote": phone.vote,
        "poll": phone.poll,
        "list": lambda: phone.poll(fresh=True, compressed=True),
        "healthz": phone.healthz,
    }[kind]
    for _ in range(5):
        ask()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(runs):
        ask()
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(45)
    print(out.getvalue())


def print_figures(label: str, figures: dict[str, float]) -> None:
    print(f"  in-process CPU per request ({label}, Flask's test client, no HTTP):")
    for kind, ms in figures.items():
        print(f"    {kind:<24}{ms:>7.2f} ms   ({ms / figures['healthz']:.1f}× /healthz)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--cards", type=int, default=300)
    parser.add_argument("--runs", type=int, default=400)
    parser.add_argument("--profile", choices=("vote", "poll", "list", "healthz"))
    args = parser.parse_args()

    def run(url: str) -> None:
        migrate(url)
        if args.profile:
            profile(url, args.profile, args.cards, args.runs)
        else:
            print_figures(args.db, measure_in_process(url, args.cards, args.runs))

    if args.db == "sqlite":
        with tempfile.TemporaryDirectory(prefix="samskabt-inprocess-") as directory:
            run(f"sqlite:///{directory}/bench.db")
    else:
        with postgresql_cluster() as (_cluster, url):
            run(url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
