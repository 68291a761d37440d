"""Questions the whole group answers from their phones: step 1's dialogue questions (when
does governance help, when does it hinder?) and step 6's reflection questions."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from workshop.core.errors import WorkshopError
from workshop.core.extensions import db
from workshop.core.models import Course, DialogueAnswer, Participant
from workshop.core.text import clean_text
from workshop.core.vocabulary import ANSWER_MAX_LENGTH, StepNumber
from workshop.courses import default_reflection_questions, touch
from workshop.redaction import redact_answer_everywhere
from workshop.submissions import already_submitted, save_once


def questions_for_step(course: Course, step: int) -> list[str]:
    """The questions phones answer in a step; none outside steps 1 and 6."""
    if step == StepNumber.INTRO:
        return course.questions
    if step == StepNumber.LEARN:
        # Courses from before step 6 had its tools have no questions of their own yet.
        return course.reflections or default_reflection_questions().splitlines()
    return []


def answer_question(
    participant: Participant,
    question: str,
    text: str,
    *,
    client_token: str,
    allow_cpr_like: bool = False,
) -> DialogueAnswer:
    """An answer to one of the current step's questions (step 1 or step 6)."""
    course = participant.course
    existing = already_submitted(DialogueAnswer, participant.id, client_token)
    if existing is not None:
        return existing
    questions = questions_for_step(course, course.current_step)
    if not questions:
        raise WorkshopError(_("The questions are closed now."), code="closed")
    if question not in questions:
        raise WorkshopError(_("Choose one of the questions."), code="question")
    text = clean_text(text, max_length=ANSWER_MAX_LENGTH, allow_cpr_like=allow_cpr_like)
    answer = DialogueAnswer(
        course_id=course.id,
        participant_id=participant.id,
        step=course.current_step,
        question=question,
        text=text,
        client_token=client_token,
    )
    return save_once(answer, course)


def set_answer_hidden(answer: DialogueAnswer, hidden: bool) -> DialogueAnswer:
    answer.hidden = hidden
    touch(db.session.get(Course, answer.course_id))
    db.session.commit()
    return answer


def redact_answer(answer: DialogueAnswer) -> DialogueAnswer:
    """Replace an answer's words with a marker (a citizen's data slipped in); the answer
    keeps its place under its question. The old words are not kept or logged, nor left in
    a rendered PDF (workshop.redaction)."""
    redact_answer_everywhere(answer)
    db.session.commit()
    return answer


def answers_by_question(
    course: Course, *, step: int = StepNumber.INTRO, include_hidden: bool = False
) -> list[tuple[str, list[DialogueAnswer]]]:
    """Each question with its answers, oldest first, so the wall reads like a conversation.

    Answers to a question the facilitator has since reworded or removed keep their own
    question, listed after the current ones: nothing anyone wrote disappears.
    """
    query = select(DialogueAnswer).where(
        DialogueAnswer.course_id == course.id, DialogueAnswer.step == step
    )
    if not include_hidden:
        query = query.where(DialogueAnswer.hidden.is_(False))
    grouped: dict[str, list[DialogueAnswer]] = {
        question: [] for question in questions_for_step(course, step)
    }
    for answer in db.session.scalars(query.order_by(DialogueAnswer.id)):
        grouped.setdefault(answer.question, []).append(answer)
    return list(grouped.items())
