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
    CardFeedback,
    CardRequirement,
    Course,
    DialogueAnswer,
    Lesson,
    Meeting,
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
    CARD_FEEDBACK,
    COURSE,
    ENTRY,
    FORMAT_NAME,
    FORMAT_VERSION,
    ITEM_REF,
    LESSON,
    LINK,
    MEASURE,
    MEETING,
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
        "touchpoints": _numbered_ids(touchpoints),
        "participants": _numbered_ids(participants),
        "cards": _numbered_ids(cards),
        "solutions": _numbered_ids(solutions),
    }
    links = _card_links(cards)
    requirements = _linked_requirements(links, touchpoints)
    places = _measure_places(actions)
    feedback = _by_id(StateFeedback, StateFeedback.course_id == course.id)
    beyond = _by_id(CardFeedback, CardFeedback.course_id == course.id)
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "exported_at": datetime.now(UTC).isoformat(),
        "app": _app_name(),
        "course": _dump(course, COURSE, numbers),
        "participants": _numbered(participants, PARTICIPANT, numbers),
        "answers": [_dump(answer, ANSWER, numbers) for answer in answers],
        "requirements": [_requirement_record(r, numbers) for r in requirements],
        "cards": _card_records(cards, links, numbers),
        "solutions": _numbered(solutions, SOLUTION, numbers),
        "votes": {ballot.name: _revealed_votes(course, ballot, numbers) for ballot in BALLOTS},
        "actions": [_action_record(n, action, numbers) for n, action in enumerate(actions, 1)],
        "lessons": [_dump(lesson, LESSON, numbers) for lesson in lessons],
        "state_feedback": [_feedback_record(item, places, numbers) for item in feedback],
        "card_feedback": [
            _feedback_record(item, places, numbers, CARD_FEEDBACK) for item in beyond
        ],
        "touchpoints": [_touchpoint_record(n, t, numbers) for n, t in enumerate(touchpoints, 1)],
        "meetings": [_dump(meeting, MEETING, numbers) for meeting in _meetings(course)],
    }


def _meetings(course: Course) -> list[Meeting]:
    return list(
        db.session.scalars(
            select(Meeting)
            .where(Meeting.course_id == course.id)
            .order_by(Meeting.starts_at, Meeting.id)
        )
    )


def _numbered_ids(objs: list) -> dict[int, int]:
    """Each row's id -> its number in the file (1, 2, … in the order of ids)."""
    return {obj.id: n for n, obj in enumerate(objs, 1)}


def _numbered(objs: list, spec, numbers) -> list[dict]:
    """Rows whose number other records refer to: each with its "id" in the file."""
    return [{"id": n, **_dump(obj, spec, numbers)} for n, obj in enumerate(objs, 1)]


def _card_links(cards: list[Card]) -> list[CardRequirement]:
    """The cards' links to the catalogue, in the order they were made."""
    card_ids = [card.id for card in cards]
    return _by_id(CardRequirement, CardRequirement.card_id.in_(card_ids)) if card_ids else []


def _linked_requirements(links: list[CardRequirement], touchpoints: list) -> list[Requirement]:
    """The catalogue entries a card or a touchpoint refers to: only those go into the file."""
    requirement_ids = {link.requirement_id for link in links} | {
        t.requirement_id for t in touchpoints if t.requirement_id is not None
    }
    return _by_id(Requirement, Requirement.id.in_(requirement_ids))


def _measure_places(actions: list[Action]) -> dict[int, dict]:
    """Each measure's id -> where the file has it: its action's number and its index."""
    return {
        measure.id: {"action": n, "measure": index}
        for n, action in enumerate(actions, 1)
        for index, measure in enumerate(sorted(action.measures, key=lambda m: m.id))
    }


def _requirement_record(requirement: Requirement, numbers) -> dict:
    """A catalogue entry with every version of it."""
    record = _dump(requirement, REQUIREMENT, numbers)
    record["versions"] = [
        _dump(version, REQUIREMENT_VERSION, numbers) for version in requirement.versions
    ]
    return record


def _card_records(cards: list[Card], links: list[CardRequirement], numbers) -> list[dict]:
    """The cards, each with its links to the catalogue and the departments it involves."""
    links_of: dict[int, list[CardRequirement]] = {}
    for link in links:
        links_of.setdefault(link.card_id, []).append(link)
    records = []
    for n, card in enumerate(cards, 1):
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
        records.append(record)
    return records


def _action_record(n: int, action: Action, numbers) -> dict:
    """An action with its updates and its measures, each measure with its entries."""
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


def _feedback_record(item, places: dict[int, dict], numbers, spec=STATE_FEEDBACK) -> dict:
    """Feedback on a card (to the state, or beyond it), naming its measure by its place
    in the file."""
    return {**_dump(item, spec, numbers), "measure": places.get(item.measure_id)}


def _touchpoint_record(n: int, touchpoint: Touchpoint, numbers) -> dict:
    """A step of the citizen's path; its department and rule by name and key."""
    return {
        "id": n,
        **_dump(touchpoint, TOUCHPOINT, numbers),
        "department": touchpoint.department.name if touchpoint.department else "",
        "requirement": touchpoint.requirement.key if touchpoint.requirement else "",
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
