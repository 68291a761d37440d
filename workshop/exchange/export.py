"""Export: one course as the JSON course file (the format is described in
workshop/exchange/__init__.py and its tables in schema.py).

Votes are anonymous towards everyone, the facilitator who downloads the file included: the
file holds each ballot's result as the screen shows it once revealed, never whose dots
they were.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from importlib import metadata

from sqlalchemy import select

from workshop.core.extensions import db
from workshop.core.models import (
    Action,
    Card,
    CardRequirement,
    Course,
    DialogueAnswer,
    Lesson,
    Participant,
    Requirement,
    Solution,
    StateFeedback,
    Touchpoint,
)
from workshop.exchange.schema import (
    ACTION,
    ACTION_UPDATE,
    ANSWER,
    BALLOTS,
    CARD,
    CARD_DEPARTMENT,
    COURSE,
    ENTRY,
    FORMAT_NAME,
    FORMAT_VERSION,
    ITEM_REF,
    LESSON,
    LINK,
    MEASURE,
    PARTICIPANT,
    REQUIREMENT,
    REQUIREMENT_VERSION,
    SOLUTION,
    STATE_FEEDBACK,
    TOUCHPOINT,
    Ref,
)
from workshop.votes import Ballot, results


def _app_name() -> str:
    try:
        return f"samskabt {metadata.version('samskabt')}"
    except metadata.PackageNotFoundError:
        return "samskabt"


def _dump(obj, spec, numbers: dict[str, dict[int, int]]) -> dict:
    """One record as the file has it; references become the file's own numbers."""
    record = {}
    for item in spec:
        if isinstance(item, Ref):
            target = getattr(obj, item.attribute)
            record[item.name] = numbers[item.table].get(target) if target is not None else None
        else:
            record[item.name] = item.dump(getattr(obj, item.name))
    return record


def _by_id(model, *where) -> list:
    return list(db.session.scalars(select(model).where(*where).order_by(model.id)))


def export_course(course: Course) -> dict:
    """Everything about one course, ready for json.dumps (see the module docstring)."""
    participants = _by_id(Participant, Participant.course_id == course.id)
    answers = _by_id(DialogueAnswer, DialogueAnswer.course_id == course.id)
    cards = _by_id(Card, Card.course_id == course.id)
    solutions = _by_id(Solution, Solution.course_id == course.id)
    actions = _by_id(Action, Action.course_id == course.id)
    lessons = _by_id(Lesson, Lesson.course_id == course.id)
    touchpoints = _by_id(Touchpoint, Touchpoint.course_id == course.id)
    numbers = {
        "touchpoints": {t.id: n for n, t in enumerate(touchpoints, 1)},
        "participants": {p.id: n for n, p in enumerate(participants, 1)},
        "cards": {c.id: n for n, c in enumerate(cards, 1)},
        "solutions": {s.id: n for n, s in enumerate(solutions, 1)},
    }
    card_ids = [card.id for card in cards]
    links = _by_id(CardRequirement, CardRequirement.card_id.in_(card_ids)) if card_ids else []
    links_of: dict[int, list[CardRequirement]] = {}
    for link in links:
        links_of.setdefault(link.card_id, []).append(link)
    requirement_ids = {link.requirement_id for link in links} | {
        t.requirement_id for t in touchpoints if t.requirement_id is not None
    }
    requirements = _by_id(Requirement, Requirement.id.in_(requirement_ids))

    def numbered(objs, spec) -> list[dict]:
        return [{"id": n, **_dump(obj, spec, numbers)} for n, obj in enumerate(objs, 1)]

    def card_record(n: int, card: Card) -> dict:
        record = {"id": n, **_dump(card, CARD, numbers)}
        record["links"] = [
            {**_dump(link, LINK[1:], numbers), "requirement": link.requirement.key}
            for link in links_of.get(card.id, [])
        ]
        # By name and sector: the importing organisation has departments of its own.
        record["departments"] = [
            {
                **_dump(link.department, CARD_DEPARTMENT[:2], numbers),
                "names_origin": link.names_origin,
            }
            for link in card.department_links
        ]
        return record

    def action_record(n: int, action: Action) -> dict:
        record = {"id": n, **_dump(action, ACTION, numbers)}
        record["updates"] = [
            _dump(update, ACTION_UPDATE, numbers)
            for update in sorted(action.updates, key=lambda u: u.id)
        ]
        record["measures"] = [
            {
                **_dump(measure, MEASURE, numbers),
                "entries": [
                    _dump(entry, ENTRY, numbers)
                    for entry in sorted(measure.entries, key=lambda e: e.id)
                ],
            }
            for measure in sorted(action.measures, key=lambda m: m.id)
        ]
        return record

    measure_places = {
        measure.id: {"action": n, "measure": index}
        for n, action in enumerate(actions, 1)
        for index, measure in enumerate(sorted(action.measures, key=lambda m: m.id))
    }
    feedback = db.session.scalars(
        select(StateFeedback).where(StateFeedback.course_id == course.id).order_by(StateFeedback.id)
    ).all()

    def feedback_record(item: StateFeedback) -> dict:
        return {
            **_dump(item, STATE_FEEDBACK, numbers),
            "measure": measure_places.get(item.measure_id),
        }

    def touchpoint_record(n: int, touchpoint: Touchpoint) -> dict:
        return {
            "id": n,
            **_dump(touchpoint, TOUCHPOINT, numbers),
            "department": touchpoint.department.name if touchpoint.department else "",
            "requirement": touchpoint.requirement.key if touchpoint.requirement else "",
        }

    def requirement_record(requirement: Requirement) -> dict:
        record = _dump(requirement, REQUIREMENT, numbers)
        record["versions"] = [
            _dump(version, REQUIREMENT_VERSION, numbers) for version in requirement.versions
        ]
        return record

    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "exported_at": datetime.now(UTC).isoformat(),
        "app": _app_name(),
        "course": _dump(course, COURSE, numbers),
        "participants": numbered(participants, PARTICIPANT),
        "answers": [_dump(answer, ANSWER, numbers) for answer in answers],
        "requirements": [requirement_record(r) for r in requirements],
        "cards": [card_record(n, card) for n, card in enumerate(cards, 1)],
        "solutions": numbered(solutions, SOLUTION),
        "votes": {ballot.name: _revealed_votes(course, ballot, numbers) for ballot in BALLOTS},
        "actions": [action_record(n, action) for n, action in enumerate(actions, 1)],
        "lessons": [_dump(lesson, LESSON, numbers) for lesson in lessons],
        "state_feedback": [feedback_record(item) for item in feedback],
        "touchpoints": [touchpoint_record(n, t) for n, t in enumerate(touchpoints, 1)],
    }


def _revealed_votes(course: Course, ballot: Ballot, numbers) -> dict | None:
    """The vote as the screen shows it once revealed, and nothing before: the dots per item
    and how many voted, the split by role only where `votes.results` shows it (every group
    that voted at least the course's minimum). Never whose dots they were: no participant,
    no pseudonym, no per-voter pattern that a role or a small room could point back to."""
    revealed = results(course, ballot, split="role")  # whatever the course shows
    if revealed is None:
        return None  # hidden means hidden: not even per-item counts before the reveal
    # The file keeps the role groups (citizens too, where they voted), never a pooled one:
    # a result that had to pool groups goes into the file as its total only.
    split = revealed.pooled is None and any(group.shown for group in revealed.groups)
    ref, table = ITEM_REF[ballot.name]
    items = []
    for row in revealed.rows:
        if row.total:
            item = {ref: numbers[table][row.item.id], "dots": row.total}
            if split:
                item["by_group"] = {g.key: row.by_group.get(g.key, 0) for g in revealed.groups}
            items.append(item)
    return {
        "voters": sum(group.voters for group in revealed.groups),
        "voters_by_group": {g.key: g.voters for g in revealed.groups} if split else None,
        "items": items,
    }


def export_course_json(course: Course) -> bytes:
    return json.dumps(export_course(course), ensure_ascii=False, indent=1).encode("utf-8")
