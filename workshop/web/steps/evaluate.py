"""Step 5's routes: measures and their periods for the facilitator, the logbook on phones."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, format_decimal
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

from workshop.actions import action_in_course, actions_of
from workshop.core.clock import local_today
from workshop.core.errors import WorkshopError
from workshop.core.extensions import db
from workshop.core.models import Course, Measure, MeasureEntry, Participant
from workshop.core.vocabulary import StepNumber
from workshop.measures import (
    MEASURE_FIELDS,
    MeasureTemplate,
    add_measure,
    delete_entry,
    entries_of,
    log_entry,
    measure_in_course,
    measure_stats,
    measure_template,
    measure_templates_by_side,
    open_measures,
    set_period_closed,
    update_measure,
)
from workshop.web.common import (
    Confirmation,
    confirmed,
    course_by_code,
    current_participant,
    facilitator_course,
    new_client_token,
    require_participant,
)
from workshop.web.forms import ActionForm, ParticipantTextForm, database_id, day_field
from workshop.web.phone_forms import submit_phone_form
from workshop.web.refusals import back_to_panel, form_refusal, panel_url, refusal_reply
from workshop.web.screens import control_context, screen_context

bp = Blueprint("evaluate", __name__)


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

    def measure_fields(self) -> dict:
        """What was typed, as workshop.measures.add_measure and update_measure take it."""
        return {name: getattr(self, name).data for name in MEASURE_FIELDS}


class NewMeasureForm(MeasureForm):
    action = SelectField(_l("For which action?"), coerce=database_id, validate_choice=False)


def _chosen_measure(course: Course, raw: str | None) -> Measure | None:
    """The measure a phone named, if it is one of this course's (the domain says why not)."""
    try:
        measure_id = database_id((raw or "").strip())
    except ValueError:
        return None
    return measure_in_course(course, measure_id) if measure_id else None


class EntryForm(ParticipantTextForm):
    """A line in the logbook. `text` is the optional note, so the shared phone-form flow
    (CPR check, text kept on refusal) applies to it; `entry_fields` parses the rest."""

    measure = StringField(_l("What are you logging?"))
    entry_date = day_field(_l("Date"))
    value = StringField(_l("Value"))
    text = TextAreaField(_l("Note (optional)"))

    def entry_fields(self, course: Course) -> dict:
        """What was typed, as workshop.measures.log_entry takes it."""
        return {
            "measure": _chosen_measure(course, self.measure.data),
            "entry_date": self.entry_date.data,
            "value": self.value.data or "",
            "note": self.text.data or "",
            "client_token": self.client_token.data,
            "allow_cpr_like": self.not_cpr.data,
        }


class PeriodForm(FlaskForm):
    closed = HiddenField(validators=[InputRequired()])


def _action_choices(course: Course) -> list[SelectChoice]:
    choices = []
    for action in sorted(actions_of(course), key=lambda a: a.status == "dropped"):
        label = action.title[:100]
        if action.status == "dropped":
            label = _("%(title)s (dropped)", title=label)
        choices.append(SelectChoice(action.id, label))
    return choices


def new_measure_form(
    course: Course, *, submitted: bool = False, template: MeasureTemplate | None = None
) -> NewMeasureForm:
    """The new measure's form: as posted, empty, or filled in from a template."""
    if submitted:
        form = NewMeasureForm()
    else:
        form = NewMeasureForm(formdata=None, data=template.fields() if template else None)
    form.action.choices = _action_choices(course)
    return form


@screen_context("evaluate")
def evaluate_screen(
    course: Course, audience: str, participant: Participant | None, _context: dict
) -> dict:
    """The step's forms: the logbook's on a phone, a new measure's on the control panel."""
    if audience == "phone":
        form = EntryForm(formdata=None)
        form.client_token.data = new_client_token()
        return {"entry_form": form}
    if audience == "control":
        # The panel's template picker asks for the page with ?measure_template=<key>.
        template = measure_template(request.args.get("measure_template"))
        return {
            "measure_form": new_measure_form(course, template=template),
            "measure_error": None,
            "measure_templates": measure_templates_by_side(),
            "measure_template": template,
        }
    return {}


# --- Phones: the logbook -----------------------------------------------------------------


@bp.post("/c/<code>/measure-entries")
def log(code: str):
    """A participant logs a value, e.g. minutes of documentation this week."""
    course = course_by_code(code)
    participant = require_participant(course)
    return submit_phone_form(
        course,
        participant,
        EntryForm(),
        save=lambda form: log_entry(participant, **form.entry_fields(course)),
        form_name="entry_form",
        form_template="steps/evaluate/_entry_form.html",
        done_message=_("Thank you. Your value is in the logbook."),
        keep_after_save=("measure",),
    )


def _logbook_page(course: Course, participant: Participant, form: EntryForm, refused=None):
    """The logbook page: 200 with a fresh form, or 422 with the refused one as typed."""
    context = {
        "course": course,
        "participant": participant,
        "entry_form": form,
        "entry_measures": open_measures(course),
        "my_entries": entries_of(participant),
        "today": local_today().isoformat(),
        "logbook_page": True,
    }
    if refused is None:
        return render_template("participant/logbook.html", refusal=None, **context)
    return refusal_reply(refused, page="participant/logbook.html", **context)


@bp.route("/c/<code>/logbook", methods=["GET", "POST"])
def logbook(code: str):
    """A phone's logbook in any step: where a measure's reminder mail leads, while step 5's
    screen (which has it too) is not on. A plain form: saved, it comes back empty."""
    course = course_by_code(code)
    participant = current_participant(course)
    if participant is None:
        return redirect(url_for("participant.join_course", code=course.join_code))
    if request.method == "GET":
        form = EntryForm(formdata=None, measure=request.args.get("measure", "")[:19])
        form.client_token.data = new_client_token()
        return _logbook_page(course, participant, form)
    form = EntryForm()
    try:
        if not form.validate_on_submit():
            raise form_refusal(form)
        log_entry(participant, **form.entry_fields(course))
    except WorkshopError as refused:
        db.session.rollback()
        form.client_token.data = form.client_token.data or new_client_token()
        return _logbook_page(course, participant, form, refused)
    flash(_("Thank you. Your value is in the logbook."))
    return redirect(url_for(".logbook", code=course.join_code, measure=form.measure.data))


# --- The facilitator: measures, periods, the logbook --------------------------------------


@bp.post("/f/courses/<int:course_id>/measures")
def add(course_id: int):
    """Add a measure to an action; a refused one comes back as typed."""
    course = facilitator_course(course_id)
    form = new_measure_form(course, submitted=True)
    try:
        if not form.validate_on_submit():
            raise form_refusal(form)
        action = action_in_course(course, form.action.data) if form.action.data else None
        add_measure(action, **form.measure_fields())
    except WorkshopError as refused:
        if course.current_step != StepNumber.EVALUATE:
            # The panel has moved on to another step and no longer shows this form.
            return refusal_reply(refused, redirect_to=panel_url(course))
        context = control_context(course, measure_form=form, measure_error=refused.message)
        return refusal_reply(refused, page="facilitator/course.html", **context)
    flash(_("The measure has been added. Participants can log values from their phones."))
    return back_to_panel(course)


def _course_and_measure(course_id: int, measure_id: int) -> tuple[Course, Measure]:
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
    try:
        if not form.validate_on_submit():
            raise form_refusal(form)
        update_measure(measure, **form.measure_fields())
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


def _delete_confirmation(entry: MeasureEntry, page: str) -> Confirmation:
    return Confirmation(
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
        return _measure_page(course, measure, confirm=_delete_confirmation(entry, page))
    delete_entry(entry)
    flash(_("The entry has been deleted."))
    return redirect(page)
