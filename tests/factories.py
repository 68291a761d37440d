"""Test factories in the style of indico/CTFd: sensible defaults, override what matters."""

from __future__ import annotations

import itertools

from workshop.cards import submit_card
from workshop.courses import create_course, go_to_step
from workshop.facilitators import create_facilitator, find_facilitator
from workshop.participants import join
from workshop.votes import set_voting_state

_tokens = itertools.count(1)


class Factories:
    def __init__(self, app):
        self.app = app

    def facilitator(self, email="facilitator@example.dk", password="correct horse", name=""):
        return find_facilitator(email) or create_facilitator(email, password, name)

    def course(self, facilitator=None, *, step=1, voting_state="collect", **fields):
        fields = {"title": "Mindre bøvl", "municipality": "Holbæk Kommune", **fields}
        course = create_course(facilitator or self.facilitator(), **fields)
        if step != 1:
            go_to_step(course, step)
        if voting_state != "collect":
            set_voting_state(course, voting_state)
        return course

    def participant(self, course, role="medarbejder", unit="Team Ledige", name=""):
        return join(course, role, unit, name)

    def card(self, participant, text=None, category=""):
        number = next(_tokens)
        return submit_card(
            participant,
            text or f"Kort nummer {number}",
            category,
            client_token=f"token-{number}",
        )
