"""The shipped requirement catalogue (workshop/data/catalogue.json) is well-formed data.

These tests read the file only; they need no app and no database.
"""

import json
import re
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

CATALOGUE_PATH = Path(__file__).resolve().parent.parent / "workshop" / "data" / "catalogue.json"

STATUSES = {"in_force", "changed", "repealed"}
EFFECTS = {"introduced", "loosened", "tightened", "repealed", "neutral", "planned"}
CONFIDENCES = {"verified", "likely", "unsure"}
ACT_KEYS = {"LAB", "LAS", "SDL", "LAF", "LOB", "SEL", "INL"}
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
    "sources": list,
    "note": str,
}
CHANGE_FIELDS = {"date": str, "effect": str, "law": str, "text": str}

ID_PATTERN = re.compile(r"R\d\d")
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
        for change in entry["changes"]:
            assert isinstance(change, dict), entry["id"]
            assert set(change) == set(CHANGE_FIELDS), entry["id"]
            for field, kind in CHANGE_FIELDS.items():
                assert isinstance(change[field], kind), (entry["id"], field)


def test_ids_are_unique_and_look_like_r_and_two_digits():
    ids = [entry["id"] for entry in entries()]
    assert len(ids) == len(set(ids))
    for entry_id in ids:
        assert ID_PATTERN.fullmatch(entry_id), entry_id


def test_r01_to_r28_from_the_brief_are_all_present():
    ids = {entry["id"] for entry in entries()}
    assert {f"R{n:02d}" for n in range(1, 29)} <= ids


def test_extra_entries_continue_the_numbering_without_gaps():
    numbers = sorted(int(entry["id"][1:]) for entry in entries())
    assert numbers == list(range(1, len(numbers) + 1))


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


def test_an_entry_without_target_groups_says_it_applies_to_all():
    for entry in entries():
        if not entry["target_groups"]:
            assert "alle" in entry["description"].casefold(), entry["id"]


def test_sections_are_plain_paragraph_numbers_listed_once():
    for entry in entries():
        assert len(entry["sections"]) == len(set(entry["sections"])), entry["id"]
        for section in entry["sections"]:
            assert SECTION_PATTERN.fullmatch(section), (entry["id"], section)


def test_statuses_effects_and_confidences_come_from_the_allowed_sets():
    for entry in entries():
        assert entry["status"] in STATUSES, entry["id"]
        assert entry["confidence"] in CONFIDENCES, entry["id"]
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


def test_every_entry_has_at_least_one_source_and_every_source_is_an_https_url():
    for entry in entries():
        assert entry["sources"], entry["id"]
        assert len(entry["sources"]) == len(set(entry["sources"])), entry["id"]
        for source in entry["sources"]:
            assert is_https_url(source), (entry["id"], source)


def test_an_entry_that_is_not_verified_explains_why_in_its_note():
    for entry in entries():
        if entry["confidence"] != "verified":
            assert entry["note"].strip(), entry["id"]
