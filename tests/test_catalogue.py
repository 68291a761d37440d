"""The requirement catalogue: loading and reloading, search, local rules, links, origins."""

import json
from datetime import date

import pytest

from workshop.catalogue import (
    CATALOGUE_FILE,
    add_local_rule,
    load_catalogue,
    requirement_by_key,
    search_requirements,
)
from workshop.core.errors import WorkshopError
from workshop.core.extensions import db
from workshop.core.models import CardRequirement, Requirement, RequirementVersion
from workshop.examination import (
    examine_card,
    link_requirement,
    origin_overview,
    prioritise,
    prioritised_cards,
    unlink_requirement,
)
from workshop.votes import cast_vote, set_voting_state

pytestmark = pytest.mark.usefixtures("ctx")


@pytest.fixture
def catalogue():
    return load_catalogue()


@pytest.fixture
def card(make, catalogue):
    course = make.course(step=2)
    return make.card(make.participant(course), "Vi holder samtaler hver 3. måned")


def keys(results):
    return [r.key for r in results]


def test_the_shipped_catalogue_loads_every_requirement(catalogue):
    shipped = json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))["requirements"]
    assert catalogue.added == len(shipped) >= 28
    r31 = requirement_by_key("R05")
    assert r31.act == "LAB"
    assert "31" in r31.sections.split()
    assert r31.version == 1
    assert len(r31.versions) == 1


def test_loading_again_changes_nothing(catalogue):
    again = load_catalogue()
    assert (again.added, again.changed, again.unchanged) == (0, 0, catalogue.added)


def test_a_reload_with_a_changed_entry_keeps_links_and_records_both_versions(card, tmp_path):
    link = link_requirement(card, "R06")
    data = json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))
    entry = next(e for e in data["requirements"] if e["id"] == "R06")
    entry["description"] = "Ny beskrivelse efter en lovændring."
    entry["law_version"] = "LBK 999/2027"
    changed_file = tmp_path / "catalogue.json"
    changed_file.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    report = load_catalogue(changed_file)

    assert report.changed == 1
    requirement = requirement_by_key("R06")
    assert requirement.version == 2
    assert requirement.description == "Ny beskrivelse efter en lovændring."
    link = db.session.get(CardRequirement, link.id)
    assert (link.version, link.is_outdated) == (1, True)
    assert link.law_version != "LBK 999/2027"
    snapshots = db.session.scalars(
        db.select(RequirementVersion).where(RequirementVersion.requirement_id == requirement.id)
    ).all()
    assert [s.version for s in snapshots] == [1, 2]
    assert snapshots[0].snapshot["description"] != "Ny beskrivelse efter en lovændring."
    assert link.as_linked["description"] == snapshots[0].snapshot["description"]


def test_a_reload_that_drops_an_entry_keeps_it_for_the_cards_linked_to_it(card, tmp_path):
    link_requirement(card, "R06")
    data = json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))
    data["requirements"] = [e for e in data["requirements"] if e["id"] != "R06"]
    smaller = tmp_path / "catalogue.json"
    smaller.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert load_catalogue(smaller).kept == 1
    assert [link.requirement.key for link in card.links] == ["R06"]


@pytest.mark.parametrize(
    "broken",
    [
        '{"format": 99, "requirements": []}',
        "not json",
        '{"format": 1}',
        '{"format": 1, "requirements": [{"id": "R01"}]}',
    ],
)
def test_a_broken_catalogue_file_is_refused_and_changes_nothing(catalogue, tmp_path, broken):
    path = tmp_path / "broken.json"
    path.write_text(broken, encoding="utf-8")
    before = db.session.scalar(db.select(db.func.count()).select_from(Requirement))
    with pytest.raises(WorkshopError):
        load_catalogue(path)
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(Requirement)) == before


@pytest.mark.parametrize("query", ["§ 31", "§31", "paragraf 31", "  § 31  "])
def test_search_by_paragraph_finds_the_interview_requirements(catalogue, query):
    found = keys(search_requirements(query))
    assert "R05" in found and "R06" in found
    assert all("31" in requirement_by_key(k).sections.split() for k in found)


def test_search_by_name_target_group_and_free_text(catalogue):
    assert "R12" in keys(search_requirements("min plan"))
    assert "R27" in keys(search_requirements("sygedagpenge"))
    assert "R10" in keys(search_requirements("selvbooking"))
    # Every word must match, in any field.
    assert keys(search_requirements("selvbooking zebra")) == []


def test_an_empty_search_lists_the_catalogue_in_order(catalogue):
    found = keys(search_requirements(""))
    assert found[:3] == ["R01", "R02", "R03"]


@pytest.mark.parametrize(
    "query", ["%", "'", '"', "§", "§§§ 999", "_", "x" * 5000, "\\", "%' OR 1=1 --"]
)
def test_odd_characters_in_a_search_are_plain_text(catalogue, query):
    assert isinstance(search_requirements(query), list)


def test_a_local_rule_lives_beside_the_law_only_for_its_organisation(make, catalogue):
    mine, theirs = make.facilitator(), make.facilitator(email="anden@example.dk")
    rule = add_local_rule(
        mine,
        name="Samtale hver 3. måned",
        kind="management_decision",
        description="Lokal skabelon",
        decided_by="Afdelingsledelsen",
        decided_on=date(2017, 9, 1),
    )
    assert rule.key.startswith("L") and rule.is_local
    assert rule.key in keys(search_requirements("3. måned", mine.id))
    assert rule.key not in keys(search_requirements("3. måned", theirs.id))
    assert requirement_by_key(rule.key, theirs.id) is None


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"name": "  ", "kind": "template"}, "name"),
        ({"name": "X", "kind": "kongelig anordning"}, "kind"),
        ({"name": "X" * 301, "kind": "template"}, "length"),
    ],
)
def test_a_local_rule_needs_a_name_and_a_known_kind(make, fields, code):
    with pytest.raises(WorkshopError) as refused:
        add_local_rule(make.facilitator(), **fields)
    assert refused.value.code == code


def test_the_same_local_rule_name_twice_is_refused(make):
    owner = make.facilitator()
    add_local_rule(owner, name="Skabelon", kind="template")
    with pytest.raises(WorkshopError) as refused:
        add_local_rule(owner, name="skabelon", kind="template")
    assert refused.value.code == "duplicate"


def test_a_link_remembers_the_entry_and_its_law_version(card):
    link = link_requirement(card, "R06")
    requirement = requirement_by_key("R06")
    assert (link.version, link.law_version) == (requirement.version, requirement.law_version)
    assert card.course.revision > 1


def test_linking_an_unknown_or_duplicate_requirement_is_refused(card):
    with pytest.raises(WorkshopError) as unknown:
        link_requirement(card, "R999")
    assert unknown.value.code == "unknown"
    link_requirement(card, "R06")
    with pytest.raises(WorkshopError) as duplicate:
        link_requirement(card, "R06")
    assert duplicate.value.code == "duplicate"
    assert len(card.links) == 1


def test_a_card_cannot_link_another_organisations_local_rule(make, card):
    other = add_local_rule(
        make.facilitator(email="anden@example.dk"), name="Fremmed regel", kind="template"
    )
    with pytest.raises(WorkshopError):
        link_requirement(card, other.key)


def test_a_link_can_be_removed(card):
    link = link_requirement(card, "R12")
    unlink_requirement(card, link.id)
    assert card.links == []


def test_a_repealed_or_loosened_requirement_hints_at_habit(catalogue):
    hinted = [r for r in search_requirements("") if r.may_be_habit]
    assert hinted, "the 2020 simplification loosened several requirements"
    assert all(
        r.status == "repealed" or any(c["effect"] in ("loosened", "repealed") for c in r.changes)
        for r in hinted
    )


def test_examining_a_card_records_origin_problem_and_stakeholders(card):
    examine_card(
        card, origin="local_practice", problem="Skabelonen er gammel", stakeholders="Ledelsen"
    )
    assert (card.origin, card.problem, card.stakeholders) == (
        "local_practice",
        "Skabelonen er gammel",
        "Ledelsen",
    )
    with pytest.raises(WorkshopError):
        examine_card(card, origin="gud")
    with pytest.raises(WorkshopError):
        examine_card(card, origin="unknown", problem="x" * 2001)


def test_prioritising_says_when_and_why(card):
    with pytest.raises(WorkshopError) as no_when:
        prioritise(card, "later")
    assert no_when.value.code == "later_when"
    with pytest.raises(WorkshopError) as no_reason:
        prioritise(card, "out_of_scope")
    assert no_reason.value.code == "reason"
    prioritise(card, "later", later_when="I marts", reason="ignored")
    assert (card.priority, card.later_when, card.out_of_scope_reason) == ("later", "I marts", "")
    prioritise(card, "prioritised")
    assert card.later_when == ""
    assert prioritised_cards(card.course) == [card]
    with pytest.raises(WorkshopError):
        prioritise(card, "måske")


def test_the_origin_overview_counts_cards_and_dots_by_origin(make, catalogue):
    course = make.course(step=2, dot_budget=5)
    person = make.participant(course)
    law = make.card(person, "Selvbooking")
    habit = make.card(person, "Samtaler hver 3. måned")
    unknown = make.card(person, "Sundhedsområdet svarer ikke")
    examine_card(law, origin="national_law")
    examine_card(habit, origin="local_practice")
    set_voting_state(course, "voting")
    cast_vote(person, habit, 3)
    cast_vote(person, law, 1)
    cast_vote(person, unknown, 1)
    overview = origin_overview(course)
    rows = {row.origin: (row.cards, row.votes) for row in overview.rows}
    assert rows["national_law"] == (1, 1)
    assert rows["local_practice"] == (1, 3)
    assert rows["unknown"] == (1, 1)
    assert overview.groups == {"state": (1, 1), "local": (1, 3), "unknown": (1, 1)}
    assert overview.total_cards == 3


# --- Beyond LAB (issue 14): cross-sector entries, statuses, sectors, confidence per fact ---


def _write(tmp_path, data, name="catalogue.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def _as_before_issue_14(data):
    """The shipped file as it read before the cross-sector entries: no X entries, no
    sectors or confidence notes, R25/R26 plainly repealed."""
    old = json.loads(json.dumps(data))
    old["requirements"] = [e for e in old["requirements"] if e["id"].startswith("R")]
    for entry in old["requirements"]:
        entry.pop("sectors")
        entry.pop("confidence_notes")
        if entry["status"] == "closed_to_new":
            entry["status"] = "repealed"
            for change in entry["changes"]:
                if change["effect"] == "closed_to_new":
                    change["effect"] = "repealed"
    return old


def test_the_cross_sector_entries_load_with_act_sectors_and_confidence_per_fact(catalogue):
    x10 = requirement_by_key("X10")
    assert (x10.act, x10.paragraph, x10.status) == ("LOB", "§§ 3, 9–12", "repealed")
    assert x10.sectors == ["employment", "social", "health", "region"]
    assert {note["confidence"] for note in x10.confidence_notes} == {"verified", "unsure"}
    assert x10.confidence == "unsure"  # the weakest of its facts
    assert x10.versions[0].snapshot["confidence_notes"] == x10.confidence_notes


def test_upgrading_from_the_old_file_versions_only_what_changed(app, tmp_path, make):
    shipped = json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))
    load_catalogue(_write(tmp_path, _as_before_issue_14(shipped), "old.json"))
    course = make.course(step=2)
    card = make.card(make.participant(course), "Ressourceforløbet skal til teamet igen")
    link = link_requirement(card, "R25")

    report = load_catalogue()

    assert report.added == 20  # X01–X20
    # R25 and R26: closed to new cases; R07, R09 and R14: confidence per fact
    assert report.changed == 5
    r01, r25 = requirement_by_key("R01"), requirement_by_key("R25")
    # The sectors sort the catalogue without a new version: R01's links are not outdated.
    assert (r01.version, r01.sectors) == (1, ["employment"])
    assert (r25.version, r25.status) == (2, "closed_to_new")
    link = db.session.get(CardRequirement, link.id)
    assert (link.version, link.is_outdated, link.as_linked["status"]) == (1, True, "repealed")


def test_a_catalogue_entry_with_an_unknown_sector_or_status_is_refused(catalogue, tmp_path):
    data = json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))
    for field, value in (("sectors", ["employmnet"]), ("status", "suspended")):
        changed = json.loads(json.dumps(data))
        changed["requirements"][0][field] = value
        with pytest.raises(WorkshopError):
            load_catalogue(_write(tmp_path, changed))
        db.session.rollback()
    assert requirement_by_key("R01").sectors == ["employment"]
    assert requirement_by_key("R01").status == "in_force"


@pytest.mark.parametrize("key", ["R25", "R26", "X08", "X09"])
def test_a_rule_closed_to_new_cases_still_binds_running_ones_and_is_no_habit(catalogue, key):
    requirement = requirement_by_key(key)
    assert requirement.binds_running_cases
    assert requirement.is_law
    assert not requirement.may_be_habit


def test_closed_to_new_cases_keeps_the_habit_hint_off_even_after_a_loosening(catalogue):
    requirement = requirement_by_key("R25")
    requirement.changes = [*requirement.changes, {"effect": "loosened", "date": "2026-07-01"}]
    assert not requirement.may_be_habit
    requirement.status = "repealed"
    assert requirement.may_be_habit


@pytest.mark.parametrize("key", ["X18", "X19", "X20"])
def test_a_planned_or_never_adopted_entry_is_no_law_and_cannot_be_linked(card, key):
    requirement = requirement_by_key(key)
    assert not requirement.is_law
    assert not requirement.may_be_habit
    with pytest.raises(WorkshopError) as refused:
        link_requirement(card, key)
    assert refused.value.code == "not_law"
    assert card.links == []


def test_search_narrows_to_one_act(catalogue):
    assert keys(search_requirements("", act="SEL")) == ["X02", "X03", "X04", "X18"]
    assert keys(search_requirements("handleplan", act="SEL")) == ["X02", "X03", "X04"]
    assert keys(search_requirements("", act="RSL")) == ["X14", "X16"]


def test_search_narrows_to_the_law_of_one_kind_of_department(catalogue):
    youth = keys(search_requirements("", sector="youth"))
    assert youth == ["X05", "X17"]
    region = keys(search_requirements("", sector="region"))
    assert "X12" in region and not any(key.startswith("R") for key in region)
    assert keys(search_requirements("plan", sector="social", act="BL")) == ["X05"]


def test_a_sector_filter_leaves_local_rules_out(make, catalogue):
    facilitator = make.facilitator()
    add_local_rule(facilitator, name="Samtykkeskema til alt", kind="template")
    everything = keys(search_requirements("samtykke", facilitator.id))
    assert any(key.startswith("L") for key in everything)
    social = keys(search_requirements("samtykke", facilitator.id, sector="social"))
    assert social and not any(key.startswith("L") for key in social)


def test_the_employment_entries_come_before_the_cross_sector_ones(catalogue):
    found = keys(search_requirements(""))
    assert found.index("R28") < found.index("X01") < found.index("X20")
    assert found[:3] == ["R01", "R02", "R03"]
