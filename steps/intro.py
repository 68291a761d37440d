"""Step 1 — Intro og fælles sprog: purpose, core task, frame, and the dialogue questions."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from steps.base import Step
from workshop.audit import record
from workshop.core.extensions import db
from workshop.core.models import DialogueAnswer
from workshop.dialogue import (
    answer_question,
    answers_by_question,
    questions_for_step,
    redact_answer,
    set_answer_hidden,
)
from workshop.web.common import (
    course_by_code,
    facilitator_course,
    new_client_token,
    require_participant,
)
from workshop.web.forms import ActionForm, AnswerForm
from workshop.web.phone_forms import submit_phone_form

bp = Blueprint("intro", __name__)


class IntroStep(Step):
    number = 1
    slug = "intro"
    title = _l("Introduction and a shared language")
    purpose = _l(
        "Why and how we work together; management and the MED committee state their roles; "
        "the frame says what can and cannot be changed; we talk about when governance helps "
        "and when it hinders the core task."
    )
    outcome = _l("A shared purpose, clear roles, an explicit frame and a shared vocabulary.")
    guidance = (
        _l("Present the purpose, the core task and the frame, including what cannot change."),
        _l("Let management and the MED committee say what their role is in the course."),
        _l("Ask the dialogue questions; read a few answers aloud from the big screen."),
        _l("Agree on the words you will use: what counts as 'governance' here?"),
    )
    phone_template = "steps/intro/phone.html"
    phone_live_template = "steps/intro/phone_live.html"
    projector_template = "steps/intro/projector.html"
    control_template = "steps/intro/control.html"
    control_live_template = "steps/intro/control_live.html"

    def context(self, course, audience, participant=None):
        return question_context(course, self.number, audience)


def question_context(course, step: int, audience: str) -> dict:
    """The questions of step 1 or 6, their answers, and on a phone a fresh answer form."""
    questions = questions_for_step(course, step)
    context = {
        "questions": questions,
        "answers": answers_by_question(course, step=step, include_hidden=audience == "control"),
    }
    if audience == "phone":
        form = AnswerForm(formdata=None, question=next(iter(questions), ""))
        form.client_token.data = new_client_token()
        context["answer_form"] = form
    return context


@bp.post("/c/<code>/answers")
def answer(code: str):
    """A participant answers one of the current step's questions (step 1 or step 6)."""
    course = course_by_code(code)
    participant = require_participant(course)
    return submit_phone_form(
        course,
        participant,
        AnswerForm(),
        save=lambda form: answer_question(
            participant,
            form.question.data or "",
            form.text.data,
            client_token=form.client_token.data,
            allow_cpr_like=form.not_cpr.data,
        ),
        form_name="answer_form",
        form_template="steps/intro/_answer_form.html",
        done_message=_("Thank you. Your answer is on the big screen."),
        keep_after_save=("question",),
    )


@bp.post("/f/courses/<int:course_id>/answers/<int:answer_id>/hidden")
def toggle_answer(course_id: int, answer_id: int):
    """The facilitator hides an answer from the wall (or shows it again), in step 1 or 6."""
    course = facilitator_course(course_id)
    answer = db.session.get(DialogueAnswer, answer_id)
    if answer is not None and answer.course_id == course.id and ActionForm().validate_on_submit():
        set_answer_hidden(answer, not answer.hidden)
    return redirect(url_for("facilitator.course", course_id=course.id))


@bp.route("/f/courses/<int:course_id>/answers/<int:answer_id>/redact", methods=["GET", "POST"])
def redact(course_id: int, answer_id: int):
    """Remove personal data from an answer for good, after a confirmation page (the
    control panel's answer list is polled, so the box to tick lives on its own page)."""
    from steps.challenges import RedactForm

    course = facilitator_course(course_id)
    answer = db.session.get(DialogueAnswer, answer_id)
    if answer is None or answer.course_id != course.id:
        abort(404)
    form = RedactForm()
    error = None
    if request.method == "POST" and form.validate_on_submit():
        if form.confirm.data:
            redact_answer(answer)
            record("redacted", course=course, target_kind="answer", target_id=answer.id)
            flash(_("The answer's text has been removed."))
            return redirect(url_for("facilitator.course", course_id=course.id))
        error = _("Tick the box to confirm that the text should be removed for good.")
    status = 422 if error else 200
    return render_template(
        "steps/intro/redact.html", course=course, answer=answer, form=form, error=error
    ), status
