"""The catalogue people can correct (issue 18, point 5).

- An organisation's admin corrects or extends a shipped law entry *for the organisation*:
  a note, a corrected paragraph or status, with a source and a confidence. The shipped
  entry is never changed and stays the reference; a reload that changes it flags the
  correction as possibly outdated until the admin confirms or edits it.
- The organisation's facilitators edit and retire their local rules; a course whose
  implemented action removed a local rule may mark it repealed ("ophævet <dato>, forløb X"),
  after a confirmation, and they can undo the mark on the rule's page (a wrong rule, or an
  action set back from implemented).

A correction is the organisation's *claim*: it never changes the law checks
(`Requirement.is_law`, `may_be_habit`, `examination.check_is_law`). Those follow the shipped
facts, which carry their own sources; a local note saying "this is repealed" is shown
beside them with its source and confidence, and a facilitator can act on it, but no card is
refused or told "habit, not law" on an organisation's word alone.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select

from workshop.catalogue import (
    LOCAL_NAME_MAX,
    LOCAL_TEXT_MAX,
    entry_snapshot,
    organisation_members,
    requirement_by_key,
)
from workshop.core.clock import local_today
from workshop.core.errors import WorkshopError
from workshop.core.extensions import db
from workshop.core.models import (
    Action,
    Card,
    CardRequirement,
    Course,
    Facilitator,
    Requirement,
    RequirementCorrection,
    RequirementVersion,
    utcnow,
)
from workshop.core.text import tidy
from workshop.core.vocabulary import CONFIDENCE, LOCAL_RULE_KINDS, REQUIREMENT_STATUSES
from workshop.courses import touch

NOTE_MAX = 2000
SOURCE_MAX = 1000
PARAGRAPH_MAX = 200


# --- Corrections of law entries -----------------------------------------------------------


def corrections_for(organisation_id: int | None) -> dict[int, RequirementCorrection]:
    """The organisation's corrections, by the id of the entry they correct (none for no
    organisation: phones and projectors pass the course's)."""
    if organisation_id is None:
        return {}
    rows = db.session.scalars(
        select(RequirementCorrection).where(
            RequirementCorrection.organisation_id == organisation_id
        )
    )
    return {row.requirement_id: row for row in rows}


def correction_of(organisation_id: int, requirement: Requirement) -> RequirementCorrection | None:
    return db.session.scalar(
        select(RequirementCorrection).where(
            RequirementCorrection.organisation_id == organisation_id,
            RequirementCorrection.requirement_id == requirement.id,
        )
    )


def law_entry(key: str) -> Requirement | None:
    """A shipped law entry by its key (local rules are edited as rules, not corrected)."""
    requirement = requirement_by_key(key)
    return requirement if requirement is not None and not requirement.is_local else None


def _check_admin(facilitator: Facilitator) -> None:
    if not facilitator.is_admin:
        raise WorkshopError(
            _("Only an admin of the organisation can correct the catalogue."), code="admin"
        )


def save_correction(
    admin: Facilitator,
    requirement: Requirement,
    *,
    note: str = "",
    paragraph: str = "",
    status: str = "",
    source: str = "",
    confidence: str = "",
) -> RequirementCorrection:
    """Make or edit the organisation's correction of a law entry, made against the entry as
    it reads now (so saving also confirms an outdated one)."""
    _check_admin(admin)
    if requirement.is_local:
        raise WorkshopError(_("Local rules are edited, not corrected."), code="kind")
    note, paragraph, source = tidy(note), tidy(paragraph), tidy(source)
    status = status or ""
    if status and status not in REQUIREMENT_STATUSES:
        raise WorkshopError(_("Unknown status."), code="status")
    if status == requirement.status:
        status = ""  # the same as shipped: nothing corrected
    if paragraph == requirement.paragraph:
        paragraph = ""
    if not (note or paragraph or status):
        raise WorkshopError(_("Write a note, or correct the paragraph or the status."), code="note")
    if len(note) > NOTE_MAX or len(source) > SOURCE_MAX or len(paragraph) > PARAGRAPH_MAX:
        raise WorkshopError(_("The note, the paragraph or the source is too long."), code="length")
    if not source:
        # The shipped entry names its sources; a local claim beside it must name its own.
        raise WorkshopError(
            _("Say where it comes from: a link, a decision or who confirmed it."), code="source"
        )
    if confidence not in CONFIDENCE:
        raise WorkshopError(_("Choose how sure you are."), code="confidence")
    correction = correction_of(admin.organisation_id, requirement) or RequirementCorrection(
        organisation_id=admin.organisation_id, requirement_id=requirement.id
    )
    correction.note, correction.paragraph, correction.status = note, paragraph, status
    correction.source, correction.confidence = source, confidence
    correction.made_by_id, correction.made_at = admin.id, utcnow()
    _made_against_now(correction, requirement)
    db.session.add(correction)
    db.session.commit()
    return correction


def _made_against_now(correction: RequirementCorrection, requirement: Requirement) -> None:
    correction.against_version = requirement.version
    correction.against_hash = requirement.content_hash


def confirm_correction(admin: Facilitator, requirement: Requirement) -> RequirementCorrection:
    """The admin read the new shipped entry and the correction still holds."""
    _check_admin(admin)
    correction = correction_of(admin.organisation_id, requirement)
    if correction is None:
        raise WorkshopError(_("Your organisation has no correction of this entry."), code="none")
    _made_against_now(correction, requirement)
    correction.made_by_id, correction.made_at = admin.id, utcnow()
    db.session.commit()
    return correction


def remove_correction(admin: Facilitator, requirement: Requirement) -> bool:
    """Withdraw the organisation's correction: the shipped entry alone again. False when
    there was none (a second click)."""
    _check_admin(admin)
    correction = correction_of(admin.organisation_id, requirement)
    if correction is None:
        return False
    db.session.delete(correction)
    db.session.commit()
    return True


def outdated_corrections(organisation_id: int) -> list[RequirementCorrection]:
    return [c for c in corrections_for(organisation_id).values() if c.may_be_outdated]


# --- The organisation's local rules -------------------------------------------------------


def local_rule(facilitator: Facilitator, key: str) -> Requirement | None:
    """One of the facilitator's organisation's local rules, by its key ("L12")."""
    rule = requirement_by_key(key, facilitator.id)
    return rule if rule is not None and rule.is_local else None


def _new_version(rule: Requirement) -> None:
    """A changed rule gets a new version, as a reloaded law entry does: the cards linked to
    the old wording keep it and say the rule changed since."""
    rule.version += 1
    rule.updated_at = utcnow()
    rule.versions.append(RequirementVersion(version=rule.version, snapshot=entry_snapshot(rule)))


def edit_local_rule(
    editor: Facilitator,
    rule: Requirement,
    *,
    name: str,
    kind: str,
    description: str = "",
    decided_by: str = "",
    decided_on: date | None = None,
) -> Requirement:
    """Change a local rule's name, kind, text or decision; a new version if anything changed."""
    name, description, decided_by = tidy(name), tidy(description), tidy(decided_by)
    if not name:
        raise WorkshopError(_("Give the rule a name."), code="name")
    if len(name) > LOCAL_NAME_MAX or len(description) > LOCAL_TEXT_MAX:
        raise WorkshopError(_("The name or the description is too long."), code="length")
    if len(decided_by) > 200:
        raise WorkshopError(_("'Decided by' can be at most 200 characters."), code="length")
    if kind not in LOCAL_RULE_KINDS:
        raise WorkshopError(_("Choose what kind of rule it is."), code="kind")
    others = db.session.scalars(
        select(Requirement.name_da).where(
            Requirement.owner_id.in_(organisation_members(editor.id)), Requirement.id != rule.id
        )
    )
    if any(other.casefold() == name.casefold() for other in others):
        raise WorkshopError(_("You already have a local rule with that name."), code="duplicate")
    new = {
        "name_da": name,
        "local_kind": kind,
        "description": description,
        "decided_by": decided_by,
        "decided_on": decided_on,
    }
    if any(getattr(rule, field) != value for field, value in new.items()):
        for field, value in new.items():
            setattr(rule, field, value)
        _new_version(rule)
        _touch_courses_linking(rule)
    db.session.commit()
    return rule


def retire_local_rule(rule: Requirement) -> bool:
    """Offered for no new link; the cards that link it keep it, marked as retired. False
    when it was retired already."""
    if rule.retired_at is not None:
        return False
    rule.retired_at = utcnow()
    _touch_courses_linking(rule)
    db.session.commit()
    return True


def restore_local_rule(rule: Requirement) -> bool:
    """Offered for new links again. False when it was not retired."""
    if rule.retired_at is None:
        return False
    rule.retired_at = None
    _touch_courses_linking(rule)
    db.session.commit()
    return True


def _courses_linking(rule: Requirement) -> list[Course]:
    return list(
        db.session.scalars(
            select(Course)
            .join(Card, Card.course_id == Course.id)
            .join(CardRequirement, CardRequirement.card_id == Card.id)
            .where(CardRequirement.requirement_id == rule.id)
            .distinct()
        )
    )


def _touch_courses_linking(rule: Requirement) -> None:
    """The live views of every course whose cards link the rule show it afresh."""
    for course in _courses_linking(rule):
        touch(course)


def rule_reach(rule: Requirement) -> tuple[int, int]:
    """How many cards link the rule now, in how many courses (what a repeal would mark)."""
    cards = db.session.scalar(
        select(func.count(func.distinct(CardRequirement.card_id))).where(
            CardRequirement.requirement_id == rule.id
        )
    )
    return cards or 0, len(_courses_linking(rule))


# --- A local rule a course abolished ------------------------------------------------------


def _rules_removed_by(action: Action) -> list[Requirement]:
    """The local rules behind the card of an implemented action whose solution removes."""
    solution = action.solution
    if action.status != "implemented" or solution is None or solution.kind != "remove":
        return []
    return [link.requirement for link in solution.card.links if link.requirement.is_local]


def repeal_offers(action: Action) -> list[Requirement]:
    """The local rules the facilitator is offered to mark as repealed by this action: only
    when the action removes them and is implemented, and only those not yet marked."""
    return [rule for rule in _rules_removed_by(action) if rule.repealed_on is None]


def repealed_by(action: Action) -> list[Requirement]:
    """The rules behind the action that are marked repealed (by this course or another)."""
    return [rule for rule in _rules_removed_by(action) if rule.repealed_on is not None]


def mark_rule_repealed(action: Action, rule: Requirement, today: date | None = None) -> None:
    """Mark a local rule "ophævet <dato>, forløb <titel>": every card that links it, in every
    course of the organisation, shows it so. Its status becomes repealed, in a new version."""
    if rule not in repeal_offers(action):
        raise WorkshopError(
            _(
                "Only a local rule behind an implemented action that removes it can be marked "
                "as repealed."
            ),
            code="repeal",
        )
    course = db.session.get(Course, action.course_id)
    rule.repealed_on = today or local_today()
    rule.repealed_by_course_id = course.id
    rule.repealed_course_title = course.title[:200]
    rule.status = "repealed"
    _new_version(rule)
    _touch_courses_linking(rule)
    touch(course)
    db.session.commit()


def status_before_repeal(rule: Requirement) -> str:
    """The status the rule had before it was marked repealed: the newest of its versions
    that does not say repealed (the mark made a version saying so, and an edit since keeps
    saying so). A rule that never said otherwise (a course file brought it in repealed) is
    in force, as every new local rule is."""
    for version in sorted(rule.versions, key=lambda v: v.version, reverse=True):
        status = (version.snapshot or {}).get("status")
        if status and status != "repealed" and status in REQUIREMENT_STATUSES:
            return status
    return "in_force"


def undo_repeal(rule: Requirement) -> None:
    """Take back the mark "ophævet <dato>, forløb <titel>" (a wrong rule, or an action set
    back from implemented): the rule gets its status from before the mark, in a new version,
    and every card of the organisation that links it stops saying repealed. A retired rule
    stays retired: retiring is its own decision, undone with "offer it again"."""
    if rule.repealed_on is None:
        raise WorkshopError(_("The rule is not marked as repealed."), code="repeal")
    # The course that marked it offers the mark again on its panel (step 4).
    marked_by = (
        db.session.get(Course, rule.repealed_by_course_id) if rule.repealed_by_course_id else None
    )
    rule.repealed_on = None
    rule.repealed_by_course_id = None
    rule.repealed_course_title = ""
    rule.status = status_before_repeal(rule)
    _new_version(rule)
    _touch_courses_linking(rule)
    if marked_by is not None:
        touch(marked_by)
    db.session.commit()
