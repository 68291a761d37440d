"""App-wide template helpers the web layer adds: a measure's figures (numbers said the
way the UI's language says them, the chart's geometry and its text alternative) and the
"Step n of 6" label. Templates of every area use them, the PDF's too."""

from __future__ import annotations

from flask import Flask
from flask_babel import gettext as _

from workshop.core.vocabulary import STEP_COUNT, StepNumber
from workshop.reports.measure_chart import (
    format_change,
    format_change_percent,
    format_mean,
    format_value,
    measure_chart,
    measure_summary,
)


def step_of_count(number: int) -> str:
    """Where a course is in the method: "Step 4 of 6"."""
    return _("Step %(n)s of %(count)s", n=number, count=STEP_COUNT)


def register_template_helpers(app: Flask) -> None:
    app.add_template_filter(format_mean, "measure_mean")
    app.add_template_filter(format_value, "measure_value")
    app.add_template_filter(format_change, "measure_change")
    app.add_template_filter(format_change_percent, "measure_percent")
    app.add_template_global(measure_summary, "measure_summary")
    app.add_template_global(measure_chart, "measure_chart")
    app.add_template_global(step_of_count, "step_of_count")
    app.add_template_global(STEP_COUNT, "STEP_COUNT")
    app.add_template_global(StepNumber, "StepNumber")
