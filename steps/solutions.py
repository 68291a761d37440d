"""Step 3 — Udvikle løsninger: solutions per prioritised challenge, assessed and voted on.

The step's routes, the solution page and the forms are in workshop/web/steps/solutions.py."""

from __future__ import annotations

from functools import partial

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from steps.base import Step, stage_with
from workshop.cards import cards_of
from workshop.core.extensions import db
from workshop.core.models import Card, Course, Solution
from workshop.examination import open_challenge_conditions
from workshop.experience import experience_by_challenge
from workshop.solutions import challenges_with_solutions, chosen_solutions
from workshop.votes import (
    SOLUTIONS,
    Results,
    my_dots_and_left,
    results,
    role_groups_below_minimum,
    voting_progress,
)


class SolutionsStep(Step):
    number = 3
    slug = "solutions"
    title = _l("Develop solutions")
    purpose = _l(
        "Those with a stake, and a manager who can decide, develop solutions for each "
        "prioritised challenge and assess them: what effect should it have, will it have it, "
        "and how will we see it?"
    )
    outcome = _l("Assessed solution proposals; chosen solutions.")
    guidance = (
        _l("Take one prioritised challenge at a time."),
        _l("Remove, change, embed or keep: which kind of solution is it?"),
        _l("Ask about the effect for citizens, on the work, and on the work environment."),
        _l("Make sure a manager who can decide is in the room when solutions are chosen."),
    )
    phone_template = "steps/solutions/phone.html"
    phone_live_template = "steps/solutions/phone_live.html"
    projector_template = "steps/solutions/projector.html"
    control_template = "steps/solutions/control.html"
    control_live_template = "steps/solutions/control_live.html"

    def stage(self, course):
        # A phone's forms change with the phase of the solution vote, and while solutions
        # are collected also with the challenges they can be proposed for.
        state = course.solution_voting_state
        if state != "collect":
            return f"{self.number}-{state}"
        challenges = db.session.execute(
            select(Card.id, Card.text).where(*open_challenge_conditions(course)).order_by(Card.id)
        ).all()
        return stage_with(self.number, state, challenges)

    def context(self, course, audience, participant=None):
        state = course.solution_voting_state
        control = audience == "control"
        challenges = challenges_with_solutions(course, include_hidden=control)
        context = {
            "solution_state": state,
            "challenges": challenges,
            "open_challenges": open_challenges(challenges),
            "solution_count": sum(len(solutions) for _card, solutions in challenges),
            "results": None,
        }
        if state == "revealed":
            ranked = results(course, SOLUTIONS)
            context["results"] = ranked
            context["ranked_by_challenge"] = ranked_by_challenge(ranked, challenges)
        if control and state in ("collect", "voting"):
            context["small_groups"] = role_groups_below_minimum(course)
        # The solution form and a phone's dot buttons: web/steps/solutions.py.
        if audience == "phone":
            context["my_cards"] = cards_of(participant)
            if state == "voting":
                context["my_dots"], context["dots_left"] = my_dots_and_left(participant, SOLUTIONS)
            return context
        # Phones don't show the progress; on their hot path it would be two queries each.
        context["progress"] = (
            voting_progress(course, SOLUTIONS) if state in ("voting", "closed") else None
        )
        if control:
            context["dots"] = (
                {row.item.id: row.total for row in context["results"].rows}
                if context["results"]
                else {}
            )
            context["last_decided_by"] = latest_decider(course)
            # The experience bank, for the (unpolled) forms only: called by control.html.
            context["bank_for"] = partial(
                experience_by_challenge, course, context["open_challenges"]
            )
        return context


def open_challenges(challenges: list[tuple[Card, list[Solution]]]) -> list[Card]:
    """The challenges a new solution may be proposed for (not those taken off the list)."""
    return [
        card
        for card, _solutions in challenges
        if card.priority == "prioritised" and not card.hidden and card.merged_into_id is None
    ]


def ranked_by_challenge(ranked: Results | None, challenges) -> list[tuple[Card, list]]:
    """The ranked rows grouped under their challenge, so the room sees what won for each."""
    if ranked is None:
        return []
    order = {card.id: index for index, (card, _solutions) in enumerate(challenges)}
    grouped: dict[int, tuple[Card, list]] = {}
    for row in ranked.rows:
        grouped.setdefault(row.item.card_id, (row.card, []))[1].append(row)
    return sorted(grouped.values(), key=lambda group: order.get(group[0].id, len(order)))


def latest_decider(course: Course) -> str:
    """Who decided the latest choice: usually the same manager decides the next one."""
    chosen = chosen_solutions(course)
    return chosen[-1].decided_by if chosen else ""
