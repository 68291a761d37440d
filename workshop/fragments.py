"""Rendered pieces of pages that many requests share, per worker process.

The phones' voting list (workshop.views.voting) is the one that counts: when the vote
opens, hundreds of phones ask for the same 300 cards within two seconds. Entries are keyed
by the course's revision, so a change makes new ones; `forget_course` drops a course's
entries at once where its words must go (a redacted card, a deleted course).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

_KEPT = 32
_entries: OrderedDict[tuple, object] = OrderedDict()
_lock = threading.Lock()


def get(key: tuple):
    """The entry for `key` (its first element is the course id), or None."""
    with _lock:
        value = _entries.get(key)
        if value is not None:
            _entries.move_to_end(key)
        return value


def put(key: tuple, value) -> None:
    with _lock:
        _entries[key] = value
        while len(_entries) > _KEPT:
            _entries.popitem(last=False)


def forget_course(course_id: int) -> None:
    with _lock:
        for key in [key for key in _entries if key[0] == course_id]:
            del _entries[key]
