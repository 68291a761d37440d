"""The requirement catalogue: the law as versioned data, the organisation's own rules, search."""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import or_, select

from workshop.core.db import serialise
from workshop.core.errors import WorkshopError
from workshop.core.extensions import db
from workshop.core.models import Facilitator, Requirement, RequirementVersion, citation, utcnow
from workshop.core.text import tidy
from workshop.core.vocabulary import LOCAL_RULE_KINDS, REQUIREMENT_STATUSES, SECTORS

CATALOGUE_FILE = Path(__file__).with_name("data") / "catalogue.json"
SUPPORTED_FORMAT = 1
QUERY_MAX_LENGTH = 200
LOCAL_NAME_MAX = 300
LOCAL_TEXT_MAX = 2000

# The catalogue fields a law entry carries, as in the data file.
_LAW_FIELDS = (
    "name_da",
    "name_en",
    "act",
    "paragraph",
    "description",
    "law_version",
    "status",
    "changes",
    "confidence",
    "sources",
    "note",
    "confidence_notes",
)
# Fields added after entries were first loaded: left out of an entry's fingerprint and
# snapshot while empty, so an entry that did not change keeps its version (and the cards
# linked to it are not told it changed) when the code learns a field.
_ADDED_LATER = ("confidence_notes",)


@dataclass(frozen=True)
class LoadReport:
    added: int
    changed: int
    unchanged: int
    kept: int  # in the database but no longer in the file: kept, so links survive


def read_catalogue_file(path: Path = CATALOGUE_FILE) -> dict:
    """The data file, parsed and checked for the format this code understands."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise WorkshopError(
            _("The catalogue file cannot be read: %(error)s", error=error)
        ) from None
    if not isinstance(data, dict) or data.get("format") != SUPPORTED_FORMAT:
        raise WorkshopError(_("The catalogue file has an unknown format."))
    if not isinstance(data.get("requirements"), list):
        raise WorkshopError(_("The catalogue file has no list of requirements."))
    return data


@lru_cache(maxsize=4)
def _cached_metadata(path: str, _mtime: float) -> tuple[dict, dict]:
    data = read_catalogue_file(Path(path))
    return data.get("acts", {}), data.get("target_groups", {})


def catalogue_metadata(path: Path = CATALOGUE_FILE) -> tuple[dict, dict]:
    """The acts and the target groups of the shipped file (re-read when the file changes)."""
    return _cached_metadata(str(path), Path(path).stat().st_mtime)


def _entry_values(entry: dict) -> dict:
    values = {name: entry.get(name) for name in _LAW_FIELDS}
    for name in ("name_en", "act", "paragraph", "description", "law_version", "note"):
        values[name] = values[name] or ""
    values["changes"] = list(entry.get("changes") or [])
    values["sources"] = list(entry.get("sources") or [])
    values["confidence_notes"] = list(entry.get("confidence_notes") or [])
    values["sections"] = " ".join(_normalise_section(s) for s in entry.get("sections") or [])
    values["target_groups"] = " ".join(str(g) for g in entry.get("target_groups") or [])
    return values


def _without_empty_additions(values: dict) -> dict:
    return {k: v for k, v in values.items() if k not in _ADDED_LATER or v}


def _fingerprint(values: dict) -> str:
    values = _without_empty_additions(values)
    return hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()


def entry_snapshot(requirement: Requirement) -> dict:
    values = {name: getattr(requirement, name) for name in (*_LAW_FIELDS, "sections")}
    values["target_groups"] = requirement.target_groups
    values["key"] = requirement.key
    return _without_empty_additions(values)


def _sectors(entry: dict) -> list[str]:
    """The entry's sectors, each a key of vocabulary.SECTORS (a typo would hide the entry
    from every sector filter without anyone noticing)."""
    sectors = entry.get("sectors") or []
    if not isinstance(sectors, list) or any(s not in SECTORS for s in sectors):
        raise WorkshopError(
            _("The catalogue entry %(key)s names an unknown sector.", key=entry.get("id", ""))
        )
    return list(dict.fromkeys(sectors))


def load_catalogue(path: Path = CATALOGUE_FILE) -> LoadReport:
    """Load or reload the law entries; a changed entry gets a new version, old ones stay.

    All or nothing: a file with a bad entry changes nothing in the database.
    """
    try:
        return _load(read_catalogue_file(path))
    except WorkshopError:
        db.session.rollback()
        raise


def _load(data: dict) -> LoadReport:
    # Two loads at once (two first imports on a new server) would both add every entry.
    serialise("catalogue")
    existing = {
        r.key: r for r in db.session.scalars(select(Requirement).where(Requirement.kind == "law"))
    }
    added = changed = unchanged = 0
    seen = set()
    for entry in data["requirements"]:
        key = str(entry.get("id", "")).strip()
        if not key or not entry.get("name_da"):
            raise WorkshopError(_("A catalogue entry lacks an id or a name."))
        if _LOCAL_KEY.fullmatch(key):
            raise WorkshopError(
                _("The id %(key)s is kept for local rules; law entries need another.", key=key)
            )
        if key in seen:
            raise WorkshopError(_("The catalogue has the id %(key)s twice.", key=key))
        seen.add(key)
        if entry.get("status") not in REQUIREMENT_STATUSES:
            raise WorkshopError(_("The catalogue entry %(key)s has an unknown status.", key=key))
        values = _entry_values(entry)
        fingerprint = _fingerprint(values)
        requirement = existing.get(key)
        # Which departments' law it is sorts the catalogue, it does not say what the law
        # requires: set in place, without a new version (a card's link keeps its meaning).
        sectors = _sectors(entry)
        if requirement is not None and requirement.sectors != sectors:
            requirement.sectors = sectors
        if requirement is None:
            requirement = Requirement(key=key, kind="law", version=1, sectors=sectors, **values)
            added += 1
        elif requirement.content_hash != fingerprint:
            for name, value in values.items():
                setattr(requirement, name, value)
            requirement.version += 1
            requirement.updated_at = utcnow()
            changed += 1
        else:
            unchanged += 1
            continue
        requirement.content_hash = fingerprint
        requirement.versions.append(
            RequirementVersion(version=requirement.version, snapshot=entry_snapshot(requirement))
        )
        db.session.add(requirement)
    db.session.commit()
    return LoadReport(added, changed, unchanged, len(set(existing) - seen))


def has_law_catalogue() -> bool:
    return (
        db.session.scalar(select(Requirement.id).where(Requirement.kind == "law").limit(1))
        is not None
    )


def ensure_catalogue_loaded() -> None:
    """Load the shipped catalogue if the database has none yet (first run, demo)."""
    if not has_law_catalogue():
        load_catalogue()


def requirement_label(requirement: Requirement, as_linked: dict | None = None) -> str:
    """How people know an entry, on every page, export and document: 'LAB § 31, stk. 1:
    Name', or 'Local rule: name' (never only its key, which is the database's, not the
    law's). With `as_linked` (a link's snapshot), as it read when the card was linked."""
    then = as_linked or {}
    name = then.get("name_da") or requirement.name_da
    if requirement.is_local:
        return _("Local rule: %(name)s", name=name)
    where = citation(then.get("act", requirement.act), then.get("paragraph", requirement.paragraph))
    return f"{where}: {name}" if where else name


def requirement_citation(requirement: Requirement) -> str:
    """The short form of `requirement_label`, for a tag or a heading beside the name:
    'LAB § 31, stk. 1', or 'Local rule'."""
    if requirement.is_local:
        return _("Local rule")
    return requirement.citation


def _normalise_section(raw: str) -> str:
    """'30 a', '30a', '§ 30 a' -> '30a'."""
    return re.sub(r"[\s§.]", "", str(raw)).lower()


_LOCAL_KEY = re.compile(r"L\d+")
_SECTION_QUERY = re.compile(r"(?:§+|paragraf|par\.)\s*(\d+)\s*([a-zæøå]\b)?", re.IGNORECASE)


def organisation_members(owner_id: int | None):
    """The ids of the facilitators in the same organisation as `owner_id` (local rules
    belong to the organisation: colleagues co-facilitate each other's courses)."""
    organisation = (
        select(Facilitator.organisation_id).where(Facilitator.id == owner_id).scalar_subquery()
    )
    return select(Facilitator.id).where(Facilitator.organisation_id == organisation)


def visible_requirements(owner_id: int | None) -> list[Requirement]:
    """The law, and the local rules of one facilitator's organisation."""
    query = select(Requirement).where(
        or_(Requirement.kind == "law", Requirement.owner_id.in_(organisation_members(owner_id)))
        if owner_id
        else Requirement.kind == "law"
    )
    return list(db.session.scalars(query))


def search_requirements(
    query: str, owner_id: int | None = None, *, act: str = "", sector: str = ""
) -> list[Requirement]:
    """Search by paragraph ('§ 31'), name, target group or free text; every word must match.
    `act` (a key of the catalogue's acts) and `sector` (a key of vocabulary.SECTORS) narrow
    it to one act or to the law of one kind of department; local rules have neither.

    The catalogue holds tens of entries, not thousands: matching in Python keeps odd
    characters (%, quotes, §) plain text, with no LIKE patterns to escape.
    """
    query = (query or "").strip()[:QUERY_MAX_LENGTH]
    entries = visible_requirements(owner_id)
    sections = set()
    for match in _SECTION_QUERY.finditer(query):
        number, letter = match.group(1), (match.group(2) or "").lower()
        # "§ 30 a" is § 30 a, but "§ 31 i LAB" is § 31 in LAB: a spaced letter may be either.
        sections |= {number + letter, number} if letter else {number}
    words = _SECTION_QUERY.sub(" ", query).casefold().split()
    _acts, groups = catalogue_metadata()

    def matches(requirement: Requirement) -> bool:
        if act and (requirement.is_local or requirement.act != act):
            return False
        if sector and sector not in (requirement.sectors or []):
            return False
        if sections and not sections & set(requirement.sections.split()):
            return False
        haystack = _haystack(requirement, groups)
        return all(word.strip("\"'") in haystack for word in words)

    # A retired local rule is offered for no new link: the cards that link it still show it.
    found = [r for r in entries if not r.is_retired and matches(r)]
    return sorted(found, key=_sort_key)


def _haystack(requirement: Requirement, groups: dict) -> str:
    parts = [
        requirement.key,
        requirement.act,
        requirement.paragraph,
        requirement.name_da,
        requirement.name_en,
        requirement.description,
        requirement.law_version,
        requirement.note,
        requirement.decided_by,
        " ".join(f"§ {s} §{s}" for s in requirement.sections.split()),
        " ".join(groups.get(g, "") for g in requirement.group_numbers),
        " ".join(change.get("text", "") for change in requirement.changes or []),
    ]
    return " ".join(parts).casefold()


def _sort_key(requirement: Requirement):
    # Law first in catalogue order (R01, R02 …, R10, then X01 …), then local rules.
    number = int(re.sub(r"\D", "", requirement.key) or 0)
    return (requirement.kind != "law", requirement.key[:1], number, requirement.key)


def catalogue_acts() -> dict[str, str]:
    """The acts a search can be narrowed to: key -> name, as the shipped file names them."""
    acts, _groups = catalogue_metadata()
    return {key: act.get("name", key) for key, act in acts.items()}


def requirement_by_key(key: str, owner_id: int | None = None) -> Requirement | None:
    requirement = db.session.scalar(select(Requirement).where(Requirement.key == (key or "")))
    if requirement is None:
        return None
    if requirement.is_local and not _same_organisation(requirement.owner_id, owner_id):
        return None  # another organisation's rule is not in this catalogue
    return requirement


def _same_organisation(one: int | None, other: int | None) -> bool:
    if one is None or other is None:
        return False
    if one == other:
        return True
    first, second = db.session.get(Facilitator, one), db.session.get(Facilitator, other)
    return (
        first is not None
        and second is not None
        and (first.organisation_id == second.organisation_id)
    )


def add_local_rule(
    owner: Facilitator,
    *,
    name: str,
    kind: str,
    description: str = "",
    decided_by: str = "",
    decided_on: date | None = None,
) -> Requirement:
    """Add one of the organisation's own rules, marked as local, beside the law."""
    name, description, decided_by = (
        tidy(name),
        tidy(description),
        tidy(decided_by),
    )
    if not name:
        raise WorkshopError(_("Give the rule a name."), code="name")
    if len(name) > LOCAL_NAME_MAX or len(description) > LOCAL_TEXT_MAX:
        raise WorkshopError(_("The name or the description is too long."), code="length")
    if len(decided_by) > 200:
        raise WorkshopError(_("'Decided by' can be at most 200 characters."), code="length")
    if kind not in LOCAL_RULE_KINDS:
        raise WorkshopError(_("Choose what kind of rule it is."), code="kind")
    names = db.session.scalars(
        select(Requirement.name_da).where(Requirement.owner_id.in_(organisation_members(owner.id)))
    )
    if any(existing.casefold() == name.casefold() for existing in names):
        raise WorkshopError(_("You already have a local rule with that name."), code="duplicate")
    requirement = Requirement(
        key=f"tmp-{secrets.token_hex(8)}",  # unique, and fits String(20) until renamed
        kind="local",
        name_da=name,
        description=description,
        local_kind=kind,
        decided_by=decided_by,
        decided_on=decided_on,
        owner_id=owner.id,
        status="in_force",
        confidence="verified",
        changes=[],
        sources=[],
    )
    db.session.add(requirement)
    db.session.flush()
    requirement.key = f"L{requirement.id}"  # stable, and never clashes with the law's R-ids
    requirement.versions.append(RequirementVersion(version=1, snapshot=entry_snapshot(requirement)))
    db.session.commit()
    return requirement


def local_rules(owner_id: int) -> list[Requirement]:
    return list(
        db.session.scalars(
            select(Requirement)
            .where(
                Requirement.kind == "local",
                Requirement.owner_id.in_(organisation_members(owner_id)),
            )
            .order_by(Requirement.name_da)
        )
    )
