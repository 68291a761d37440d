"""Step 6 — Lære og beslutte næste skridt: status, reflections, lessons, decisions."""

from __future__ import annotations

from textwrap import shorten

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, SelectField, StringField, TextAreaField

from steps.base import Step
from steps.intro import question_context
from workshop.actions import stuck_actions
from workshop.cards import cards_of
from workshop.core.errors import WorkshopError
from workshop.core.vocabulary import LESSON_KINDS, NEXT_STEP_KINDS
from workshop.learning import (
    add_lesson,
    course_status,
    delete_lesson,
    lesson_in_course,
    lessons_by_kind,
)
from workshop.web.common import Confirmation, confirmed, facilitator_course
from workshop.web.forms import ActionForm, database_id, day_field
from workshop.web.refusals import first_form_error
from workshop.web.screens import control_context

bp = Blueprint("learn", __name__)

# Challenges a decision can take up next: those the group put off, or never decided on.
TAKE_UP_LATER = ("later", "open")


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


class LearnStep(Step):
    number = 6
    slug = "learn"
    title = _l("Learn from the process and decide next steps")
    purpose = _l(
        "Go through the status of every challenge and chase what is stuck; what did we learn "
        "about the method, the roles and the results, and how do we keep going?"
    )
    outcome = _l("Lessons, decisions on next steps, a plan for keeping the method alive.")
    guidance = (
        _l("Status of every challenge, including those not prioritised."),
        _l("Did we involve the right people and communicate enough, at the right time?"),
        _l("Decide how to keep going: internal facilitators, an experience group."),
    )
    phone_template = "steps/learn/phone.html"
    phone_live_template = "steps/learn/phone_live.html"
    projector_template = "steps/learn/projector.html"
    control_template = "steps/learn/control.html"
    control_live_template = "steps/learn/control_live.html"

    def context(self, course, audience, participant=None):
        # The reflection questions use step 1's answer form and wall.
        context = question_context(course, self.number, audience)
        status = course_status(course)
        context["overview"] = status
        if audience == "phone":
            # A merged card lives on in the card it was merged into: mark that one as theirs.
            context["my_card_ids"] = {
                card.merged_into_id or card.id for card in cards_of(participant)
            }
            return context
        context["lessons"] = lessons_by_kind(course)
        if audience == "control":
            context["stuck"] = stuck_actions(course)
            # After a save the form keeps its kind: decisions tend to come several at a time.
            kind = request.args.get("kind")
            context["lesson_form"] = LessonForm(
                formdata=None, kind=kind if kind in LESSON_KINDS else "lesson"
            )
            context["next_cards"] = [
                row.card for row in status.challenges if row.card.priority in TAKE_UP_LATER
            ]
        return context


def _back_to_panel(course, **args):
    return redirect(url_for("facilitator.course", course_id=course.id, _anchor="lessons", **args))


def _refuse_lesson(course, form: LessonForm, message: str):
    """The control panel again, the lesson form as it was typed, with the reason."""
    if course.current_step != LearnStep.number:
        # The panel shows another step's tools now: say why, with the facilitator's words.
        flash(_("%(reason)s Your text: “%(text)s”", reason=message, text=form.text.data or ""))
        return _back_to_panel(course)
    context = control_context(course, lesson_form=form, lesson_error=message)
    return render_template("facilitator/course.html", **context), 422


@bp.route("/f/courses/<int:course_id>/lessons", methods=["GET", "POST"])
def add(course_id: int):
    """Record a lesson, a result or a decision on the next steps."""
    course = facilitator_course(course_id)
    if request.method == "GET":
        # A refused form leaves this address in the browser (boosted post): reload = panel.
        return _back_to_panel(course)
    form = LessonForm()
    if not form.validate_on_submit():
        return _refuse_lesson(
            course, form, first_form_error(form) or _("Check the form and try again.")
        )
    decision_fields = (
        form.next_step_kind.data,
        (form.responsible.data or "").strip(),
        form.due.data,
        form.card_id.data,
    )
    if form.kind.data in LESSON_KINDS and form.kind.data != "decision" and any(decision_fields):
        # Saving would quietly drop what was typed for the decision: ask instead.
        return _refuse_lesson(
            course,
            form,
            _(
                "Only a decision on next steps has a way of keeping going, someone "
                "responsible, a date and a challenge. Choose that kind, or empty those fields."
            ),
        )
    try:
        lesson = add_lesson(
            course,
            form.kind.data or "",
            form.text.data,
            next_step_kind=form.next_step_kind.data or "",
            responsible=form.responsible.data or "",
            due=form.due.data,
            card_id=form.card_id.data,
        )
    except WorkshopError as refused:
        return _refuse_lesson(course, form, refused.message)
    flash(_("Saved under “%(kind)s”.", kind=LESSON_KINDS[lesson.kind]))
    return _back_to_panel(course, kind=lesson.kind)


@bp.post("/f/courses/<int:course_id>/lessons/<int:lesson_id>/delete")
def delete(course_id: int, lesson_id: int):
    course = facilitator_course(course_id)
    lesson = lesson_in_course(course, lesson_id)
    if lesson is None or not ActionForm().validate_on_submit():
        return _back_to_panel(course)
    if not confirmed():
        confirm = Confirmation(
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
        return render_template(
            "facilitator/course.html", **control_context(course, confirm=confirm)
        )
    delete_lesson(lesson)
    flash(_("The note has been deleted."))
    return _back_to_panel(course)
