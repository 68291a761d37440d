"""Step 5 — Evaluere effekten: before/after measures and a logbook per action."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from steps.base import Step, stage_with
from workshop.cards import cards_of
from workshop.core.clock import local_today
from workshop.core.extensions import db
from workshop.core.models import Action, Measure
from workshop.core.vocabulary import StepNumber
from workshop.measures import entries_of, measure_groups


class EvaluateStep(Step):
    number = StepNumber.EVALUATE
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
    phone_template = "steps/evaluate/phone.html"
    phone_live_template = "steps/evaluate/phone_live.html"
    projector_template = "steps/evaluate/projector.html"
    control_template = "steps/evaluate/control.html"
    control_live_template = "steps/evaluate/control_live.html"

    def stage(self, course):
        # The phone's form lists the measures: it is redrawn when one is added, renamed
        # or closed for good, not on every logged value.
        rows = db.session.execute(
            select(
                Measure.id,
                Measure.what,
                Measure.unit,
                Measure.baseline_closed & Measure.followup_closed,
                Action.title,
            )
            .join(Action)
            .where(Action.course_id == course.id)
            .order_by(Measure.id)
        ).all()
        # Today's date too: a phone left open overnight gets today as the default date.
        return stage_with(self.number, "", [*rows, (local_today().isoformat(),)] if rows else [])

    def context(self, course, audience, participant=None):
        groups = measure_groups(course)
        context = {"measure_groups": groups}
        if audience == "phone":
            rows = [row for _action, rows in groups for row in rows]
            context["measure_rows"] = rows
            context["entry_measures"] = [
                m for m, _stats in rows if not (m.baseline_closed and m.followup_closed)
            ]
            context["my_entries"] = entries_of(participant)
            context["my_cards"] = cards_of(participant)
            context["today"] = local_today().isoformat()
        return context
