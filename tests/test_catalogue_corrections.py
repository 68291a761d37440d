"""The catalogue people can correct (issue 18 point 5): an organisation admin's correction of
a law entry beside the shipped entry, flagged when a reload changes the entry; local rules
edited, retired and marked repealed by a course whose action removed them."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from tests.test_report import flat, pages_text, render
from workshop.actions import set_action_status
from workshop.catalogue import (
    CATALOGUE_FILE,
    add_local_rule,
    load_catalogue,
    requirement_by_key,
    search_requirements,
)
from workshop.core.clock import local_today
from workshop.core.errors import WorkshopError
from workshop.core.extensions import db
from workshop.core.models import Action, AuditEvent, Card, Course, Facilitator, Requirement
from workshop.corrections import (
    corrections_for,
    edit_local_rule,
    law_entry,
    mark_rule_repealed,
    repeal_offers,
    retire_local_rule,
    save_correction,
    undo_repeal,
)
from workshop.courses import go_to_step
from workshop.examination import link_requirement
from workshop.exchange import export_course_json, import_course

NOTE = "Fjordby holder første samtale inden 5 dage efter byrådsbeslutning."
SOURCE = "Byrådsbeslutning 12.3.2026, pkt. 7"


@dataclass
class World:
    admin: int
    colleague: int
    other_admin: int
    course: int
    code: str
    card: int  # linked to R05 and to the local rule, with a "remove" solution and its action
    action: int
    rule: str  # the local rule's key


def _world(app, make, *, kind="remove", link_rule=True) -> World:
    """Jobcenter Fjordby (an admin and a colleague, who runs a course) and Jobcenter Bakkedal
    (an admin of its own)."""
    with app.app_context():
        load_catalogue()
        fjordby = make.organisation("Jobcenter Fjordby")
        admin = make.facilitator("admin@fjordby.dk", organisation=fjordby, is_admin=True)
        colleague = make.facilitator("kollega@fjordby.dk", organisation=fjordby)
        other = make.facilitator(
            "admin@bakkedal.dk", organisation=make.organisation("Jobcenter Bakkedal"), is_admin=True
        )
        course = make.course(colleague, step=2, title="Mindre bøvl i Fjordby")
        owner = make.participant(course, name="Ejer")
        card = make.challenge(owner, "Vi udfylder tjekskemaet før hver samtale")
        link_requirement(card, "R05")
        rule = add_local_rule(colleague, name="Tjekskema før samtaler", kind="template")
        if link_rule:
            link_requirement(card, rule.key)
        action = make.action(make.solution(owner, card, "Drop tjekskemaet", kind=kind))
        return World(
            admin.id,
            colleague.id,
            other.id,
            course.id,
            course.join_code,
            card.id,
            action.id,
            rule.key,
        )


def _correct(app, facilitator_id: int, key="R05", **fields):
    values = {"note": NOTE, "source": SOURCE, "confidence": "verified", **fields}
    with app.app_context():
        return save_correction(
            db.session.get(Facilitator, facilitator_id), law_entry(key), **values
        ).id


def _login(client, email):
    return client.post("/login", data={"email": email, "password": "correct horse"})


# --- Corrections of law entries -------------------------------------------------------------


def test_an_admin_corrects_a_law_entry_for_their_organisation_and_the_shipped_entry_stays(
    app, make
):
    world = _world(app, make)
    with app.app_context():
        before = {c: getattr(requirement_by_key("R05"), c) for c in ("paragraph", "status")}
    _correct(app, world.admin, paragraph="§ 31, stk. 5", status="repealed")
    with app.app_context():
        entry = requirement_by_key("R05")
        assert {c: getattr(entry, c) for c in ("paragraph", "status")} == before
        correction = corrections_for(db.session.get(Facilitator, world.admin).organisation_id)[
            entry.id
        ]
        assert (correction.paragraph, correction.status, correction.source) == (
            "§ 31, stk. 5",
            "repealed",
            SOURCE,
        )
        assert (correction.against_version, correction.may_be_outdated) == (entry.version, False)


def test_a_facilitator_who_is_not_admin_cannot_correct_the_catalogue(app, make, client):
    world = _world(app, make)
    with app.app_context():
        with pytest.raises(WorkshopError) as refused:
            save_correction(
                db.session.get(Facilitator, world.colleague),
                law_entry("R05"),
                note=NOTE,
                source=SOURCE,
                confidence="likely",
            )
        assert refused.value.code == "admin"
    _login(client, "kollega@fjordby.dk")
    assert client.get("/f/catalogue/R05/correction").status_code == 403
    data = {"note": NOTE, "source": SOURCE, "confidence": "likely"}
    assert client.post("/f/catalogue/R05/correction", data=data).status_code == 403
    with app.app_context():
        assert corrections_for(db.session.get(Facilitator, world.colleague).organisation_id) == {}


def test_a_correction_without_a_source_is_refused_and_what_was_typed_stays(app, make, client):
    _world(app, make)
    _login(client, "admin@fjordby.dk")
    page = client.post(
        "/f/catalogue/R05/correction", data={"note": NOTE, "source": "", "confidence": "likely"}
    )
    assert page.status_code == 422
    assert "Skriv, hvor det kommer fra" in page.text and NOTE in page.text


def test_the_admin_saves_a_correction_through_the_form_and_it_shows_beside_the_entry(
    app, make, client
):
    _world(app, make)
    _login(client, "admin@fjordby.dk")
    form = client.get("/f/catalogue/R05/correction")
    assert form.status_code == 200 and "Det leverede opslag" in form.text
    saved = client.post(
        "/f/catalogue/R05/correction",
        data={"note": NOTE, "source": SOURCE, "confidence": "verified", "status": ""},
        follow_redirects=True,
    )
    assert saved.status_code == 200 and "Lokal rettelse" in saved.text
    search = client.get("/f/catalogue?q=R05")
    assert NOTE in search.text and SOURCE in search.text and "Lokal rettelse" in search.text
    assert "Ret jeres organisations rettelse" in search.text


def test_only_the_organisations_own_users_see_its_correction(app, make, client):
    world = _world(app, make)
    _correct(app, world.admin)
    _login(client, "kollega@fjordby.dk")
    assert NOTE in client.get("/f/catalogue?q=R05").text
    assert NOTE in client.get(f"/f/courses/{world.course}/projector/catalogue?q=R05").text
    assert NOTE in client.get(f"/f/courses/{world.course}/cards/{world.card}").text
    client.post("/logout")
    _login(client, "admin@bakkedal.dk")
    page = client.get("/f/catalogue?q=R05")
    assert page.status_code == 200 and "R05" in page.text
    assert NOTE not in page.text and "Lokal rettelse" not in page.text


def test_a_phone_in_the_organisations_course_sees_that_a_correction_exists_and_its_note(app, make):
    world = _world(app, make)
    _correct(app, world.admin)
    phone = app.test_client()
    phone.post(f"/j/{world.code}", data={"role": "medarbejder"})
    page = phone.get(f"/c/{world.code}/catalogue?q=R05")
    assert page.status_code == 200
    assert "Lokal rettelse" in page.text and NOTE in page.text


def test_a_reload_that_changes_the_entry_flags_the_correction_until_the_admin_confirms(
    app, make, client, tmp_path
):
    world = _world(app, make)
    _correct(app, world.admin)
    data = json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))
    entry = next(e for e in data["requirements"] if e["id"] == "R05")
    entry["description"] = "Ny beskrivelse efter reformen."
    changed = tmp_path / "catalogue.json"
    changed.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with app.app_context():
        assert load_catalogue(changed).changed == 1
    _login(client, "admin@fjordby.dk")
    search = client.get("/f/catalogue?q=R05")
    assert "Kan være forældet – det leverede opslag er ændret siden." in search.text
    assert "Rettelser, der kan være forældede" in search.text
    assert client.post("/f/catalogue/R05/correction/confirm").status_code == 302
    search = client.get("/f/catalogue?q=R05")
    assert "Kan være forældet" not in search.text and NOTE in search.text


def test_a_reload_that_leaves_the_entry_alone_does_not_flag_the_correction(app, make):
    world = _world(app, make)
    _correct(app, world.admin)
    with app.app_context():
        load_catalogue()
        correction = next(
            iter(corrections_for(db.session.get(Course, world.course).organisation_id).values())
        )
        assert correction.may_be_outdated is False


def test_a_corrected_status_never_changes_the_law_checks(app, make):
    """A claim that the entry is "planned, not law" is shown with its source; the shipped
    facts still decide what a card may be linked to and what may be habit."""
    world = _world(app, make)
    with app.app_context():
        shipped = requirement_by_key("R06")
        before = (shipped.status, shipped.is_law, shipped.may_be_habit)
    _correct(app, world.admin, key="R06", status="planned")
    with app.app_context():
        entry = requirement_by_key("R06")
        assert (entry.status, entry.is_law, entry.may_be_habit) == before
        assert entry.is_law
        card = db.session.get(Card, world.card)
        link_requirement(card, "R06")  # not refused: the shipped entry is law
        assert any(link.requirement.key == "R06" for link in card.links)


def test_the_course_file_and_the_experience_bank_carry_no_correction(app, make):
    world = _world(app, make)
    _correct(app, world.admin)
    with app.app_context():
        exported = export_course_json(db.session.get(Course, world.course)).decode()
    assert NOTE not in exported and SOURCE not in exported


# --- Local rules: edit, retire ---------------------------------------------------------------


def test_editing_a_local_rule_gives_a_new_version_and_the_linked_card_keeps_its_wording(app, make):
    world = _world(app, make)
    with app.app_context():
        rule = requirement_by_key(world.rule, world.colleague)
        edit_local_rule(
            db.session.get(Facilitator, world.colleague),
            rule,
            name="Tjekskema før alle samtaler",
            kind="template",
            description="Skemaet udfyldes før hver samtale.",
        )
        link = next(lk for lk in db.session.get(Card, world.card).links if lk.requirement == rule)
        assert (rule.version, link.version, link.is_outdated) == (2, 1, True)
        assert link.as_linked["name_da"] == "Tjekskema før samtaler"


def test_another_organisations_facilitator_cannot_open_or_retire_the_rule(app, make, client):
    world = _world(app, make)
    _login(client, "admin@bakkedal.dk")
    assert client.get(f"/f/catalogue/local/{world.rule}/edit").status_code == 404
    assert (
        client.post(f"/f/catalogue/local/{world.rule}/retired", data={"value": "1"}).status_code
        == 404
    )
    with app.app_context():
        assert requirement_by_key(world.rule, world.colleague).retired_at is None


def test_a_retired_rule_is_not_offered_for_new_links_but_shows_on_the_cards_that_link_it(
    app, make, client
):
    world = _world(app, make)
    _login(client, "kollega@fjordby.dk")
    assert (
        client.post(f"/f/catalogue/local/{world.rule}/retired", data={"value": "1"}).status_code
        == 302
    )
    with app.app_context():
        rule = requirement_by_key(world.rule, world.colleague)
        assert rule.is_retired
        assert world.rule not in [r.key for r in search_requirements("Tjekskema", world.colleague)]
        # Another course of the organisation, collecting cards: the rule is not offered.
        other = make.course(db.session.get(Facilitator, world.admin), step=2, title="Forløb 2")
        other_card = make.card(make.participant(other), "Et andet kort")
        with pytest.raises(WorkshopError) as refused:
            link_requirement(other_card, world.rule)
        assert refused.value.code == "retired"
        assert db.session.get(Card, world.card).links[-1].requirement.key == world.rule
    card_page = client.get(f"/f/courses/{world.course}/cards/{world.card}")
    assert "Tjekskema før samtaler" in card_page.text and "udgået" in card_page.text
    catalogue = client.get("/f/catalogue")
    assert "Tjekskema før samtaler" in catalogue.text and "udgået" in catalogue.text


# --- A local rule repealed by a course ---------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "status", "link_rule", "offered"),
    [
        ("remove", "implemented", True, True),
        ("remove", "in_test", True, False),
        ("change", "implemented", True, False),
        ("remove", "implemented", False, False),  # the card links only the law
    ],
)
def test_the_repeal_prompt_appears_only_for_an_implemented_removal_of_a_local_rule(
    app, make, client, kind, status, link_rule, offered
):
    world = _world(app, make, kind=kind, link_rule=link_rule)
    with app.app_context():
        action = db.session.get(Action, world.action)
        set_action_status(action, status)
        assert bool(repeal_offers(action)) is offered
    _login(client, "kollega@fjordby.dk")
    page = client.get(f"/f/courses/{world.course}/actions/{world.action}")
    assert ("Markér som ophævet i dag" in page.text) is offered
    with app.app_context():
        go_to_step(db.session.get(Course, world.course), 4)
    panel = client.get(f"/f/courses/{world.course}")
    assert ("markér reglen som ophævet" in panel.text) is offered


def test_marking_the_rule_repealed_is_refused_when_the_action_did_not_remove_it(app, make):
    world = _world(app, make, kind="change")
    with app.app_context():
        action = db.session.get(Action, world.action)
        set_action_status(action, "implemented")
        with pytest.raises(WorkshopError):
            mark_rule_repealed(action, requirement_by_key(world.rule, world.colleague))
        assert requirement_by_key(world.rule, world.colleague).repealed_on is None


def test_a_rule_marked_repealed_shows_so_on_every_card_of_the_organisation_that_links_it(
    app, make, client
):
    world = _world(app, make)
    with app.app_context():
        set_action_status(db.session.get(Action, world.action), "implemented")
        # Another course of the organisation, whose card links the same rule.
        other = make.course(db.session.get(Facilitator, world.admin), step=2, title="Forløb 2")
        other_card = make.card(make.participant(other), "Skemaet igen")
        link_requirement(other_card, world.rule)
        other_id, other_card_id = other.id, other_card.id
    _login(client, "kollega@fjordby.dk")
    done = client.post(
        f"/f/courses/{world.course}/actions/{world.action}/repealed/{world.rule}",
        data={"confirmed": "1"},
    )
    assert done.status_code == 302
    with app.app_context():
        rule = requirement_by_key(world.rule, world.colleague)
        assert rule.repealed_on is not None and rule.repealed_by_course_id == world.course
        assert rule.status == "repealed" and rule.may_be_habit
        assert repeal_offers(db.session.get(Action, world.action)) == []
    for page in (
        client.get(f"/f/courses/{other_id}/cards/{other_card_id}"),
        client.get(f"/f/courses/{world.course}/cards/{world.card}"),
        client.get(f"/f/courses/{world.course}/actions/{world.action}"),
    ):
        assert "ophævet" in page.text and "forløb Mindre bøvl i Fjordby" in page.text


def test_the_repeal_travels_in_the_course_file_with_the_course_named_in_words(app, make):
    world = _world(app, make)
    with app.app_context():
        action = db.session.get(Action, world.action)
        set_action_status(action, "implemented")
        mark_rule_repealed(action, requirement_by_key(world.rule, world.colleague))
        data = export_course_json(db.session.get(Course, world.course))
        stranger = make.facilitator("ny@strandvig.dk", organisation=make.organisation("Strandvig"))
        copy = import_course(data, stranger).course
        rules = [
            link.requirement
            for card in copy.cards
            for link in card.links
            if link.requirement.is_local
        ]
        assert [r.repealed_course_title for r in rules] == ["Mindre bøvl i Fjordby"]
        assert rules[0].repealed_by_course_id is None and rules[0].repealed_on is not None
        assert rules[0].id != requirement_by_key(world.rule, world.colleague).id
        assert db.session.scalar(select(Requirement.id).where(Requirement.id == rules[0].id))


def test_the_action_plan_pdf_shows_the_rule_as_repealed_by_the_course(app, make):
    world = _world(app, make)
    with app.app_context():
        action = db.session.get(Action, world.action)
        set_action_status(action, "implemented")
        mark_rule_repealed(action, requirement_by_key(world.rule, world.colleague))
    text = flat(" ".join(pages_text(render(app, world.course, lang="da"))))
    assert "ophævet" in text and "forløb Mindre bøvl i Fjordby" in text


# --- Asking before the mark, and undoing it ------------------------------------------------


def _implemented(app, world: World) -> None:
    with app.app_context():
        set_action_status(db.session.get(Action, world.action), "implemented")


def _marked(app, world: World) -> None:
    with app.app_context():
        action = db.session.get(Action, world.action)
        set_action_status(action, "implemented")
        mark_rule_repealed(action, requirement_by_key(world.rule, world.colleague))


def _second_course_linking(app, make, world: World) -> tuple[int, int]:
    """Another course of Fjordby (the admin's), whose card links the same rule."""
    with app.app_context():
        other = make.course(db.session.get(Facilitator, world.admin), step=2, title="Forløb 2")
        other_card = make.card(make.participant(other), "Skemaet igen")
        link_requirement(other_card, world.rule)
        return other.id, other_card.id


def _audit(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_marking_a_rule_repealed_asks_first_and_a_post_without_the_yes_changes_nothing(
    app, make, client
):
    world = _world(app, make)
    _implemented(app, world)
    _second_course_linking(app, make, world)
    _login(client, "kollega@fjordby.dk")
    asked = client.post(f"/f/courses/{world.course}/actions/{world.action}/repealed/{world.rule}")
    assert asked.status_code == 200
    page = flat(asked.text)
    assert "Markér “Tjekskema før samtaler” som ophævet for hele organisationen?" in page
    assert f"ophævet {local_today():%-d.%-m.%Y}, forløb Mindre bøvl i Fjordby" in page
    assert "lige nu 2, i 2 forløb" in page and "på projektoren og i handleplanens PDF" in page
    assert 'name="confirmed" value="1"' in asked.text and "Ja, markér den som ophævet" in page
    with app.app_context():
        rule = requirement_by_key(world.rule, world.colleague)
        assert (rule.repealed_on, rule.status, rule.version) == (None, "in_force", 1)
    assert _audit(app, "local_rule_repealed") == []


def test_the_yes_marks_the_rule_repealed_and_records_it_in_the_audit_trail(app, make, client):
    world = _world(app, make)
    _implemented(app, world)
    _login(client, "kollega@fjordby.dk")
    client.post(
        f"/f/courses/{world.course}/actions/{world.action}/repealed/{world.rule}",
        data={"confirmed": "1"},
    )
    with app.app_context():
        rule = requirement_by_key(world.rule, world.colleague)
        assert rule.status == "repealed"
        rule_id = rule.id
    [line] = _audit(app, "local_rule_repealed")
    assert (line.course_id, line.target_kind, line.target_id) == (
        world.course,
        "requirement",
        rule_id,
    )
    assert line.detail["rule"] == world.rule
    assert line.actor_id == world.colleague


def test_undoing_a_repeal_restores_the_status_and_no_card_of_the_organisation_says_repealed(
    app, make, client
):
    world = _world(app, make)
    other_id, other_card_id = _second_course_linking(app, make, world)
    _marked(app, world)
    _login(client, "kollega@fjordby.dk")
    mark = f"ophævet {local_today():%-d.%-m.%Y}, forløb Mindre bøvl i Fjordby"
    assert mark in flat(client.get(f"/f/courses/{other_id}/cards/{other_card_id}").text)
    edit_page = client.get(f"/f/catalogue/local/{world.rule}/edit")
    assert "Fortryd ophævelsen" in edit_page.text
    done = client.post(f"/f/catalogue/local/{world.rule}/repeal/undo", follow_redirects=True)
    assert "er ikke længere markeret som ophævet" in done.text  # the flash, read here
    with app.app_context():
        rule = requirement_by_key(world.rule, world.colleague)
        assert (rule.repealed_on, rule.repealed_by_course_id, rule.repealed_course_title) == (
            None,
            None,
            "",
        )
        assert (rule.status, rule.version, rule.may_be_habit) == ("in_force", 3, False)
        # The course may mark it again, should it truly be gone after all.
        assert repeal_offers(db.session.get(Action, world.action)) == [rule]
    for page in (
        client.get(f"/f/courses/{other_id}/cards/{other_card_id}"),
        client.get(f"/f/courses/{world.course}/cards/{world.card}"),
    ):
        assert mark not in flat(page.text) and "Tjekskema før samtaler" in page.text
    assert "Fortryd ophævelsen" not in client.get(f"/f/catalogue/local/{world.rule}/edit").text


def test_undoing_a_repeal_refreshes_the_live_views_of_the_courses_that_link_the_rule(app, make):
    world = _world(app, make)
    other_id, _card = _second_course_linking(app, make, world)
    _marked(app, world)
    with app.app_context():
        before = {c.id: c.revision for c in db.session.scalars(select(Course))}
        undo_repeal(requirement_by_key(world.rule, world.colleague))
        after = {c.id: c.revision for c in db.session.scalars(select(Course))}
        assert after[world.course] > before[world.course] and after[other_id] > before[other_id]


def test_the_status_from_before_the_repeal_comes_back_even_after_an_edit_since(app, make):
    world = _world(app, make)
    with app.app_context():
        colleague = db.session.get(Facilitator, world.colleague)
        rule = requirement_by_key(world.rule, world.colleague)
        rule.status = "changed"  # as a course file may bring it
        edit_local_rule(colleague, rule, name="Tjekskema før alle samtaler", kind="template")
    _marked(app, world)
    with app.app_context():
        colleague = db.session.get(Facilitator, world.colleague)
        rule = requirement_by_key(world.rule, world.colleague)
        edit_local_rule(colleague, rule, name="Tjekskema (ophævet)", kind="template")
        assert rule.status == "repealed"
        undo_repeal(rule)
        assert (rule.status, rule.repealed_on) == ("changed", None)
        assert rule.versions[-1].snapshot["status"] == "changed"


def test_undoing_a_rule_that_is_not_repealed_is_refused(app, make):
    world = _world(app, make)
    with app.app_context():
        rule = requirement_by_key(world.rule, world.colleague)
        with pytest.raises(WorkshopError) as refused:
            undo_repeal(rule)
        assert refused.value.code == "repeal" and rule.version == 1


def test_a_retired_rule_stays_retired_after_the_undo_and_its_page_says_so(app, make, client):
    world = _world(app, make)
    _marked(app, world)
    with app.app_context():
        retire_local_rule(requirement_by_key(world.rule, world.colleague))
    _login(client, "kollega@fjordby.dk")
    page = flat(client.get(f"/f/catalogue/local/{world.rule}/edit").text)
    assert "den forbliver ude af brug, til I tilbyder den igen herunder" in page
    client.post(f"/f/catalogue/local/{world.rule}/repeal/undo")
    with app.app_context():
        rule = requirement_by_key(world.rule, world.colleague)
        assert rule.repealed_on is None and rule.is_retired


@pytest.mark.parametrize(
    ("email", "allowed"),
    [
        ("kollega@fjordby.dk", True),  # the course's facilitator
        ("admin@fjordby.dk", True),  # another facilitator of the organisation
        ("admin@bakkedal.dk", False),  # another organisation's admin
        (None, False),  # nobody logged in
    ],
)
def test_only_the_organisations_facilitators_may_undo_a_repeal(app, make, client, email, allowed):
    world = _world(app, make)
    _marked(app, world)
    if email:
        _login(client, email)
    response = client.post(f"/f/catalogue/local/{world.rule}/repeal/undo")
    if email == "admin@bakkedal.dk":
        assert response.status_code == 404
    elif email is None:
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    with app.app_context():
        assert (requirement_by_key(world.rule, world.colleague).repealed_on is None) is allowed
    assert len(_audit(app, "local_rule_repeal_undone")) == int(allowed)


def test_retiring_offering_again_and_undoing_a_repeal_are_in_the_audit_trail(app, make, client):
    world = _world(app, make)
    _marked(app, world)
    _login(client, "kollega@fjordby.dk")
    client.post(f"/f/catalogue/local/{world.rule}/retired", data={"value": "1"})
    client.post(f"/f/catalogue/local/{world.rule}/retired", data={"value": "1"})  # again
    client.post(f"/f/catalogue/local/{world.rule}/retired", data={"value": "0"})
    client.post(f"/f/catalogue/local/{world.rule}/repeal/undo")
    with app.app_context():
        rule_id = requirement_by_key(world.rule, world.colleague).id
    for action in ("local_rule_retired", "local_rule_offered_again", "local_rule_repeal_undone"):
        [line] = _audit(app, action)
        assert (line.actor_id, line.target_kind, line.target_id) == (
            world.colleague,
            "requirement",
            rule_id,
        )
        assert line.detail == {"rule": world.rule}


def test_saving_confirming_and_removing_a_correction_are_in_the_audit_trail(app, make, client):
    _world(app, make)
    _login(client, "admin@fjordby.dk")
    client.post(
        "/f/catalogue/R05/correction",
        data={"note": NOTE, "source": SOURCE, "confidence": "verified"},
    )
    client.post("/f/catalogue/R05/correction/confirm")
    client.post("/f/catalogue/R05/correction/remove")
    client.post("/f/catalogue/R05/correction/remove")  # nothing left to remove
    with app.app_context():
        entry_id = requirement_by_key("R05").id
    for action in ("correction_saved", "correction_confirmed", "correction_removed"):
        [line] = _audit(app, action)
        assert (line.target_kind, line.target_id, line.detail) == (
            "requirement",
            entry_id,
            {"entry": "R05"},
        )
