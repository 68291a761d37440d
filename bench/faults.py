"""Faults a real workshop meets, against gunicorn on loopback; prints what it checked.

Run from the repository root with the virtualenv:

    .venv/bin/python bench/faults.py [--phones 40] [--only kill|lock|postgresql]

(a) kill: phones vote on SQLite; the gunicorn master and every worker get SIGKILL in the
    middle of the round; gunicorn starts again on the same database and port. Every card
    and dot a phone got acknowledged is still there, and the phones carry on voting with
    the cookies they had.
(b) lock: another connection holds SQLite's write lock for a second. Writing requests
    wait (busy_timeout) and then succeed instead of failing; polls read on meanwhile.
(c) postgresql: PostgreSQL restarts (pg_ctl restart) while phones send cards. A request
    that meets the restart gets 503 with the Danish "prøv igen" message and Retry-After,
    never a 500; when the phone sends the same form again (its text kept on the phone),
    it succeeds, and the card is stored once.

Exit status 0 when every check passed.
"""

from __future__ import annotations

import argparse
import random
import re
import sqlite3
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (  # noqa: E402 — after the path set-up above
    CLIENT_TOKEN,
    Browser,
    Server,
    create_workshop,
    domain,
    migrate,
    postgresql_cluster,
    restart_postgresql,
)

VOTE_LINK = re.compile(r'action="/c/[^/]+/cards/(\d+)/dots"')
TRY_AGAIN_DA = "Prøv igen om lidt"
RESULTS: list[tuple[bool, str]] = []


def check(ok: bool, what: str) -> bool:
    RESULTS.append((ok, what))
    print(f"  [{'ok' if ok else 'FAILED'}] {what}")
    return ok


def join_phones(port: int, code: str, count: int) -> list[Browser]:
    phones = []
    for number in range(count):
        phone = Browser(port)
        phone.request("GET", f"/j/{code}")
        reply = phone.request(
            "POST",
            f"/j/{code}",
            {"role": "medarbejder", "name": f"phone-{number:03d}", "csrf_token": phone.csrf},
        )
        assert reply.status == 302, reply.status
        page = phone.request("GET", f"/c/{code}")
        phone.client_token = CLIENT_TOKEN.search(page.body).group(1)
        phones.append(phone)
    return phones


def write_card(phone: Browser, code: str, text: str):
    return phone.request(
        "POST",
        f"/c/{code}/cards",
        {
            "text": text,
            "client_token": phone.client_token,
            "stage": "2-collect",
            "csrf_token": phone.csrf,
        },
        htmx=True,
    )


def open_vote(port: int, course_id: int) -> None:
    facilitator = Browser(port)
    facilitator.login()
    facilitator.request("GET", f"/f/courses/{course_id}")
    form = {"state": "voting", "csrf_token": facilitator.csrf}
    reply = facilitator.request("POST", f"/f/courses/{course_id}/voting", form)
    assert reply.status == 302, reply.status
    facilitator.close()


def stored(database_url: str, course_id: int):
    """{participant name: set of client tokens}, {participant name: {card id: dots}}."""
    from workshop.core.models import Card, Participant, Vote

    with domain(database_url) as db:
        names = {
            p.id: p.name
            for p in db.session.scalars(
                db.select(Participant).where(Participant.course_id == course_id)
            )
        }
        cards: dict[str, set] = {name: set() for name in names.values()}
        for card in db.session.scalars(db.select(Card).where(Card.course_id == course_id)):
            cards[names[card.participant_id]].add(card.client_token)
        dots: dict[str, dict] = {name: {} for name in names.values()}
        for vote in db.session.scalars(db.select(Vote).where(Vote.course_id == course_id)):
            dots[names[vote.participant_id]][vote.card_id] = vote.dots
    return cards, dots


# --- (a) SIGKILL mid-round ------------------------------------------------------------


def fault_kill(workdir: Path, phones_count: int) -> None:
    print("\n(a) SIGKILL to gunicorn's master and workers in the middle of a dot vote (SQLite)")
    url = f"sqlite:///{workdir}/kill.db"
    migrate(url)
    course_id, code = create_workshop(url)
    server = Server(url, workdir).start()
    phones = join_phones(server.port, code, phones_count)
    acked_cards: dict[int, set] = {}
    for index, phone in enumerate(phones):
        token = phone.client_token
        if write_card(phone, code, f"Kort fra telefon {index}: dobbelt registrering").status == 200:
            acked_cards[index] = {token}
    open_vote(server.port, course_id)
    live = phones[0].request("GET", f"/c/{code}/live?stage=2-voting", htmx=True).body
    card_ids = sorted({int(card_id) for card_id in VOTE_LINK.findall(live)})

    acked_dots: list[dict[int, int]] = [{} for _ in phones]
    in_flight: list[tuple[int, int] | None] = [None] * len(phones)
    taps = Counter()
    stop = threading.Event()

    def vote(index: int) -> None:
        phone, rng = phones[index], random.Random(index)
        mine = rng.sample(card_ids, min(3, len(card_ids)))
        while not stop.is_set():
            card_id = rng.choice(mine)
            dots = 1 - acked_dots[index].get(card_id, 0)  # give a dot, take it back, …
            in_flight[index] = (card_id, dots)
            try:
                reply = phone.request(
                    "POST",
                    f"/c/{code}/cards/{card_id}/dots",
                    {"dots": str(dots), "stage": "2-voting", "csrf_token": phone.csrf},
                    htmx=True,
                )
            except OSError:
                taps["no answer (server killed)"] += 1
                return  # the connection died with the server: this tap was not acknowledged
            taps[reply.status] += 1
            if reply.status == 200:
                acked_dots[index][card_id] = dots
                in_flight[index] = None
            time.sleep(rng.uniform(0.05, 0.3))

    threads = [threading.Thread(target=vote, args=(i,), daemon=True) for i in range(len(phones))]
    for thread in threads:
        thread.start()
    time.sleep(3)
    workers = server.worker_pids()
    server.kill()
    killed_at = time.monotonic()
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    print(f"  killed master {server.process.pid} and workers {workers}; taps: {dict(taps)}")
    check(taps[200] > 0, f"{taps[200]} dots were acknowledged before the kill")

    restarted = Server(url, workdir, port=server.port).start()
    print(f"  gunicorn started again on the same port after {time.monotonic() - killed_at:.1f} s")
    try:
        cards, dots = stored(url, course_id)
        lost_cards = [
            i for i, tokens in acked_cards.items() if not tokens <= cards[f"phone-{i:03d}"]
        ]
        check(not lost_cards, f"all {len(acked_cards)} acknowledged cards are stored")
        lost = []
        for index, acked in enumerate(acked_dots):
            have = dots[f"phone-{index:03d}"]
            for card_id, value in acked.items():
                # Only the tap in flight at the kill may have landed unacknowledged.
                if have.get(card_id, 0) != value and in_flight[index] != (
                    card_id,
                    have.get(card_id, 0),
                ):
                    lost.append((index, card_id, value, have.get(card_id, 0)))
        acknowledged = sum(len(acked) for acked in acked_dots)
        check(
            not lost,
            f"every acknowledged dot state ({acknowledged} phone×card) is stored as acknowledged"
            + (f"; wrong: {lost[:5]}" if lost else ""),
        )
        for phone in phones:
            phone.close()
        statuses = Counter(
            phone.request(
                "POST",
                f"/c/{code}/cards/{card_ids[0]}/dots",
                {"dots": "1", "stage": "2-voting", "csrf_token": phone.csrf},
                htmx=True,
            ).status
            for phone in phones
        )
        check(
            statuses == Counter({200: len(phones)}),
            f"after the restart every phone votes on with its cookie: {dict(statuses)}",
        )
    finally:
        restarted.stop()


# --- (b) a locked SQLite database -----------------------------------------------------


def fault_lock(workdir: Path, phones_count: int) -> None:
    print("\n(b) another connection holds SQLite's write lock for a second")
    url = f"sqlite:///{workdir}/lock.db"
    migrate(url)
    course_id, code = create_workshop(url)
    server = Server(url, workdir).start()
    try:
        # Half write, half poll. At most 20 phones: 10 writers waiting for the lock leave
        # free threads (5 workers × 4 here). With as many waiting writers as threads, polls
        # queue behind them too — the threads are taken, not the database.
        phones = join_phones(server.port, code, min(phones_count, 20))
        locker = sqlite3.connect(f"{workdir}/lock.db", isolation_level=None)
        locker.execute("BEGIN IMMEDIATE")
        locked_at = time.perf_counter()
        replies: list[tuple[str, int, float, str]] = []

        def send(index: int) -> None:
            phone = phones[index]
            started = time.perf_counter()
            if index % 2:
                reply = write_card(phone, code, f"Kort skrevet mens databasen er låst {index}")
                replies.append(("card", reply.status, time.perf_counter() - started, ""))
            else:
                reply = phone.request("GET", f"/c/{code}/live?stage=2-collect", htmx=True)
                replies.append(("poll", reply.status, time.perf_counter() - started, ""))

        threads = [
            threading.Thread(target=send, args=(i,), daemon=True) for i in range(len(phones))
        ]
        for thread in threads:
            thread.start()
        time.sleep(1.0)
        locker.execute("COMMIT")
        held = time.perf_counter() - locked_at
        for thread in threads:
            thread.join(timeout=60)
        locker.close()
        writes = [r for r in replies if r[0] == "card"]
        reads = [r for r in replies if r[0] == "poll"]
        print(f"  lock held {held:.2f} s; {len(writes)} card posts and {len(reads)} polls sent")
        check(
            all(status == 200 for _, status, _, _ in writes),
            f"every card post succeeded after waiting: {Counter(s for _, s, _, _ in writes)}",
        )
        slowest = max(seconds for _, _, seconds, _ in writes)
        check(slowest >= 0.8, f"writers waited for the lock (slowest {slowest:.2f} s)")
        read_times = sorted(seconds for _, _, seconds, _ in reads)
        # A poll can still queue behind a writer: a gthread worker accepts connections for
        # its threads' queue, and a poll that lands on a worker whose threads all wait for
        # the lock waits with them. Most go to a free thread and read at once (WAL).
        check(
            all(status == 200 for _, status, _, _ in reads)
            and read_times[len(read_times) // 2] < 0.5,
            f"polls read on while the lock was held (WAL): median "
            f"{read_times[len(read_times) // 2]:.2f} s, slowest {read_times[-1]:.2f} s",
        )
        cards, _ = stored(url, course_id)
        check(
            sum(len(tokens) for tokens in cards.values()) == len(writes),
            f"{len(writes)} cards stored, one per post",
        )
    finally:
        server.stop()


# --- (c) PostgreSQL restarting --------------------------------------------------------


def fault_postgresql(workdir: Path, phones_count: int) -> None:
    print("\n(c) PostgreSQL restarts (pg_ctl restart) while phones send cards")
    try:
        context = postgresql_cluster()
        cluster, url = context.__enter__()
    except RuntimeError as unavailable:
        check(False, f"PostgreSQL could not be started: {unavailable}")
        return
    try:
        migrate(url)
        course_id, code = create_workshop(url)
        server = Server(url, workdir).start()
        try:
            _postgresql_restart(server, cluster, url, course_id, code, phones_count)
        finally:
            server.stop()
    finally:
        context.__exit__(None, None, None)


def _postgresql_restart(server, cluster, url, course_id, code, phones_count) -> None:
    phones = join_phones(server.port, code, phones_count)
    outcomes: list[Counter] = [Counter() for _ in phones]
    unfriendly: list[str] = []
    done = [False] * len(phones)
    stop = threading.Event()
    retry_after_seen = set()

    def keep_writing(index: int) -> None:
        phone, number = phones[index], 0
        while not stop.is_set():
            text = f"Telefon {index} kort {number}: samme oplysninger to steder"
            try:
                reply = write_card(phone, code, text)  # same token and text until acknowledged
            except OSError as error:
                unfriendly.append(f"phone {index}: no answer ({error})")
                time.sleep(0.5)
                continue
            outcomes[index][reply.status] += 1
            if reply.status == 200:
                number += 1
                phone.client_token = CLIENT_TOKEN.search(reply.body).group(1)
                if outcomes[index][503]:
                    done[index] = True  # recovered after meeting the restart
            elif reply.status == 503:
                if TRY_AGAIN_DA not in reply.body:
                    unfriendly.append(f"phone {index}: 503 without the Danish message")
                retry_after_seen.add(reply.headers.get("Retry-After"))
                time.sleep(float(reply.headers.get("Retry-After") or 2))  # as a person would
                continue
            else:
                unfriendly.append(f"phone {index}: {reply.status}")
            time.sleep(0.2)

    threads = [
        threading.Thread(target=keep_writing, args=(i,), daemon=True) for i in range(len(phones))
    ]
    for thread in threads:
        thread.start()
    time.sleep(2)
    began = time.perf_counter()
    restart_postgresql(cluster)
    print(f"  pg_ctl restart took {time.perf_counter() - began:.1f} s")
    time.sleep(6)  # phones retry after Retry-After and carry on
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    total = sum(outcomes, Counter())
    print(f"  replies while writing through the restart: {dict(total)}")
    problems = f": {unfriendly[:5]}" if unfriendly else ""
    if not check(not unfriendly, f"no 500, no dropped connection, every 503 in Danish{problems}"):
        log = (server.workdir / "gunicorn.log").read_text(errors="replace").splitlines()
        errors = [i for i, line in enumerate(log) if "Traceback" in line or "ERROR" in line]
        if errors:
            print("  the server's log at the first error:")
            print("\n".join(f"    {line}" for line in log[errors[0] : errors[0] + 60]))
    check(total[503] > 0, f"{total[503]} requests met the restart and got 503 'prøv igen'")
    check(retry_after_seen <= {"2"}, f"503s carry Retry-After: {sorted(retry_after_seen, key=str)}")
    met = [i for i, counts in enumerate(outcomes) if counts[503]]
    check(
        all(done[i] for i in met),
        f"all {len(met)} phones that met the restart sent the same card again and succeeded",
    )
    cards, _ = stored(url, course_id)
    acknowledged = total[200]
    stored_count = sum(len(tokens) for tokens in cards.values())
    check(
        stored_count == acknowledged,
        f"{stored_count} cards stored = {acknowledged} acknowledged (no card lost or doubled)",
    )
    health = Browser(server.port).request("GET", "/healthz")
    check(health.status == 200, "the health check is green again")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phones", type=int, default=40)
    parser.add_argument("--only", choices=("kill", "lock", "postgresql"))
    args = parser.parse_args()
    faults = {"kill": fault_kill, "lock": fault_lock, "postgresql": fault_postgresql}
    for name, fault in faults.items():
        if args.only in (None, name):
            with tempfile.TemporaryDirectory(prefix=f"samskabt-fault-{name}-") as workdir:
                fault(Path(workdir), args.phones)
    failed = [what for ok, what in RESULTS if not ok]
    print(f"\n{len(RESULTS) - len(failed)} of {len(RESULTS)} checks passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
