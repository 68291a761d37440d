"""Import: read a course file, check every value of it, then write it in one transaction.

Nothing is written until the whole file has been checked (`check_course_file` returns a
plan, its texts tidied as a form's are), and the plan is written in one transaction: a
refused file writes nothing. Records get new ids; local rules are matched by name in the
importing facilitator's organisation; the law catalogue is this server's own and never
changes through an import.
"""

from __future__ import annotations

import heapq
import itertools
import json
import secrets
from collections import Counter
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from workshop.catalogue import (
    LOCAL_TEXT_MAX,
    ensure_catalogue_loaded,
    has_law_catalogue,
    local_rules,
)
from workshop.core.extensions import db
from workshop.core.models import (
    Action,
    ActionUpdate,
    Card,
    CardDepartment,
    CardFeedback,
    CardRequirement,
    Course,
    Department,
    DialogueAnswer,
    Facilitator,
    Lesson,
    Measure,
    MeasureEntry,
    Meeting,
    Participant,
    Requirement,
    RequirementVersion,
    Solution,
    StateFeedback,
    Touchpoint,
    Vote,
    utcnow,
)
from workshop.core.vocabulary import OTHER_DEPARTMENT, ROLE_GROUPS, VOTER_GROUPS, role_group
from workshop.courses import new_join_code
from workshop.departments import departments_of
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
    IMPORT_MAX_BYTES,
    ITEM_REF,
    LESSON,
    LINK,
    LOCAL_KEY,
    MEASURE,
    MEETING,
    MISSING,
    PARTICIPANT,
    REQUIREMENT,
    REQUIREMENT_VERSION,
    SOLUTION,
    STATE_FEEDBACK,
    TOUCHPOINT,
    TOUCHPOINT_NAMES,
    VOTE,
    ImportRefused,
    Ref,
    damaged,
    is_measure_place,
)
from workshop.meetings import MEETINGS_MAX


@dataclass
class ImportResult:
    course: Course
    catalogue_added: int = 0  # catalogue entries this database did not have
    versions_added: int = 0  # historical versions added to entries it had
    renamed: list[tuple[str, str]] = field(default_factory=list)  # local rules: file -> here
    notes: list[str] = field(default_factory=list)


def _check_revealed_votes(data: dict, course: dict, participants: list[dict], numbers) -> dict:
    """Version 2's votes: each ballot's revealed result, or None. Returns ballot name ->
    the checked result (references still the file's numbers)."""
    raw = data.get("votes", MISSING)
    if not isinstance(raw, dict) or set(raw) != {ballot.name for ballot in BALLOTS}:
        raise damaged("votes")
    people = Counter(role_group(person["role"]) for person in participants)
    checked = {}
    for ballot in BALLOTS:
        where = f"votes.{ballot.name}"
        value = raw[ballot.name]
        if value is None:
            continue
        if course[ballot.state_field] != "revealed" or not isinstance(value, dict):
            raise damaged(where)  # a result that was never shown
        ref, table = ITEM_REF[ballot.name]
        voters = _count(value.get("voters"), f"{where}.voters", len(participants))
        by_group = value.get("voters_by_group", MISSING)
        if by_group is not None:
            if not _group_keys(by_group):
                raise damaged(f"{where}.voters_by_group")
            by_group = {
                key: _count(n, f"{where}.voters_by_group.{key}", people[key])
                for key, n in by_group.items()
            }
            if sum(by_group.values()) != voters:
                raise damaged(f"{where}.voters_by_group")
        items_raw = value.get("items")
        if not isinstance(items_raw, list):
            raise damaged(f"{where}.items")
        items, seen = [], set()
        for index, item in enumerate(items_raw):
            place = f"{where}.items[{index}]"
            if not isinstance(item, dict) or set(item) - {ref, "dots", "by_group"}:
                raise damaged(place)
            number = item.get(ref)
            if (
                isinstance(number, bool)
                or not isinstance(number, int)
                or number not in numbers[table]
                or number in seen
            ):
                raise damaged(f"{place}.{ref}")
            seen.add(number)
            dots = _count(item.get("dots"), f"{place}.dots", 50 * len(participants), low=1)
            split = item.get("by_group")
            if (split is None) != (by_group is None):
                raise damaged(f"{place}.by_group")
            if split is not None:
                if not isinstance(split, dict) or set(split) != set(by_group):
                    raise damaged(f"{place}.by_group")
                split = {k: _count(n, f"{place}.by_group.{k}", dots) for k, n in split.items()}
                if sum(split.values()) != dots:
                    raise damaged(f"{place}.by_group")
            items.append({"item": number, "dots": dots, "by_group": split})
        checked[ballot.name] = {"voters": voters, "voters_by_group": by_group, "items": items}
    return checked


def _group_keys(by_group) -> bool:
    """A split's groups: staff and managers, and citizens where they voted (issue 14)."""
    return isinstance(by_group, dict) and set(ROLE_GROUPS) <= set(by_group) <= set(VOTER_GROUPS)


def _count(value, where: str, high: int, low: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise damaged(where)
    return value


def _spread(items: list[tuple[int, int]], voters: list[int], budget: int, one_each: bool):
    """Dots per item handed out to `voters` within the dot rules: (voter, item, dots) rows,
    or None if they cannot be. Every voter gets a dot before anyone gets two.

    Which imported participant gets which dots is made up: the file does not say, and
    nobody can see it (votes are anonymous everywhere). Totals, the split by role and the
    count of voters come out as in the file; nobody exceeds the budget."""
    total = sum(dots for _item, dots in items)
    if not total:
        return []
    if total > budget * len(voters):
        return None  # checked first: a hostile file cannot make the loops below long
    if not one_each:
        # Even shares, poured item after item: a few rows per voter.
        shares = [total // len(voters) + (n < total % len(voters)) for n in range(len(voters))]
        rows, place = [], 0
        for item, dots in items:
            while dots:
                if not shares[place]:
                    place += 1
                    continue
                given = min(dots, shares[place])
                rows.append((voters[place], item, given))
                shares[place] -= given
                dots -= given
        return rows
    # One dot per item each: the biggest items first, each dot to a voter with most left.
    left = [(-budget, place, voter) for place, voter in enumerate(voters)]
    heapq.heapify(left)
    rows = []
    for item, dots in sorted(items, key=lambda pair: -pair[1]):
        if dots > len(left):
            return None
        chosen = [heapq.heappop(left) for _ in range(dots)]
        if any(-still < 1 for still, _place, _voter in chosen):
            return None
        for still, place, voter in chosen:
            rows.append((voter, item, 1))
            heapq.heappush(left, (still + 1, place, voter))
    return rows


def _voters_for(result: dict, participants: list[dict], min_group: int) -> dict[str, list[int]]:
    """Which of the file's participants stand in for each role group's voters."""
    members = {key: [] for key in VOTER_GROUPS}
    for person in participants:
        members[role_group(person["role"])].append(person["id"])
    wanted = result["voters_by_group"]
    if wanted is None:
        wanted = _held_back_sizes(
            result["voters"], {k: len(v) for k, v in members.items()}, min_group
        )
    return {key: members[key][: wanted.get(key, 0)] for key in VOTER_GROUPS}


def _held_back_sizes(voters: int, available: dict[str, int], min_group: int) -> dict[str, int]:
    """Voters per group for a result whose split was held back: some group that voted
    stays under the minimum, so the imported result holds the split back too."""
    for small in reversed(list(VOTER_GROUPS)):  # citizens, managers first: usually the few
        for size in range(min(min_group - 1, available[small], voters), 0, -1):
            sizes, rest = {small: size}, voters - size
            for key in VOTER_GROUPS:
                if key != small:
                    sizes[key] = min(rest, available[key])
                    rest -= sizes[key]
            if rest == 0:
                return sizes
    sizes, rest = {}, voters  # no mix holds it back (cannot happen with the file's own people)
    for key in VOTER_GROUPS:
        sizes[key] = min(rest, available[key])
        rest -= sizes[key]
    return sizes


def _votes_from_results(plan: _Plan) -> list[dict]:
    """Version 2's results as vote records like version 1's (file numbers), or damaged."""
    records = []
    budget, one_each = plan.course["dot_budget"], not plan.course["multiple_dots_per_card"]
    for ballot in BALLOTS:
        result = plan.revealed.get(ballot.name)
        if result is None:
            continue
        voters = _voters_for(result, plan.participants, plan.course["min_group_size"])
        if result["voters_by_group"] is None:
            # The few first (managers, see _held_back_sizes): each voter gets a dot before
            # anyone gets two, so the group that held the split back keeps its voters.
            pool = [voter for key in reversed(VOTER_GROUPS) for voter in voters[key]]
            pools = [([(i["item"], i["dots"]) for i in result["items"]], pool)]
        else:
            pools = [
                (
                    [
                        (i["item"], i["by_group"][key])
                        for i in result["items"]
                        if i["by_group"][key]
                    ],
                    voters[key],
                )
                for key in result["voters_by_group"]
            ]
        for items, people in pools:
            rows = _spread(items, people, budget, one_each)
            if rows is None:
                raise damaged(f"votes.{ballot.name}")
            ref = ITEM_REF[ballot.name][0]
            for voter, item, dots in rows:
                records.append(
                    {"participant": voter, "card": None, "solution": None, ref: item, "dots": dots}
                )
    return records


def _reject_constant(name: str):
    raise ValueError(f"{name} is not a number")


def read_course_file(raw: bytes | str | dict) -> dict:
    """The file parsed, and checked to be a course export in a format this code reads."""
    if isinstance(raw, bytes):
        if len(raw) > IMPORT_MAX_BYTES:
            raise ImportRefused(
                _("The file is larger than %(mb)s MB.", mb=IMPORT_MAX_BYTES // (1024 * 1024)),
                code="size",
            )
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportRefused(
                _("The file is not a Samskabt course export (it is not UTF-8 text)."),
                code="format",
            ) from None
    if isinstance(raw, str):
        try:
            raw = json.loads(raw, parse_constant=_reject_constant)
        except (ValueError, RecursionError) as error:
            raise ImportRefused(
                _(
                    "The file is not valid JSON, so it may be damaged (%(error)s). "
                    "Nothing was imported.",
                    error=str(error)[:200],
                ),
                code="json",
            ) from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT_NAME:
        raise ImportRefused(
            _("The file is not a Samskabt course export. Nothing was imported."), code="format"
        )
    version = raw.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise damaged("version")
    if version > FORMAT_VERSION:
        raise ImportRefused(
            _(
                "The file comes from a newer version of Samskabt (format %(version)s; this "
                "server reads format %(supported)s). Update this server, then import again. "
                "Nothing was imported.",
                version=version,
                supported=FORMAT_VERSION,
            ),
            code="newer",
        )
    return raw


@dataclass
class _Plan:
    """The file's contents, every value checked; references still the file's numbers."""

    course: dict
    participants: list[dict]
    answers: list[dict]
    requirements: list[dict]
    cards: list[dict]
    solutions: list[dict]
    votes: list[dict]
    actions: list[dict]
    lessons: list[dict]
    state_feedback: list[dict] = field(default_factory=list)
    revealed: dict = field(default_factory=dict)  # version 2: ballot name -> its result
    touchpoints: list[dict] = field(default_factory=list)  # the citizen's path (issue 14)
    meetings: list[dict] = field(default_factory=list)  # the course's meetings (issue 18)
    card_feedback: list[dict] = field(default_factory=list)  # beyond the state (issue 18)


def _field(record: dict, item, where: str, numbers: dict[str, set[int]]):
    value = record.get(item.name, MISSING)
    place = f"{where}.{item.name}"
    if value is MISSING:
        # A key files written before it existed lack: what such a file meant.
        if getattr(item, "when_missing", None) is not None:
            return item.when_missing()
        raise damaged(place)
    if isinstance(item, Ref):
        if value is None and item.nullable:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise damaged(place)
        if value not in numbers[item.table]:
            raise damaged(place)  # a dangling reference
        return value
    return item.load(value, place)


def _record(record, spec, where: str, numbers: dict[str, set[int]]) -> dict:
    if not isinstance(record, dict):
        raise damaged(where)
    return {item.name: _field(record, item, where, numbers) for item in spec}


def _list(data: dict, name: str, where: str = "") -> list:
    value = data.get(name, MISSING)
    if not isinstance(value, list):
        raise damaged(f"{where}{name}")
    return value


def _numbers(items: list, name: str) -> set[int]:
    """The file's numbers for one kind of record: unique whole numbers."""
    seen: set[int] = set()
    for index, item in enumerate(items):
        number = item.get("id") if isinstance(item, dict) else None
        if isinstance(number, bool) or not isinstance(number, int) or number in seen:
            raise damaged(f"{name}[{index}].id")
        seen.add(number)
    return seen


def check_course_file(data: dict) -> _Plan:
    """Every record checked: types, lengths, vocabularies, references. Writes nothing."""
    participants_raw = _list(data, "participants")
    cards_raw = _list(data, "cards")
    solutions_raw = _list(data, "solutions")
    # Files from before the citizen's path have no touchpoints.
    touchpoints_raw = _list(data, "touchpoints") if "touchpoints" in data else []
    numbers = {
        "participants": _numbers(participants_raw, "participants"),
        "cards": _numbers(cards_raw, "cards"),
        "solutions": _numbers(solutions_raw, "solutions"),
        "touchpoints": _numbers(touchpoints_raw, "touchpoints"),
    }
    course = _record(data.get("course"), COURSE, "course", numbers)
    participants = _each("participants", participants_raw, PARTICIPANT, numbers)
    answers = _each("answers", _list(data, "answers"), ANSWER, numbers)
    requirements = _check_requirements(_list(data, "requirements"), numbers)
    versions_of = {r["key"]: {v["version"] for v in r["versions"]} for r in requirements}
    cards = _check_cards(cards_raw, versions_of, numbers)
    solutions = _each("solutions", solutions_raw, SOLUTION, numbers)
    revealed, votes = _check_votes(data, course, participants, numbers)
    actions = _check_actions(_list(data, "actions"), numbers)
    lessons = _each("lessons", _list(data, "lessons"), LESSON, numbers)
    feedback = _check_state_feedback(data, actions, numbers)
    beyond = _check_state_feedback(data, actions, numbers, "card_feedback", CARD_FEEDBACK)
    touchpoints = _check_touchpoints(touchpoints_raw, versions_of, numbers)
    plan = _Plan(
        course,
        participants,
        answers,
        requirements,
        cards,
        solutions,
        votes,
        actions,
        lessons,
        feedback,
        revealed,
        touchpoints=touchpoints,
        meetings=_check_meetings(data, numbers),
        card_feedback=beyond,
    )
    if revealed:
        plan.votes = _votes_from_results(plan)
        plan.course["votes_rebuilt"] = True
    return plan


def _check_meetings(data: dict, numbers) -> list[dict]:
    """Meetings that end after they start, no more than a course may have; files from
    before meetings have none."""
    if "meetings" not in data:
        return []
    raw = _list(data, "meetings")
    if len(raw) > MEETINGS_MAX:
        raise damaged("meetings")
    meetings = _each("meetings", raw, MEETING, numbers)
    for index, meeting in enumerate(meetings):
        if meeting["ends_at"] <= meeting["starts_at"]:
            raise damaged(f"meetings[{index}].ends_at")
    return meetings


def _each(name: str, raw: list, spec, numbers) -> list[dict]:
    """Each record of one table checked against its spec, keeping the file's number."""
    checked = []
    for index, record in enumerate(raw):
        item = _record(record, spec, f"{name}[{index}]", numbers)
        if "id" in record:
            item["id"] = record["id"]
        checked.append(item)
    return checked


def _check_cards(raw: list, versions_of: dict, numbers) -> list[dict]:
    """Cards: merges flat, each linked rule once and in the file's catalogue, departments."""
    cards = _each("cards", raw, CARD, numbers)
    merged_into = {card["id"]: card["merged_into"] for card in cards}
    for index, (card, record) in enumerate(zip(cards, raw, strict=True)):
        target = card["merged_into"]
        # The app keeps merges flat: a card is merged into a card that is not merged itself.
        if target is not None and (target == card["id"] or merged_into[target] is not None):
            raise damaged(f"cards[{index}].merged_into")
        _check_card_author(card, f"cards[{index}]")
        card["links"] = _check_links(record, f"cards[{index}].", versions_of, numbers)
        card["departments"] = _check_card_departments(card, record, f"cards[{index}].")
    return cards


def _check_links(raw: dict, where: str, versions_of: dict, numbers) -> list[dict]:
    """A card's links: each to a version the file's catalogue has, each rule once."""
    links = []
    for number, link in enumerate(_list(raw, "links", where)):
        place = f"{where}links[{number}]"
        link = _record(link, LINK, place, numbers)
        if link["version"] not in versions_of.get(link["requirement"], ()):
            raise damaged(f"{place}.requirement")
        if any(other["requirement"] == link["requirement"] for other in links):
            raise damaged(f"{place}.requirement")
        links.append(link)
    return links


def _check_votes(data: dict, course: dict, participants: list[dict], numbers):
    """Version 2's revealed results, or version 1's votes: each on one item, once each."""
    if data.get("version", 1) >= 2:
        return _check_revealed_votes(data, course, participants, numbers), []
    votes = _each("votes", _list(data, "votes"), VOTE, numbers)
    seen_votes = set()
    for index, vote in enumerate(votes):
        if (vote["card"] is None) == (vote["solution"] is None):
            raise damaged(f"votes[{index}]")
        key = (vote["participant"], vote["card"], vote["solution"])
        if key in seen_votes:
            raise damaged(f"votes[{index}]")
        seen_votes.add(key)
    return {}, votes


def _check_actions(raw: list, numbers) -> list[dict]:
    """Actions: each solution chosen once, pilots that end after they start, and their
    updates and measures."""
    actions = _each("actions", raw, ACTION, numbers)
    chosen = set()
    for index, (action, record) in enumerate(zip(actions, raw, strict=True)):
        if action["solution"] is not None:
            if action["solution"] in chosen:
                raise damaged(f"actions[{index}].solution")
            chosen.add(action["solution"])
        pilot_from, pilot_to = action["pilot_from"], action["pilot_to"]
        if pilot_from and pilot_to and pilot_to < pilot_from:
            raise damaged(f"actions[{index}].pilot_to")
        where = f"actions[{index}]."
        action["updates"] = [
            _record(update, ACTION_UPDATE, f"{where}updates[{n}]", numbers)
            for n, update in enumerate(_list(record, "updates", where))
        ]
        action["measures"] = _check_measures(record, where, numbers)
    return actions


def _check_measures(raw: dict, where: str, numbers) -> list[dict]:
    """An action's measures: periods that end after they start, and their entries."""
    measures = []
    for n, measure_raw in enumerate(_list(raw, "measures", where)):
        place = f"{where}measures[{n}]"
        measure = _record(measure_raw, MEASURE, place, numbers)
        if (
            measure["baseline_to"] < measure["baseline_from"]
            or measure["followup_to"] < measure["followup_from"]
        ):
            raise damaged(f"{place}.followup_to")
        measure["entries"] = [
            _record(entry, ENTRY, f"{place}.entries[{e}]", numbers)
            for e, entry in enumerate(_list(measure_raw, "entries", f"{place}."))
        ]
        measures.append(measure)
    return measures


def _check_touchpoints(raw: list, versions_of: dict, numbers) -> list[dict]:
    """The citizen's path: merges flat like cards', a rule that is in the file's catalogue."""
    touchpoints = _each("touchpoints", raw, TOUCHPOINT, numbers)
    merged_into = {t["id"]: t["merged_into"] for t in touchpoints}
    for index, (touchpoint, record) in enumerate(zip(touchpoints, raw, strict=True)):
        target = touchpoint["merged_into"]
        if target is not None and (target == touchpoint["id"] or merged_into[target] is not None):
            raise damaged(f"touchpoints[{index}].merged_into")
        touchpoint.update(_record(record, TOUCHPOINT_NAMES, f"touchpoints[{index}]", numbers))
        if touchpoint["requirement"] and touchpoint["requirement"] not in versions_of:
            raise damaged(f"touchpoints[{index}].requirement")
    return touchpoints


def _check_card_author(card: dict, where: str) -> None:
    """A phone's card has its participant (or none: the facilitator's citizen's path) and
    no author of its own; a card from the card box or on paper has no participant, and its
    author's role (issue 18)."""
    if card["source"] == "phone":
        if card["author_role"] or card["author_department"] is not None:
            raise damaged(f"{where}.author_role")
    elif card["participant"] is not None or not card["author_role"]:
        raise damaged(f"{where}.source")


def _check_card_departments(card: dict, raw: dict, where: str) -> list[dict]:
    """The departments a card involves (none in a file from before departments): each once,
    and the one its origin names marked exactly when the origin is another department's."""
    if "departments" not in raw:
        return []
    checked = [
        _record(item, CARD_DEPARTMENT, f"{where}departments[{n}]", {})
        for n, item in enumerate(_list(raw, "departments", where))
    ]
    names = [item["name"].casefold() for item in checked]
    named = sum(item["names_origin"] for item in checked)
    if len(set(names)) != len(names) or named != (card["origin"] == OTHER_DEPARTMENT):
        raise damaged(f"{where}departments")
    return checked


def _check_state_feedback(
    data: dict, actions: list[dict], numbers, key="state_feedback", spec=STATE_FEEDBACK
) -> list[dict]:
    """One per card (and route, beyond the state), each measure it names in the file; an
    older file has none."""
    if key not in data:
        return []
    measures_of = {action["id"]: len(action["measures"]) for action in actions}
    checked, cards = [], set()
    for index, raw in enumerate(_list(data, key)):
        where = f"{key}[{index}]"
        item = _record(raw, spec, where, numbers)
        once = (item["card"], item.get("route"))
        if once in cards:
            raise damaged(f"{where}.card")
        cards.add(once)
        place = raw.get("measure", MISSING)
        if place is MISSING or not is_measure_place(place):
            raise damaged(f"{where}.measure")
        if place is not None and not 0 <= place["measure"] < measures_of.get(place["action"], 0):
            raise damaged(f"{where}.measure")
        item["measure"] = place
        checked.append(item)
    return checked


def _check_requirements(raw: list, numbers) -> list[dict]:
    checked = []
    keys = set()
    for index, record in enumerate(raw):
        where = f"requirements[{index}]"
        requirement = _record(record, REQUIREMENT, where, numbers)
        key = requirement["key"]
        if key in keys:
            raise damaged(f"{where}.key")
        keys.add(key)
        # Keys like L12 belong to local rules; the law's never look like that.
        if (requirement["kind"] == "law") == bool(LOCAL_KEY.fullmatch(key)):
            raise damaged(f"{where}.key")
        if requirement["kind"] == "local" and len(requirement["description"]) > LOCAL_TEXT_MAX:
            raise damaged(f"{where}.description")
        versions = [
            _record(version, REQUIREMENT_VERSION, f"{where}.versions[{n}]", numbers)
            for n, version in enumerate(_list(record, "versions", f"{where}."))
        ]
        numbers_seen = [version["version"] for version in versions]
        # Every entry keeps a row for its current version, and none beyond it.
        if (
            len(set(numbers_seen)) != len(numbers_seen)
            or requirement["version"] not in numbers_seen
            or max(numbers_seen) != requirement["version"]
        ):
            raise damaged(f"{where}.versions")
        requirement["versions"] = sorted(versions, key=lambda v: v["version"])
        checked.append(requirement)
    return checked


def import_on_this_server(raw: bytes | str | dict, facilitator: Facilitator) -> ImportResult:
    """`import_course`, loading the shipped law catalogue first on a new server that has
    none yet (a refused file still writes nothing: the catalogue is loaded only when the
    file itself was fine and merely linked to law this server had not loaded)."""
    try:
        return import_course(raw, facilitator)
    except ImportRefused as refused:
        if refused.code != "catalogue" or has_law_catalogue():
            raise
    ensure_catalogue_loaded()
    return import_course(raw, facilitator)


def import_course(raw: bytes | str | dict, facilitator: Facilitator) -> ImportResult:
    """A faithful copy of an exported course, owned by `facilitator`, with a new join code.

    All or nothing: a refused file (newer format, damaged, invalid) writes nothing.
    """
    plan = check_course_file(read_course_file(raw))
    try:
        result = _write(plan, facilitator)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ImportRefused(
            _("The file contradicts itself, so it cannot be imported. Nothing was imported."),
            code="conflict",
        ) from None
    except BaseException:
        db.session.rollback()
        raise
    return result


_REQUIREMENT_CONTENT = tuple(
    item.name for item in REQUIREMENT if item.name not in ("key", "kind", "version", "updated_at")
)


def _write(plan: _Plan, facilitator: Facilitator) -> ImportResult:
    """The checked plan as new rows, in the order their references need."""
    course = Course(
        join_code=new_join_code(),
        facilitator_id=facilitator.id,
        organisation_id=facilitator.organisation_id,
        revision=1,
    )
    for name, value in plan.course.items():
        setattr(course, name, value)
    result = ImportResult(course)
    catalogue = _write_catalogue(plan.requirements, facilitator, result)
    db.session.add(course)
    db.session.flush()
    writer = _Writer(course, catalogue, _Departments(facilitator, result))
    _write_participants(plan, writer)
    _write_cards(plan, writer)
    _write_solutions(plan, writer)
    measure_ids = _write_actions(plan, writer)
    writer.insert(Lesson, plan.lessons, LESSON, course_id=course.id)
    _write_touchpoints(plan, writer)
    _write_state_feedback(plan, writer, measure_ids)
    writer.insert(Meeting, plan.meetings, MEETING, course_id=course.id)
    _write_state_feedback(plan, writer, measure_ids, CardFeedback)
    db.session.flush()
    return result


class _Writer:
    """What every table's writer needs: the new course, the catalogue here, the
    departments here, and the file's numbers -> the new rows' ids."""

    def __init__(self, course: Course, catalogue: dict, departments: _Departments):
        self.course = course
        self.catalogue = catalogue
        self.departments = departments
        self.ids: dict[str, dict[int, int]] = {"participants": {}, "cards": {}, "solutions": {}}
        self.tokens = itertools.count(1)  # form nonces only need to be unique per participant

    def insert(self, model, records: list[dict], spec, **extra) -> list:
        """Rows in the file's order (so ids keep their order); returns them in that order."""
        rows = []
        for record in records:
            values = dict(extra)
            for item in spec:
                if isinstance(item, Ref):
                    number = record[item.name]
                    values[item.attribute] = (
                        None if number is None else self.ids[item.table][number]
                    )
                else:
                    values[item.name] = record[item.name]
            if hasattr(model, "client_token"):
                values["client_token"] = f"import-{next(self.tokens)}"
            row = model(**values)
            db.session.add(row)
            rows.append(row)
        db.session.flush()
        return rows

    def number(self, table: str, records: list[dict], rows: list) -> None:
        """Remember which new row each of the file's numbers became."""
        self.ids[table] = {r["id"]: row.id for r, row in zip(records, rows, strict=True)}


def _write_participants(plan: _Plan, writer: _Writer) -> None:
    """Participants, their departments found here, and their dialogue answers."""
    for person in plan.participants:
        if person.get("department") is not None:
            person["department"] = writer.departments.find(person["department"])
    course_id = writer.course.id
    people = writer.insert(Participant, plan.participants, PARTICIPANT, course_id=course_id)
    writer.number("participants", plan.participants, people)
    writer.insert(DialogueAnswer, plan.answers, ANSWER, course_id=course_id)


def _write_cards(plan: _Plan, writer: _Writer) -> None:
    """Cards, who was merged into whom, their departments and their links to rules."""
    # Merges point forwards and backwards: cards first, then who was merged into whom.
    for record in plan.cards:
        if record.get("author_department") is not None:
            record["author_department"] = writer.departments.find(record["author_department"])
    card_spec = tuple(item for item in CARD if item.name != "merged_into")
    cards = writer.insert(Card, plan.cards, card_spec, course_id=writer.course.id)
    writer.number("cards", plan.cards, cards)
    for record, card in zip(plan.cards, cards, strict=True):
        if record["merged_into"] is not None:
            card.merged_into_id = writer.ids["cards"][record["merged_into"]]
        for department in record["departments"]:
            db.session.add(
                CardDepartment(
                    card_id=card.id,
                    department_id=writer.departments.find(department).id,
                    names_origin=department["names_origin"],
                )
            )
        for link in record["links"]:
            requirement_id, versions = writer.catalogue[link["requirement"]]
            db.session.add(
                CardRequirement(
                    card_id=card.id,
                    requirement_id=requirement_id,
                    version=versions[link["version"]],
                    law_version=link["law_version"],
                    linked_at=link["linked_at"],
                )
            )
    db.session.flush()


def _write_solutions(plan: _Plan, writer: _Writer) -> None:
    """Solutions, and the votes on cards and solutions."""
    course_id = writer.course.id
    solutions = writer.insert(Solution, plan.solutions, SOLUTION, course_id=course_id)
    writer.number("solutions", plan.solutions, solutions)
    writer.insert(Vote, plan.votes, VOTE, course_id=course_id)


def _write_actions(plan: _Plan, writer: _Writer) -> dict[tuple[int, int], int]:
    """Actions, their updates, measures and entries. Returns (the file's action number,
    the measure's index) -> the new measure's id."""
    actions = writer.insert(Action, plan.actions, ACTION, course_id=writer.course.id)
    for record, action in zip(plan.actions, actions, strict=True):
        writer.insert(ActionUpdate, record["updates"], ACTION_UPDATE, action_id=action.id)
    measure_ids: dict[tuple[int, int], int] = {}
    for record, action in zip(plan.actions, actions, strict=True):
        measures = writer.insert(Measure, record["measures"], MEASURE, action_id=action.id)
        for index, (measure_record, measure) in enumerate(
            zip(record["measures"], measures, strict=True)
        ):
            measure_ids[(record["id"], index)] = measure.id
            writer.insert(MeasureEntry, measure_record["entries"], ENTRY, measure_id=measure.id)
    return measure_ids


def _write_touchpoints(plan: _Plan, writer: _Writer) -> None:
    """The citizen's path: each department matched by name to one of the importing
    organisation's; a department it does not have stays as the touchpoint's "where"."""
    course = writer.course
    departments = {
        d.name.casefold(): d.id
        for d in db.session.scalars(
            select(Department).where(Department.organisation_id == course.organisation_id)
        )
    }
    spec = tuple(item for item in TOUCHPOINT if item.name != "merged_into")
    rows = writer.insert(Touchpoint, plan.touchpoints, spec, course_id=course.id)
    writer.number("touchpoints", plan.touchpoints, rows)
    for record, row in zip(plan.touchpoints, rows, strict=True):
        if record["merged_into"] is not None:
            row.merged_into_id = writer.ids["touchpoints"][record["merged_into"]]
        name = record["department"]
        if name:
            row.department_id = departments.get(name.casefold())
            if row.department_id is None and not row.place:
                row.place = name
        if record["requirement"]:
            row.requirement_id = writer.catalogue[record["requirement"]][0]
    db.session.flush()


def _write_state_feedback(
    plan: _Plan, writer: _Writer, measure_ids: dict, model=StateFeedback
) -> None:
    """The feedback on cards (to the state, or beyond it: model CardFeedback), each
    pointing at the measure it names, if any."""
    records, spec = (
        (plan.state_feedback, STATE_FEEDBACK)
        if model is StateFeedback
        else (plan.card_feedback, CARD_FEEDBACK)
    )
    feedback = writer.insert(model, records, spec, course_id=writer.course.id)
    for record, row in zip(records, feedback, strict=True):
        place = record["measure"]
        if place is not None:
            row.measure_id = measure_ids[(place["action"], place["measure"])]


class _Departments:
    """The file's departments (a participant's, a card's) as the importing organisation's:
    its department of the same name (a retired one stays retired), else a new one, retired
    so that importing a course changes no other course's choices (the participants and
    cards keep it; the organisation's admin can take it into use). All in the import's
    transaction, the organisation's defaults too if it had none."""

    def __init__(self, facilitator: Facilitator, result: ImportResult):
        self.organisation_id = facilitator.organisation_id
        self.result = result
        self.known = {
            department.name.casefold(): department
            for department in departments_of(facilitator.organisation, pending=True)
        }

    def find(self, record: dict) -> Department:
        key = record["name"].casefold()
        if key not in self.known:
            department = Department(
                organisation_id=self.organisation_id,
                name=record["name"],
                sector=record["sector"],
                position=len(self.known),
                retired_at=utcnow(),
            )
            db.session.add(department)
            db.session.flush()
            self.known[key] = department
            self.result.notes.append(
                _(
                    "The department %(name)s was not among your organisation's departments. "
                    "It was added as retired, so the cards keep it.",
                    name=record["name"],
                )
            )
        return self.known[key]


def _write_catalogue(
    requirements: list[dict], facilitator: Facilitator, result: ImportResult
) -> dict[str, tuple[int, dict[int, int]]]:
    """The file's catalogue entries in this database.

    Returns the file's key -> (the entry's id here, the file's version -> the version here).
    Law entries are matched by key. Local rules are the importing facilitator's
    organisation's rule of the same name if it has one, else a new rule with a key of this
    database.
    """
    found = {}
    own_rules = local_rules(facilitator.id)
    for record in requirements:
        if record["kind"] == "law":
            existing = db.session.scalar(
                select(Requirement).where(Requirement.key == record["key"])
            )
            if existing is not None and existing.kind != "law":
                raise ImportRefused(
                    _(
                        "The catalogue entry %(key)s is a local rule here. Nothing was imported.",
                        key=record["key"],
                    ),
                    code="catalogue",
                )
            if existing is None:
                # The law catalogue is shared by every facilitator: a file never adds to
                # it or changes it. This server loads its own (flask catalogue load).
                raise ImportRefused(
                    _(
                        "The requirement %(key)s is not in this server's catalogue. Load the "
                        "catalogue first, then import again. Nothing was imported.",
                        key=record["key"],
                    ),
                    code="catalogue",
                )
        else:
            name = record["name_da"].casefold()
            existing = next(
                (r for r in own_rules if r.key == record["key"] and r.name_da.casefold() == name),
                None,
            ) or next((r for r in own_rules if r.name_da.casefold() == name), None)
        if existing is None:
            existing = _new_entry(record, facilitator, result)
            versions = {v["version"]: v["version"] for v in record["versions"]}
        else:
            versions = _merge_versions(existing, record, result)
        found[record["key"]] = (existing.id, versions)
    return found


def _snapshot_here(snapshot: dict, key: str) -> dict:
    """A snapshot names its entry's key; a local rule's key may differ in this database."""
    return {**snapshot, "key": key} if "key" in snapshot else snapshot


def _new_entry(record: dict, facilitator: Facilitator, result: ImportResult) -> Requirement:
    local = record["kind"] == "local"
    requirement = Requirement(
        # A local rule's key becomes "L" + its id below; until then a unique placeholder
        # that fits the column (PostgreSQL enforces String(20)).
        key=record["key"] if not local else f"tmp-{secrets.token_hex(8)}",
        kind=record["kind"],
        owner_id=facilitator.id if local else None,
        version=record["version"],
        updated_at=record["updated_at"],
        **{name: record[name] for name in _REQUIREMENT_CONTENT},
    )
    db.session.add(requirement)
    db.session.flush()
    if local:
        # Local keys are "L" + the row's id everywhere (add_local_rule relies on that).
        requirement.key = f"L{requirement.id}"
        if requirement.key != record["key"]:
            result.renamed.append((record["key"], requirement.key))
    for version in record["versions"]:
        db.session.add(
            RequirementVersion(
                requirement_id=requirement.id,
                version=version["version"],
                snapshot=_snapshot_here(version["snapshot"], requirement.key),
                created_at=version["created_at"],
            )
        )
    db.session.flush()
    result.catalogue_added += 1
    return requirement


def _merge_versions(requirement: Requirement, record: dict, result: ImportResult) -> dict[int, int]:
    """Keep this database's entry and give the file's links a version here that says what
    they were linked to. Returns the file's version -> the version here.

    Version numbers count reloads on each server. A text this database knows (under any
    number) is linked to there; an unknown older text is added under its number if that is
    free. Only when the file knows versions newer than this database's current one does
    the entry move forward to the file's current content (rows in between come along).
    """
    mine = {version.version: version.snapshot for version in requirement.versions}
    current = requirement.version
    newest = _snapshot_here(record["versions"][-1]["snapshot"], requirement.key)
    # Only one's own local rule may move forward to the file's text; the shared law
    # catalogue is this server's own and never changes through an import.
    forward = (
        requirement.kind == "local" and record["version"] > current and newest not in mine.values()
    )
    mapping = {}
    for version in record["versions"]:
        number = version["version"]
        snapshot = _snapshot_here(version["snapshot"], requirement.key)
        same_text = [n for n, known in mine.items() if known == snapshot]
        if number > current and forward:
            mapping[number] = number  # added below, when the entry moves forward
        elif mine.get(number) == snapshot:
            mapping[number] = number
        elif same_text:
            mapping[number] = max(same_text)  # the same text under another number here
        elif number not in mine and number < current:
            mapping[number] = number  # a text this database never had: kept as history
            _add_version(requirement, version, snapshot)
            result.versions_added += 1
        else:
            mapping[number] = min(number, current)
            result.notes.append(
                _(
                    "%(key)s version %(version)s reads differently in this database; "
                    "cards linked to it show this database's text.",
                    key=requirement.key,
                    version=number,
                )
            )
    if forward:
        for version in record["versions"]:
            if version["version"] > current:
                snapshot = _snapshot_here(version["snapshot"], requirement.key)
                _add_version(requirement, version, snapshot)
                result.versions_added += 1
        repealed_before = (requirement.repealed_on, requirement.repealed_course_title)
        for name in _REQUIREMENT_CONTENT:
            setattr(requirement, name, record[name])
        if (requirement.repealed_on, requirement.repealed_course_title) != repealed_before:
            # The file names the course that repealed it in words only (schema.LEFT_OUT).
            requirement.repealed_by_course_id = None
        requirement.version = record["version"]
        requirement.updated_at = record["updated_at"]
        result.notes.append(
            _(
                "%(key)s was brought up to version %(version)s from the file.",
                key=requirement.key,
                version=record["version"],
            )
        )
    db.session.flush()
    return mapping


def _add_version(requirement: Requirement, version: dict, snapshot: dict) -> None:
    requirement.versions.append(
        RequirementVersion(
            version=version["version"], snapshot=snapshot, created_at=version["created_at"]
        )
    )
