"""The citizen's path in step 2 (workshop.touchpoints): a phone adds a touchpoint; the
facilitator opens and closes the mapping, orders, edits, merges, hides and redacts
touchpoints and turns one into a card with one tap. The path is drawn on the projector and
in the PDF from workshop/reports/path_chart.py."""

from __future__ import annotations

from textwrap import shorten

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectChoice, SelectField, StringField, TextAreaField

from workshop.audit import record
from workshop.core.errors import WorkshopError
from workshop.core.extensions import db
from workshop.core.models import Course
from workshop.core.vocabulary import TOUCHPOINT_KINDS, TOUCHPOINT_MAX_MINUTES
from workshop.touchpoints import (
    add_touchpoint,
    edit_touchpoint,
    merge_touchpoints,
    move_touchpoint,
    offered_departments,
    open_path,
    path_of,
    redact_touchpoint,
    set_touchpoint_hidden,
    step_touchpoint,
    touchpoint_in_course,
    touchpoint_to_card,
    unmerge_touchpoint,
)
from workshop.web.common import course_by_code, facilitator_course, require_participant
from workshop.web.forms import ActionForm, ParticipantTextForm, RedactForm, vocabulary_choices
from workshop.web.phone_forms import submit_phone_form
from workshop.web.refusals import back_to_panel

bp = Blueprint("path", __name__)

# How a phone gives the citizen's time: a meeting in minutes, a waiting time in days.
TIME_UNITS = {"minutes": (_l("minutes"), 1), "hours": (_l("hours"), 60), "days": (_l("days"), 1440)}


# --- Forms ------------------------------------------------------------------------------


def _department_choices(course: Course) -> list[SelectChoice]:
    return [SelectChoice(str(d.id), d.name) for d in offered_departments(course)]


class TouchpointForm(ParticipantTextForm):
    """A phone's touchpoint: what kind, where (one tap), what happens, what it costs."""

    kind = RadioField(
        _l("What is it?"),
        choices=lambda: vocabulary_choices(TOUCHPOINT_KINDS),
        validate_choice=False,
    )
    department = RadioField(_l("Where?"), validate_choice=False)
    place = StringField(_l("Where? (optional)"))
    text = TextAreaField(_l("What happens to the citizen?"))
    citizen_time = StringField(_l("Time it costs the citizen (optional)"))
    citizen_unit = SelectField(
        _l("Unit"),
        choices=[SelectChoice(code, label) for code, (label, _n) in TIME_UNITS.items()],
        default="minutes",
        validate_choice=False,
    )
    staff_minutes = StringField(_l("Staff minutes (optional)"))


class TouchpointEditForm(FlaskForm):
    kind = SelectField(
        _l("Kind"), choices=lambda: vocabulary_choices(TOUCHPOINT_KINDS), validate_choice=False
    )
    text = TextAreaField(_l("Text"))
    department = SelectField(_l("Department"), validate_choice=False)
    place = StringField(_l("Where, without a department"))
    citizen_minutes = StringField(_l("Citizen's minutes"))
    staff_minutes = StringField(_l("Staff minutes"))
    requirement = StringField(_l("The rule behind it (catalogue key, e.g. R08 or L3)"))


class MoveForm(FlaskForm):
    direction = HiddenField()
    position = StringField(_l("Move to place"))


class MergeTouchpointForm(FlaskForm):
    target = SelectField(_l("Merge with"), validate_choice=False)


def minutes_of(raw: str | None, code: str, factor: int = 1) -> int | None:
    """A typed time as whole minutes (None when empty), refused with the field's code."""
    raw = (raw or "").strip().replace(",", ".")
    if not raw:
        return None
    try:
        minutes = round(float(raw) * factor)
    except ValueError:
        raise WorkshopError(_("Give the time as a number."), code=code) from None
    if not 0 <= minutes <= TOUCHPOINT_MAX_MINUTES:
        raise WorkshopError(_("Give the time in whole minutes, from 0 up to a year."), code=code)
    return minutes


def department_of(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise WorkshopError(_("Choose one of the departments shown."), code="department")
    return int(raw)


def fresh_touchpoint_form(participant) -> TouchpointForm:
    """The phone's touchpoint form, the department the participant comes from chosen (the
    template offers the course's departments as one-tap choices: path_departments)."""
    form = TouchpointForm(formdata=None)
    if participant is not None and participant.department_id is not None:
        form.department.data = str(participant.department_id)
    return form


# --- Phones -----------------------------------------------------------------------------


@bp.post("/c/<code>/touchpoints")
def add(code: str):
    """A participant adds a touchpoint of the citizen's path from their phone."""
    course = course_by_code(code)
    participant = require_participant(course)
    form = TouchpointForm()

    def save(form: TouchpointForm):
        unit = TIME_UNITS.get(form.citizen_unit.data, TIME_UNITS["minutes"])[1]
        return add_touchpoint(
            participant,
            form.kind.data or "",
            form.text.data,
            client_token=form.client_token.data,
            department_id=department_of(form.department.data),
            place=form.place.data or "",
            citizen_minutes=minutes_of(form.citizen_time.data, "citizen_time", unit),
            staff_minutes=minutes_of(form.staff_minutes.data, "staff_minutes"),
            allow_cpr_like=form.not_cpr.data,
        )

    return submit_phone_form(
        course,
        participant,
        form,
        save=save,
        form_name="touchpoint_form",
        form_template="steps/challenges/_touchpoint_form.html",
        done_message=_("Thank you. The touchpoint is on the path."),
        keep_after_save=("department", "kind"),
    )


# --- The facilitator --------------------------------------------------------------------


def _touchpoint_or_panel(course_id: int, touchpoint_id: int):
    course = facilitator_course(course_id)
    return course, touchpoint_in_course(course, touchpoint_id)


def _panel(course: Course):
    return back_to_panel(course, "citizens-path")


@bp.post("/f/courses/<int:course_id>/path/open")
def toggle(course_id: int):
    """Open the citizen's path on the phones and the projector, or close it again."""
    course = facilitator_course(course_id)
    if ActionForm().validate_on_submit():
        open_path(course, not course.path_open)
    return _panel(course)


@bp.post("/f/courses/<int:course_id>/touchpoints/<int:touchpoint_id>/move")
def move(course_id: int, touchpoint_id: int):
    """One place up or down (the arrows), or to the place typed."""
    course, touchpoint = _touchpoint_or_panel(course_id, touchpoint_id)
    form = MoveForm()
    if touchpoint is None or not form.validate_on_submit():
        return _panel(course)
    try:
        if form.direction.data:
            step_touchpoint(touchpoint, form.direction.data)
        else:
            position = (form.position.data or "").strip()
            if not position.isdigit():
                raise WorkshopError(_("Give the place as a number."), code="position")
            move_touchpoint(touchpoint, int(position))
    except WorkshopError as refused:
        flash(refused.message, "error")
    return _panel(course)


@bp.post("/f/courses/<int:course_id>/touchpoints/<int:touchpoint_id>/hidden")
def toggle_hidden(course_id: int, touchpoint_id: int):
    course, touchpoint = _touchpoint_or_panel(course_id, touchpoint_id)
    if touchpoint is None or not ActionForm().validate_on_submit():
        return _panel(course)
    set_touchpoint_hidden(touchpoint, not touchpoint.hidden)
    if touchpoint.hidden:  # one click hides: the same click's undo sits in the message
        text = shorten(touchpoint.text, 60, placeholder=" …")
        flash(_("“%(text)s” is hidden from the path.", text=text), f"undo:{request.path}")
    return _panel(course)


@bp.post("/f/courses/<int:course_id>/touchpoints/<int:touchpoint_id>/card")
def to_card(course_id: int, touchpoint_id: int):
    """One tap: the touchpoint becomes a card on the wall, its rule linked."""
    course, touchpoint = _touchpoint_or_panel(course_id, touchpoint_id)
    if touchpoint is None or not ActionForm().validate_on_submit():
        return _panel(course)
    try:
        touchpoint_to_card(touchpoint)
    except WorkshopError as refused:
        flash(refused.message, "error")
        return _panel(course)
    text = shorten(touchpoint.text, 60, placeholder=" …")
    flash(_("“%(text)s” is now a card on the wall.", text=text))
    return _panel(course)


def render_touchpoint_page(course, touchpoint, *, status=200, refusal=None, **forms):
    form = forms.get("form") or TouchpointEditForm(
        formdata=None,
        obj=touchpoint,
        department=str(touchpoint.department_id or ""),
        requirement=touchpoint.requirement.key if touchpoint.requirement else "",
    )
    form.department.choices = [SelectChoice("", _("No department")), *_department_choices(course)]
    merge_form = forms.get("merge_form") or MergeTouchpointForm(formdata=None)
    others = [t for t in path_of(course, include_hidden=True) if t.id != touchpoint.id]
    merge_form.target.choices = [SelectChoice("", _("Choose a touchpoint"))] + [
        SelectChoice(str(t.id), shorten(f"{t.position}. {t.text}", 80, placeholder=" …"))
        for t in others
    ]
    context = {
        "course": course,
        "touchpoint": touchpoint,
        "form": form,
        "merge_form": merge_form,
        "redact_form": forms.get("redact_form") or RedactForm(formdata=None),
        "refusal": refusal,
        "error_at": forms.get("error_at", "edit"),
    }
    return render_template("path/touchpoint.html", **context), status


@bp.route("/f/courses/<int:course_id>/touchpoints/<int:touchpoint_id>", methods=["GET", "POST"])
def touchpoint(course_id: int, touchpoint_id: int):
    """The facilitator's page for one touchpoint: reword it, its place, time and rule."""
    course, touchpoint = _touchpoint_or_panel(course_id, touchpoint_id)
    if touchpoint is None:
        return _panel(course)
    if request.method == "GET":
        return render_touchpoint_page(course, touchpoint)
    form = TouchpointEditForm()
    if not form.validate_on_submit():
        return render_touchpoint_page(course, touchpoint)
    try:
        edit_touchpoint(
            touchpoint,
            kind=form.kind.data or "",
            text=form.text.data,
            department_id=department_of(form.department.data),
            place=form.place.data or "",
            citizen_minutes=minutes_of(form.citizen_minutes.data, "citizen_minutes"),
            staff_minutes=minutes_of(form.staff_minutes.data, "staff_minutes"),
            requirement_key=form.requirement.data or "",
        )
    except WorkshopError as refused:
        db.session.rollback()
        return render_touchpoint_page(course, touchpoint, status=422, refusal=refused, form=form)
    flash(_("The touchpoint has been saved."))
    return _panel(course)


@bp.post("/f/courses/<int:course_id>/touchpoints/<int:touchpoint_id>/merge")
def merge(course_id: int, touchpoint_id: int):
    """Merge two touchpoints that are the same: the earlier one on the path stays."""
    course, touchpoint = _touchpoint_or_panel(course_id, touchpoint_id)
    if touchpoint is None:
        return _panel(course)
    form = MergeTouchpointForm()
    if not form.validate_on_submit():
        return redirect(url_for(".touchpoint", course_id=course.id, touchpoint_id=touchpoint.id))
    target = touchpoint_in_course(course, chosen_id(form.target.data))
    try:
        if target is None:
            raise WorkshopError(_("Choose another touchpoint to merge with."), code="target")
        kept = merge_touchpoints(touchpoint, target)
    except WorkshopError as refused:
        forms = {"merge_form": form, "error_at": "merge"}
        return render_touchpoint_page(course, touchpoint, status=422, refusal=refused, **forms)
    folded = touchpoint if kept.id != touchpoint.id else target
    undo = url_for(".unmerge", course_id=course.id, touchpoint_id=folded.id)
    text = shorten(kept.text, 60, placeholder=" …")
    flash(_("The touchpoints are merged under “%(text)s”.", text=text), f"undo:{undo}")
    return _panel(course)


def chosen_id(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() else None


@bp.post("/f/courses/<int:course_id>/touchpoints/<int:touchpoint_id>/unmerge")
def unmerge(course_id: int, touchpoint_id: int):
    course, touchpoint = _touchpoint_or_panel(course_id, touchpoint_id)
    if touchpoint is not None and ActionForm().validate_on_submit():
        unmerge_touchpoint(touchpoint)
    return _panel(course)


@bp.post("/f/courses/<int:course_id>/touchpoints/<int:touchpoint_id>/redact")
def redact(course_id: int, touchpoint_id: int):
    """Remove a citizen's name or CPR number for good: from the touchpoint, those merged
    into it and the card it became."""
    course, touchpoint = _touchpoint_or_panel(course_id, touchpoint_id)
    if touchpoint is None:
        return _panel(course)
    form = RedactForm()
    if not form.validate_on_submit():
        return redirect(url_for(".touchpoint", course_id=course.id, touchpoint_id=touchpoint.id))
    refusal = form.unconfirmed()
    if refusal is not None:
        forms = {"redact_form": form, "error_at": "redact"}
        return render_touchpoint_page(course, touchpoint, status=422, refusal=refusal, **forms)
    redact_touchpoint(touchpoint)
    record("redacted", course=course, target_kind="touchpoint", target_id=touchpoint.id)
    flash(_("The touchpoint's text has been removed."))
    return redirect(url_for(".touchpoint", course_id=course.id, touchpoint_id=touchpoint.id))
