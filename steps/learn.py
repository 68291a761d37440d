"""Step 6 — Lære og beslutte næste skridt: status, reflections, lessons, decisions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from steps.base import Step
from workshop.actions import stuck_actions
from workshop.cards import cards_of
from workshop.core.clock import local_today
from workshop.core.vocabulary import StepNumber
from workshop.dialogue import answers_by_question, questions_for_step
from workshop.examination import due_later_cards
from workshop.learning import TAKE_UP_LATER, course_status, lessons_by_kind


class LearnStep(Step):
    number = StepNumber.LEARN
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
    phone_template = "steps/learn/phone.html"
    phone_live_template = "steps/learn/phone_live.html"
    projector_template = "steps/learn/projector.html"
    control_template = "steps/learn/control.html"
    control_live_template = "steps/learn/control_live.html"

    def context(self, course, audience, participant=None):
        # The reflection questions are answered like step 1's dialogue questions.
        status = course_status(course)
        context = {
            "questions": questions_for_step(course, self.number),
            "answers": answers_by_question(
                course, step=self.number, include_hidden=audience == "control"
            ),
            "overview": status,
        }
        if audience == "phone":
            # A merged card lives on in the card it was merged into: mark that one as theirs.
            context["my_card_ids"] = {
                card.merged_into_id or card.id for card in cards_of(participant)
            }
            return context
        context["lessons"] = lessons_by_kind(course)
        if audience == "control":
            context["stuck"] = stuck_actions(course)
            # "Later" whose day has come (issue 18): the group decides on it now.
            context["due_later"] = due_later_cards(course, local_today())
            context["next_cards"] = [
                row.card for row in status.challenges if row.card.priority in TAKE_UP_LATER
            ]
        return context
