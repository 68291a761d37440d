"""The demo course: a job centre part-way through, with realistic data in every step so far."""

from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path

from sqlalchemy import select

from .cards import merge_cards, set_card_hidden, submit_card
from .catalogue import add_local_rule, ensure_catalogue_loaded, local_rules
from .courses import create_course, go_to_step
from .dialogue import answer_question
from .examination import examine_card, link_requirement, prioritise
from .extensions import db
from .facilitators import create_facilitator, find_facilitator
from .models import Course
from .participants import join
from .vocabulary import role_group
from .votes import cast_vote, dots_left, set_voting_state

DEMO_EMAIL = "demo@samskabt.dk"
DEMO_PASSWORD = "demo-samskabt"  # noqa: S105 - the demo login is printed on purpose
DATA_FILE = Path(__file__).with_name("demo.json")


def seed_demo() -> Course:
    """Create or reset the demo course; it keeps its join code across resets."""
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    facilitator = find_facilitator(DEMO_EMAIL) or create_facilitator(
        DEMO_EMAIL, DEMO_PASSWORD, "Demo-facilitator"
    )
    old_code = None
    for old in db.session.scalars(select(Course).where(Course.facilitator_id == facilitator.id)):
        if old.title == data["course"]["title"]:
            old_code = old.join_code
        db.session.delete(old)
    db.session.commit()

    course = create_course(facilitator, **data["course"])
    if old_code:
        course.join_code = old_code
        db.session.commit()
    people = [join(course, **person) for person in data["participants"]]

    for number, (who, question, text) in enumerate(data["answers"]):
        answer_question(
            people[who], course.questions[question], text, client_token=f"demo-answer-{number}"
        )

    go_to_step(course, 2)
    cards = [
        submit_card(people[who], text, category, client_token=f"demo-card-{number}")
        for number, (who, category, text) in enumerate(data["cards"])
    ]
    for source, target in data["merge"]:
        merge_cards(cards[target], [cards[source]])
    for index in data["hide"]:
        set_card_hidden(cards[index], True)

    set_voting_state(course, "voting")
    # Each person spends their dots on the cards their group cares about (fixed seed).
    rng = random.Random(2026)  # noqa: S311 - demo data, not security
    for person in people:
        preferences = data["votes"][role_group(person.role)]
        weighted = [index for index, weight in preferences for _ in range(weight)]
        placed: dict[int, int] = {}
        while dots_left(person) > 0:
            index = rng.choice(weighted)
            placed[index] = placed.get(index, 0) + 1
            if placed[index] > 2:
                continue
            cast_vote(person, cards[index], placed[index])
    set_voting_state(course, "revealed")
    _examine_and_prioritise(facilitator, cards, data)
    return course


def _examine_and_prioritise(facilitator, cards, data) -> None:
    """After the reveal: the group examines the cards, links the rules and prioritises."""
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
        # "L:<name>" names one of the demo's local rules; anything else is a catalogue id.
        if key.startswith("L:"):
            key = rules[key[2:]].key
        link_requirement(cards[index], key)
    for index, status, note in data["priorities"]:
        prioritise(
            cards[index],
            status,
            later_when=note if status == "later" else "",
            reason=note if status == "out_of_scope" else "",
        )
