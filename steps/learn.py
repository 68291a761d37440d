"""Step 6 — Lære og beslutte næste skridt: status, reflections, lessons, decisions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .base import Step, overview_context


class LearnStep(Step):
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

    def context(self, course, audience, participant=None):
        return overview_context(course, participant)
