"""What both demo courses use: dots spent the way each role group cares (a fixed seed)."""

from __future__ import annotations

import random

from workshop.core.vocabulary import role_group
from workshop.votes import CARDS, cast_vote, dots_left


def spend_dots(people, items, preferences_by_group, ballot=CARDS) -> None:
    """Each person spends all their dots on what their group cares about, at most two on
    one item: `preferences_by_group` maps "staff"/"managers" to [(item index, weight)]."""
    rng = random.Random(2026)  # noqa: S311 - demo data, not security
    for person in people:
        preferences = preferences_by_group[role_group(person.role)]
        weighted = [index for index, weight in preferences for _ in range(weight)]
        placed: dict[int, int] = {}
        while dots_left(person, ballot) > 0:
            index = rng.choice(weighted)
            placed[index] = placed.get(index, 0) + 1
            if placed[index] > 2:
                continue
            cast_vote(person, items[index], placed[index])
