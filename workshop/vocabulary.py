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
