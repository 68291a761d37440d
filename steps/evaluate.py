"""Step 5 — Evaluere effekten: before/after measures and a logbook per action."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .base import Step, overview_context


class EvaluateStep(Step):
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

    def context(self, course, audience, participant=None):
        return overview_context(course, participant)
