"""Step 4 — Teste og implementere: the action plan, its owners, dates and status."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .base import Step, overview_context


class ImplementStep(Step):
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

    def context(self, course, audience, participant=None):
        return overview_context(course, participant)
