"""What every template finds besides its context: filters (dates, typed text, join codes,
a measure's figures) and globals (the vocabularies, the step numbers and "Step n of 6", the
locale, the join address, timers, target groups, a measure's chart and summary). Templates
of every area use them, the PDF's too."""

from __future__ import annotations

import re
from datetime import date

from flask import Flask
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape

from workshop.catalogue import catalogue_metadata, requirement_citation, requirement_label
from workshop.core import vocabulary
from workshop.core.clock import danish_time, format_moment, local_date, local_today
from workshop.core.vocabulary import STEP_COUNT, StepNumber
from workshop.courses import epoch_ms, format_join_code, timer_seconds_left
from workshop.examination import origin_label
from workshop.exchange.ical import step_lines
from workshop.meetings import is_going_on
from workshop.reports.measure_chart import (
    format_change,
    format_change_percent,
    format_mean,
    format_value,
    measure_chart,
    measure_summary,
)
from workshop.reports.path_chart import format_minutes, pages_of, path_figure
from workshop.splits import effective_split, offered_splits
from workshop.web.addresses import public_host

# The vocabularies' labels, by the names the templates use.
VOCABULARIES = (
    "ROLES",
    "CARD_CATEGORIES",
    "CARD_SOURCES",
    "ORIGINS",
    "PRIORITY_STATUSES",
    "REQUIREMENT_STATUSES",
    "CHANGE_EFFECTS",
    "CONFIDENCE",
    "LOCAL_RULE_KINDS",
    "SOLUTION_KINDS",
    "SOLUTION_KIND_SHORT",
    "EFFECT_DIMENSIONS",
    "EFFECT_SCALE",
    "LIKELIHOOD",
    "EFFORT",
    "ACTION_STATUSES",
    "BARRIERS",
    "PERIODS",
    "LESSON_KINDS",
    "NEXT_STEP_KINDS",
)


def sector_labels(sectors) -> str:
    """A catalogue entry's sectors as the departments people know: "Employment, Health …"."""
    return ", ".join(str(vocabulary.SECTORS.get(key, key)) for key in sectors or [])


def short_date(value) -> str:
    """1.1.2020 in Danish, 1/1/2020 in English; accepts a date or an ISO string."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    if value is None:
        return ""
    value = local_date(value)  # a stored time: its day in Denmark, even at year 9999
    return format_date(value, "d.M.yyyy" if str(get_locale()) == "da" else "d/M/yyyy")


def rule_state(requirement) -> str:
    """What became of a local rule, for every place a card's link shows it: "ophævet
    3.11.2026, forløb Mindre bøvl" (a course abolished it), "udgået" (retired), else ""."""
    if not requirement.is_local:
        return ""
    if requirement.repealed_on is not None:
        if requirement.repealed_course_title:
            return _(
                "repealed %(date)s, course %(course)s",
                date=short_date(requirement.repealed_on),
                course=requirement.repealed_course_title,
            )
        return _("repealed %(date)s", date=short_date(requirement.repealed_on))
    if requirement.retired_at is not None:
        return _("retired")
    return ""


def paragraphs(text: str | None):
    """Typed text as it was typed: a blank line starts a paragraph, a line break stays one.
    Escaped first, so a "<" typed by someone is shown, never run."""
    blocks = re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n").strip())
    return Markup("").join(
        Markup("<p>{}</p>").format(
            Markup("<br>\n").join(escape(line) for line in block.split("\n"))
        )
        for block in blocks
        if block.strip()
    )


def robust_date_filters(app: Flask) -> None:
    """Flask-Babel's date filters, but a stored time at the ends of the calendar (year 1 or
    9999, say from an imported file) shows in UTC instead of failing the whole page."""
    filters = app.jinja_env.filters
    filters["dateformat"] = lambda value, format="medium": format_moment(value, format, "date")
    filters["datetimeformat"] = lambda value, format="medium": format_moment(value, format)
    filters["timeformat"] = lambda value, format="medium": format_moment(value, format, "time")


def step_of_count(number: int) -> str:
    """Where a course is in the method: "Step 4 of 6"."""
    return _("Step %(n)s of %(count)s", n=number, count=STEP_COUNT)


def _clock(moment, danish: bool) -> str:
    """9 or 9.30 in Danish, 9:00 or 9:30 in English."""
    if danish:
        return str(moment.hour) if not moment.minute else f"{moment.hour}.{moment.minute:02d}"
    return f"{moment.hour}:{moment.minute:02d}"


def meeting_when(meeting) -> str:
    """ "tirsdag 12. jan. kl. 9–12" (the year too when it is not this year's), in Danish
    time: how people say when a workshop is."""
    start, end = danish_time(meeting.starts_at), danish_time(meeting.ends_at)
    danish = str(get_locale()) == "da"
    pattern = "EEEE d. MMM" if danish else "EEEE d MMM"
    if start.year != local_today().year:
        pattern += " y"
    day = format_moment(start.date(), pattern)
    hours = f"{_clock(start, danish)}–{_clock(end, danish)}"
    if end.date() != start.date():  # only an imported file could hold one over midnight
        last_day = format_moment(end.date(), pattern)
        hours = f"{_clock(start, danish)}–{last_day} {_clock(end, danish)}"
    return _("%(day)s at %(hours)s", day=day, hours=hours)


def meeting_steps(meeting) -> str:
    """ "2. Det der bøvler · 3. …": the steps a meeting covers, by the method's names."""
    return " · ".join(step_lines(meeting))


def register_template_helpers(app: Flask) -> None:
    """The filters and globals above on the app (after Babel, whose date filters they
    replace)."""
    robust_date_filters(app)
    for name in VOCABULARIES:
        app.add_template_global(getattr(vocabulary, name), name)
    app.add_template_filter(format_join_code, "join_code")
    app.add_template_filter(requirement_label)
    app.add_template_filter(requirement_citation)
    app.add_template_filter(origin_label)  # "Another department's rule …: Sundhed"
    app.add_template_filter(short_date)
    app.add_template_filter(rule_state)  # a local rule repealed or retired (issue 18)
    app.add_template_filter(paragraphs)
    app.add_template_global(get_locale)
    app.add_template_global(public_host)
    app.add_template_global(timer_seconds_left)
    app.add_template_global(epoch_ms)
    app.add_template_global(lambda: catalogue_metadata()[1], "target_groups")
    app.add_template_filter(sector_labels, "sector_labels")
    app.add_template_filter(format_mean, "measure_mean")
    app.add_template_filter(format_value, "measure_value")
    app.add_template_filter(format_change, "measure_change")
    app.add_template_filter(format_change_percent, "measure_percent")
    app.add_template_global(measure_summary, "measure_summary")
    app.add_template_global(measure_chart, "measure_chart")
    # The citizen's path (issue 14): its swimlanes on the projector and in the PDF.
    app.add_template_global(path_figure, "path_figure")
    app.add_template_global(pages_of, "path_pages")
    app.add_template_filter(format_minutes, "path_minutes")
    app.add_template_global(vocabulary.TOUCHPOINT_KINDS, "TOUCHPOINT_KINDS")
    app.add_template_global(step_of_count, "step_of_count")
    app.add_template_global(meeting_when, "meeting_when")
    app.add_template_global(is_going_on, "meeting_going_on")
    app.add_template_global(meeting_steps, "meeting_steps")
    app.add_template_global(STEP_COUNT, "STEP_COUNT")
    app.add_template_global(StepNumber, "StepNumber")
    # Results by role or by department (issue 14): the course's split and the choices.
    app.add_template_global(effective_split, "result_split")
    app.add_template_global(offered_splits)
