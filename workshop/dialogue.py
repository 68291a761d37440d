"""Step 1's dialogue questions: when does governance help, when does it hinder?"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from .courses import touch
from .errors import WorkshopError
from .extensions import db
from .models import Course, DialogueAnswer, Participant
from .submissions import already_submitted, save_once
from .text import clean_text
from .vocabulary import ANSWER_MAX_LENGTH

INTRO_STEP = 1


def answer_question(
    participant: Participant,
    question: str,
    text: str,
    *,
    client_token: str,
    allow_cpr_like: bool = False,
) -> DialogueAnswer:
    course = participant.course
    existing = already_submitted(DialogueAnswer, participant.id, client_token)
    if existing is not None:
        return existing
    if course.current_step != INTRO_STEP:
        raise WorkshopError(_("The dialogue questions are closed now."), code="closed")
    if question not in course.questions:
        raise WorkshopError(_("Choose one of the questions."), code="question")
    text = clean_text(text, max_length=ANSWER_MAX_LENGTH, allow_cpr_like=allow_cpr_like)
    answer = DialogueAnswer(
        course_id=course.id,
        participant_id=participant.id,
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


def answers_by_question(
    course: Course, *, include_hidden: bool = False
) -> list[tuple[str, list[DialogueAnswer]]]:
    """Each question with its answers, oldest first, so the wall reads like a conversation.

    Answers to a question the facilitator has since reworded or removed keep their own
    question, listed after the current ones: nothing anyone wrote disappears.
    """
    query = select(DialogueAnswer).where(DialogueAnswer.course_id == course.id)
    if not include_hidden:
        query = query.where(DialogueAnswer.hidden.is_(False))
    grouped: dict[str, list[DialogueAnswer]] = {question: [] for question in course.questions}
    for answer in db.session.scalars(query.order_by(DialogueAnswer.id)):
        grouped.setdefault(answer.question, []).append(answer)
    return list(grouped.items())
