"""Step 5: light before/after measurement. A logbook per measure, and honest statistics."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from statistics import fmean

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from workshop.actions import actions_of
from workshop.core.clock import local_today
from workshop.core.errors import WorkshopError
from workshop.core.extensions import db
from workshop.core.models import Action, Course, Measure, MeasureEntry, Participant
from workshop.core.text import clean_text, tidy
from workshop.core.vocabulary import PERIODS
from workshop.courses import touch
from workshop.submissions import already_submitted, save_once

NOTE_MAX = 500
VALUE_LIMIT = 1_000_000_000
MAX_YEARS_AWAY = 10  # a light before/after measurement; 31.12.9999 means "no end"
MEASURE_FIELDS = (
    "what",
    "unit",
    "higher_is_better",
    "baseline_from",
    "baseline_to",
    "followup_from",
    "followup_to",
)


def _course_of_measure(measure: Measure) -> Course:
    return db.session.get(Course, measure.action.course_id)


def _check_measure(fields: dict) -> dict:
    what = tidy(fields.get("what"))
    unit = tidy(fields.get("unit"))
    if not what:
        raise WorkshopError(_("Say what is measured."), code="what")
    if len(what) > 300:
        raise WorkshopError(_("“What is measured” can be at most 300 characters."), code="what")
    if not unit:
        raise WorkshopError(
            _("Give the unit, e.g. minutes per week or number of interviews."), code="unit"
        )
    if len(unit) > 60:
        raise WorkshopError(_("The unit can be at most 60 characters."), code="unit")
    days = [fields.get(name) for name in MEASURE_FIELDS[3:]]
    if any(day is None for day in days):
        raise WorkshopError(
            _("Give the first and last day of both periods, before and after."), code="dates"
        )
    baseline_from, baseline_to, followup_from, followup_to = days
    today = local_today()
    if any(abs((day - today).days) > MAX_YEARS_AWAY * 366 for day in days):
        raise WorkshopError(
            _("Choose periods within %(n)s years of today.", n=MAX_YEARS_AWAY), code="dates"
        )
    if baseline_to < baseline_from or followup_to < followup_from:
        raise WorkshopError(_("A period ends before it begins."), code="dates")
    if followup_from <= baseline_to:
        raise WorkshopError(
            _("The follow-up period must begin after the baseline period ends."), code="dates"
        )
    return {
        **{name: fields.get(name) for name in MEASURE_FIELDS},
        "what": what,
        "unit": unit,
        "higher_is_better": bool(fields.get("higher_is_better")),
    }


def add_measure(action: Action | None, **fields) -> Measure:
    """A measure for an action of the course (None: the facilitator chose none, or one
    of another course)."""
    if action is None:
        raise WorkshopError(_("Choose the action the measure belongs to."), code="action")
    measure = Measure(action=action, **_check_measure(fields))
    db.session.add(measure)
    touch(db.session.get(Course, action.course_id))
    db.session.commit()
    return measure


def update_measure(measure: Measure, **fields) -> Measure:
    cleaned = _check_measure(fields)
    for name, value in cleaned.items():
        setattr(measure, name, value)
    touch(_course_of_measure(measure))
    db.session.commit()
    return measure


def set_period_closed(measure: Measure, period: str, closed: bool) -> Measure:
    """A closed period takes no more entries: its figures have been looked at together."""
    if period not in PERIODS:
        raise WorkshopError(_("Unknown period."))
    setattr(measure, f"{period}_closed", closed)
    touch(_course_of_measure(measure))
    db.session.commit()
    return measure


_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)")
_THOUSANDS = re.compile(r"[+-]?[1-9]\d{0,2}\.\d{3}")


def parse_value(raw: str | float | int | None) -> float:
    """A number as typed on a Danish phone: '45', '12,5' or '12.5'."""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        value = float(raw)
    else:
        text = (raw or "").strip().replace(" ", "").replace("\u00a0", "")
        if not _NUMBER.fullmatch(text):
            raise WorkshopError(_("Write a number, for example 45 or 12,5."), code="value")
        if _THOUSANDS.fullmatch(text):
            # "1.500" is fifteen hundred to a Dane and one and a half to a computer.
            raise WorkshopError(
                _(
                    "Is the point in %(typed)s a thousands separator? Write thousands "
                    "without a point (1500) and decimals with a comma (1,5).",
                    typed=text,
                ),
                code="value",
            )
        value = float(text.replace(",", "."))
    if math.isnan(value) or math.isinf(value) or abs(value) >= VALUE_LIMIT:
        raise WorkshopError(_("Write a number, for example 45 or 12,5."), code="value")
    return value


def log_entry(
    participant: Participant,
    measure: Measure | None,
    entry_date: date | None,
    value: str | float,
    note: str = "",
    *,
    client_token: str,
    today: date | None = None,
    allow_cpr_like: bool = False,
) -> MeasureEntry:
    """A line in the logbook. A resubmitted form (same token) returns the first entry."""
    if measure is None:
        raise WorkshopError(_("Choose what you are logging."), code="measure")
    existing = already_submitted(MeasureEntry, participant.id, client_token)
    if existing is not None:
        return existing
    if measure.action.course_id != participant.course_id:
        raise WorkshopError(_("That measure is not in your course."), code="course")
    _check_open_period(measure, entry_date, today or local_today())
    number = parse_value(value)
    note = tidy(note)
    if note:
        note = clean_text(note, max_length=NOTE_MAX, allow_cpr_like=allow_cpr_like)
    course = _course_of_measure(measure)
    entry = MeasureEntry(
        measure_id=measure.id,
        participant_id=participant.id,
        entry_date=entry_date,
        value=number,
        note=note,
        client_token=client_token,
    )
    return save_once(entry, course)


def _check_open_period(measure: Measure, entry_date: date | None, today: date) -> None:
    """Refuses a date missing, in the future, outside both periods or in a closed one."""
    if entry_date is None:
        raise WorkshopError(_("Give the date the value is for."), code="date")
    if entry_date > today:
        raise WorkshopError(_("The date is in the future. Log what has happened."), code="future")
    period = measure.period_of(entry_date)
    if period is None:
        raise WorkshopError(
            _(
                "%(date)s is outside both periods: before is %(b1)s–%(b2)s, "
                "after is %(f1)s–%(f2)s.",
                date=format_date(entry_date, "long"),
                b1=format_date(measure.baseline_from, "d. MMM"),
                b2=format_date(measure.baseline_to, "d. MMM yyyy"),
                f1=format_date(measure.followup_from, "d. MMM"),
                f2=format_date(measure.followup_to, "d. MMM yyyy"),
            ),
            code="period",
        )
    if getattr(measure, f"{period}_closed"):
        raise WorkshopError(
            _(
                "The period “%(period)s” is closed. No more values can be logged for it.",
                period=PERIODS[period],
            ),
            code="closed",
        )


def delete_entry(entry: MeasureEntry) -> None:
    """The facilitator removes a mistaken entry."""
    course = _course_of_measure(entry.measure)
    db.session.delete(entry)
    touch(course)
    db.session.commit()


@dataclass(frozen=True)
class PeriodStats:
    count: int
    mean: float | None  # None without entries: never a number nobody measured


@dataclass(frozen=True)
class MeasureStats:
    baseline: PeriodStats
    followup: PeriodStats
    change: float | None  # follow-up mean minus baseline mean
    change_percent: float | None  # relative to the baseline mean; None if that is 0
    outside: int  # entries whose date no longer lies in a period (periods were edited)
    improved: bool | None  # whether the change goes the good way

    @property
    def max_mean(self) -> float:
        return max((s.mean or 0) for s in (self.baseline, self.followup))


def _period_stats(values: list[float]) -> PeriodStats:
    return PeriodStats(len(values), fmean(values) if values else None)


def measure_stats(measure: Measure) -> MeasureStats:
    values: dict[str | None, list[float]] = {"baseline": [], "followup": [], None: []}
    for entry in measure.entries:
        values[measure.period_of(entry.entry_date)].append(entry.value)
    baseline = _period_stats(values["baseline"])
    followup = _period_stats(values["followup"])
    change = change_percent = improved = None
    if baseline.mean is not None and followup.mean is not None:
        change = followup.mean - baseline.mean
        if baseline.mean != 0:
            change_percent = change / abs(baseline.mean) * 100
        if change != 0:
            improved = (change > 0) == measure.higher_is_better
    return MeasureStats(baseline, followup, change, change_percent, len(values[None]), improved)


def measures_of(course: Course) -> list[Measure]:
    return list(
        db.session.scalars(
            select(Measure)
            .join(Action)
            .where(Action.course_id == course.id)
            .options(selectinload(Measure.entries), selectinload(Measure.action))
            .order_by(Measure.action_id, Measure.id)
        )
    )


def measure_groups(course: Course) -> list[tuple[Action, list[tuple[Measure, MeasureStats]]]]:
    """Every action with its measures and their figures; dropped actions last."""
    by_action: dict[int, list[tuple[Measure, MeasureStats]]] = {}
    for measure in measures_of(course):
        by_action.setdefault(measure.action_id, []).append((measure, measure_stats(measure)))
    actions = sorted(actions_of(course), key=lambda action: action.status == "dropped")
    return [(action, by_action.get(action.id, [])) for action in actions]


def open_measures(course: Course) -> list[Measure]:
    """The measures phones may still log values on: not closed for good (both periods)."""
    return [m for m in measures_of(course) if not (m.baseline_closed and m.followup_closed)]


def measure_in_course(course: Course, measure_id: int) -> Measure | None:
    measure = db.session.get(Measure, measure_id)
    if measure is None or measure.action.course_id != course.id:
        return None
    return measure


def entries_of(participant: Participant) -> list[MeasureEntry]:
    return list(
        db.session.scalars(
            select(MeasureEntry)
            .where(MeasureEntry.participant_id == participant.id)
            .options(selectinload(MeasureEntry.measure))
            .order_by(MeasureEntry.entry_date.desc(), MeasureEntry.id.desc())
        )
    )


# --- Templates: what to measure, from the citizen's side and in staff time ------------------
# A course across departments asks what the citizen gains (fewer plans, meetings and
# consents, a shorter wait) beside the staff's time; picking a template fills in the new
# measure's name, unit and direction, so the facilitator only chooses the action and the
# periods and confirms. Translated like a vocabulary: stored in the language it was picked in.

MEASURE_TEMPLATE_SIDES = {
    "citizen": _l("From the citizen's side"),
    "staff": _l("Staff time"),
}


@dataclass(frozen=True)
class MeasureTemplate:
    key: str
    side: str  # MEASURE_TEMPLATE_SIDES
    what: object  # lazy translatable strings
    unit: object
    higher_is_better: bool

    def fields(self) -> dict:
        """The new measure's fields it fills in, in the current language."""
        return {
            "what": str(self.what),
            "unit": str(self.unit),
            "higher_is_better": self.higher_is_better,
        }


MEASURE_TEMPLATES: tuple[MeasureTemplate, ...] = (
    MeasureTemplate(
        "plans_per_citizen", "citizen", _l("Plans the citizen has"), _l("plans per citizen"), False
    ),
    MeasureTemplate(
        "meetings_per_month",
        "citizen",
        _l("Meetings the citizen attends"),
        _l("meetings per citizen per month"),
        False,
    ),
    MeasureTemplate(
        "days_to_first_offer",
        "citizen",
        _l("Days from first contact to the first offer"),
        _l("days"),
        False,
    ),
    MeasureTemplate(
        "consents_asked",
        "citizen",
        _l("Consents the citizen is asked to sign"),
        _l("consents per citizen"),
        False,
    ),
    MeasureTemplate(
        "story_told_once",
        "citizen",
        _l("Citizens who only had to tell their story once"),
        _l("per cent of the citizens asked"),
        True,
    ),
    MeasureTemplate(
        "documentation_time",
        "staff",
        _l("Time spent on documentation"),
        _l("minutes per week"),
        False,
    ),
    MeasureTemplate(
        "double_registration",
        "staff",
        _l("Time spent typing the same information twice"),
        _l("minutes per week"),
        False,
    ),
    MeasureTemplate(
        "coordination_meetings",
        "staff",
        _l("Time spent in coordination meetings"),
        _l("hours per week"),
        False,
    ),
    MeasureTemplate(
        "internal_reports",
        "staff",
        _l("Time spent on internal reports"),
        _l("minutes per week"),
        False,
    ),
)


def measure_template(key: str | None) -> MeasureTemplate | None:
    """The template with this key; None for none or an unknown one."""
    return next((template for template in MEASURE_TEMPLATES if template.key == key), None)


def measure_templates_by_side() -> list[tuple[str, object, list[MeasureTemplate]]]:
    """The templates in their groups, the citizen's side first."""
    return [
        (side, label, [t for t in MEASURE_TEMPLATES if t.side == side])
        for side, label in MEASURE_TEMPLATE_SIDES.items()
    ]
