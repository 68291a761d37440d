"""The course's meetings (issue 18): the facilitator plans, edits and deletes them on their
own page (the control panel shows the next one in a line that links here); each downloads
as a calendar file, for the facilitator and for the course's own phones. (The manager
link's download is in web/manager.py, under the token's own headers.)"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, TextAreaField, TimeField
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput, ListWidget

from workshop.core.errors import WorkshopError
from workshop.core.models import Meeting
from workshop.exchange.ical import calendar_filename, meeting_calendar
from workshop.meetings import (
    delete_meeting,
    edit_meeting,
    local_parts,
    meeting_in_course,
    meetings_of,
    plan_meeting,
)
from workshop.web.common import (
    Confirmation,
    confirmed,
    course_by_code,
    current_participant,
    facilitator_course,
)
from workshop.web.forms import ActionForm, day_field
from workshop.web.refusals import form_refusal, refusal_reply
from workshop.web.screens import all_steps

bp = Blueprint("meetings", __name__)

TIME_FORMATS = ["%H:%M", "%H.%M", "%H"]  # the browser's 09:00; typed by hand 9.00 or 9


# --- Forms --------------------------------------------------------------------------------


class MeetingForm(FlaskForm):
    day = day_field(_l("Date"))
    start = TimeField(
        _l("From"),
        format=TIME_FORMATS,
        validators=[Optional()],
        invalid_value_message=_l("Give a time, e.g. 9:00."),
    )
    end = TimeField(
        _l("To"),
        format=TIME_FORMATS,
        validators=[Optional()],
        invalid_value_message=_l("Give a time, e.g. 12:00."),
    )
    place = StringField(_l("Place"))
    steps = SelectMultipleField(
        _l("The steps the meeting covers"),
        coerce=int,
        validate_choice=False,  # the domain says which steps there are
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    note = TextAreaField(_l("Note (optional)"))

    def with_steps(self) -> MeetingForm:
        self.steps.choices = [(step.number, f"{step.number}. {step.title}") for step in all_steps()]
        return self

    def fields(self) -> dict:
        return {
            "day": self.day.data,
            "start": self.start.data,
            "end": self.end.data,
            "place": self.place.data or "",
            "steps": self.steps.data or [],
            "note": self.note.data or "",
        }


def _filled(meeting: Meeting) -> MeetingForm:
    day, start, end = local_parts(meeting)
    form = MeetingForm(
        formdata=None,
        day=day,
        start=start,
        end=end,
        place=meeting.place,
        steps=list(meeting.steps or []),
        note=meeting.note,
    )
    return form.with_steps()


# --- The facilitator's page ---------------------------------------------------------------


def _page(course, form, *, editing=None, refusal=None, confirm=None):
    context = {
        "course": course,
        "meetings": meetings_of(course),
        "form": form,
        "editing": editing,
        "confirm": confirm,
    }
    if refusal is not None:
        return refusal_reply(refusal, page="meetings/plan.html", **context)
    return render_template("meetings/plan.html", **context)


def _to_plan(course):
    return redirect(url_for(".plan", course_id=course.id))


@bp.route("/f/courses/<int:course_id>/meetings", methods=["GET", "POST"])
def plan(course_id: int):
    """The course's meetings, and the form that plans the next one."""
    course = facilitator_course(course_id)
    form = MeetingForm().with_steps()
    if request.method == "GET":
        return _page(course, MeetingForm(formdata=None).with_steps())
    try:
        if not form.validate_on_submit():
            raise form_refusal(form)
        plan_meeting(course, **form.fields())
    except WorkshopError as refused:
        return _page(course, form, refusal=refused)
    flash(_("The meeting has been planned."))
    return _to_plan(course)


@bp.route("/f/courses/<int:course_id>/meetings/<int:meeting_id>", methods=["GET", "POST"])
def edit(course_id: int, meeting_id: int):
    """Change a meeting's time, place, steps or note."""
    course = facilitator_course(course_id)
    meeting = meeting_in_course(course, meeting_id)
    if meeting is None:
        abort(404)
    if request.method == "GET":
        return _page(course, _filled(meeting), editing=meeting)
    form = MeetingForm().with_steps()
    try:
        if not form.validate_on_submit():
            raise form_refusal(form)
        edit_meeting(meeting, **form.fields())
    except WorkshopError as refused:
        return _page(course, form, editing=meeting, refusal=refused)
    flash(_("The meeting has been saved."))
    return _to_plan(course)


@bp.post("/f/courses/<int:course_id>/meetings/<int:meeting_id>/delete")
def delete(course_id: int, meeting_id: int):
    """Delete a meeting, once the facilitator confirms it."""
    course = facilitator_course(course_id)
    meeting = meeting_in_course(course, meeting_id)
    if meeting is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        return _to_plan(course)
    if not confirmed():
        confirm = Confirmation(
            key=f"delete-meeting-{meeting.id}",
            message=_("Delete this meeting?"),
            detail=_(
                "It disappears from the phones and the manager link. Calendars that imported "
                "it keep it until it is removed there."
            ),
            action=request.path,
            yes_label=_("Yes, delete the meeting"),
            cancel=url_for(".plan", course_id=course.id),
            in_place=False,
        )
        return _page(course, MeetingForm(formdata=None).with_steps(), confirm=confirm)
    delete_meeting(meeting)
    flash(_("The meeting has been deleted."))
    return _to_plan(course)


def calendar_download(meeting: Meeting, link: str | None) -> Response:
    """The meeting as an .ics attachment that no shared cache keeps."""
    response = Response(meeting_calendar(meeting, link=link), mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers.set("Content-Disposition", "attachment", filename=calendar_filename(meeting))
    response.headers["Cache-Control"] = "private, no-store"
    return response


def phone_link(course) -> str:
    """The course on a phone: the join address, which opens the course page for a phone
    that has joined already (a calendar is often read on another device)."""
    return url_for("participant.join_course", code=course.join_code, _external=True)


@bp.route("/f/courses/<int:course_id>/meetings/<int:meeting_id>/calendar.ics")
def calendar(course_id: int, meeting_id: int):
    """The meeting for the facilitator's calendar (and to send on to the participants)."""
    course = facilitator_course(course_id)
    meeting = meeting_in_course(course, meeting_id)
    if meeting is None:
        abort(404)
    return calendar_download(meeting, phone_link(course))


# --- Phones -------------------------------------------------------------------------------


@bp.route("/c/<code>/meetings/<int:meeting_id>/calendar.ics")
def phone_calendar(code: str, meeting_id: int):
    """A meeting of the participant's own course, for their calendar."""
    course = course_by_code(code)
    if current_participant(course) is None:
        return redirect(url_for("participant.join_course", code=course.join_code))
    meeting = meeting_in_course(course, meeting_id)
    if meeting is None:
        abort(404)
    return calendar_download(meeting, phone_link(course))
