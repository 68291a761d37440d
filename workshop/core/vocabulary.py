"""The method's fixed vocabularies, code -> label (labels translated), and text lengths:

- the method: StepNumber (its six steps, in order), STEP_COUNT;
- people: ROLES, MANAGER_ROLES, CITIZEN_ROLE, ROLE_GROUPS (staff and managers,
  `role_group`), VOTER_GROUPS (and citizens/relatives where they voted), SECTORS (what an
  organisation's departments belong to), RESULT_SPLITS (by role or by department);
- step 2: CARD_CATEGORIES, CARD_SOURCES, ORIGINS in ORIGIN_GROUPS with ORIGIN_GROUP_LABELS (and
  OTHER_DEPARTMENT, the origin that names a department), PRIORITY_STATUSES;
- the requirement catalogue: REQUIREMENT_STATUSES, NOT_LAW_STATUSES, CHANGE_EFFECTS,
  CONFIDENCE, LOCAL_RULE_KINDS;
- step 3: SOLUTION_KINDS, SOLUTION_KIND_SHORT, EFFECT_DIMENSIONS, EFFECT_SCALE, LIKELIHOOD,
  EFFORT;
- step 4: ACTION_STATUSES, BARRIERS; step 5: PERIODS; step 6: LESSON_KINDS, NEXT_STEP_KINDS;
- the citizen's path: TOUCHPOINT_KINDS, DUPLICABLE_KINDS, TOUCHPOINT_MAX_LENGTH,
  TOUCHPOINT_MAX_MINUTES;
- lengths: CARD_MAX_LENGTH, ANSWER_MAX_LENGTH, SOLUTION_MAX_LENGTH.
"""

from enum import IntEnum

from flask_babel import lazy_gettext as _l


class StepNumber(IntEnum):
    """The six steps of Samskabt Styring, numbered once: the domain's rules that belong to
    a step and the step definitions in steps/ both use these (steps/__init__ checks)."""

    INTRO = 1
    CHALLENGES = 2
    SOLUTIONS = 3
    IMPLEMENT = 4
    EVALUATE = 5
    LEARN = 6


STEP_COUNT = len(StepNumber)

ROLES = {
    "medarbejder": _l("Staff member"),
    "leder": _l("Manager"),
    "tillidsrepraesentant": _l("Shop steward"),
    "med_repraesentant": _l("MED representative"),
    "anden": _l("Other role"),
    # Issue 14: a citizen or relative in a course that invites them; never offered as a
    # role on the join form (they pick "citizen or relative" instead), never staff or manager.
    "borger": _l("Citizen or relative"),
}
CITIZEN_ROLE = "borger"

# Staff and managers vote as equals; how the two groups differ is a finding in itself.
MANAGER_ROLES = frozenset({"leder"})
ROLE_GROUPS = {
    "staff": _l("Staff"),
    "managers": _l("Managers"),
}


# Citizens and relatives are neither: in the split by role they are a group of their own,
# shown only in a course where they voted (VOTER_GROUPS), and like any group held back
# under the minimum. ROLE_GROUPS stays the two every course has.
VOTER_GROUPS = {
    **ROLE_GROUPS,
    "citizens": _l("Citizens and relatives"),
}


def role_group(role: str) -> str:
    if role == CITIZEN_ROLE:
        return "citizens"
    return "managers" if role in MANAGER_ROLES else "staff"


# The sectors a citizen with complex problems meets at once; an organisation's departments
# each belong to one (or to "other"), and the catalogue's entries name the sectors whose
# law they are, so a course across departments can filter by them.
SECTORS = {
    "employment": _l("Employment"),
    "social": _l("Social services and disability"),
    "health": _l("Health and psychiatry"),
    "youth": _l("Youth and education guidance"),
    "benefits": _l("Benefits and citizen service"),
    "region": _l("The region's health services"),
    "vendor": _l("Vendor"),
    "politics": _l("Politicians"),
    "other": _l("Other"),
}

# Results split (issue 14, `workshop.splits`): one way at a time, never crossed.
RESULT_SPLITS = {
    "none": _l("None"),
    "role": _l("Role"),
    "department": _l("Department"),
}


CARD_CATEGORIES = {
    "dokumentation": _l("Documentation"),
    "proceskrav": _l("Process requirement"),
    "it_system": _l("IT system"),
    "samarbejde": _l("Cross-unit collaboration"),
    "maal": _l("Targets and result requirements"),
    "andet": _l("Other"),
}

CARD_MAX_LENGTH = 500

# Where a card came from (issue 18): a phone in the room, the card box (a link colleagues
# who are not in the room use before or between meetings) or a paper card the facilitator
# typed in on someone's behalf. The wall marks the last two.
CARD_SOURCES = {
    "phone": _l("From a phone"),
    "box": _l("Sent in advance"),
    "paper": _l("Typed in from paper"),
}
ANSWER_MAX_LENGTH = 500

# Where the rule behind a card really comes from. The method asks the question; the
# categories are ours. The point: much of the bøvl turns out not to come from the law.
ORIGINS = {
    "national_law": _l("National law"),
    "executive_order": _l("Executive order or guidance"),
    "municipal_decision": _l("Municipal decision"),
    "management_decision": _l("Local management decision"),
    "local_practice": _l("Local practice or habit"),
    "it_system": _l("IT system"),
    # Only offered in a course across departments; the card names the department.
    "other_department": _l("Another department's rule or practice"),
    "unknown": _l("Unknown – to be examined"),
}
OTHER_DEPARTMENT = "other_department"
# The origin overview puts the origins in three groups: what the state decides, what we
# decide ourselves, and what nobody has examined yet. Another department's rule or
# practice is local: the municipality made it and can change it across its own department
# lines (where it really rests on law, the card says "national law" and links the
# paragraph), and that is the finding a course across departments is for.
ORIGIN_GROUPS = {
    "state": ("national_law", "executive_order"),
    "local": (
        "municipal_decision",
        "management_decision",
        "local_practice",
        "it_system",
        "other_department",
    ),
    "unknown": ("unknown",),
}
ORIGIN_GROUP_LABELS = {
    "state": _l("Law and executive orders"),
    "local": _l("Our own decisions, habits and IT"),
    "unknown": _l("Not examined yet"),
}

# What became of a card after the vote: every card keeps a visible status to the end.
PRIORITY_STATUSES = {
    "open": _l("Not decided yet"),
    "prioritised": _l("Prioritised"),
    "later": _l("Later"),
    "out_of_scope": _l("Outside the frame"),
}

REQUIREMENT_STATUSES = {
    "in_force": _l("In force"),
    "changed": _l("Changed"),
    "repealed": _l("Repealed"),
    # Closed to new cases, still binding the cases that run under it (ressourceforløb,
    # revalidering after LOV 1750/2025): never a "habit, not law" candidate.
    "closed_to_new": _l("Closed to new cases"),
    # Not law: a bill or a draft, and a law that was planned and never adopted (HOI).
    "planned": _l("Planned – not law"),
    "not_adopted": _l("Planned, never adopted – not law"),
}
# Entries that are not law (and never were): shown, marked, never a card's legal basis.
NOT_LAW_STATUSES = ("planned", "not_adopted")
CHANGE_EFFECTS = {
    "introduced": _l("Introduced"),
    "loosened": _l("Loosened"),
    "tightened": _l("Tightened"),
    "repealed": _l("Repealed"),
    "closed_to_new": _l("Closed to new cases"),
    "neutral": _l("Changed"),
    "planned": _l("Planned"),
}
CONFIDENCE = {
    "verified": _l("Verified in the source"),
    "likely": _l("Likely"),
    "unsure": _l("Not checked"),
}
LOCAL_RULE_KINDS = {
    "municipal_decision": _l("Municipal decision"),
    "management_decision": _l("Local management instruction"),
    "template": _l("Template or form"),
    "it_system": _l("IT-system requirement"),
    "local_practice": _l("Local practice"),
}

# Step 3: the method's four kinds of solution.
SOLUTION_KINDS = {
    "remove": _l("Remove: unnecessary governance is removed"),
    "change": _l("Change: governance that works badly is changed"),
    "embed": _l("Embed: governance that cannot change is made meaningful"),
    "keep": _l("Keep: governance that works is kept and spread"),
}
SOLUTION_KIND_SHORT = {
    "remove": _l("Remove"),
    "change": _l("Change"),
    "embed": _l("Embed"),
    "keep": _l("Keep"),
}
# The effect dimensions a solution is judged on, each on a five-point scale.
EFFECT_DIMENSIONS = {
    "effect_citizens": _l("For citizens"),
    "effect_efficiency": _l("Efficiency of the work"),
    "effect_work_environment": _l("Work environment"),
}
EFFECT_SCALE = {
    -2: _l("Much worse"),
    -1: _l("A little worse"),
    0: _l("No difference"),
    1: _l("A little better"),
    2: _l("Much better"),
}
LIKELIHOOD = {
    "likely": _l("Yes, most likely"),
    "maybe": _l("Perhaps"),
    "unlikely": _l("Hardly"),
}
EFFORT = {
    "small": _l("Small effort"),
    "medium": _l("Some effort"),
    "large": _l("Large effort"),
}
SOLUTION_MAX_LENGTH = 500

# Step 4: an action's life, and the barriers checked before it starts.
ACTION_STATUSES = {
    "not_started": _l("Not started"),
    "in_test": _l("In test"),
    "implemented": _l("Implemented"),
    "adjusted": _l("Adjusted"),
    "dropped": _l("Dropped"),
}
BARRIERS = {
    "cultural": _l("Cultural"),
    "legal": _l("Legal"),
    "technical": _l("Technical"),
    "competence": _l("Competence"),
}

# Step 5: the two periods of a before/after measurement.
PERIODS = {
    "baseline": _l("Before (baseline)"),
    "followup": _l("After (follow-up)"),
}

# Step 6: what the facilitator records at the closing workshop.
LESSON_KINDS = {
    "lesson": _l("Lesson"),
    "product_result": _l("Product result"),
    "process_result": _l("Process result"),
    "decision": _l("Decision on next steps"),
}
NEXT_STEP_KINDS = {
    "internal_facilitators": _l("Internal facilitators"),
    "experience_group": _l("An experience group"),
    "management_principles": _l("Written into the management principles"),
    "next_challenge": _l("Take up a challenge next"),
    "other": _l("Other"),
}


# --- The citizen's path (issue 14): one composite, anonymised citizen's way through the
# departments, touchpoint by touchpoint (workshop.touchpoints). --------------------------
TOUCHPOINT_KINDS = {
    "meeting": _l("Meeting"),
    "plan": _l("Plan"),
    "form": _l("Form"),
    "consent": _l("Consent"),
    "referral": _l("Referral"),
    "waiting": _l("Waiting time"),
}
# What a citizen should meet once, however many departments they meet: two plans, two
# meetings about the same life or two consents for the same information are the bøvl
# between departments that the path is drawn to show.
DUPLICABLE_KINDS = ("plan", "meeting", "consent")
TOUCHPOINT_MAX_LENGTH = 200
# A year in minutes: a waiting time may last months, nothing on one path lasts longer.
TOUCHPOINT_MAX_MINUTES = 525_600
