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
from workshop.core.models import Course, Touchpoint
from workshop.core.vocabulary import TOUCHPOINT_KINDS
from workshop.reports.path_chart import pages_of
from workshop.touchpoints import (
    TIME_UNIT_MINUTES,
    add_touchpoint,
    edit_touchpoint,
    merge_touchpoints,
    move_touchpoint,
    offered_departments,
    open_path,
    path_of,
    place_touchpoint,
    redact_touchpoint,
    set_touchpoint_hidden,
    show_path_page,
    step_touchpoint,
    touchpoint_in_course,
    touchpoint_to_card,
    typed_department_id,
    typed_minutes,
    typed_page,
    typed_position,
    typed_touchpoint_id,
    unmerge_touchpoint,
)
from workshop.web.common import course_by_code, facilitator_course, require_participant
from workshop.web.forms import ActionForm, ParticipantTextForm, RedactForm, vocabulary_choices
from workshop.web.phone_forms import submit_phone_form
from workshop.web.refusals import back_to_panel, panel_url, refusal_reply

bp = Blueprint("path", __name__)

# The units a phone gives the citizen's time in (workshop.touchpoints.TIME_UNIT_MINUTES).
TIME_UNIT_LABELS = {"minutes": _l("minutes"), "hours": _l("hours"), "days": _l("days")}


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
        choices=[SelectChoice(code, TIME_UNIT_LABELS[code]) for code in TIME_UNIT_MINUTES],
        default="minutes",
        validate_choice=False,
    )
    staff_minutes = StringField(_l("Staff minutes (optional)"))

    def touchpoint_fields(self) -> dict:
        """What was typed, as workshop.touchpoints.add_touchpoint takes it."""
        unit = self.citizen_unit.data
        return {
            "kind": self.kind.data or "",
            "text": self.text.data,
            "client_token": self.client_token.data,
            "department_id": typed_department_id(self.department.data),
            "place": self.place.data or "",
            "citizen_minutes": typed_minutes(self.citizen_time.data, "citizen_time", unit),
            "staff_minutes": typed_minutes(self.staff_minutes.data, "staff_minutes"),
            "allow_cpr_like": self.not_cpr.data,
        }


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

    def touchpoint_fields(self) -> dict:
        """What was typed, as workshop.touchpoints.edit_touchpoint takes it."""
        return {
            "kind": self.kind.data or "",
            "text": self.text.data,
            "department_id": typed_department_id(self.department.data),
            "place": self.place.data or "",
            "citizen_minutes": typed_minutes(self.citizen_minutes.data, "citizen_minutes"),
            "staff_minutes": typed_minutes(self.staff_minutes.data, "staff_minutes"),
            "requirement_key": self.requirement.data or "",
        }


class MoveForm(FlaskForm):
    direction = HiddenField()
    position = StringField(_l("Move to place"))


class MergeTouchpointForm(FlaskForm):
    target = SelectField(_l("Merge with"), validate_choice=False)


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
    return submit_phone_form(
        course,
        participant,
        TouchpointForm(),
        save=lambda form: add_touchpoint(participant, **form.touchpoint_fields()),
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


def _short(text: str, width: int = 60) -> str:
    """A touchpoint's words cut to fit a message or a choice."""
    return shorten(text, width, placeholder=" …")


def _refused_on_panel(course: Course, refused: WorkshopError):
    """A button on the panel's path was refused: the reason flashed, back at the path."""
    return refusal_reply(refused, redirect_to=panel_url(course, "citizens-path"))


@bp.post("/f/courses/<int:course_id>/path/open")
def toggle(course_id: int):
    """Open the citizen's path on the phones and the projector, or close it again."""
    course = facilitator_course(course_id)
    if ActionForm().validate_on_submit():
        open_path(course, not course.path_open)
    return _panel(course)


@bp.post("/f/courses/<int:course_id>/path/page")
def page(course_id: int):
    """Turn the projector's path to another page: a long path fills several."""
    course = facilitator_course(course_id)
    if ActionForm().validate_on_submit():
        pages = pages_of(len(path_of(course)))
        show_path_page(course, typed_page(request.form.get("page")), pages)
    return back_to_panel(course, "path-pages")


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
            move_touchpoint(touchpoint, typed_position(form.position.data))
    except WorkshopError as refused:
        return _refused_on_panel(course, refused)
    return _panel(course)


@bp.post("/f/courses/<int:course_id>/touchpoints/<int:touchpoint_id>/hidden")
def toggle_hidden(course_id: int, touchpoint_id: int):
    course, touchpoint = _touchpoint_or_panel(course_id, touchpoint_id)
    if touchpoint is None or not ActionForm().validate_on_submit():
        return _panel(course)
    set_touchpoint_hidden(touchpoint, not touchpoint.hidden)
    if touchpoint.hidden:  # one click hides: the same click's undo sits in the message
        text = _short(touchpoint.text)
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
        return _refused_on_panel(course, refused)
    text = _short(touchpoint.text)
    flash(_("“%(text)s” is now a card on the wall.", text=text))
    return _panel(course)


def _new_touchpoint_page(course: Course, form: TouchpointEditForm, refused=None):
    """The page for a touchpoint said aloud in the room: 200 fresh, 422 refused as typed."""
    form.department.choices = [SelectChoice("", _("No department")), *_department_choices(course)]
    if refused is None:
        return render_template("path/new_touchpoint.html", course=course, form=form)
    return refusal_reply(refused, page="path/new_touchpoint.html", course=course, form=form)


@bp.route("/f/courses/<int:course_id>/touchpoints/new", methods=["GET", "POST"])
def new_touchpoint(course_id: int):
    """The facilitator writes down a touchpoint said aloud: at the end of the path."""
    course = facilitator_course(course_id)
    form = TouchpointEditForm(kind="meeting")
    if request.method == "GET" or not form.validate_on_submit():
        return _new_touchpoint_page(course, form)
    try:
        added = place_touchpoint(course, **form.touchpoint_fields())
    except WorkshopError as refused:
        db.session.rollback()
        return _new_touchpoint_page(course, form, refused)
    flash(_("“%(text)s” is on the path.", text=_short(added.text)))
    return _panel(course)


def touchpoint_context(course: Course, touchpoint: Touchpoint, **forms) -> dict:
    """The touchpoint page's context: its three forms as posted (`forms`) or fresh, and
    which of them a refusal is shown beside (`error_at`)."""
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
        SelectChoice(str(t.id), _short(f"{t.position}. {t.text}", 80)) for t in others
    ]
    return {
        "course": course,
        "touchpoint": touchpoint,
        "form": form,
        "merge_form": merge_form,
        "redact_form": forms.get("redact_form") or RedactForm(formdata=None),
        "error_at": forms.get("error_at", "edit"),
    }


def _touchpoint_page(course: Course, touchpoint: Touchpoint):
    context = touchpoint_context(course, touchpoint)
    return render_template("path/touchpoint.html", refusal=None, **context)


def _touchpoint_refused(course: Course, touchpoint: Touchpoint, refused: WorkshopError, **forms):
    """The touchpoint page again with 422, the refused form as typed and the reason beside it."""
    context = touchpoint_context(course, touchpoint, **forms)
    return refusal_reply(refused, page="path/touchpoint.html", **context)


def _back_to_touchpoint(course: Course, touchpoint: Touchpoint):
    return redirect(url_for(".touchpoint", course_id=course.id, touchpoint_id=touchpoint.id))


@bp.route("/f/courses/<int:course_id>/touchpoints/<int:touchpoint_id>", methods=["GET", "POST"])
def touchpoint(course_id: int, touchpoint_id: int):
    """The facilitator's page for one touchpoint: reword it, its place, time and rule."""
    course, touchpoint = _touchpoint_or_panel(course_id, touchpoint_id)
    if touchpoint is None:
        return _panel(course)
    form = TouchpointEditForm()
    if request.method == "GET" or not form.validate_on_submit():
        return _touchpoint_page(course, touchpoint)
    try:
        edit_touchpoint(touchpoint, **form.touchpoint_fields())
    except WorkshopError as refused:
        db.session.rollback()
        return _touchpoint_refused(course, touchpoint, refused, form=form)
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
        return _back_to_touchpoint(course, touchpoint)
    target = touchpoint_in_course(course, typed_touchpoint_id(form.target.data))
    try:
        kept = merge_touchpoints(touchpoint, target)
    except WorkshopError as refused:
        forms = {"merge_form": form, "error_at": "merge"}
        return _touchpoint_refused(course, touchpoint, refused, **forms)
    folded = touchpoint if kept.id != touchpoint.id else target
    undo = url_for(".unmerge", course_id=course.id, touchpoint_id=folded.id)
    text = _short(kept.text)
    flash(_("The touchpoints are merged under “%(text)s”.", text=text), f"undo:{undo}")
    return _panel(course)


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
        return _back_to_touchpoint(course, touchpoint)
    refusal = form.unconfirmed()
    if refusal is not None:
        forms = {"redact_form": form, "error_at": "redact"}
        return _touchpoint_refused(course, touchpoint, refusal, **forms)
    redact_touchpoint(touchpoint)
    record("redacted", course=course, target_kind="touchpoint", target_id=touchpoint.id)
    flash(_("The touchpoint's text has been removed."))
    return _back_to_touchpoint(course, touchpoint)
