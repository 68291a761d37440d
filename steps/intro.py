"""Step 1 — Intro og fælles sprog: purpose, core task, frame, and the dialogue questions.

The step's routes and the answer form are in workshop/web/steps/intro.py."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from steps.base import Step
from workshop.dialogue import answers_by_question, questions_for_step


class IntroStep(Step):
    number = 1
    slug = "intro"
    title = _l("Introduction and a shared language")
    purpose = _l(
        "Why and how we work together; management and the MED committee state their roles; "
        "the frame says what can and cannot be changed; we talk about when governance helps "
        "and when it hinders the core task."
    )
    outcome = _l("A shared purpose, clear roles, an explicit frame and a shared vocabulary.")
    guidance = (
        _l("Present the purpose, the core task and the frame, including what cannot change."),
        _l("Let management and the MED committee say what their role is in the course."),
        _l("Ask the dialogue questions; read a few answers aloud from the big screen."),
        _l("Agree on the words you will use: what counts as 'governance' here?"),
    )
    phone_template = "steps/intro/phone.html"
    phone_live_template = "steps/intro/phone_live.html"
    projector_template = "steps/intro/projector.html"
    control_template = "steps/intro/control.html"
    control_live_template = "steps/intro/control_live.html"

    def context(self, course, audience, participant=None):
        return question_context(course, self.number, audience)


def question_context(course, step: int, audience: str) -> dict:
    """The questions of step 1 or 6 and their answers (hidden ones on the control panel
    only). A phone's answer form is added by the web layer (web/steps/intro.py)."""
    return {
        "questions": questions_for_step(course, step),
        "answers": answers_by_question(course, step=step, include_hidden=audience == "control"),
    }
