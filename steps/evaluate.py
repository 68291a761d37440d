"""Step 5 — Evaluere effekten: before/after measures and a logbook per action."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, format_decimal, format_percent, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import (
    BooleanField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired

from steps.base import Step, stage_with
from workshop.actions import action_in_course, actions_of
from workshop.cards import cards_of
from workshop.core.clock import local_today
from workshop.core.errors import WorkshopError
from workshop.core.extensions import db
from workshop.core.models import Action, Measure, MeasureEntry
from workshop.measures import (
    MEASURE_FIELDS,
    MeasureStats,
    add_measure,
    delete_entry,
    entries_of,
    log_entry,
    measure_groups,
    measure_in_course,
    measure_stats,
    set_period_closed,
    update_measure,
)
from workshop.web.common import (
    Confirmation,
    confirmed,
    course_by_code,
    facilitator_course,
    new_client_token,
    require_participant,
)
from workshop.web.forms import ActionForm, ParticipantTextForm, database_id, day_field
from workshop.web.phone_forms import submit_phone_form
from workshop.web.refusals import first_form_error
from workshop.web.screens import control_context

bp = Blueprint("evaluate", __name__)

MY_RECENT_ENTRIES = 10


# --- Forms ------------------------------------------------------------------------------


class MeasureForm(FlaskForm):
    """What is measured, and the two periods. The domain checks the rules."""

    what = StringField(_l("What is measured?"))
    unit = StringField(_l("Unit"))
    higher_is_better = BooleanField(_l("A higher value is better"))
    baseline_from = day_field(_l("First day"))
    baseline_to = day_field(_l("Last day"))
    followup_from = day_field(_l("First day"))
    followup_to = day_field(_l("Last day"))


class NewMeasureForm(MeasureForm):
    action = SelectField(_l("For which action?"), coerce=database_id, validate_choice=False)


class EntryForm(ParticipantTextForm):
    """A line in the logbook. `text` is the optional note, so the shared phone-form flow
    (CPR check, text kept on refusal) applies to it; the rest are parsed by the view."""

    measure = StringField(_l("What are you logging?"))
    entry_date = day_field(_l("Date"))
    value = StringField(_l("Value"))
    text = TextAreaField(_l("Note (optional)"))


class PeriodForm(FlaskForm):
    closed = HiddenField(validators=[InputRequired()])


# --- Numbers, said the way the UI's language says them ------------------------------------

MINUS = "\u2212"  # a real minus sign, not a hyphen


def _signed(number: float, text: str, plus: bool) -> str:
    if not any(digit in text for digit in "123456789"):
        return text  # rounded to zero: no sign
    if number < 0:
        return MINUS + text
    return "+" + text if plus else text


@bp.app_template_filter("measure_mean")
def format_mean(value: float) -> str:
    """An average, with one decimal: 42,5 in Danish."""
    return _signed(value, format_decimal(abs(value), format="#,##0.0"), plus=False)


@bp.app_template_filter("measure_value")
def format_value(value: float) -> str:
    """A logged value as it was typed: 45, 12,5."""
    return _signed(value, format_decimal(abs(value), format="#,##0.##"), plus=False)


@bp.app_template_filter("measure_change")
def format_change(value: float) -> str:
    return _signed(value, format_decimal(abs(value), format="#,##0.0"), plus=True)


@bp.app_template_filter("measure_percent")
def format_change_percent(value: float) -> str:
    """A change in percent: −18 % in Danish, −18% in English."""
    return _signed(value, format_percent(abs(value) / 100), plus=True)


@bp.app_template_global("measure_summary")
def measure_summary(measure: Measure, stats: MeasureStats) -> str:
    """The figures in one plain sentence: the chart's text alternative."""
    parts = [f"{measure.what} ({measure.unit})."]
    for label, period in ((_("Before"), stats.baseline), (_("After"), stats.followup)):
        if period.count == 0:
            parts.append(_("%(period)s: no entries yet.", period=label))
        else:
            parts.append(
                ngettext(
                    "%(period)s: %(mean)s on average, based on %(num)s entry.",
                    "%(period)s: %(mean)s on average, based on %(num)s entries.",
                    period.count,
                    period=label,
                    mean=format_mean(period.mean),
                )
            )
    if stats.change is not None:
        change = format_change(stats.change)
        if stats.change_percent is not None:
            change += f" ({format_change_percent(stats.change_percent)})"
        verdict = {True: _("better"), False: _("worse"), None: _("no change")}[stats.improved]
        parts.append(_("Change: %(change)s, %(verdict)s.", change=change, verdict=verdict))
    if stats.outside:
        parts.append(
            ngettext(
                "%(num)s entry lies outside both periods and is not counted.",
                "%(num)s entries lie outside both periods and are not counted.",
                stats.outside,
            )
        )
    return " ".join(parts)


# --- The chart's geometry (the template draws it as inline SVG) --------------------------

CHART_HEIGHT = 214
PLOT_TOP, PLOT_BOTTOM = 40, 164
CHART_WIDTH = 460  # two bars on the left; the entries as dots along a date axis, right
BAR_WIDTH = 64
BAR_CENTRES = (60, 170)
DOTS_LEFT, DOTS_RIGHT = 262, 448
EMPTY_BAR_HEIGHT = 48


@dataclass(frozen=True)
class ChartBar:
    period: str
    centre: float
    x: float
    y: float
    height: float
    count: int
    mean: float | None
    label_y: float

    @property
    def empty(self) -> bool:
        return self.mean is None


@dataclass(frozen=True)
class ChartBand:
    period: str
    x: float
    width: float


@dataclass(frozen=True)
class ChartDot:
    x: float
    y: float
    day: date
    value: float
    inside: bool


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    plot_top: int
    plot_bottom: int
    zero_y: float
    top_value: float
    bottom_value: float
    bars: tuple[ChartBar, ...]
    bands: tuple[ChartBand, ...]
    dots: tuple[ChartDot, ...]
    first_day: date
    last_day: date


@bp.app_template_global("measure_chart")
def measure_chart(measure: Measure, stats: MeasureStats) -> Chart:
    """Where the bars and dots of a measure's chart go. Nothing is drawn for no data."""
    entries = list(measure.entries)
    values = [e.value for e in entries] + [
        p.mean for p in (stats.baseline, stats.followup) if p.mean is not None
    ]
    low, high = min([0.0, *values]), max([0.0, *values])
    if high == low:
        high = low + 1

    def y(value: float) -> float:
        return round(PLOT_BOTTOM - (value - low) / (high - low) * (PLOT_BOTTOM - PLOT_TOP), 1)

    zero_y = y(0)
    bars = []
    for period, centre, figures in zip(
        ("baseline", "followup"), BAR_CENTRES, (stats.baseline, stats.followup), strict=True
    ):
        if figures.mean is None:
            # An outlined, empty bar: room for a figure nobody has measured yet.
            top = zero_y - EMPTY_BAR_HEIGHT if zero_y - EMPTY_BAR_HEIGHT >= PLOT_TOP else zero_y
            height, label_y = EMPTY_BAR_HEIGHT, top - 8
        else:
            top = min(y(figures.mean), zero_y)
            height = max(abs(y(figures.mean) - zero_y), 1)
            label_y = top - 8 if figures.mean >= 0 else top + height + 16
        bars.append(
            ChartBar(
                period,
                centre,
                centre - BAR_WIDTH / 2,
                top,
                height,
                figures.count,
                figures.mean,
                label_y,
            )
        )

    first_day = min([measure.baseline_from, *(e.entry_date for e in entries)])
    last_day = max([measure.followup_to, *(e.entry_date for e in entries)])
    days = (last_day - first_day).days + 1
    span = DOTS_RIGHT - DOTS_LEFT

    def x(day: date) -> float:
        return DOTS_LEFT + (day - first_day).days / days * span

    def band(period: str, start: date, end: date) -> ChartBand:
        width = max(x(end + timedelta(days=1)) - x(start), 2)  # a one-day period stays visible
        return ChartBand(period, round(x(start), 1), round(width, 1))

    bands = (
        band("baseline", measure.baseline_from, measure.baseline_to),
        band("followup", measure.followup_from, measure.followup_to),
    )
    dots = tuple(
        ChartDot(
            round(x(e.entry_date) + span / days / 2, 1),
            y(e.value),
            e.entry_date,
            e.value,
            measure.period_of(e.entry_date) is not None,
        )
        for e in entries
    )
    return Chart(
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
        plot_top=PLOT_TOP,
        plot_bottom=PLOT_BOTTOM,
        zero_y=zero_y,
        top_value=high,
        bottom_value=low,
        bars=tuple(bars),
        bands=bands,
        dots=dots,
        first_day=first_day,
        last_day=last_day,
    )


# --- The step ----------------------------------------------------------------------------


def _action_choices(course) -> list[SelectChoice]:
    choices = []
    for action in sorted(actions_of(course), key=lambda a: a.status == "dropped"):
        label = action.title[:100]
        if action.status == "dropped":
            label = _("%(title)s (dropped)", title=label)
        choices.append(SelectChoice(action.id, label))
    return choices


def new_measure_form(course, *, submitted: bool = False) -> NewMeasureForm:
    form = NewMeasureForm() if submitted else NewMeasureForm(formdata=None)
    form.action.choices = _action_choices(course)
    return form


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
            form = EntryForm(formdata=None)
            form.client_token.data = new_client_token()
            context["entry_form"] = form
        elif audience == "control":
            context["measure_form"] = new_measure_form(course)
            context["measure_error"] = None
        return context


# --- Phones: the logbook -----------------------------------------------------------------


def _chosen_measure(course, raw: str | None) -> Measure:
    text = (raw or "").strip()
    try:
        measure_id = database_id(text)
    except ValueError:
        measure_id = None
    measure = measure_in_course(course, measure_id) if measure_id else None
    if measure is None:
        raise WorkshopError(_("Choose what you are logging."), code="measure")
    return measure


@bp.post("/c/<code>/measure-entries")
def log(code: str):
    """A participant logs a value, e.g. minutes of documentation this week."""
    course = course_by_code(code)
    participant = require_participant(course)

    def save(form: EntryForm):
        return log_entry(
            participant,
            _chosen_measure(course, form.measure.data),
            form.entry_date.data,
            form.value.data or "",
            form.text.data or "",
            client_token=form.client_token.data,
            allow_cpr_like=form.not_cpr.data,
        )

    return submit_phone_form(
        course,
        participant,
        EntryForm(),
        save=save,
        form_name="entry_form",
        form_template="steps/evaluate/_entry_form.html",
        done_message=_("Thank you. Your value is in the logbook."),
        keep_after_save=("measure",),
    )


# --- The facilitator: measures, periods, the logbook --------------------------------------


def _measure_fields(form: MeasureForm) -> dict:
    return {name: getattr(form, name).data for name in MEASURE_FIELDS}


def _back_to_panel(course):
    return redirect(url_for("facilitator.course", course_id=course.id))


@bp.post("/f/courses/<int:course_id>/measures")
def add(course_id: int):
    """Add a measure to an action; a refused one comes back as typed."""
    course = facilitator_course(course_id)
    form = new_measure_form(course, submitted=True)
    if form.validate_on_submit():
        action = action_in_course(course, form.action.data) if form.action.data else None
        try:
            if action is None:
                raise WorkshopError(_("Choose the action the measure belongs to."))
            add_measure(action, **_measure_fields(form))
        except WorkshopError as refused:
            error = refused.message
        else:
            flash(_("The measure has been added. Participants can log values from their phones."))
            return _back_to_panel(course)
    else:
        error = first_form_error(form) or _("Check the form and try again.")
    if course.current_step != EvaluateStep.number:
        # The panel has moved on to another step and no longer shows this form.
        flash(error, "error")
        return _back_to_panel(course)
    context = control_context(course, measure_form=form, measure_error=error)
    return render_template("facilitator/course.html", **context), 422


def _course_and_measure(course_id: int, measure_id: int):
    course = facilitator_course(course_id)
    measure = measure_in_course(course, measure_id)
    if measure is None:
        abort(404)
    return course, measure


def _measure_page(course, measure, *, status: int = 200, form=None, error=None, confirm=None):
    entries = db.session.scalars(
        select(MeasureEntry)
        .where(MeasureEntry.measure_id == measure.id)
        .options(selectinload(MeasureEntry.participant))
        .order_by(MeasureEntry.entry_date, MeasureEntry.id)
    ).all()
    return render_template(
        "steps/evaluate/measure.html",
        course=course,
        measure=measure,
        action=measure.action,
        stats=measure_stats(measure),
        entries=entries,
        form=form or MeasureForm(obj=measure),
        action_form=ActionForm(),
        error=error,
        confirm=confirm,
    ), status


@bp.route("/f/courses/<int:course_id>/measures/<int:measure_id>", methods=["GET", "POST"])
def measure_page(course_id: int, measure_id: int):
    """A measure's page: its figures and chart, the periods, the logbook, and editing."""
    course, measure = _course_and_measure(course_id, measure_id)
    if request.method == "GET":
        return _measure_page(course, measure)
    form = MeasureForm()
    if not form.validate_on_submit():
        error = first_form_error(form) or _("Check the form and try again.")
        return _measure_page(course, measure, status=422, form=form, error=error)
    try:
        update_measure(measure, **_measure_fields(form))
    except WorkshopError as refused:
        return _measure_page(course, measure, status=422, form=form, error=refused.message)
    flash(_("The measure has been saved."))
    return redirect(url_for(".measure_page", course_id=course.id, measure_id=measure.id))


@bp.post("/f/courses/<int:course_id>/measures/<int:measure_id>/periods/<period>")
def period(course_id: int, measure_id: int, period: str):
    """Close a period once its figures have been looked at together, or reopen it."""
    course, measure = _course_and_measure(course_id, measure_id)
    form = PeriodForm()
    if form.validate_on_submit():
        closed = form.closed.data == "1"
        try:
            set_period_closed(measure, period, closed)
        except WorkshopError as refused:
            flash(refused.message, "error")
        else:
            flash(_("The period is closed.") if closed else _("The period is open again."))
    return redirect(url_for(".measure_page", course_id=course.id, measure_id=measure.id))


@bp.post("/f/courses/<int:course_id>/measures/<int:measure_id>/entries/<int:entry_id>/delete")
def delete(course_id: int, measure_id: int, entry_id: int):
    """Remove a mistaken entry from the logbook."""
    course, measure = _course_and_measure(course_id, measure_id)
    entry = db.session.get(MeasureEntry, entry_id)
    if entry is None or entry.measure_id != measure.id:
        abort(404)
    page = url_for(".measure_page", course_id=course.id, measure_id=measure.id)
    if not ActionForm().validate_on_submit():
        return redirect(page)
    if not confirmed():
        confirm = Confirmation(
            key=f"delete-entry-{entry.id}",
            message=_("Delete this entry for good?"),
            detail=_(
                "%(value)s on %(date)s goes out of the before/after figures.",
                value=format_decimal(entry.value, format="#,##0.##"),
                date=format_date(entry.entry_date, "short"),
            ),
            action=request.path,
            yes_label=_("Yes, delete the entry"),
            cancel=page,
            in_place=False,
        )
        return _measure_page(course, measure, confirm=confirm)
    delete_entry(entry)
    flash(_("The entry has been deleted."))
    return redirect(page)
