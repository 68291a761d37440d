"""The experience bank: a course shares its results, anonymised; others find what was done.

Sharing makes a snapshot (workshop.core.models.Share and its rows), never a live view of the
course: what the facilitator reviewed is what others see, later edits do not leak, and
withdrawing empties it at once. What a share holds: the prioritised challenges with the
law entries they were linked to (entry version and law version, never mixed), their
origin and dots; the solutions with kind, assessment, the action's status and the measured
effect. Names never; participants' words only where the facilitator ticked (and perhaps
edited) them on the review page; figures that could point at one or two people held back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from workshop.core.db import lock_row
from workshop.core.errors import WorkshopError
from workshop.core.extensions import db
from workshop.core.models import (
    Action,
    Card,
    Course,
    Facilitator,
    Measure,
    Share,
    SharedChallenge,
    SharedRequirement,
    SharedSolution,
    Solution,
    utcnow,
)
from workshop.core.text import looks_like_cpr, tidy
from workshop.core.vocabulary import CARD_MAX_LENGTH, SOLUTION_MAX_LENGTH
from workshop.examination import prioritised_cards
from workshop.measures import measure_stats
from workshop.solutions import adopt_solution
from workshop.votes import Results, results

UNIT_KIND_MAX = 120
IMPLEMENTED = ("implemented", "adjusted")


# --- What would be shared ---------------------------------------------------------------


@dataclass
class PlannedEffect:
    what: str
    unit: str
    higher_is_better: bool
    baseline_mean: float
    followup_mean: float
    change: float
    entries: int
    people: int


@dataclass
class PlannedSolution:
    solution: Solution
    action_status: str
    effect: PlannedEffect | None
    effect_held_back: bool  # measured by fewer people than the course's minimum group size

    @property
    def key(self) -> str:
        return f"solution-{self.solution.id}"


@dataclass
class PlannedRequirement:
    key: str
    version: int
    law_version: str
    name: str


@dataclass
class PlannedChallenge:
    card: Card
    requirements: list[PlannedRequirement]
    local_rules: int  # links to the organisation's own rules: not shared
    dots: int | None
    dots_staff: int | None
    dots_managers: int | None
    solutions: list[PlannedSolution] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"card-{self.card.id}"


@dataclass
class SharePlan:
    """Everything a share of the course would hold, before the facilitator's review."""

    course: Course
    revision: str  # the course's revision and activity when planned: a review's token
    participants: int
    challenges: list[PlannedChallenge]
    split_held_back: bool  # dots by role held back: a role group had too few voters

    @property
    def texts(self) -> dict[str, str]:
        """The participants' words that may be included, by key ("card-1", "solution-4")."""
        found = {}
        for challenge in self.challenges:
            found[challenge.key] = challenge.card.text
            for planned in challenge.solutions:
                found[planned.key] = planned.solution.text
        return found


def review_token(course: Course) -> str:
    """Changes with every change to the course (its revision), and with every join, card
    and dot (its activity): a share confirms only what the facilitator reviewed."""
    return f"{course.revision}.{course.activity}"


def _best_effect(action: Action | None, min_people: int) -> tuple[PlannedEffect | None, bool]:
    """The action's measure with figures before and after (the most entries wins)."""
    if action is None:
        return None, False
    best = None
    held_back = False
    for measure in action.measures:
        stats = measure_stats(measure)
        if stats.change is None:
            continue
        people = len({entry.participant_id for entry in measure.entries})
        if people < min_people:
            held_back = True
            continue
        entries = stats.baseline.count + stats.followup.count
        if best is None or entries > best.entries:
            best = PlannedEffect(
                what=measure.what,
                unit=measure.unit,
                higher_is_better=measure.higher_is_better,
                baseline_mean=round(stats.baseline.mean, 2),
                followup_mean=round(stats.followup.mean, 2),
                change=round(stats.change, 2),
                entries=entries,
                people=people,
            )
    return best, held_back and best is None


def plan_share(course: Course) -> SharePlan:
    """What sharing the course would hand the experience bank, item by item."""
    revision = review_token(course)
    ranked = results(course, split="role")  # the bank keeps staff and managers
    dots, split_shown = _dots_by_card(ranked)
    cards = prioritised_cards(course)
    solutions = _visible_solutions_by_card(course)
    challenges = []
    for card in cards:
        planned = _planned_challenge(card, dots, split_shown)
        for solution in solutions.get(card.id, []):
            planned.solutions.append(_planned_solution(solution, course.min_group_size))
        challenges.append(planned)
    return SharePlan(
        course=course,
        revision=revision,
        participants=len(course.participants),
        challenges=challenges,
        split_held_back=ranked is not None and not split_shown,
    )


def _dots_by_card(ranked: Results | None) -> tuple[dict[int, tuple[int, dict]], bool]:
    """Each challenge's dots (total, by role group), and whether the split by role shows."""
    if ranked is None:
        return {}, False
    split_shown = ranked.pooled is None and all(
        group.shown for group in ranked.groups if group.voters
    )
    return {row.item.id: (row.total, row.by_group) for row in ranked.rows}, split_shown


def _visible_solutions_by_card(course: Course) -> dict[int, list[Solution]]:
    """The course's solutions not hidden, by challenge, with what was measured of each."""
    solutions: dict[int, list[Solution]] = {}
    for solution in db.session.scalars(
        select(Solution)
        .where(Solution.course_id == course.id, Solution.hidden.is_(False))
        .options(
            selectinload(Solution.action)
            .selectinload(Action.measures)
            .selectinload(Measure.entries)
        )
        .order_by(Solution.id)
    ):
        solutions.setdefault(solution.card_id, []).append(solution)
    return solutions


def _planned_challenge(
    card: Card, dots: dict[int, tuple[int, dict]], split_shown: bool
) -> PlannedChallenge:
    """One prioritised challenge as it would be shared, its solutions still to add."""
    total, by_group = dots.get(card.id, (None, {}))
    law = [link for link in card.links if not link.requirement.is_local]
    return PlannedChallenge(
        card=card,
        requirements=[
            PlannedRequirement(
                link.requirement.key,
                link.version,
                link.law_version,
                link.as_linked.get("name_da") or link.requirement.name_da,
            )
            for link in law
        ],
        local_rules=len(card.links) - len(law),
        dots=total,
        dots_staff=by_group.get("staff", 0) if split_shown and total is not None else None,
        dots_managers=(by_group.get("managers", 0) if split_shown and total is not None else None),
    )


def _planned_solution(solution: Solution, min_people: int) -> PlannedSolution:
    """One solution as it would be shared, with its best measured effect."""
    effect, held_back = _best_effect(solution.action, min_people)
    return PlannedSolution(
        solution,
        solution.action.status if solution.action is not None else "",
        effect,
        held_back,
    )


def review_texts(plan: SharePlan, texts: dict[str, str]) -> dict[str, str]:
    """The reviewed words, checked: only keys of this plan, tidied, within length.

    An empty text means "not included". Raises for a text that is too long.
    """
    allowed = plan.texts
    reviewed = {}
    for key, text in texts.items():
        if key not in allowed:
            continue  # a card or solution of another course, or one no longer shared
        text = tidy(text)
        if not text:
            continue
        limit = CARD_MAX_LENGTH if key.startswith("card-") else SOLUTION_MAX_LENGTH
        if len(text) > limit:
            raise WorkshopError(
                _("A text to share can be at most %(n)s characters.", n=limit), code="too_long"
            )
        reviewed[key] = text
    return reviewed


def review_share(plan: SharePlan, texts: dict[str, str]) -> dict[str, str]:
    """The reviewed words, checked as `share_course` checks them before sharing: refused
    when a text is too long or there is nothing to share (no prioritised challenge)."""
    reviewed = review_texts(plan, texts)
    if not plan.challenges:
        raise WorkshopError(
            _("There is nothing to share yet: no challenge has been prioritised."),
            code="empty",
        )
    return reviewed


def cpr_like_keys(texts: dict[str, str]) -> list[str]:
    return [key for key, text in texts.items() if looks_like_cpr(text)]


# --- Sharing and withdrawing ------------------------------------------------------------


def active_share(course: Course) -> Share | None:
    return db.session.scalar(
        select(Share)
        .where(Share.course_id == course.id, Share.withdrawn_at.is_(None))
        .order_by(Share.id.desc())
        .limit(1)
    )


def shares_of(course: Course) -> list[Share]:
    return list(
        db.session.scalars(
            select(Share).where(Share.course_id == course.id).order_by(Share.id.desc())
        )
    )


def _empty(share: Share, when: datetime) -> None:
    """Withdrawn: the header (when, by whom) stays for the record; the content goes."""
    share.withdrawn_at = when
    db.session.execute(delete(SharedChallenge).where(SharedChallenge.share_id == share.id))


def share_course(
    course: Course,
    by: Facilitator,
    *,
    texts: dict[str, str] | None = None,
    unit_kind: str = "",
    revision: str | None = None,
    allow_cpr_like: bool = False,
) -> tuple[Share, bool]:
    """Share the course's results as reviewed. Returns the share, and whether it replaced
    an earlier one (one active share per course: the new snapshot takes its place)."""
    course = lock_row(course)  # two clicks on "share" at once make one share, not two
    _check_still_as_reviewed(course, revision)
    plan = plan_share(course)
    reviewed = review_share(plan, texts or {})
    _check_no_cpr_like(reviewed, allow_cpr_like)
    unit_kind = _checked_unit_kind(unit_kind)
    now = utcnow()
    previous = active_share(course)
    if previous is not None:
        _empty(previous, now)
    share = Share(
        course_id=course.id,
        facilitator_id=by.id,
        municipality=course.municipality,
        unit_kind=unit_kind,
        course_revision=course.revision,
        participants=plan.participants,
        shared_at=now,
    )
    for planned in plan.challenges:
        share.challenges.append(_snapshot_challenge(planned, reviewed))
    db.session.add(share)
    db.session.commit()
    return share, previous is not None


def _check_still_as_reviewed(course: Course, revision: str | None) -> None:
    """Refuses when the course changed since the facilitator's review (given its token)."""
    if revision is not None and revision != review_token(course):
        raise WorkshopError(
            _(
                "The course has changed since you reviewed what will be shared. "
                "Look through it again, then share."
            ),
            code="changed",
        )


def _check_no_cpr_like(reviewed: dict[str, str], allow_cpr_like: bool) -> None:
    """Refuses words that look like a CPR number unless the facilitator confirmed them."""
    if not allow_cpr_like and cpr_like_keys(reviewed):
        raise WorkshopError(
            _(
                "A text you are about to share looks like a CPR number. Remove it, or "
                "confirm that none of the texts holds a CPR number."
            ),
            code="cpr",
        )


def _checked_unit_kind(unit_kind: str) -> str:
    """The kind of unit, tidied; refused when too long."""
    unit_kind = tidy(unit_kind)
    if len(unit_kind) > UNIT_KIND_MAX:
        raise WorkshopError(
            _("The kind of unit can be at most %(n)s characters.", n=UNIT_KIND_MAX),
            code="unit_kind",
        )
    return unit_kind


def _snapshot_challenge(planned: PlannedChallenge, reviewed: dict[str, str]) -> SharedChallenge:
    """The shared copy of one planned challenge, its law entries and its solutions."""
    challenge = SharedChallenge(
        text=reviewed.get(planned.key, ""),
        card_id=planned.card.id,  # so that redacting the card reaches the snapshot
        origin=planned.card.origin,
        dots=planned.dots,
        dots_staff=planned.dots_staff,
        dots_managers=planned.dots_managers,
        requirements=[
            SharedRequirement(
                requirement_key=r.key,
                requirement_version=r.version,
                law_version=r.law_version,
                name=r.name,
            )
            for r in planned.requirements
        ],
    )
    for item in planned.solutions:
        challenge.solutions.append(_snapshot_solution(item, reviewed))
    return challenge


def _snapshot_solution(item: PlannedSolution, reviewed: dict[str, str]) -> SharedSolution:
    """The shared copy of one planned solution, with its assessment and measured effect."""
    solution, effect = item.solution, item.effect
    return SharedSolution(
        kind=solution.kind,
        text=reviewed.get(item.key, ""),
        solution_id=solution.id,  # redacting the solution reaches the snapshot
        effect_citizens=solution.effect_citizens,
        effect_efficiency=solution.effect_efficiency,
        effect_work_environment=solution.effect_work_environment,
        likelihood=solution.likelihood,
        effort=solution.effort,
        chosen=solution.chosen,
        action_status=item.action_status,
        # What was measured is someone's words too: shared with the solution's.
        measure_what=(effect.what if effect is not None and item.key in reviewed else ""),
        measure_unit=effect.unit if effect is not None else "",
        higher_is_better=effect.higher_is_better if effect is not None else None,
        baseline_mean=effect.baseline_mean if effect is not None else None,
        followup_mean=effect.followup_mean if effect is not None else None,
        change=effect.change if effect is not None else None,
        entries=effect.entries if effect is not None else 0,
    )


def withdraw_share(course: Course) -> Share:
    """Take the course's results out of the experience bank. Solutions other courses
    copied stay theirs: a copy, with where it came from in words."""
    course = lock_row(course)
    share = active_share(course)
    if share is None:
        raise WorkshopError(_("The course's results are not shared."), code="not_shared")
    _empty(share, utcnow())
    db.session.commit()
    return share


# --- Finding what others did ---------------------------------------------------------------


@dataclass
class Finding:
    """One shared solution of another course, for one requirement."""

    solution: SharedSolution
    challenge: SharedChallenge
    share: Share
    link: SharedRequirement

    @property
    def source(self) -> str:
        """Where it comes from, in words, as a copy records it."""
        return _(
            "Copied from the experience bank (%(municipality)s, %(year)s)",
            municipality=self.share.municipality,
            year=self.share.shared_at.year,
        )

    @property
    def evidence(self) -> tuple:
        """Measured effect first (an improvement before the rest), then implemented,
        then chosen; the newest share first among equals."""
        s = self.solution
        return (
            not s.is_measured,
            s.improved is not True,
            s.action_status not in IMPLEMENTED,
            not s.chosen,
            -self.share.shared_at.timestamp(),
            s.id,
        )


@dataclass
class VersionGroup:
    law_version: str
    findings: list[Finding]


@dataclass
class Experience:
    """What other courses did about one requirement, by law version, best evidence first."""

    key: str
    courses: int
    groups: list[VersionGroup]

    @property
    def findings(self) -> list[Finding]:
        return [finding for group in self.groups for finding in group.findings]

    @property
    def mixed_versions(self) -> bool:
        return len(self.groups) > 1


def _findings(keys: list[str], exclude_course_id: int | None) -> list[Finding]:
    if not keys:
        return []
    query = (
        select(SharedRequirement, SharedChallenge, Share)
        .join(SharedChallenge, SharedChallenge.id == SharedRequirement.challenge_id)
        .join(Share, Share.id == SharedChallenge.share_id)
        .where(SharedRequirement.requirement_key.in_(keys), Share.withdrawn_at.is_(None))
        .options(selectinload(SharedChallenge.solutions))
    )
    if exclude_course_id is not None:
        query = query.where((Share.course_id != exclude_course_id) | Share.course_id.is_(None))
    found = []
    for link, challenge, share in db.session.execute(query).all():
        for solution in challenge.solutions:
            found.append(Finding(solution, challenge, share, link))
    return found


def _group(key: str, findings: list[Finding]) -> Experience:
    by_version: dict[str, list[Finding]] = {}
    for finding in sorted(findings, key=lambda f: f.evidence):
        by_version.setdefault(finding.link.law_version, []).append(finding)
    groups = [VersionGroup(version, items) for version, items in by_version.items()]
    # The version with the best evidence first; each keeps its own findings.
    return Experience(key, len({f.share.id for f in findings}), groups)


def experience_for(key: str, *, exclude_course_id: int | None = None) -> Experience:
    """Other courses' shared solutions for one requirement (not the asking course's own)."""
    return experience_for_keys([key], exclude_course_id=exclude_course_id)[key]


def experience_for_keys(
    keys: list[str], *, exclude_course_id: int | None = None
) -> dict[str, Experience]:
    """The same for many requirements in one query (catalogue search, step 3's panel)."""
    keys = list(dict.fromkeys(keys))
    grouped: dict[str, list[Finding]] = {key: [] for key in keys}
    for finding in _findings(keys, exclude_course_id):
        grouped[finding.link.requirement_key].append(finding)
    return {key: _group(key, items) for key, items in grouped.items()}


def shared_solution(shared_id: int) -> SharedSolution | None:
    """A solution in an active share (a withdrawn share's content is gone)."""
    solution = db.session.get(SharedSolution, shared_id)
    if solution is None or solution.challenge.share.withdrawn_at is not None:
        return None
    return solution


def copy_shared_solution(course: Course, card: Card, shared_id: int) -> Solution:
    """Another course's solution as a starting proposal for one of this course's challenges."""
    source = shared_solution(shared_id)
    if source is None:
        raise WorkshopError(
            _("That solution is no longer in the experience bank. It may have been withdrawn."),
            code="gone",
        )
    if not source.text:
        raise WorkshopError(
            _("That solution was shared without its wording, so there is nothing to copy."),
            code="no_text",
        )
    share = source.challenge.share
    if share.course_id is not None and share.course_id == course.id:
        raise WorkshopError(_("That solution is this course's own."), code="own")
    # Stored in the course's language (as a redaction marker is): phones may read it.
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "da")):
        finding_source = _(
            "Copied from the experience bank (%(municipality)s, %(year)s)",
            municipality=share.municipality,
            year=share.shared_at.year,
        )
    return adopt_solution(
        course,
        card,
        text=source.text,
        kind=source.kind,
        source=finding_source[:200],
        client_token=f"bank-{source.id}",
        copied_from_id=source.solution_id,
    )


def experience_by_challenge(course: Course, cards: list[Card]) -> list[tuple[Card, list]]:
    """Step 3's panel: for each prioritised challenge, what other courses did about the
    law entries it is linked to (only challenges where there is something to show)."""
    keys_by_card = {
        card.id: [link.requirement.key for link in card.links if not link.requirement.is_local]
        for card in cards
    }
    every_key = [key for keys in keys_by_card.values() for key in keys]
    found = experience_for_keys(every_key, exclude_course_id=course.id)
    rows = []
    for card in cards:
        experiences = [found[key] for key in keys_by_card[card.id] if found[key].courses]
        if experiences:
            rows.append((card, experiences))
    return rows
