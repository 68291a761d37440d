"""Hundreds of phones in one kick-off: join, cards, dot vote, live polling — under gunicorn.

Run from the repository root with the virtualenv:

    .venv/bin/python bench/load.py [--phones 300] [--db sqlite|postgresql|both]

Per database it migrates a fresh database (`flask db upgrade`), starts gunicorn with the
repository's gunicorn.conf.py on a loopback port (rate limits off: every phone comes from
127.0.0.1), creates a facilitator and a course in step 2, and then:

1. join: N phones (threads, each with its own keep-alive connection, cookies and CSRF token
   read from the page like a browser) open the join link and join within --join-seconds;
2. cards: each phone writes --cards cards (some submitted twice with the same form token,
   as a double tap does) while everyone polls;
3. vote: the logged-in facilitator opens the vote over HTTP; each phone notices it through
   its poll and spends its dot budget a tap at a time, some taps doubled on a second
   connection at the same moment, some phones trying one dot too many (a 422 is expected);
4. throughout, every phone polls its live fragment and the projector and control panel
   theirs every 2 s with If-None-Match, so unchanged fragments come back as 304.

Then it prints requests/s, latency percentiles per kind of request, the 304 share, errors by
status, and a count check against the database: every acknowledged card and vote is there,
nothing else is, and nobody has more dots than the budget. Last, the same server is
saturated for a few seconds with /healthz and then with votes, for the ratio of vote
throughput to the framework's own floor.

Client and server share the machine's cores: on 2 cores the client's threads take a good
part of the CPU, so the latencies are an upper bound on what a server of its own gives.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (  # noqa: E402 — after the path set-up above
    CLIENT_TOKEN,
    LIVE_URL,
    Browser,
    Server,
    create_workshop,
    domain,
    migrate,
    postgresql_cluster,
)

POLL_SECONDS = 2.0
VOTE_LINK = re.compile(r'action="/c/[^/]+/cards/(\d+)/dots"')
WORDS = [
    "skabelon", "dokumentation", "fagsystem", "møde", "opfølgning", "samtale", "borger",
    "indberetning", "journalnotat", "regneark", "ledelsen", "kontrol", "frister",
    "bevilling", "tilbud", "aktivering",
]  # fmt: skip

# What each kind of request may answer; anything else is an error.
EXPECTED = {
    "join page": {200},
    "join": {302},
    "page": {200},
    "card": {200},
    "vote": {200},
    "vote over budget": {422},
    "poll": {200, 304},
    "screens poll": {200, 304},
    "facilitator": {302},
}


class Recorder:
    def __init__(self):
        self.rows: list[tuple[str, int, float]] = []  # (kind, status, seconds)
        self.failures: Counter = Counter()

    def add(self, kind: str, reply) -> None:
        self.rows.append((kind, reply.status, reply.seconds))

    def failed(self, kind: str, error: BaseException) -> None:
        self.failures[f"{kind}: {type(error).__name__}"] += 1


class Phone(threading.Thread):
    def __init__(self, number: int, port: int, code: str, args, shared):
        super().__init__(daemon=True)
        self.number = number
        self.name_on_course = f"phone-{number:04d}"
        self.browser = Browser(port)
        self.code = code
        self.args = args
        self.shared = shared
        self.random = random.Random(number)
        self.live_path = ""
        self.stage = ""
        self.client_token = ""
        self.last_live = ""
        self.joined = False
        self.cards_acknowledged: set[str] = set()
        self.cards_unanswered: set[str] = set()
        self.dots_acknowledged: dict[int, int] = {}
        self.dots_unanswered: set[int] = set()  # taps whose reply never came (timeout)
        self.cards_done = threading.Event()
        self.votes_done = threading.Event()
        self.lock = threading.Lock()

    def call(self, kind: str, method: str, path: str, data=None, *, browser=None, **kwargs):
        browser = browser or self.browser
        try:
            reply = browser.request(method, path, data, **kwargs)
        except Exception as error:
            self.shared.recorder.failed(kind, error)
            return None
        self.shared.recorder.add(kind, reply)
        return reply

    # The phases, from the phone's side.

    def run(self) -> None:
        time.sleep(self.random.uniform(0, self.args.join_seconds))
        if not self.join_course():
            self.cards_done.set()
            self.votes_done.set()
            return
        next_poll = time.monotonic() + self.random.uniform(0, POLL_SECONDS)
        card_times = sorted(
            time.monotonic() + self.random.uniform(1, self.args.card_seconds)
            for _ in range(self.args.cards if self.random.random() < self.args.writers else 0)
        )
        if not card_times:
            self.cards_done.set()
        vote_plan: list[tuple[float, int]] | None = None
        while not self.shared.stop.is_set():
            now = time.monotonic()
            if now >= next_poll:
                self.poll()
                next_poll += POLL_SECONDS
                if next_poll < now:  # fell behind (a slow reply): poll 2 s from now
                    next_poll = now + POLL_SECONDS
            if card_times and now >= card_times[0] and self.stage.endswith("-collect"):
                card_times.pop(0)
                self.write_card()
                if not card_times:
                    self.cards_done.set()
            if self.stage.endswith("-voting") and not self.votes_done.is_set():
                if vote_plan is None:
                    vote_plan = self.plan_votes()
                while vote_plan and time.monotonic() >= vote_plan[0][0]:
                    _, card_id = vote_plan.pop(0)
                    self.vote(card_id)
                if not vote_plan:
                    self.votes_done.set()
            time.sleep(0.05)
        self.browser.close()

    def join_course(self) -> bool:
        path = f"/j/{self.code}"
        if not self.call("join page", "GET", path):
            return False
        role = "leder" if self.number % 10 == 0 else "medarbejder"
        reply = self.call(
            "join",
            "POST",
            path,
            {
                "role": role,
                "unit": f"Team {self.number % 7}",
                "name": self.name_on_course,
                "csrf_token": self.browser.csrf,
            },
        )
        if reply is None or reply.status != 302:
            return False
        self.joined = True
        page = self.call("page", "GET", f"/c/{self.code}")
        if page is None or page.status != 200:
            return False
        self.read_page(page.body)
        return True

    def read_page(self, body: str) -> None:
        live = LIVE_URL.search(body)
        if live:
            self.live_path = live.group(1).replace("&amp;", "&")
            self.stage = self.live_path.rsplit("stage=", 1)[1]
        token = CLIENT_TOKEN.search(body)
        if token:
            self.client_token = token.group(1)
        self.last_live = body

    def poll(self) -> None:
        reply = self.call("poll", "GET", self.live_path, htmx=True, poll=True)
        if reply is not None and reply.status == 200:
            self.read_page(reply.body)  # a new stage brings a new polling URL (and forms)

    def write_card(self) -> None:
        token = self.client_token
        text = " ".join(self.random.choices(WORDS, k=self.random.randint(4, 14)))
        data = {
            "text": f"{self.name_on_course}: {text}",
            "category": "",
            "client_token": token,
            "stage": self.stage,
            "csrf_token": self.browser.csrf,
        }
        replies: list = []
        second_tap = None
        if self.random.random() < self.args.double_taps:
            # The second tap of a double tap, on its own connection, at the same moment.
            twin = self.browser.clone()
            second_tap = threading.Thread(
                target=lambda: replies.append(
                    self.call(
                        "card", "POST", f"/c/{self.code}/cards", data, browser=twin, htmx=True
                    )
                ),
                daemon=True,
            )
            second_tap.start()
        reply = self.call("card", "POST", f"/c/{self.code}/cards", data, htmx=True)
        if second_tap is not None:
            second_tap.join()
        answered = [r for r in (reply, *replies) if r is not None and r.status == 200]
        if answered:
            with self.lock:
                self.cards_acknowledged.add(token)
        elif any(r is None or r.status == 503 for r in (reply, *replies)):
            self.cards_unanswered.add(token)
        if reply is not None and reply.status == 200:
            fresh = CLIENT_TOKEN.search(reply.body)
            self.client_token = fresh.group(1) if fresh else self.client_token
        elif answered:
            fresh = CLIENT_TOKEN.search(answered[0].body)
            self.client_token = fresh.group(1) if fresh else self.client_token

    def plan_votes(self) -> list[tuple[float, int]]:
        """The budget's worth of cards, tapped 0.3–2.5 s apart after reading the wall for up
        to --reading-seconds (0 by default: everybody taps at once); some try one too many."""
        card_ids = sorted({int(card) for card in VOTE_LINK.findall(self.last_live)})
        if not card_ids:
            return []
        count = min(self.shared.dot_budget, len(card_ids))
        over = self.random.random() < self.args.over_budget and len(card_ids) > count
        chosen = self.random.sample(card_ids, count + (1 if over else 0))
        moment = time.monotonic() + self.random.uniform(0, self.args.reading_seconds)
        plan = []
        for card_id in chosen:
            moment += self.random.uniform(0.3, 2.5)
            plan.append((moment, card_id))
        return plan

    def vote(self, card_id: int) -> None:
        # Over budget only when the server acknowledged the whole budget already.
        over_budget = len(self.dots_acknowledged) >= self.shared.dot_budget
        path = f"/c/{self.code}/cards/{card_id}/dots"
        data = {"dots": "1", "stage": self.stage, "csrf_token": self.browser.csrf}
        kind = "vote over budget" if over_budget else "vote"
        if not over_budget and self.random.random() < self.args.double_taps:
            twin_reply: list = []

            def second_tap():
                twin_reply.append(self.call(kind, "POST", path, data, browser=twin, htmx=True))

            twin = self.browser.clone()
            tap = threading.Thread(target=second_tap, daemon=True)
            tap.start()
            reply = self.call(kind, "POST", path, data, htmx=True)
            tap.join()
            replies = [reply, *twin_reply]
        else:
            replies = [self.call(kind, "POST", path, data, htmx=True)]
        if any(reply is not None and reply.status == 200 for reply in replies):
            with self.lock:
                self.dots_acknowledged[card_id] = 1
        elif any(reply is None or reply.status == 503 for reply in replies):
            # No answer, or 503 "try again" (on SQLite possibly after the commit, when the
            # reply's rendering waited too long for the lock): it may have been stored.
            self.dots_unanswered.add(card_id)
        ok = [reply for reply in replies if reply is not None and reply.status == 200]
        if ok:
            self.read_page(ok[-1].body)  # the reply is the phone's live region


class Screens(threading.Thread):
    """The projector and the control panel on the facilitator's laptop, polling."""

    def __init__(self, port: int, course_id: int, shared):
        super().__init__(daemon=True)
        self.browser = Browser(port)
        self.browser.login()
        self.course_id = course_id
        self.shared = shared

    def run(self) -> None:
        paths = [
            f"/f/courses/{self.course_id}/projector/live",
            f"/f/courses/{self.course_id}/live",
        ]
        while not self.shared.stop.wait(POLL_SECONDS):
            for path in paths:
                try:
                    reply = self.browser.request("GET", path, htmx=True, poll=True)
                except Exception as error:
                    self.shared.recorder.failed("screens poll", error)
                else:
                    self.shared.recorder.add("screens poll", reply)
        self.browser.close()


class Shared:
    def __init__(self, dot_budget: int):
        self.recorder = Recorder()
        self.stop = threading.Event()
        self.dot_budget = dot_budget


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def open_vote(port: int, course_id: int, recorder: Recorder) -> None:
    facilitator = Browser(port)
    facilitator.login()
    facilitator.request("GET", f"/f/courses/{course_id}")
    reply = facilitator.request(
        "POST",
        f"/f/courses/{course_id}/voting",
        {"state": "voting", "csrf_token": facilitator.csrf},
    )
    recorder.add("facilitator", reply)
    if reply.status != 302:
        raise RuntimeError(f"opening the vote failed: {reply.status}")
    facilitator.close()


def count_check(database_url: str, course_id: int, phones: list[Phone], budget: int) -> list[str]:
    """Compare the database with what the clients were told; returns the problems."""
    from workshop.core.models import Card, Participant, Vote

    problems = []
    with domain(database_url) as db:
        people = {
            p.name: p.id
            for p in db.session.scalars(
                db.select(Participant).where(Participant.course_id == course_id)
            )
        }
        cards_by_person = defaultdict(set)
        for card in db.session.scalars(db.select(Card).where(Card.course_id == course_id)):
            cards_by_person[card.participant_id].add(card.client_token)
        dots_by_person = defaultdict(dict)
        for vote in db.session.scalars(db.select(Vote).where(Vote.course_id == course_id)):
            dots_by_person[vote.participant_id][vote.card_id] = vote.dots
    joined = [phone for phone in phones if phone.joined]
    if len(people) != len(joined):
        problems.append(f"{len(people)} participants in the database, {len(joined)} joined")
    for phone in joined:
        person_id = people.get(phone.name_on_course)
        if person_id is None:
            problems.append(f"{phone.name_on_course} joined but is not in the database")
            continue
        stored_cards = cards_by_person.get(person_id, set())
        if (
            not phone.cards_acknowledged
            <= stored_cards
            <= (phone.cards_acknowledged | phone.cards_unanswered)
        ):
            problems.append(
                f"{phone.name_on_course}: {len(stored_cards)} cards stored, "
                f"{len(phone.cards_acknowledged)} acknowledged"
            )
        stored_dots = dots_by_person.get(person_id, {})
        # A tap the client gave up on (timeout) may have been stored after all: not a lie.
        unanswered = {card: 1 for card in phone.dots_unanswered if card in stored_dots}
        if stored_dots != {**phone.dots_acknowledged, **unanswered}:
            problems.append(
                f"{phone.name_on_course}: dots stored {stored_dots}, "
                f"acknowledged {phone.dots_acknowledged}"
            )
        if sum(stored_dots.values()) > budget:
            problems.append(f"{phone.name_on_course} has more dots than the budget")
    return problems


def saturate(port: int, seconds: float, clients: int, make_request) -> float:
    """Requests per second with `clients` threads asking back to back for `seconds`."""
    counts = [0] * clients
    failures = [0] * clients
    start = threading.Barrier(clients + 1)
    deadline = [0.0]

    def worker(index):
        browser, ask = make_request(index)
        start.wait()
        while time.monotonic() < deadline[0]:
            try:
                ok = ask(browser)
            except Exception:
                ok = False
            counts[index] += 1 if ok else 0
            failures[index] += 0 if ok else 1
        browser.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    deadline[0] = time.monotonic() + seconds
    start.wait()
    began = time.monotonic()
    for thread in threads:
        thread.join()
    if sum(failures):
        print(f"    ({sum(failures)} failed requests while saturating)")
    return sum(counts) / (time.monotonic() - began)


def throughput_ratio(port: int, code: str, phones: list[Phone], seconds: float) -> None:
    clients = 16
    voters = [phone for phone in phones if phone.joined and phone.dots_acknowledged][:clients]
    if len(voters) < clients:
        print("  throughput ratio: not enough voters to measure")
        return

    def health(_index):
        return Browser(port), lambda b: b.request("GET", "/healthz").status == 200

    def votes(index):
        phone = voters[index]
        browser = phone.browser.clone()
        card_id = next(iter(phone.dots_acknowledged))
        state = {"dots": 1}

        def ask(b):
            state["dots"] = 1 - state["dots"]  # take the dot back, give it again, …
            reply = b.request(
                "POST",
                f"/c/{code}/cards/{card_id}/dots",
                {"dots": str(state["dots"]), "stage": phone.stage, "csrf_token": b.csrf},
                htmx=True,
            )
            return reply.status == 200

        return browser, ask

    healthz = saturate(port, seconds, clients, health)
    vote_rate = saturate(port, seconds, clients, votes)
    print(
        f"  throughput, {clients} clients back to back for {seconds:.0f} s each: "
        f"/healthz {healthz:.0f} req/s, votes {vote_rate:.0f} req/s "
        f"→ ratio {vote_rate / healthz:.2f}"
    )


def report(label: str, recorder: Recorder, wall: float, problems: list[str], phones) -> None:
    rows = recorder.rows
    print(f"\n== {label} ==")
    joined = sum(phone.joined for phone in phones)
    print(
        f"  {joined}/{len(phones)} phones joined; {len(rows)} requests in {wall:.1f} s "
        f"= {len(rows) / wall:.0f} requests/s"
    )
    print(f"  {'request':<17}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    by_kind = defaultdict(list)
    for kind, status, seconds in rows:
        by_kind[kind].append((status, seconds))
    for kind in EXPECTED:
        samples = [seconds * 1000 for _, seconds in by_kind.get(kind, [])]
        if not samples:
            continue
        print(
            f"  {kind:<17}{len(samples):>7}{percentile(samples, 0.50):>9.1f}"
            f"{percentile(samples, 0.95):>9.1f}{percentile(samples, 0.99):>9.1f}"
            f"{max(samples):>9.1f}"
        )
    for kind in ("poll", "screens poll"):
        samples = by_kind.get(kind, [])
        not_modified = [seconds * 1000 for status, seconds in samples if status == 304]
        if samples:
            print(
                f"  {kind}: {len(not_modified) / len(samples):.0%} answered 304, "
                f"p50 {percentile(not_modified, 0.5):.1f} ms, "
                f"p95 {percentile(not_modified, 0.95):.1f} ms"
            )
    errors = Counter(
        f"{kind} {status}" for kind, status, _ in rows if status not in EXPECTED.get(kind, ())
    )
    errors.update(recorder.failures)
    print(f"  errors: {dict(errors) if errors else 'none'}")
    reconnects = sum(phone.browser.reconnects for phone in phones)
    if reconnects:
        print(f"  kept-alive connections closed by the server and retried: {reconnects}")
    cards = sum(len(phone.cards_acknowledged) for phone in phones)
    dots = sum(len(phone.dots_acknowledged) for phone in phones)
    print(f"  acknowledged: {cards} cards, {dots} dots")
    unknown = sum(len(phone.dots_unanswered) for phone in phones)
    if unknown:
        print(
            f"  {unknown} taps got no answer or 503: allowed either way in the count check "
            "(a phone shows its real dots at the next poll)"
        )
    if problems:
        print(f"  COUNT CHECK FAILED ({len(problems)} problems):")
        for problem in problems[:20]:
            print(f"    {problem}")
    else:
        print("  count check: every acknowledged card and dot is stored, nothing else; ")
        print("  nobody exceeds the dot budget")


def run_one(label: str, database_url: str, args) -> bool:
    with tempfile.TemporaryDirectory(prefix="samskabt-bench-") as workdir:
        migrate(database_url)
        course_id, code = create_workshop(database_url, dot_budget=args.dots)
        server = Server(database_url, Path(workdir), workers=args.workers).start()
        print(f"\n{label}: gunicorn on 127.0.0.1:{server.port}, {args.phones} phones …")
        shared = Shared(args.dots)
        phones = [Phone(i, server.port, code, args, shared) for i in range(args.phones)]
        try:
            screens = Screens(server.port, course_id, shared)
            began = time.monotonic()
            cpu_began = (time.process_time(), server.cpu_seconds())
            screens.start()
            for phone in phones:
                phone.start()
            deadline = time.monotonic() + args.join_seconds + args.card_seconds + 120
            for phone in phones:
                phone.cards_done.wait(max(0, deadline - time.monotonic()))
            time.sleep(2)
            print(f"  cards written after {time.monotonic() - began:.0f} s; opening the vote")
            open_vote(server.port, course_id, shared.recorder)
            deadline = time.monotonic() + args.vote_seconds
            for phone in phones:
                phone.votes_done.wait(max(0, deadline - time.monotonic()))
            unfinished = sum(not phone.votes_done.is_set() for phone in phones)
            if unfinished:
                print(
                    f"  {unfinished} phones had not finished voting after {args.vote_seconds:.0f} s"
                )
            print(f"  votes cast after {time.monotonic() - began:.0f} s")
            time.sleep(2 * POLL_SECONDS)  # everyone sees the last change
            shared.stop.set()
            for phone in phones:
                phone.join(timeout=30)
            screens.join(timeout=10)
            wall = time.monotonic() - began
            client_cpu = time.process_time() - cpu_began[0]
            server_cpu = server.cpu_seconds() - cpu_began[1]
            problems = count_check(database_url, course_id, phones, args.dots)
            report(label, shared.recorder, wall, problems, phones)
            print(
                f"  CPU over the run: server {server_cpu:.0f} s, this client {client_cpu:.0f} s "
                f"(of {wall * (os.cpu_count() or 1):.0f} core-seconds on {os.cpu_count()} cores)"
            )
            throughput_ratio(server.port, code, phones, args.saturate_seconds)
        finally:
            shared.stop.set()
            server.stop()
    errors = [row for row in shared.recorder.rows if row[1] not in EXPECTED[row[0]]]
    return not problems and not errors and not shared.recorder.failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phones", type=int, default=300)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--workers", type=int, default=None, help="default: gunicorn.conf.py")
    parser.add_argument("--join-seconds", type=float, default=30)
    parser.add_argument("--card-seconds", type=float, default=20)
    parser.add_argument("--cards", type=int, default=1, help="cards per phone")
    parser.add_argument(
        "--writers", type=float, default=1.0, help="share of phones that write cards"
    )
    parser.add_argument("--dots", type=int, default=5, help="the course's dot budget")
    parser.add_argument(
        "--reading-seconds",
        type=float,
        default=0,
        help="phones read the wall for up to this long before their first tap",
    )
    parser.add_argument("--double-taps", type=float, default=0.1)
    parser.add_argument("--over-budget", type=float, default=0.1)
    parser.add_argument(
        "--vote-seconds", type=float, default=600, help="how long phones may take to vote"
    )
    parser.add_argument("--saturate-seconds", type=float, default=5)
    args = parser.parse_args()

    ok = True
    if args.db in ("sqlite", "both"):
        with tempfile.TemporaryDirectory(prefix="samskabt-bench-db-") as directory:
            ok &= run_one("SQLite", f"sqlite:///{directory}/bench.db", args)
    if args.db in ("postgresql", "both"):
        try:
            with postgresql_cluster() as (_cluster, url):
                ok &= run_one("PostgreSQL", url, args)
        except RuntimeError as missing:
            print(f"\nPostgreSQL: not run — {missing}")
            ok = False
    print("\nresult:", "all targets of correctness met" if ok else "PROBLEMS, see above")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
