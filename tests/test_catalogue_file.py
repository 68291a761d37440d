"""The shipped requirement catalogue (workshop/data/catalogue.json) is well-formed data.

These tests read the file only; they need no app and no database.
"""

import json
import re
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

CATALOGUE_PATH = Path(__file__).resolve().parent.parent / "workshop" / "data" / "catalogue.json"

STATUSES = {"in_force", "changed", "repealed", "closed_to_new", "planned", "not_adopted"}
NOT_LAW = {"planned", "not_adopted"}
EFFECTS = {
    "introduced",
    "loosened",
    "tightened",
    "repealed",
    "closed_to_new",
    "neutral",
    "planned",
}
CONFIDENCES = {"verified", "likely", "unsure"}
CONFIDENCE_ORDER = ["unsure", "likely", "verified"]  # weakest first
ACT_KEYS = {
    "LAB",
    "LAS",
    "SDL",
    "LAF",
    "LOB",
    "SEL",
    "INL",
    # The cross-sector entries (cross-sector.md): barnets lov, retssikkerhedsloven and its
    # guidance, forvaltningsloven, the 2025 reform act, and two that are not law.
    "BL",
    "RSL",
    "RSVEJL",
    "FVL",
    "LOV1750",
    "HOI",
    "NY-LAB",
}
SECTORS = {
    "employment",
    "social",
    "health",
    "youth",
    "benefits",
    "region",
    "vendor",
    "politics",
    "other",
}
GROUP_KEYS = {str(n) for n in range(1, 14)}

REQUIRED_FIELDS = {
    "id": str,
    "name_da": str,
    "name_en": str,
    "act": str,
    "paragraph": str,
    "sections": list,
    "target_groups": list,
    "description": str,
    "law_version": str,
    "status": str,
    "changes": list,
    "confidence": str,
    "confidence_notes": list,
    "sources": list,
    "note": str,
    "sectors": list,
}
CONFIDENCE_NOTE_FIELDS = {"fact": str, "confidence": str}
CHANGE_FIELDS = {"date": str, "effect": str, "law": str, "text": str}

# R: the employment acts (lab-requirements.md); X: across departments (cross-sector.md).
ID_PATTERN = re.compile(r"[RX]\d\d")
SECTION_PATTERN = re.compile(r"\d+[a-z]?")


def load():
    return json.loads(CATALOGUE_PATH.read_text(encoding="utf-8"))


def entries():
    return load()["requirements"]


def is_https_url(value):
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme == "https" and bool(parts.netloc)


def test_the_file_has_format_1_a_dated_version_and_exactly_five_top_level_keys():
    data = load()
    assert set(data) == {"format", "catalogue_version", "acts", "target_groups", "requirements"}
    assert data["format"] == 1
    assert isinstance(data["format"], int) and not isinstance(data["format"], bool)
    date.fromisoformat(data["catalogue_version"])
    assert isinstance(data["requirements"], list) and data["requirements"]


def test_the_file_is_utf8_json_with_two_space_indent():
    raw = CATALOGUE_PATH.read_text(encoding="utf-8")
    assert raw == json.dumps(json.loads(raw), ensure_ascii=False, indent=2) + "\n"


def test_every_act_has_a_name_a_version_and_an_https_source():
    acts = load()["acts"]
    assert set(acts) == ACT_KEYS
    for key, act in acts.items():
        assert set(act) == {"name", "version", "source"}, key
        assert isinstance(act["name"], str) and act["name"].strip(), key
        assert isinstance(act["version"], str) and act["version"].strip(), key
        assert is_https_url(act["source"]), key


def test_target_groups_are_the_thirteen_numbered_groups_of_lab_section_6():
    groups = load()["target_groups"]
    assert set(groups) == GROUP_KEYS
    for key, label in groups.items():
        assert isinstance(label, str) and label.strip(), key


def test_every_entry_has_every_required_field_with_the_right_type():
    for entry in entries():
        assert set(entry) == set(REQUIRED_FIELDS), entry.get("id")
        for field, kind in REQUIRED_FIELDS.items():
            assert isinstance(entry[field], kind), (entry["id"], field)
        for field in ("sections", "target_groups", "sources"):
            assert all(isinstance(item, str) for item in entry[field]), (entry["id"], field)
        for item in entry["confidence_notes"]:
            assert isinstance(item, dict) and set(item) == set(CONFIDENCE_NOTE_FIELDS), entry["id"]
            for field, kind in CONFIDENCE_NOTE_FIELDS.items():
                assert isinstance(item[field], kind) and item[field].strip(), entry["id"]
        assert all(isinstance(item, str) for item in entry["sectors"]), entry["id"]
        for change in entry["changes"]:
            assert isinstance(change, dict), entry["id"]
            assert set(change) == set(CHANGE_FIELDS), entry["id"]
            for field, kind in CHANGE_FIELDS.items():
                assert isinstance(change[field], kind), (entry["id"], field)


def test_ids_are_unique_and_look_like_r_or_x_and_two_digits():
    ids = [entry["id"] for entry in entries()]
    assert len(ids) == len(set(ids))
    for entry_id in ids:
        assert ID_PATTERN.fullmatch(entry_id), entry_id


def test_r01_to_r28_from_the_brief_are_all_present():
    ids = {entry["id"] for entry in entries()}
    assert {f"R{n:02d}" for n in range(1, 29)} <= ids


def test_x01_to_x20_from_the_cross_sector_facts_are_all_present():
    ids = {entry["id"] for entry in entries()}
    assert {f"X{n:02d}" for n in range(1, 21)} <= ids


def test_extra_entries_continue_the_numbering_without_gaps():
    for prefix in "RX":
        numbers = sorted(int(e["id"][1:]) for e in entries() if e["id"].startswith(prefix))
        assert numbers == list(range(1, len(numbers) + 1)), prefix


def test_no_entry_has_an_empty_name_description_paragraph_or_law_version():
    for entry in entries():
        for field in ("name_da", "name_en", "description", "paragraph", "law_version"):
            assert entry[field].strip(), (entry["id"], field)


def test_every_act_named_by_an_entry_is_a_key_of_acts():
    acts = load()["acts"]
    for entry in entries():
        assert entry["act"] in acts, entry["id"]


def test_every_target_group_of_an_entry_is_a_key_of_target_groups_and_listed_once():
    groups = load()["target_groups"]
    for entry in entries():
        assert len(entry["target_groups"]) == len(set(entry["target_groups"])), entry["id"]
        for group in entry["target_groups"]:
            assert group in groups, (entry["id"], group)


def test_an_entry_without_target_groups_says_it_applies_to_all_or_names_its_group():
    # LAB § 6's numbered groups do not cover the social, children's or consent rules:
    # such an entry names its group ("Målgruppe: …") in words instead.
    for entry in entries():
        if not entry["target_groups"]:
            description = entry["description"].casefold()
            assert "alle" in description or "målgruppe" in description, entry["id"]


def test_sections_are_plain_paragraph_numbers_listed_once():
    for entry in entries():
        assert len(entry["sections"]) == len(set(entry["sections"])), entry["id"]
        for section in entry["sections"]:
            assert SECTION_PATTERN.fullmatch(section), (entry["id"], section)


def test_statuses_effects_and_confidences_come_from_the_allowed_sets():
    for entry in entries():
        assert entry["status"] in STATUSES, entry["id"]
        assert entry["confidence"] in CONFIDENCES, entry["id"]
        for item in entry["confidence_notes"]:
            assert item["confidence"] in CONFIDENCES, entry["id"]
        for change in entry["changes"]:
            assert change["effect"] in EFFECTS, (entry["id"], change["date"])


def test_change_dates_parse_as_iso_dates_and_come_in_date_order():
    for entry in entries():
        dates = [date.fromisoformat(change["date"]) for change in entry["changes"]]
        assert dates == sorted(dates), entry["id"]


def test_every_change_has_a_text():
    for entry in entries():
        for change in entry["changes"]:
            assert change["text"].strip(), (entry["id"], change["date"])


def test_every_entry_names_known_sectors_once_and_at_least_one():
    for entry in entries():
        assert entry["sectors"], entry["id"]
        assert len(entry["sectors"]) == len(set(entry["sectors"])), entry["id"]
        assert set(entry["sectors"]) <= SECTORS, entry["id"]


def test_the_employment_acts_entries_belong_to_employment():
    for entry in entries():
        if entry["id"].startswith("R"):
            assert entry["sectors"] == ["employment"], entry["id"]


def test_confidence_notes_differ_and_the_entry_carries_the_weakest():
    # Notes are there because the facts of one entry differ (the paragraph verified, a date
    # likely); the entry's own confidence is then never stronger than its weakest fact.
    for entry in entries():
        notes = [item["confidence"] for item in entry["confidence_notes"]]
        if notes:
            assert len(set(notes)) > 1, entry["id"]
            assert entry["confidence"] == min(notes, key=CONFIDENCE_ORDER.index), entry["id"]


def test_an_entry_whose_own_words_doubt_a_date_is_not_verified_whole():
    # A change text saying "dato sandsynlig" or "ikke afklaret" while the entry claims
    # "verified" overstated the facts (X08, X09, X13 did): the date gets its own note.
    doubting = re.compile(r"sandsynlig|ikke afklaret", re.IGNORECASE)
    for entry in entries():
        words = " ".join([entry["note"], *(change["text"] for change in entry["changes"])])
        if doubting.search(words):
            assert entry["confidence"] != "verified", entry["id"]


def test_an_entry_that_is_not_law_says_what_it_is_and_never_records_a_change_in_law():
    for entry in entries():
        if entry["status"] in NOT_LAW:
            assert entry["law_version"].startswith(("Ingen lov", "Lovforslag", "Lovudkast"))
            assert {change["effect"] for change in entry["changes"]} <= {"planned"}, entry["id"]
            assert entry["note"].strip(), entry["id"]


def test_the_hoi_law_was_never_adopted_and_the_2027_act_is_only_planned():
    by_id = {entry["id"]: entry for entry in entries()}
    assert by_id["X19"]["status"] == "not_adopted"
    assert by_id["X20"]["status"] == "planned"
    assert by_id["X18"]["status"] == "planned"  # a bill whose adoption is not checked


def test_resource_courses_and_vocational_rehabilitation_are_closed_to_new_cases_only():
    for key in ("R25", "R26", "X08", "X09"):
        entry = next(e for e in entries() if e["id"] == key)
        assert entry["status"] == "closed_to_new", key


def test_a_closed_entry_has_a_change_that_closed_it_and_only_closed_ones_do():
    for entry in entries():
        closing = any(change["effect"] == "closed_to_new" for change in entry["changes"])
        assert closing == (entry["status"] == "closed_to_new"), entry["id"]


def test_planned_changes_lie_after_the_catalogue_version_and_real_ones_not():
    version = date.fromisoformat(load()["catalogue_version"])
    for entry in entries():
        for change in entry["changes"]:
            when = date.fromisoformat(change["date"])
            if change["effect"] == "planned":
                assert when > version, (entry["id"], change["date"])
            else:
                assert when <= version, (entry["id"], change["date"])


def test_a_repealed_entry_has_a_change_that_repealed_it():
    for entry in entries():
        if entry["status"] == "repealed":
            effects = {change["effect"] for change in entry["changes"]}
            assert "repealed" in effects, entry["id"]


def test_only_repealed_entries_have_a_repealing_change():
    for entry in entries():
        if any(change["effect"] == "repealed" for change in entry["changes"]):
            assert entry["status"] == "repealed", entry["id"]


def test_a_changed_entry_was_loosened_or_tightened_and_an_in_force_one_was_not():
    for entry in entries():
        effects = {change["effect"] for change in entry["changes"]}
        if entry["status"] == "changed":
            assert effects & {"loosened", "tightened"}, entry["id"]
        if entry["status"] == "in_force":
            assert not effects & {"loosened", "tightened", "repealed"}, entry["id"]


# Two sources of cross-sector.md (S13, S35 on socialjura.dk) are plain http addresses;
# they are kept exactly as the facts give them rather than guessed to https.
HTTP_SOURCES_AS_GIVEN = {
    "http://socialjura.dk/content-storage/regler/2021/skr-10112-af-2312-2021",
    "http://socialjura.dk/content-storage/regler/2019/vejl-10047-af-2511-2019/menu/"
    "forsoergelse-aktivering/?cHash=09970b7c228d7d76dcb4eddb05c982b7&showpage=1",
}


def test_every_entry_has_at_least_one_source_and_every_source_is_an_https_url():
    for entry in entries():
        assert entry["sources"], entry["id"]
        assert len(entry["sources"]) == len(set(entry["sources"])), entry["id"]
        for source in entry["sources"]:
            assert is_https_url(source) or source in HTTP_SOURCES_AS_GIVEN, (entry["id"], source)


def test_an_entry_that_is_not_verified_explains_why_in_its_note():
    for entry in entries():
        if entry["confidence"] != "verified":
            assert entry["note"].strip(), entry["id"]
