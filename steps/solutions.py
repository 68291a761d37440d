"""Step 3 — Udvikle løsninger: solutions per prioritised challenge, assessed and voted on."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .base import Step, overview_context


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

    def context(self, course, audience, participant=None):
        return overview_context(course, participant)
