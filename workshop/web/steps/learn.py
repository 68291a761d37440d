"""Step 6's routes: the facilitator records and deletes lessons, results and decisions.

Phones answer the reflection questions through step 1's answer route."""

from __future__ import annotations

from textwrap import shorten

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, SelectField, StringField, TextAreaField

from workshop.core.errors import WorkshopError
from workshop.core.models import Course, Lesson, Participant
from workshop.core.vocabulary import LESSON_KINDS, NEXT_STEP_KINDS, StepNumber
from workshop.dialogue import questions_for_step
from workshop.learning import add_lesson, delete_lesson, lesson_in_course
from workshop.web.common import Confirmation, confirmed, facilitator_course, new_client_token
from workshop.web.forms import ActionForm, AnswerForm, database_id, day_field
from workshop.web.refusals import form_refusal, refusal_reply
from workshop.web.screens import control_context, screen_context

bp = Blueprint("learn", __name__)


class LessonForm(FlaskForm):
    kind = RadioField(
        _l("What is it?"),
        choices=lambda: [SelectChoice(key, label) for key, label in LESSON_KINDS.items()],
        default="lesson",
        validate_choice=False,
    )
    text = TextAreaField(_l("Text"))
    next_step_kind = SelectField(
        _l("How is the method kept going?"),
        choices=lambda: [
            SelectChoice("", _l("Choose …")),
            *(SelectChoice(key, label) for key, label in NEXT_STEP_KINDS.items()),
        ],
        validate_choice=False,
    )
    responsible = StringField(_l("Who is responsible?"))
    due = day_field(_l("By when?"))
    # Rendered by hand from the course's later and undecided challenges.
    card_id = SelectField(
        _l("Which challenge is taken up next?"),
        choices=[],
        coerce=database_id,
        validate_choice=False,
    )


@screen_context("learn")
def learn_screen(
    course: Course, audience: str, participant: Participant | None, _context: dict
) -> dict:
    """The step's forms: a reflection answer on a phone, a lesson on the control panel."""
    if audience == "phone":
        questions = questions_for_step(course, StepNumber.LEARN)
        form = AnswerForm(formdata=None, question=next(iter(questions), ""))
        form.client_token.data = new_client_token()
        return {"answer_form": form}
    if audience == "control":
        # After a save the form keeps its kind: decisions tend to come several at a time.
        kind = request.args.get("kind")
        kind = kind if kind in LESSON_KINDS else "lesson"
        return {"lesson_form": LessonForm(formdata=None, kind=kind)}
    return {}


def _to_lessons(course: Course, **args):
    return redirect(url_for("facilitator.course", course_id=course.id, _anchor="lessons", **args))


def _refuse_lesson(course: Course, form: LessonForm, refused: WorkshopError):
    """The control panel again, the lesson form as it was typed, with the reason."""
    if course.current_step != StepNumber.LEARN:
        # The panel shows another step's tools now: say why, with the facilitator's words.
        flash(
            _("%(reason)s Your text: “%(text)s”", reason=refused.message, text=form.text.data or "")
        )
        return _to_lessons(course)
    context = control_context(course, lesson_form=form, lesson_error=refused.message)
    return refusal_reply(refused, page="facilitator/course.html", **context)


def _lesson_fields(form: LessonForm) -> dict:
    return {
        "next_step_kind": form.next_step_kind.data or "",
        "responsible": form.responsible.data or "",
        "due": form.due.data,
        "card_id": form.card_id.data,
    }


@bp.route("/f/courses/<int:course_id>/lessons", methods=["GET", "POST"])
def add(course_id: int):
    """Record a lesson, a result or a decision on the next steps."""
    course = facilitator_course(course_id)
    if request.method == "GET":
        # A refused form leaves this address in the browser (boosted post): reload = panel.
        return _to_lessons(course)
    form = LessonForm()
    try:
        if not form.validate_on_submit():
            raise form_refusal(form)
        lesson = add_lesson(course, form.kind.data or "", form.text.data, **_lesson_fields(form))
    except WorkshopError as refused:
        return _refuse_lesson(course, form, refused)
    flash(_("Saved under “%(kind)s”.", kind=LESSON_KINDS[lesson.kind]))
    return _to_lessons(course, kind=lesson.kind)


def _delete_confirmation(course: Course, lesson: Lesson) -> Confirmation:
    return Confirmation(
        key=f"delete-lesson-{lesson.id}",
        message=_("Delete this note for good?"),
        detail=_(
            "“%(text)s” cannot be brought back.",
            text=shorten(lesson.text, 80, placeholder=" …"),
        ),
        action=request.path,
        yes_label=_("Yes, delete the note"),
        cancel=url_for("facilitator.course", course_id=course.id, _anchor="lessons"),
    )


@bp.post("/f/courses/<int:course_id>/lessons/<int:lesson_id>/delete")
def delete(course_id: int, lesson_id: int):
    """Delete a note for good, after the facilitator confirms it."""
    course = facilitator_course(course_id)
    lesson = lesson_in_course(course, lesson_id)
    if lesson is None or not ActionForm().validate_on_submit():
        return _to_lessons(course)
    if not confirmed():
        confirm = _delete_confirmation(course, lesson)
        return render_template(
            "facilitator/course.html", **control_context(course, confirm=confirm)
        )
    delete_lesson(lesson)
    flash(_("The note has been deleted."))
    return _to_lessons(course)
