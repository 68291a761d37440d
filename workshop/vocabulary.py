"""The method's fixed vocabularies: participant roles and card categories."""

from flask_babel import lazy_gettext as _l

ROLES = {
    "medarbejder": _l("Staff member"),
    "leder": _l("Manager"),
    "tillidsrepraesentant": _l("Shop steward"),
    "med_repraesentant": _l("MED representative"),
    "anden": _l("Other role"),
}

# Staff and managers vote as equals; how the two groups differ is a finding in itself.
MANAGER_ROLES = frozenset({"leder"})
ROLE_GROUPS = {
    "staff": _l("Staff"),
    "managers": _l("Managers"),
}


def role_group(role: str) -> str:
    return "managers" if role in MANAGER_ROLES else "staff"


CARD_CATEGORIES = {
    "dokumentation": _l("Documentation"),
    "proceskrav": _l("Process requirement"),
    "it_system": _l("IT system"),
    "samarbejde": _l("Cross-unit collaboration"),
    "maal": _l("Targets and result requirements"),
    "andet": _l("Other"),
}

CARD_MAX_LENGTH = 500
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
    "unknown": _l("Unknown – to be examined"),
}
# The origin overview puts the origins in three groups: what the state decides, what we
# decide ourselves, and what nobody has examined yet.
ORIGIN_GROUPS = {
    "state": ("national_law", "executive_order"),
    "local": ("municipal_decision", "management_decision", "local_practice", "it_system"),
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
}
CHANGE_EFFECTS = {
    "introduced": _l("Introduced"),
    "loosened": _l("Loosened"),
    "tightened": _l("Tightened"),
    "repealed": _l("Repealed"),
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
