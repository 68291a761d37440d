"""Steps 3–6: purpose and guidance now; their own tools come in later issues.

Until then every screen shows the step's purpose and what the group prioritised in
step 2, so the room keeps its decisions in view.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from workshop.cards import cards_of
from workshop.votes import results

from .base import Step

TOP_CHALLENGES = 5


class OverviewStep(Step):
    def context(self, course, audience, participant=None):
        ranked = results(course)
        context = {"top_results": ranked.rows[:TOP_CHALLENGES] if ranked else []}
        if participant is not None:
            # Nobody's card disappears: each phone keeps its own cards and their status.
            context["my_cards"] = cards_of(participant)
        return context


class SolutionsStep(OverviewStep):
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


class ImplementStep(OverviewStep):
    number = 4
    slug = "implement"
    title = _l("Test and implement solutions")
    purpose = _l(
        "Check the barriers (cultural, legal, technical, competence), test in one unit or "
        "for a limited time, and agree who does what differently from when."
    )
    outcome = _l("An action plan, a summary of the test, an adjusted solution.")
    guidance = (
        _l("For each solution: who does what differently, from when?"),
        _l("Which signs will show that it works, and who watches them?"),
        _l("How and when is it communicated to everyone affected?"),
    )


class EvaluateStep(OverviewStep):
    number = 5
    slug = "evaluate"
    title = _l("Evaluate whether the solutions work")
    purpose = _l(
        "Measure lightly before and after: a few colleagues log, for example, minutes of "
        "documentation per week; discuss, adjust and tell everyone affected."
    )
    outcome = _l("Measured effect per solution; adjustments.")
    guidance = (
        _l("Agree what is measured, by whom, and for how long before and after."),
        _l("Look at the figures together and adjust the solution where needed."),
    )


class LearnStep(OverviewStep):
    number = 6
    slug = "learn"
    title = _l("Learn from the process and decide next steps")
    purpose = _l(
        "Go through the status of every challenge and chase what is stuck; what did we learn "
        "about the method, the roles and the results, and how do we keep going?"
    )
    outcome = _l("Lessons, decisions on next steps, a plan for keeping the method alive.")
    guidance = (
        _l("Status of every challenge, including those not prioritised."),
        _l("Did we involve the right people and communicate enough, at the right time?"),
        _l("Decide how to keep going: internal facilitators, an experience group."),
    )
