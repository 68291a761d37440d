"""Hundreds of phones in one kick-off: join, cards, dot vote, a step change, live polling.

Run from the repository root with the virtualenv:

    .venv/bin/python bench/load.py [--phones 300] [--db sqlite|postgresql|both]
                                   [--proxy nginx|none|both]

Per database and per proxy mode (nginx in front, or phones straight to gunicorn) it
migrates a fresh database (`flask db upgrade`), starts gunicorn with the repository's
gunicorn.conf.py on a loopback port (rate limits off: every phone comes from 127.0.0.1),
in nginx mode a real nginx in front of it configured from docs/deploying.md's nginx block,
creates a facilitator and a course in step 2, and then:

1. join: N phones open the join link and join within --join-seconds. Each phone is a
   coroutine with its own keep-alive HTTP/1.1 connection, cookies and CSRF token (read
   from the page like a browser); one event loop in this process carries them all;
2. cards: each phone writes --cards cards (some submitted twice with the same form token,
   as a double tap does) while everyone polls;
3. vote: the logged-in facilitator opens the vote over HTTP; each phone notices it through
   its poll and spends its dot budget a tap at a time, some taps doubled on a second
   connection at the same moment, some phones trying one dot too many (a 422 is expected);
4. step change: the facilitator moves the course to step 3; each phone notes when its poll
   first brings step 3's live region; the time from the click is printed as a distribution;
5. throughout, every phone polls its live fragment and the projector and control panel
   theirs every 2 s. A phone keeps the ETag of its live URL itself, as static/app.js does:
   If-None-Match on a poll, X-Live-ETag on a vote; a vote reply's X-Live-ETag replaces the
   kept one when nothing else replaced it meanwhile (so the next poll can be a 304).

Then it prints requests/s, latency percentiles per kind of request, polls answered 304 and
200, errors by status and by exception (timeouts after --timeout), a count check against
the database (every acknowledged card and vote is there, nothing else is, nobody has more
dots than the budget) and the CPU seconds of client, gunicorn and nginx. Last, the same
server is saturated (--saturate-clients connections back to back) with /healthz, then
with votes, for the ratio of vote throughput to the framework's own floor and the server's
CPU per request answered, then with what every phone asks when the vote opens (its live
region with the whole list, compressed, no ETag).

Client and server share the machine's cores, so the latencies are an upper bound on what
a server of its own gives; the client's CPU is printed so its share can be judged.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import resource
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (  # noqa: E402 — after the path set-up above
    CLIENT_TOKEN,
    LIVE_URL,
    AsyncBrowser,
    Nginx,
    Server,
    create_workshop,
    domain,
    migrate,
    postgresql_cluster,
    postgresql_cpu_seconds,
)

try:  # only if the virtualenv has it already; the standard loop is the default
    import uvloop
except ImportError:
    uvloop = None

POLL_SECONDS = 2.0
STEP_TARGET_SECONDS = 4.0  # issue 16: 95 % of phones show the new step within this
STEP_GIVE_UP_SECONDS = 20.0  # a phone that has not seen the new step by then "never" did
# What the room is doing, in order: the report splits polls and votes by it.
PHASES = ("joining, cards", "the vote", "the step change")
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
        self.rows: list[tuple[str, int, float, str]] = []  # (kind, status, seconds, phase)
        self.failures: Counter = Counter()
        self.counts: Counter = Counter()  # the live ETag protocol's events
        self.phase = PHASES[0]  # what the room is doing when a reply arrives

    def add(self, kind: str, reply) -> None:
        self.rows.append((kind, reply.status, reply.seconds, self.phase))

    def failed(self, kind: str, error: BaseException) -> None:
        self.failures[f"{kind}: {type(error).__name__}"] += 1


class Shared:
    def __init__(self, dot_budget: int):
        self.recorder = Recorder()
        self.stop = False  # one event loop: a plain flag, read when a phone wakes
        self.dot_budget = dot_budget
        self.watched_step = ""  # phones note when their poll first brings this step


class Phone:
    """One participant's phone: a coroutine with its own connection and cookies."""

    def __init__(self, number: int, port: int, code: str, args, shared: Shared):
        self.number = number
        self.name_on_course = f"phone-{number:04d}"
        self.browser = AsyncBrowser(port, args.timeout)
        self.code = code
        self.args = args
        self.shared = shared
        self.random = random.Random(number)
        self.live_path = ""
        self.stage = ""
        self.vote_stage = ""  # the stage it voted in (the saturation votes in it again)
        self.client_token = ""
        self.last_live = ""
        self.joined = False
        self.cards_acknowledged: set[str] = set()
        self.cards_unanswered: set[str] = set()
        self.dots_acknowledged: dict[int, int] = {}
        self.dots_unanswered: set[int] = set()  # taps whose reply never came (timeout)
        self.cards_done = asyncio.Event()
        self.votes_done = asyncio.Event()
        self.saw_step: float | None = None  # monotonic time its poll brought watched_step

    async def call(self, kind: str, method: str, path: str, data=None, *, browser=None, **kwargs):
        try:
            reply = await (browser or self.browser).request(method, path, data, **kwargs)
        except Exception as error:
            self.shared.recorder.failed(kind, error)
            return None
        self.shared.recorder.add(kind, reply)
        return reply

    # The phases, from the phone's side.

    async def run(self) -> None:
        try:
            await self._run()
        finally:
            self.browser.close()

    async def _run(self) -> None:
        await asyncio.sleep(self.random.uniform(0, self.args.join_seconds))
        if not await self.join_course():
            self.cards_done.set()
            self.votes_done.set()
            return
        clock = time.monotonic
        next_poll = clock() + self.random.uniform(0, POLL_SECONDS)
        card_times = sorted(
            clock() + self.random.uniform(1, self.args.card_seconds)
            for _ in range(self.args.cards if self.random.random() < self.args.writers else 0)
        )
        if not card_times:
            self.cards_done.set()
        vote_plan: list[tuple[float, int]] | None = None
        while not self.shared.stop:
            now = clock()
            if now >= next_poll:
                await self.poll()
                next_poll += POLL_SECONDS
                if next_poll < now:  # fell behind (a slow reply): poll 2 s from now
                    next_poll = now + POLL_SECONDS
            if card_times and now >= card_times[0] and self.stage.endswith("-collect"):
                card_times.pop(0)
                await self.write_card()
                if not card_times:
                    self.cards_done.set()
            if self.stage.endswith("-voting") and not self.votes_done.is_set():
                if vote_plan is None:
                    vote_plan = self.plan_votes()
                    self.vote_stage = self.stage
                while vote_plan and clock() >= vote_plan[0][0]:
                    _, card_id = vote_plan.pop(0)
                    await self.vote(card_id)
                if not vote_plan:
                    self.votes_done.set()
            # Sleep until the next thing this phone does (a thread's 50 ms naps, a
            # thousand times over, were a good part of the old client's CPU).
            wake = next_poll
            if card_times and self.stage.endswith("-collect"):
                wake = min(wake, card_times[0])
            if vote_plan:
                wake = min(wake, vote_plan[0][0])
            await asyncio.sleep(max(0.0, wake - clock()))

    async def join_course(self) -> bool:
        path = f"/j/{self.code}"
        if not await self.call("join page", "GET", path):
            return False
        role = "leder" if self.number % 10 == 0 else "medarbejder"
        form = {
            "role": role,
            "unit": f"Team {self.number % 7}",
            "name": self.name_on_course,
            "csrf_token": self.browser.csrf,
        }
        reply = await self.call("join", "POST", path, form)
        if reply is None or reply.status != 302:
            return False
        self.joined = True
        page = await self.call("page", "GET", f"/c/{self.code}")
        if page is None or page.status != 200:
            return False
        self.read_page(page.body)
        return True

    def read_page(self, body: str) -> None:
        live = LIVE_URL.search(body)
        if live:
            self.live_path = live.group(1).replace("&amp;", "&")
            self.stage = self.live_path.rsplit("stage=", 1)[1]
        # `in` first: a regular expression over an 800 KB list costs the client 0.5 ms.
        token = CLIENT_TOKEN.search(body) if 'name="client_token"' in body else None
        if token:
            self.client_token = token.group(1)
        self.last_live = body

    async def poll(self) -> None:
        stage_before = self.stage
        reply = await self.call("poll", "GET", self.live_path, htmx=True, poll=True)
        if reply is not None and reply.status == 200:
            polled = self.live_path
            self.read_page(reply.body)  # a new stage brings a new polling URL (and forms)
            moved = reply.headers.get("x-live-etag")
            if moved and self.live_path != polled:  # its key there (as static/app.js keeps it)
                self.browser.etags[self.live_path] = moved
            watched = self.shared.watched_step
            if (
                watched
                and self.saw_step is None
                and self.stage != stage_before
                and self.stage.split("-", 1)[0] == watched
            ):
                self.saw_step = time.monotonic()

    async def write_card(self) -> None:
        token = self.client_token
        text = " ".join(self.random.choices(WORDS, k=self.random.randint(4, 14)))
        data = {
            "text": f"{self.name_on_course}: {text}",
            "category": "",
            "client_token": token,
            "stage": self.stage,
            "csrf_token": self.browser.csrf,
        }
        path = f"/c/{self.code}/cards"
        taps = [self.call("card", "POST", path, data, htmx=True)]
        twin = None
        if self.random.random() < self.args.double_taps:
            # The second tap of a double tap, on its own connection, at the same moment.
            twin = self.browser.clone()
            taps.append(self.call("card", "POST", path, data, browser=twin, htmx=True))
        reply, *others = await asyncio.gather(*taps)
        if twin is not None:
            twin.close()
        answered = [r for r in (reply, *others) if r is not None and r.status == 200]
        if answered:
            self.cards_acknowledged.add(token)
        elif any(r is None or r.status == 503 for r in (reply, *others)):
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

    async def vote(self, card_id: int) -> None:
        # Over budget only when the server acknowledged the whole budget already.
        over_budget = len(self.dots_acknowledged) >= self.shared.dot_budget
        path = f"/c/{self.code}/cards/{card_id}/dots"
        data = {"dots": "1", "stage": self.stage, "csrf_token": self.browser.csrf}
        kind = "vote over budget" if over_budget else "vote"
        # static/app.js: the tap sends the ETag the phone keeps for its live URL, and a
        # reply's X-Live-ETag replaces it only if nothing (a poll, the other tap of a
        # double tap) replaced it meanwhile.
        live_path = self.live_path
        sent = self.browser.etags.get(live_path)
        headers = {"X-Live-ETag": sent} if sent else None
        counts = self.shared.recorder.counts

        async def tap(browser):
            reply = await self.call(
                kind, "POST", path, data, browser=browser, htmx=True, headers=headers
            )
            if reply is not None and reply.status == 200:
                fresh = reply.headers.get("x-live-etag")
                counts["vote replies"] += 1
                if fresh:
                    counts["vote replies with X-Live-ETag"] += 1
                    if self.browser.etags.get(live_path) == sent:
                        self.browser.etags[live_path] = fresh
                        counts["X-Live-ETag kept for the next poll"] += 1
            return reply

        twin = None
        if not over_budget and self.random.random() < self.args.double_taps:
            twin = self.browser.clone()  # the same phone's second tap, on its own connection
            replies = await asyncio.gather(tap(self.browser), tap(twin))
            twin.close()
        else:
            replies = [await tap(self.browser)]
        if any(reply is not None and reply.status == 200 for reply in replies):
            self.dots_acknowledged[card_id] = 1
        elif any(reply is None or reply.status == 503 for reply in replies):
            # No answer, or 503 "try again" (on SQLite possibly after the commit, when the
            # reply's rendering waited too long for the lock): it may have been stored.
            self.dots_unanswered.add(card_id)
        ok = [reply for reply in replies if reply is not None and reply.status == 200]
        if ok:
            self.read_page(ok[-1].body)  # the reply is the phone's live region


class Screens:
    """The projector and the control panel on the facilitator's laptop, polling."""

    def __init__(self, port: int, course_id: int, shared: Shared, timeout: float):
        self.browser = AsyncBrowser(port, timeout)
        self.course_id = course_id
        self.shared = shared

    async def run(self) -> None:
        paths = [
            f"/f/courses/{self.course_id}/projector/live",
            f"/f/courses/{self.course_id}/live",
        ]
        try:
            while not self.shared.stop:
                await asyncio.sleep(POLL_SECONDS)
                for path in paths:
                    if self.shared.stop:
                        break
                    try:
                        reply = await self.browser.request("GET", path, htmx=True, poll=True)
                    except Exception as error:
                        self.shared.recorder.failed("screens poll", error)
                    else:
                        self.shared.recorder.add("screens poll", reply)
        finally:
            self.browser.close()


class Facilitator:
    """The facilitator's laptop, logged in, clicking on the control panel."""

    def __init__(self, port: int, course_id: int, recorder: Recorder, timeout: float):
        self.browser = AsyncBrowser(port, timeout)
        self.course_id = course_id
        self.recorder = recorder

    async def start(self) -> Facilitator:
        await self.browser.login()
        await self.browser.request("GET", f"/f/courses/{self.course_id}")  # its CSRF token
        return self

    async def click(self, action: str, form: dict) -> None:
        path = f"/f/courses/{self.course_id}/{action}"
        reply = await self.browser.request("POST", path, {**form, "csrf_token": self.browser.csrf})
        self.recorder.add("facilitator", reply)
        if reply.status != 302:
            raise RuntimeError(f"{path} failed: {reply.status}")

    async def open_vote(self) -> None:
        await self.click("voting", {"state": "voting"})

    async def go_to_step(self, step: int) -> None:
        await self.click("step", {"step": str(step)})


@dataclass
class Meters:
    """CPU seconds so far of this client, gunicorn, nginx (when in front) and PostgreSQL
    (when it is the database: its server shares the cores)."""

    server: Server
    nginx: Nginx | None
    cluster: object | None = None

    def read(self) -> tuple[float, float, float, float]:
        return (
            time.process_time(),
            self.server.cpu_seconds(),
            self.nginx.cpu_seconds() if self.nginx else 0.0,
            postgresql_cpu_seconds(self.cluster) if self.cluster else 0.0,
        )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


async def gather_events(events, timeout: float) -> None:
    waiting = [asyncio.ensure_future(event.wait()) for event in events if not event.is_set()]
    if waiting:
        _, pending = await asyncio.wait(waiting, timeout=max(0.0, timeout))
        for future in pending:
            future.cancel()


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


# --- the saturation: the framework's floor against the vote -----------------------------


@dataclass
class Saturation:
    answered: int
    failed: int
    seconds: float
    cpu: tuple[float, ...]  # client, gunicorn, nginx, PostgreSQL over the saturation

    @property
    def rate(self) -> float:
        return self.answered / self.seconds

    def per_request(self, index: int) -> float:
        """CPU milliseconds per request answered, of client (0), gunicorn (1), nginx (2),
        PostgreSQL (3)."""
        return 1000 * self.cpu[index] / self.answered if self.answered else float("nan")


async def saturate(clients: list, seconds: float, meters: Meters) -> Saturation:
    """Each (browser, ask) asks back to back for `seconds` on its own connection."""
    answered = failed = 0
    stop_at = 0.0

    async def worker(browser, ask):
        nonlocal answered, failed
        while time.monotonic() < stop_at:
            try:
                ok = await ask(browser)
            except Exception:
                ok = False
            answered += ok
            failed += not ok
        browser.close()

    before = meters.read()
    began = time.monotonic()
    stop_at = began + seconds
    await asyncio.gather(*(worker(browser, ask) for browser, ask in clients))
    elapsed = time.monotonic() - began
    after = meters.read()
    cpu = tuple(b - a for a, b in zip(before, after, strict=True))
    return Saturation(answered, failed, elapsed, cpu)


async def throughput_ratio(
    port: int, code: str, phones: list[Phone], args, meters: Meters, proxied: bool
) -> bool:
    voters = [p for p in phones if p.joined and p.dots_acknowledged and p.vote_stage]
    clients = min(args.saturate_clients, len(voters))
    if clients < 1:
        print("  saturation: no voter to vote with")
        return True

    async def health(browser):
        return (await browser.request("GET", "/healthz")).status == 200

    def voting(phone: Phone):
        card_id = next(iter(phone.dots_acknowledged))
        state = {"dots": 1}

        async def ask(browser):
            state["dots"] = 1 - state["dots"]  # take the dot back, give it again, …
            form = {
                "dots": str(state["dots"]),
                "stage": phone.vote_stage,
                "csrf_token": browser.csrf,
            }
            path = f"/c/{code}/cards/{card_id}/dots"
            return (await browser.request("POST", path, form, htmx=True)).status == 200

        return phone.browser.clone(), ask

    healthz = await saturate(
        [(AsyncBrowser(port, args.timeout), health) for _ in range(clients)],
        args.saturate_seconds,
        meters,
    )
    votes = await saturate([voting(p) for p in voters[:clients]], args.saturate_seconds, meters)

    def listing(phone: Phone):
        # What every phone asks when the vote opens: its live region, the whole list, as
        # its browser asks for it (compressed), without an ETag to answer 304 to. At the
        # vote's stage: the phone's own path still names the step it saw last.
        path = f"/c/{code}/live?stage={phone.vote_stage}"

        async def ask(browser):
            reply = await browser.request("GET", path, htmx=True)
            return reply.status == 200 and 'class="vote-list"' in reply.body

        return phone.browser.clone(), ask

    lists = await saturate([listing(p) for p in voters[:clients]], args.saturate_seconds, meters)
    print(
        f"  saturated: {clients} connections back to back, {args.saturate_seconds:.0f} s each "
        "(CPU per request answered, ms)"
    )
    database = meters.cluster is not None
    print(
        f"    {'':<9}{'req/s':>7}{'failed':>8}{'gunicorn':>10}"
        + (f"{'nginx':>8}" if proxied else "")
        + (f"{'PostgreSQL':>12}" if database else "")
        + (f"{'full stack':>12}" if proxied or database else "")
        + f"{'client':>8}"
    )
    kinds = (("/healthz", healthz), ("votes", votes), ("lists", lists))
    for name, result in kinds:
        line = f"    {name:<9}{result.rate:>7.0f}{result.failed:>8}{result.per_request(1):>10.2f}"
        if proxied:
            line += f"{result.per_request(2):>8.2f}"
        if database:
            line += f"{result.per_request(3):>12.2f}"
        if proxied or database:
            line += f"{sum(result.per_request(part) for part in (1, 2, 3)):>12.2f}"
        print(line + f"{result.per_request(0):>8.2f}")
    for name, result in kinds:
        client, server, nginx, postgresql = result.cpu
        print(
            f"    CPU over the {name} saturation: gunicorn {server:.1f} s"
            + (f", nginx {nginx:.1f} s" if proxied else "")
            + (f", PostgreSQL {postgresql:.1f} s" if database else "")
            + f", this client {client:.1f} s ({result.answered} answered in {result.seconds:.1f} s)"
        )
    ratio = votes.rate / healthz.rate if healthz.rate else float("nan")
    print(f"    → votes / /healthz: {ratio:.2f}")
    return not healthz.failed and not votes.failed and not lists.failed


# --- the report -------------------------------------------------------------------------


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
    for kind, status, seconds, _phase in rows:
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
        fresh = sum(status == 200 for status, _ in samples)
        if samples:
            print(
                f"  {kind}: {len(not_modified)} answered 304, {fresh} 200 "
                f"({len(not_modified) / len(samples):.0%} 304); the 304s' "
                f"p50 {percentile(not_modified, 0.5):.1f} ms, "
                f"p95 {percentile(not_modified, 0.95):.1f} ms"
            )
    counts = recorder.counts
    print(
        f"  vote replies (200): {counts['vote replies']}, "
        f"{counts['vote replies with X-Live-ETag']} with X-Live-ETag, "
        f"{counts['X-Live-ETag kept for the next poll']} kept for the next poll"
    )
    errors = Counter(
        f"{kind} {status}" for kind, status, *_ in rows if status not in EXPECTED.get(kind, ())
    )
    errors.update(recorder.failures)
    print(f"  errors: {dict(errors) if errors else 'none'}")
    reconnects = sum(phone.browser.reconnects for phone in phones)
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


def report_phases(rows) -> None:
    """Polls and votes by what the room was doing: the moments that cost (everyone
    fetching the list as the vote opens, the step change) apart from the rest."""
    print(f"  by phase           {'polls':>7}{'p50 ms':>9}{'p95 ms':>9}{'votes':>7}{'p50 ms':>9}"
          f"{'p95 ms':>9}")  # fmt: skip
    for phase in PHASES:
        polls = [seconds * 1000 for kind, _, seconds, at in rows if kind == "poll" and at == phase]
        votes = [seconds * 1000 for kind, _, seconds, at in rows if kind == "vote" and at == phase]
        if not polls:
            continue
        line = f"  {phase:<17}{len(polls):>7}{percentile(polls, 0.5):>9.1f}"
        line += f"{percentile(polls, 0.95):>9.1f}"
        if votes:
            line += f"{len(votes):>7}{percentile(votes, 0.5):>9.1f}{percentile(votes, 0.95):>9.1f}"
        print(line)


def report_step_change(phones: list[Phone], click: float) -> bool:
    joined = [phone for phone in phones if phone.joined]
    seen = sorted(
        phone.saw_step - click
        for phone in joined
        if phone.saw_step is not None and phone.saw_step - click <= STEP_GIVE_UP_SECONDS
    )
    never = len(joined) - len(seen)
    within = sum(seconds < STEP_TARGET_SECONDS for seconds in seen)
    print(
        "  step change to 3, from the facilitator's click until a phone's poll brought "
        f"step 3 ({len(joined)} phones):"
    )
    if seen:
        print(
            "    "
            + ", ".join(
                f"p{round(share * 100)} {percentile(seen, share):.2f} s"
                for share in (0.50, 0.90, 0.95, 0.99)
            )
            + f", max {seen[-1]:.2f} s"
        )
    share = within / len(joined) if joined else float("nan")
    print(
        f"    {share:.1%} within {STEP_TARGET_SECONDS:.0f} s; "
        f"{never} never saw it within {STEP_GIVE_UP_SECONDS:.0f} s"
    )
    return never == 0


def print_cpu(
    what: str, cpu: tuple[float, ...], seconds: float, requests: int, proxied: bool
) -> None:
    client, server, nginx, database = cpu
    cores = os.cpu_count() or 1
    print(
        f"  CPU over {what}: gunicorn {server:.1f} s"
        + (f", nginx {nginx:.1f} s" if proxied else "")
        + (f", PostgreSQL {database:.1f} s" if database else "")
        + f", this client {client:.1f} s (of {seconds * cores:.0f} core-seconds on {cores} "
        "cores)"
    )
    if requests:
        print(
            f"    per request: gunicorn {1000 * server / requests:.2f} ms"
            + (f", nginx {1000 * nginx / requests:.2f} ms" if proxied else "")
            + (f", PostgreSQL {1000 * database / requests:.2f} ms" if database else "")
            + f", client {1000 * client / requests:.2f} ms"
        )


# --- one run: a database, a proxy mode ------------------------------------------------


async def scenario(
    label: str, database_url: str, port: int, course_id: int, code: str, args, meters: Meters
) -> bool:
    proxied = meters.nginx is not None
    shared = Shared(args.dots)
    recorder = shared.recorder
    phones = [Phone(i, port, code, args, shared) for i in range(args.phones)]
    screens = Screens(port, course_id, shared, args.timeout)
    await screens.browser.login()
    facilitator = await Facilitator(port, course_id, recorder, args.timeout).start()
    began = time.monotonic()
    cpu_began = meters.read()
    times_began = os.times()
    tasks = [asyncio.create_task(phone.run()) for phone in phones]
    tasks.append(asyncio.create_task(screens.run()))
    ok = True
    try:
        await gather_events(
            [phone.cards_done for phone in phones],
            args.join_seconds + args.card_seconds + 120,
        )
        await asyncio.sleep(2)
        print(f"  cards written after {time.monotonic() - began:.0f} s; opening the vote")
        recorder.phase = "the vote"
        await facilitator.open_vote()
        await gather_events([phone.votes_done for phone in phones], args.vote_seconds)
        unfinished = sum(not phone.votes_done.is_set() for phone in phones)
        if unfinished:
            print(f"  {unfinished} phones had not finished voting after {args.vote_seconds:.0f} s")
        print(f"  votes cast after {time.monotonic() - began:.0f} s")
        await asyncio.sleep(2 * POLL_SECONDS)  # everyone sees the last change
        click = None
        if not args.skip_step_change:
            shared.watched_step = "3"
            recorder.phase = "the step change"
            click = time.monotonic()  # the facilitator clicks
            await facilitator.go_to_step(3)
            give_up = click + STEP_GIVE_UP_SECONDS
            joined = [phone for phone in phones if phone.joined]
            while time.monotonic() < give_up and any(p.saw_step is None for p in joined):
                await asyncio.sleep(0.1)
            await asyncio.sleep(STEP_TARGET_SECONDS)  # and polls on a while in step 3
    finally:
        shared.stop = True
        _, pending = await asyncio.wait(tasks, timeout=POLL_SECONDS + args.timeout + 5)
        for task in pending:
            task.cancel()
    wall = time.monotonic() - began
    cpu = tuple(b - a for a, b in zip(cpu_began, meters.read(), strict=True))
    times = os.times()
    client_split = (times.user - times_began.user, times.system - times_began.system)
    problems = count_check(database_url, course_id, phones, args.dots)
    report(label, recorder, wall, problems, phones)
    report_phases(recorder.rows)
    if click is not None:
        ok &= report_step_change(phones, click)
    print_cpu("the run", cpu, wall, len(recorder.rows), proxied)
    print(f"    (the client's CPU: {client_split[0]:.1f} s user, {client_split[1]:.1f} s system)")
    if not args.skip_saturate:
        if not args.skip_step_change:
            await facilitator.go_to_step(2)  # back to the vote, which is still open
        ok &= await throughput_ratio(port, code, phones, args, meters, proxied)
    facilitator.browser.close()
    errors = [row for row in recorder.rows if row[1] not in EXPECTED[row[0]]]
    return ok and not problems and not errors and not recorder.failures


def run_one(label: str, database_url: str, proxy: str, args, cluster=None) -> bool:
    with tempfile.TemporaryDirectory(prefix="samskabt-bench-") as workdir:
        migrate(database_url)
        course_id, code = create_workshop(database_url, dot_budget=args.dots)
        env = dict(args.server_env)
        if proxy == "nginx":
            # As docs/deploying.md runs it behind the proxy: X-Forwarded-* from one proxy.
            env.setdefault("TRUSTED_PROXIES", "1")
        server = Server(
            database_url, Path(workdir), workers=args.workers, threads=args.threads, extra_env=env
        ).start()
        nginx = None
        try:
            if proxy == "nginx":
                nginx = Nginx(server.port).start()
            port = nginx.port if nginx else server.port
            front = f"nginx on 127.0.0.1:{port} → " if nginx else ""
            print(
                f"\n{label}: {front}gunicorn on 127.0.0.1:{server.port}, {args.phones} phones, "
                f"{'uvloop' if uvloop else 'asyncio'} client …"
            )
            runner = asyncio.Runner(loop_factory=uvloop.new_event_loop if uvloop else None)
            with runner:
                return runner.run(
                    scenario(
                        label,
                        database_url,
                        port,
                        course_id,
                        code,
                        args,
                        Meters(server, nginx, cluster),
                    )
                )
        finally:
            for name, part in (("gunicorn", server), ("nginx", nginx)):
                troubles = part.log_troubles() if part else []
                if troubles:
                    print(f"  {name}'s log: {len(troubles)} lines of trouble, the first:")
                    for line in troubles[:8]:
                        print(f"    {line[:200]}")
            if nginx:
                nginx.stop()
            server.stop()


def server_env(value: str) -> tuple[str, str]:
    name, equals, setting = value.partition("=")
    if not equals or not name:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {value!r}")
    return name, setting


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phones", type=int, default=300)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument(
        "--proxy",
        choices=("nginx", "none", "both"),
        default="both",
        help="phones talk to nginx (docs/deploying.md's configuration) or to gunicorn",
    )
    parser.add_argument("--workers", type=int, default=None, help="default: gunicorn.conf.py")
    parser.add_argument(
        "--threads", type=int, default=None, help="GUNICORN_THREADS; default: gunicorn.conf.py"
    )
    parser.add_argument(
        "--server-env",
        type=server_env,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="set in gunicorn's environment (repeatable), e.g. GUNICORN_TIMEOUT=60",
    )
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
    parser.add_argument(
        "--timeout", type=float, default=30, help="seconds a request may take (an error)"
    )
    parser.add_argument("--saturate-seconds", type=float, default=5)
    parser.add_argument("--saturate-clients", type=int, default=32)
    parser.add_argument("--skip-step-change", action="store_true")
    parser.add_argument("--skip-saturate", action="store_true")
    args = parser.parse_args()

    # A thousand phones are a thousand sockets (and their double taps' second ones).
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 2 * args.phones + 256
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))

    proxies = ["nginx", "none"] if args.proxy == "both" else [args.proxy]
    if "nginx" in proxies and not Nginx.available():
        print("nginx not installed: apt-get install nginx (running straight to gunicorn only)")
        proxies.remove("nginx")
    labels = {"nginx": "through nginx", "none": "straight to gunicorn"}
    ok = True
    if args.db in ("sqlite", "both"):
        for proxy in proxies:
            with tempfile.TemporaryDirectory(prefix="samskabt-bench-db-") as directory:
                url = f"sqlite:///{directory}/bench.db"
                ok &= run_one(f"SQLite, {labels[proxy]}", url, proxy, args)
    if args.db in ("postgresql", "both"):
        try:
            with postgresql_cluster() as (cluster, url):
                for index, proxy in enumerate(proxies):
                    fresh = url if index == 0 else cluster.create_database(f"bench_{proxy}")
                    ok &= run_one(f"PostgreSQL, {labels[proxy]}", fresh, proxy, args, cluster)
        except RuntimeError as missing:
            print(f"\nPostgreSQL: not run — {missing}")
            ok = False
    print("\nresult:", "all targets of correctness met" if ok else "PROBLEMS, see above")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
