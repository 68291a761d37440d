"""Step 1's routes: a phone answers a dialogue question (in step 1, and in step 6, which asks
its own questions), the facilitator hides or redacts an answer; and the phone's fresh answer
form on step 1's screen. The step itself is steps/intro.py."""

from __future__ import annotations

from flask import Blueprint, abort, flash, render_template, request
from flask_babel import gettext as _

from workshop.audit import record
from workshop.core.extensions import db
from workshop.core.models import DialogueAnswer
from workshop.dialogue import answer_question, redact_answer, set_answer_hidden
from workshop.web.common import (
    course_by_code,
    facilitator_course,
    new_client_token,
    require_participant,
)
from workshop.web.forms import ActionForm, AnswerForm, RedactForm
from workshop.web.phone_forms import submit_phone_form
from workshop.web.refusals import back_to_panel
from workshop.web.screens import screen_context

bp = Blueprint("intro", __name__)


@screen_context("intro")
def intro_screen(course, audience, participant, context) -> dict:
    """A phone gets a fresh answer form for the step's questions."""
    if audience != "phone":
        return {}
    form = AnswerForm(formdata=None, question=next(iter(context.get("questions", ())), ""))
    form.client_token.data = new_client_token()
    return {"answer_form": form}


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


def _answer_or_404(course, answer_id: int) -> DialogueAnswer:
    answer = db.session.get(DialogueAnswer, answer_id)
    if answer is None or answer.course_id != course.id:
        abort(404)
    return answer


@bp.post("/f/courses/<int:course_id>/answers/<int:answer_id>/hidden")
def toggle_answer(course_id: int, answer_id: int):
    """The facilitator hides an answer from the wall (or shows it again), in step 1 or 6."""
    course = facilitator_course(course_id)
    answer = db.session.get(DialogueAnswer, answer_id)
    if answer is not None and answer.course_id == course.id and ActionForm().validate_on_submit():
        set_answer_hidden(answer, not answer.hidden)
    return back_to_panel(course)


@bp.route("/f/courses/<int:course_id>/answers/<int:answer_id>/redact", methods=["GET", "POST"])
def redact(course_id: int, answer_id: int):
    """Remove personal data from an answer for good, after a confirmation page (the
    control panel's answer list is polled, so the box to tick lives on its own page)."""
    course = facilitator_course(course_id)
    answer = _answer_or_404(course, answer_id)
    form = RedactForm()
    refusal = None
    if request.method == "POST" and form.validate_on_submit():
        refusal = form.unconfirmed()
        if refusal is None:
            redact_answer(answer)
            record("redacted", course=course, target_kind="answer", target_id=answer.id)
            flash(_("The answer's text has been removed."))
            return back_to_panel(course)
    error = refusal.message if refusal else None
    return render_template(
        "steps/intro/redact.html", course=course, answer=answer, form=form, error=error
    ), (422 if refusal else 200)
