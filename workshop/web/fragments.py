"""Rendered pieces of pages that many requests share, kept in a worker's memory.

The phones' voting list (workshop.web.voting) is the one that counts: when the vote
opens, hundreds of phones ask for the same 300 cards within two seconds. Each app (one per
worker process) has its own `Fragments`, found with `of(app)`.

Nobody tells a worker to forget: a redaction or a deletion handled by another worker (or
machine) cannot reach this one's memory. Instead an entry is kept only for the newest
revision of its course this worker has seen (a request that reads a newer revision drops
the course's older entries at once), and never longer than `max_age` seconds (60 by
default, `SAMSKABT_FRAGMENT_MAX_AGE`), swept by a timer even when no request comes. So
redacted words leave every worker's memory with its next poll of the course, and within
a minute at the latest; a deleted course's entries within the minute.

A shared piece is kept encoded (`SharedText`) and never goes through a template: the
template gets a short placeholder (`placeholder`), and `splice_shared` puts the bytes in
its place once the response is made. A list of 1,000 cards is 800 KB; copied through
Jinja, escaped, joined, encoded and hashed for the compressed-body cache, it cost more
than everything else in the poll that brings it. The body's hash for that cache is taken
from the pieces (`resolve`), not from the 800 KB.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from flask import Response, g
from markupsafe import Markup

KEPT = 32
MAX_AGE = 60.0


class Fragments:
    """Entries by (course id, key), for one version (creation time, revision) per course."""

    def __init__(self, *, max_age: float = MAX_AGE, kept: int = KEPT):
        self.max_age = max_age
        self.kept = kept
        self._entries: OrderedDict[tuple, tuple[float, object]] = OrderedDict()
        # The newest version of each course seen: (its creation time, its revision).
        self._versions: dict[int, tuple] = {}
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def get(self, course_id: int, version: tuple, key: tuple):
        """The entry drawn for this version of the course, or None."""
        with self._lock:
            self._sweep()
            if not self._see(course_id, version):
                return None  # an older revision than this worker has seen: draw it whole
            found = self._entries.get((course_id, key))
            if found is None:
                return None
            self._entries.move_to_end((course_id, key))
            return found[1]

    def put(self, course_id: int, version: tuple, key: tuple, value) -> None:
        with self._lock:
            self._sweep()
            if not self._see(course_id, version):
                return  # drawn from a revision already replaced: not worth keeping
            self._entries[(course_id, key)] = (time.monotonic(), value)
            while len(self._entries) > self.kept:
                self._entries.popitem(last=False)
            self._arm()

    def courses(self) -> set[int]:
        """The courses with entries kept now (what the tests look at)."""
        with self._lock:
            self._sweep()
            return {course_id for course_id, _key in self._entries}

    def values(self) -> list:
        with self._lock:
            self._sweep()
            return [value for _stamp, value in self._entries.values()]

    # --- Under the lock ---

    def _see(self, course_id: int, version: tuple) -> bool:
        """Note the version a request read; False if it is older than one seen before.

        A newer revision (or another course under a reused id: another creation time)
        drops every entry of the course kept for the version before."""
        seen = self._versions.get(course_id)
        if seen == version:
            return True
        if seen is not None and seen[0] == version[0] and seen[1] > version[1]:
            return False
        self._versions[course_id] = version
        for entry in [entry for entry in self._entries if entry[0] == course_id]:
            del self._entries[entry]
        return True

    def _sweep(self) -> None:
        limit = time.monotonic() - self.max_age
        for entry in [entry for entry, (stamp, _v) in self._entries.items() if stamp <= limit]:
            del self._entries[entry]
        if len(self._versions) > 1024:  # versions are remembered (a few bytes each) ...
            kept = {course_id for course_id, _key in self._entries}
            for course_id in [c for c in self._versions if c not in kept]:
                del self._versions[course_id]  # ... but not without end

    def _arm(self) -> None:
        """A timer sweeps the entries when the oldest is due, should no request come."""
        if self._timer is not None or not self._entries:
            return
        oldest = min(stamp for stamp, _value in self._entries.values())
        delay = max(oldest + self.max_age - time.monotonic(), 0) + 0.05
        self._timer = threading.Timer(delay, self._on_timer)
        self._timer.daemon = True  # a worker shutting down does not wait for it
        self._timer.start()

    def _on_timer(self) -> None:
        with self._lock:
            self._timer = None
            self._sweep()
            self._arm()


def of(app) -> Fragments:
    """The app's (its worker's) fragments, made on first use."""
    with _making:
        found = app.extensions.get("samskabt_fragments")
        if found is None:
            found = Fragments(max_age=float(app.config.get("SAMSKABT_FRAGMENT_MAX_AGE", MAX_AGE)))
            app.extensions["samskabt_fragments"] = found
        return found


_making = threading.Lock()


# --- Shared text spliced into a response ----------------------------------------------


@dataclass(frozen=True, eq=False)
class SharedText:
    """A large piece of HTML many responses send alike: encoded once, with its hash."""

    data: bytes
    digest: bytes  # sha256 of data

    @classmethod
    def of(cls, data: bytes) -> SharedText:
        return cls(data, hashlib.sha256(data).digest())


# A piece of a spliced body: a slice (start, end) of a SharedText, or HTML of its own.
Piece = tuple[SharedText, int, int] | str


def placeholder(pieces: list[Piece]) -> Markup:
    """Stands for `pieces` in a rendered template (autoescaped HTML in the order given);
    `splice_shared` replaces it in the response. The mark is random per use, and a
    person's text can't contain it anyway (autoescaping turns its "<" into "&lt;")."""
    mark = f"<!--shared {secrets.token_hex(12)}-->"
    g.setdefault("samskabt_spliced", {})[mark.encode()] = pieces
    return Markup(mark)  # noqa: S704 - our own text: a comment with random hex digits


def resolve(body: bytes, spliced: dict[bytes, list[Piece]]) -> tuple[bytes, str]:
    """`body` with every placeholder replaced by its pieces, and a hash of the result
    taken from the pieces: a SharedText slice counts as (its hash, start, end), so the
    800 KB are never hashed again. Two bodies get the same hash only if they are equal."""
    chunks, hasher = [], hashlib.sha256()

    def add_own(data: bytes) -> None:
        chunks.append(data)
        hasher.update(b"B%d:" % len(data))
        hasher.update(data)

    # Where each placeholder is, in the body's order (a template that did not show one,
    # an error page say, leaves it out).
    found = sorted((body.find(mark), mark) for mark in spliced if mark in body)
    done = 0
    for at, mark in found:
        add_own(body[done:at])
        for piece in spliced[mark]:
            if isinstance(piece, str):
                add_own(piece.encode())
            else:
                shared, start, end = piece
                chunks.append(memoryview(shared.data)[start:end])
                hasher.update(b"S%s:%d:%d:" % (shared.digest, start, end))
        done = at + len(mark)
    add_own(body[done:])
    return b"".join(chunks), "spliced:" + hasher.hexdigest()


def resolve_drawn(body: bytes) -> tuple[bytes, str]:
    """`resolve` for HTML this request drew outside a response (a test, a script): its
    placeholders replaced, and then forgotten."""
    return resolve(body, g.pop("samskabt_spliced", {}))


def splice_shared(response: Response) -> Response:
    """After a request: the placeholders in the body replaced by their pieces (an
    after_request hook, registered to run before compression)."""
    spliced = g.pop("samskabt_spliced", None)
    if not spliced or response.is_streamed or response.direct_passthrough:
        return response
    body, g.samskabt_spliced_hash = resolve(response.get_data(), spliced)
    response.set_data(body)
    return response
