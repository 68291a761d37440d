"""What both demo courses use: dots spent the way each role group cares (a fixed seed)."""

from __future__ import annotations

import random
from datetime import date

from workshop.catalogue import add_local_rule, ensure_catalogue_loaded, local_rules
from workshop.core.vocabulary import role_group
from workshop.examination import examine_card, link_requirement
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


def examine_cards(facilitator, cards, data) -> None:
    """The group examines cards and links the rules behind them: `data`'s local rules (made
    once), its examinations (card index, origin, problem, stakeholders) and links (card
    index, a catalogue key or "L:<name>" of one of those local rules)."""
    ensure_catalogue_loaded()
    rules = {rule.name_da: rule for rule in local_rules(facilitator.id)}
    for rule in data["local_rules"]:
        if rule["name"] not in rules:
            rules[rule["name"]] = add_local_rule(
                facilitator,
                name=rule["name"],
                kind=rule["kind"],
                description=rule["description"],
                decided_by=rule["decided_by"],
                decided_on=date.fromisoformat(rule["decided_on"]),
            )
    for index, origin, problem, stakeholders in data["examinations"]:
        examine_card(cards[index], origin=origin, problem=problem, stakeholders=stakeholders)
    for index, key in data["links"]:
        link_requirement(cards[index], rules[key[2:]].key if key.startswith("L:") else key)
