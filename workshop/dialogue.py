"""Step 1's dialogue questions: when does governance help, when does it hinder?"""

from __future__ import annotations

from collections import defaultdict

from flask_babel import gettext as _
from sqlalchemy import select

from .courses import touch
from .errors import WorkshopError
from .extensions import db
from .models import Course, DialogueAnswer, Participant
from .submissions import already_submitted, save_once
from .text import clean_text
from .vocabulary import ANSWER_MAX_LENGTH


def answer_question(
    participant: Participant,
    question_index: int,
    text: str,
    *,
    client_token: str,
    allow_cpr_like: bool = False,
) -> DialogueAnswer:
    course = participant.course
    existing = already_submitted(DialogueAnswer, participant.id, client_token)
    if existing is not None:
        return existing
    if not 0 <= question_index < len(course.questions):
        raise WorkshopError(_("Choose one of the questions."), code="question")
    text = clean_text(text, max_length=ANSWER_MAX_LENGTH, allow_cpr_like=allow_cpr_like)
    answer = DialogueAnswer(
        course_id=course.id,
        participant_id=participant.id,
        question_index=question_index,
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
    """Each question with its answers, oldest first, so the wall reads like a conversation."""
    query = select(DialogueAnswer).where(DialogueAnswer.course_id == course.id)
    if not include_hidden:
        query = query.where(DialogueAnswer.hidden.is_(False))
    grouped: dict[int, list[DialogueAnswer]] = defaultdict(list)
    for answer in db.session.scalars(query.order_by(DialogueAnswer.id)):
        grouped[answer.question_index].append(answer)
    return [(question, grouped[i]) for i, question in enumerate(course.questions)]
