"""The facilitator's laptop: courses (their form, copying, deleting), the control panel's
own buttons (step, joining, timer), and the projector view with its QR code."""

import io

import segno
from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange

from workshop.audit import record
from workshop.core.errors import WorkshopError
from workshop.courses import (
    COURSE_FIELDS,
    confirm_deletion,
    copy_course,
    create_course,
    default_dialogue_questions,
    default_reflection_questions,
    delete_course,
    format_join_code,
    go_to_step,
    participant_counts,
    set_joining_open,
    set_projector_join,
    start_timer,
    stop_timer,
    update_course,
)
from workshop.splits import set_result_split
from workshop.votes import CARDS, SOLUTIONS, role_groups_below_minimum, vote_mark, voting_progress
from workshop.web.common import facilitator_course, live_response
from workshop.web.forms import ActionForm
from workshop.web.refusals import back_to_panel, form_refusal, panel_url, refusal_reply
from workshop.web.screens import control_context, projector_context

bp = Blueprint("facilitator", __name__, url_prefix="/f")


# --- Forms --------------------------------------------------------------------------------


class CourseForm(FlaskForm):
    title = StringField(_l("Title"))
    municipality = StringField(_l("Municipality"))
    unit = StringField(_l("Unit"))
    purpose = TextAreaField(_l("Purpose of the course"))
    core_task = TextAreaField(_l("The core task"))
    frame_can_change = TextAreaField(_l("What we can change"))
    frame_cannot_change = TextAreaField(_l("What we cannot change"))
    dialogue_questions = TextAreaField(_l("Dialogue questions for step 1 (one per line)"))
    reflection_questions = TextAreaField(_l("Reflection questions for step 6 (one per line)"))
    dot_budget = IntegerField(
        _l("Dots per participant"),
        default=5,
        validators=[
            InputRequired(_l("Give the number of dots.")),
            NumberRange(1, 50, _l("Between 1 and 50 dots.")),
        ],
    )
    multiple_dots_per_card = BooleanField(_l("Several dots may go on one card"), default=True)
    across_departments = BooleanField(_l("Across departments"))
    invites_citizens = BooleanField(_l("Invite citizens and relatives (borgere/pårørende)"))
    min_group_size = IntegerField(
        _l("Show a role group's votes only when at least this many of it voted"),
        default=3,
        validators=[
            InputRequired(_l("Give a number.")),
            NumberRange(1, 50, _l("Between 1 and 50.")),
        ],
    )


class DeleteCourseForm(FlaskForm):
    """Deleting is for good: the facilitator types the course's title to confirm."""

    confirm_title = StringField(_l("Type the course's title to confirm"))


class StepForm(FlaskForm):
    step = IntegerField(validators=[InputRequired()])


class TimerForm(FlaskForm):
    minutes = IntegerField(
        _l("Minutes"),
        validators=[
            InputRequired(_l("Give the number of minutes.")),
            NumberRange(1, 180, _l("Between 1 and 180 minutes.")),
        ],
    )
    label = StringField(_l("For what (shown with the timer)"), validators=[Length(max=120)])


# --- Views --------------------------------------------------------------------------------


@bp.before_request
@login_required
def require_login():
    """Every facilitator page needs a login."""


@bp.route("/")
def courses():
    return render_template("facilitator/courses.html", courses=current_user.organisation.courses)


@bp.route("/courses/new", methods=["GET", "POST"])
def new_course():
    """A new course: its frame, the questions for steps 1 and 6, the dot rules."""
    form = CourseForm()
    if request.method == "GET":
        form.dialogue_questions.data = default_dialogue_questions()
        form.reflection_questions.data = default_reflection_questions()
    if not form.validate_on_submit():
        return _course_form(form, status=422 if form.errors else 200)
    try:
        course = create_course(current_user, **_course_fields(form))
    except WorkshopError as refused:
        return _course_form(form, refusal=refused)
    record("course_created", course=course)
    flash(_("The course has been created. Share the code %(code)s.", code=course.join_code))
    return redirect(url_for(".course", course_id=course.id))


@bp.route("/courses/<int:course_id>/edit", methods=["GET", "POST"])
def edit_course(course_id: int):
    course = facilitator_course(course_id)
    form = CourseForm(obj=course)
    if not form.validate_on_submit():
        return _course_form(form, course, status=422 if form.errors else 200)
    try:
        update_course(course, **_course_fields(form))
    except WorkshopError as refused:
        return _course_form(form, course, refusal=refused)
    flash(_("The course has been saved."))
    return redirect(url_for(".course", course_id=course.id))


def _course_form(form, course=None, *, status=200, refusal=None, delete_form=None):
    """The course's form, new or being edited (then with the section that deletes it);
    a refusal is said above the form, or beside the delete button for a deletion."""
    context = {"form": form, "course": course}
    if course is not None:
        context.update(
            small_groups=role_groups_below_minimum(course),
            delete_form=delete_form or DeleteCourseForm(formdata=None),
            delete_counts=_what_deleting_removes(course),
        )
    if refusal is not None:
        return refusal_reply(refusal, page="facilitator/course_form.html", **context)
    return render_template("facilitator/course_form.html", **context), status


def _what_deleting_removes(course) -> dict[str, int]:
    """How much deleting the course takes with it, said next to the button."""
    return {
        "participants": sum(role.count for role in participant_counts(course)),
        "cards": len(course.cards),
        "dots": voting_progress(course, CARDS).dots_cast
        + voting_progress(course, SOLUTIONS).dots_cast,
    }


@bp.post("/courses/<int:course_id>/delete")
def delete(course_id: int):
    """Delete the course and everything in it, once its title has been typed."""
    course = facilitator_course(course_id)
    form = DeleteCourseForm()
    if not form.validate_on_submit():
        return redirect(url_for(".edit_course", course_id=course.id))
    try:
        confirm_deletion(course, form.confirm_title.data)
    except WorkshopError as refused:
        shown = CourseForm(formdata=None, obj=course)
        return _course_form(shown, course, refusal=refused, delete_form=form)
    title = course.title
    # Written before the course goes, while its id and title can be copied; no foreign
    # key ties the line to the course, so the deletion leaves it.
    record("course_deleted", course=course)
    delete_course(course)
    flash(_("The course “%(title)s” and all its data have been deleted.", title=title))
    return redirect(url_for(".courses"))


def _course_fields(form: CourseForm) -> dict:
    return {name: getattr(form, name).data for name in COURSE_FIELDS}


@bp.route("/courses/<int:course_id>")
def course(course_id: int):
    """The control panel: steps, the join code, and the current step's tools."""
    course = facilitator_course(course_id)
    response = make_response(render_template("facilitator/course.html", **control_context(course)))
    # The whole page, or #panel alone when the panel's own action asks (HX-Target: panel).
    response.vary.update(("HX-Request", "HX-Target"))
    return response


@bp.route("/courses/<int:course_id>/live")
def control_live(course_id: int):
    course = facilitator_course(course_id)
    return live_response(
        # The join code too: SQLite may give a deleted course's id to a new course, which
        # starts at the same revision, and the browser must not keep the old one's panel.
        f"c{course.id}-{course.join_code}-r{course.revision}-a{course.activity}"
        f"-v{vote_mark(course)}",
        lambda: render_template("facilitator/_control_live.html", **control_context(course)),
    )


@bp.post("/courses/<int:course_id>/step")
def change_step(course_id: int):
    course = facilitator_course(course_id)
    form = StepForm()
    if form.validate_on_submit():
        try:
            go_to_step(course, form.step.data)
        except WorkshopError as refused:
            return refusal_reply(refused, redirect_to=panel_url(course))
    return back_to_panel(course)


@bp.post("/courses/<int:course_id>/joining")
def toggle_joining(course_id: int):
    course = facilitator_course(course_id)
    if ActionForm().validate_on_submit():
        set_joining_open(course, not course.joining_open)
    return back_to_panel(course)


@bp.post("/courses/<int:course_id>/projector/join")
def projector_join(course_id: int):
    """Show the big join screen on the projector now, or put it away to show the step."""
    course = facilitator_course(course_id)
    if ActionForm().validate_on_submit():
        try:
            set_projector_join(course, request.form.get("choice", ""))
        except WorkshopError as refused:
            return refusal_reply(refused, redirect_to=panel_url(course))
    return back_to_panel(course)


@bp.post("/courses/<int:course_id>/split")
def result_split(course_id: int):
    """Show the results split by role, by department or not at all (workshop.splits)."""
    course = facilitator_course(course_id)
    if ActionForm().validate_on_submit():
        try:
            set_result_split(course, request.form.get("split", ""))
        except WorkshopError as refused:
            return refusal_reply(refused, redirect_to=panel_url(course))
    return back_to_panel(course)


@bp.post("/courses/<int:course_id>/timer")
def timer(course_id: int):
    """Start a countdown for an activity: on the projector and every phone."""
    course = facilitator_course(course_id)
    form = TimerForm()
    if not form.validate_on_submit():
        return refusal_reply(form_refusal(form), redirect_to=panel_url(course))
    try:
        start_timer(course, form.minutes.data, form.label.data or "")
    except WorkshopError as refused:
        return refusal_reply(refused, redirect_to=panel_url(course))
    return back_to_panel(course)


@bp.post("/courses/<int:course_id>/timer/stop")
def stop_timer_view(course_id: int):
    course = facilitator_course(course_id)
    if ActionForm().validate_on_submit():
        stop_timer(course)
    return back_to_panel(course)


@bp.post("/courses/<int:course_id>/copy")
def copy(course_id: int):
    """A new course for the next unit, built on this one's frame and questions."""
    course = facilitator_course(course_id)
    if not ActionForm().validate_on_submit():
        return back_to_panel(course)
    new = copy_course(course, current_user)
    record("course_created", course=new, detail={"copied_from": course.id})
    flash(
        _(
            "A copy has been made with the frame, the questions and the dot rules. "
            "Check the title and the unit. The new code is %(code)s.",
            code=format_join_code(new.join_code),
        )
    )
    return redirect(url_for(".edit_course", course_id=new.id))


@bp.route("/courses/<int:course_id>/projector")
def projector(course_id: int):
    """Full screen, large type: what the room sees on the big screen."""
    course = facilitator_course(course_id)
    return render_template(
        "projector/projector.html", **projector_context(course, join_forced=_join_forced())
    )


@bp.route("/courses/<int:course_id>/projector/live")
def projector_live(course_id: int):
    course = facilitator_course(course_id)
    forced = _join_forced()
    return live_response(
        f"proj{course.id}-{course.join_code}-r{course.revision}-a{course.activity}"
        f"-v{vote_mark(course)}-j{forced:d}",
        lambda: render_template(
            "projector/_live.html", **projector_context(course, join_forced=forced)
        ),
    )


def _join_forced() -> bool:
    """?join=1: the facilitator wants the big join screen now (latecomers, a second room)."""
    return request.args.get("join") == "1"


@bp.route("/courses/<int:course_id>/qr.svg")
def qr_code(course_id: int):
    """The join link as a QR code (SVG) for the projector."""
    course = facilitator_course(course_id)
    url = url_for("participant.join_course", code=course.join_code, _external=True)
    buffer = io.BytesIO()
    segno.make(url, error="m").save(
        buffer, kind="svg", scale=10, border=2, dark="#000", light="#fff", xmldecl=False
    )
    response = make_response(buffer.getvalue())
    response.headers["Content-Type"] = "image/svg+xml"
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
