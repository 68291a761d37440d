"""Where the rule comes from, across departments (issue 14, point 3): the origin "another
department's rule or practice" naming a department, the departments a card involves, the
overview of which departments' rules cause most bøvl (screens and PDF), the course file."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from tests.test_report import flat, pages_text, render
from workshop.cards import merge_cards, redact_card
from workshop.catalogue import load_catalogue
from workshop.core.errors import WorkshopError
from workshop.core.extensions import db
from workshop.core.models import Card, CardDepartment, Course, Department
from workshop.examination import (
    department_overview,
    examine_card,
    named_department,
    origin_label,
    origin_overview,
)
from workshop.exchange import ImportRefused, export_course, import_course
from workshop.exchange.csv import cards_csv
from workshop.reports.overview import build_overview
from workshop.votes import cast_vote, set_voting_state

HX = {"HX-Request": "true"}
EN = {"Accept-Language": "en"}


def across(make, course=None):
    """A course in step 2 across departments, its organisation with three departments."""
    course = course or make.course(step=2)
    course.across_departments = True
    db.session.commit()
    organisation = course.organisation
    return (
        course,
        make.department(organisation, "Beskæftigelse", "employment"),
        make.department(organisation, "Social og handicap", "social"),
        make.department(organisation, "Sundhed og psykiatri", "health"),
    )


def involved(card: Card) -> set[str]:
    return {link.department.name for link in card.department_links}


def refusal_code(call) -> str:
    with pytest.raises(WorkshopError) as refused:
        call()
    db.session.rollback()
    return refused.value.code


# --- The domain ---------------------------------------------------------------------------


def test_a_card_names_another_departments_rule_and_that_department_is_involved(app, make):
    with app.app_context():
        course, _job, social, _health = across(make)
        card = make.card(make.participant(course), "Handleplanen skrives forfra hos os")
        examine_card(card, origin="other_department", origin_department=social.id)
        assert named_department(card) is social
        assert involved(card) == {"Social og handicap"}
        assert origin_label(card) == "En anden afdelings regel eller praksis: Social og handicap"


def test_a_card_involves_several_departments_besides_the_one_whose_rule_it_is(app, make):
    with app.app_context():
        course, job, social, health = across(make)
        card = make.card(make.participant(course), "Tre samtykker til det samme")
        examine_card(
            card, origin="other_department", origin_department=health.id, departments=[job.id]
        )
        assert involved(card) == {"Beskæftigelse", "Sundhed og psykiatri"}
        assert [link.department for link in card.department_links if link.names_origin] == [health]
        examine_card(card, origin="local_practice", departments=[job.id, social.id])
        assert involved(card) == {"Beskæftigelse", "Social og handicap"}


def test_an_origin_other_than_another_department_names_none_but_keeps_it_involved(app, make):
    with app.app_context():
        course, _job, social, _health = across(make)
        card = make.card(make.participant(course))
        examine_card(card, origin="other_department", origin_department=social.id)
        examine_card(card, origin="national_law")  # departments not on this form: kept
        assert involved(card) == {"Social og handicap"}
        assert not any(link.names_origin for link in card.department_links)
        assert named_department(card) is None
        assert origin_label(card) == "Lovgivning"


def test_another_departments_rule_must_say_which_department(app, make):
    with app.app_context():
        course, *_ = across(make)
        card = make.card(make.participant(course))
        code = refusal_code(lambda: examine_card(card, origin="other_department"))
        assert code == "origin_department"
        assert db.session.get(Card, card.id).origin == "unknown"


def test_a_department_of_another_organisation_is_refused(app, make):
    with app.app_context():
        course, job, *_ = across(make)
        elsewhere = make.department(make.organisation("Mosevang Kommune"), "Social", "social")
        card = make.card(make.participant(course))
        code = refusal_code(
            lambda: examine_card(card, origin="other_department", origin_department=elsewhere.id)
        )
        assert code == "origin_department"
        code = refusal_code(
            lambda: examine_card(card, origin="unknown", departments=[job.id, elsewhere.id])
        )
        assert code == "departments"
        assert db.session.scalar(select(func.count()).select_from(CardDepartment)) == 0


def test_a_retired_department_stays_on_its_cards_but_is_not_chosen_anew(app, make):
    with app.app_context():
        course, job, social, _health = across(make)
        kept = make.card(make.participant(course), "Kortet med den gamle afdeling")
        examine_card(kept, origin="other_department", origin_department=social.id)
        social.retired_at = datetime.now(UTC)
        db.session.commit()
        # Saved again with its department as it was: fine.
        examine_card(kept, origin="other_department", departments=[social.id, job.id])
        assert involved(kept) == {"Social og handicap", "Beskæftigelse"}
        other = make.card(make.participant(course), "Et nyt kort")
        code = refusal_code(
            lambda: examine_card(other, origin="other_department", origin_department=social.id)
        )
        assert code == "origin_department"
        code = refusal_code(lambda: examine_card(other, origin="unknown", departments=[social.id]))
        assert code == "departments"


def test_a_course_without_departments_is_not_offered_another_departments_rule(app, make):
    with app.app_context():
        course = make.course(step=2)
        make.department(course.organisation, "Social og handicap", "social")  # course not across
        card = make.card(make.participant(course))
        assert refusal_code(lambda: examine_card(card, origin="other_department")) == "origin"
        assert "other_department" not in [row.origin for row in origin_overview(course).rows]
        assert department_overview(course) is None


def test_merging_cards_keeps_the_union_of_their_departments(app, make):
    with app.app_context():
        course, job, social, health = across(make)
        person = make.participant(course)
        target, source = make.card(person, "Dobbelt plan"), make.card(person, "To planer")
        examine_card(target, origin="unknown", departments=[job.id, social.id])
        examine_card(source, origin="other_department", origin_department=health.id)
        merge_cards(target, [source])
        assert involved(target) == {"Beskæftigelse", "Social og handicap", "Sundhed og psykiatri"}
        assert not any(link.names_origin for link in target.department_links)  # its own origin


def test_redacting_a_card_keeps_its_departments_and_deleting_it_removes_them(app, make):
    with app.app_context():
        course, _job, social, _health = across(make)
        card = make.card(make.participant(course), "Borgeren Jens Hansen")
        examine_card(card, origin="other_department", origin_department=social.id)
        redact_card(card)
        assert involved(card) == {"Social og handicap"}
        db.session.delete(card)
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(CardDepartment)) == 0
        assert db.session.get(Department, social.id) is not None


def test_the_overview_counts_per_department_the_cards_and_their_dots(app, make):
    with app.app_context():
        course, job, social, health = across(make)
        people = [make.participant(course) for _ in range(3)]
        first, second, third = (make.card(people[0], f"Kort {n}") for n in "abc")
        examine_card(first, origin="other_department", origin_department=social.id)
        examine_card(
            second, origin="other_department", origin_department=social.id, departments=[job.id]
        )
        examine_card(third, origin="local_practice", departments=[job.id])
        set_voting_state(course, "voting")
        cast_vote(people[1], first, 2)
        cast_vote(people[2], third, 3)
        set_voting_state(course, "revealed")
        rows = {
            row.name: (row.named, row.cards, row.votes) for row in department_overview(course).rows
        }
        assert rows == {"Social og handicap": (2, 2, 2), "Beskæftigelse": (0, 2, 3)}
        assert [row.name for row in department_overview(course).rows][0] == "Social og handicap"
        assert health.name not in rows
        groups = origin_overview(course).groups
        assert groups["local"][0] == 3  # another department's rule is local, not law


# --- The pages --------------------------------------------------------------------------


@pytest.fixture
def cross(app, make):
    """A course across departments with one card; the ids."""
    with app.app_context():
        course, job, social, health = across(make)
        card = make.card(make.participant(course), "Samtykket indhentes tre gange")
        return course.id, card.id, job.id, social.id, health.id


def test_the_card_page_offers_the_departments_in_a_course_across_departments(client, auth, cross):
    course_id, card_id, *_ = cross
    auth.login()
    page = client.get(f"/f/courses/{course_id}/cards/{card_id}", headers=EN).text
    assert 'value="other_department"' in page
    assert "Which department's rule or practice?" in page
    assert "Departments involved" in page and "Sundhed og psykiatri" in page


def test_the_card_page_of_a_course_without_departments_looks_as_before(app, client, auth, make):
    with app.app_context():
        course = make.course(step=2)
        make.department(course.organisation, "Social og handicap", "social")
        card = make.card(make.participant(course))
        course_id, card_id = course.id, card.id
    auth.login()
    page = client.get(f"/f/courses/{course_id}/cards/{card_id}").text
    assert "other_department" not in page
    # No department fields (the catalogue's filter by sector names sectors on every page).
    assert "with_departments" not in page
    assert 'name="origin_department"' not in page and 'name="departments"' not in page


def test_saving_the_card_page_names_the_department_and_those_involved(app, client, auth, cross):
    course_id, card_id, job_id, social_id, _health = cross
    auth.login()
    response = client.post(
        f"/f/courses/{course_id}/cards/{card_id}",
        data={
            "origin": "other_department",
            "origin_department": str(social_id),
            "departments": [str(job_id)],
            "with_departments": "1",
            "problem": "",
            "stakeholders": "",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        card = db.session.get(Card, card_id)
        assert involved(card) == {"Beskæftigelse", "Social og handicap"}
        assert named_department(card).id == social_id
    panel = client.get(f"/f/courses/{course_id}", headers=EN).text
    assert "Another department&#39;s rule or practice: Social og handicap" in panel
    assert "Which departments' rules cause the most trouble?" in panel


def test_a_refused_department_says_why_and_keeps_what_was_typed(app, client, auth, make, cross):
    course_id, card_id, *_ = cross
    with app.app_context():
        stranger = make.department(make.organisation("Lyngholm Kommune"), "Social", "social").id
    auth.login()
    response = client.post(
        f"/f/courses/{course_id}/cards/{card_id}",
        data={
            "origin": "other_department",
            "origin_department": str(stranger),
            "with_departments": "1",
            "problem": "Hver afdeling har sin egen blanket",
            "stakeholders": "",
        },
        headers=EN,
    )
    assert response.status_code == 422
    assert "That department is not one of the organisation&#39;s departments." in response.text
    assert "Hver afdeling har sin egen blanket" in response.text
    assert 'aria-invalid="true"' in response.text
    with app.app_context():
        assert db.session.get(Card, card_id).department_links == []


@pytest.mark.parametrize("value", ["99999999999999999999999", "-5", "abc", "0"])
def test_an_odd_department_id_is_refused_not_crashed(client, auth, cross, value):
    course_id, card_id, *_ = cross
    auth.login()
    for field in ("departments", "origin_department"):
        response = client.post(
            f"/f/courses/{course_id}/cards/{card_id}",
            data={"origin": "other_department", field: value, "with_departments": "1"},
        )
        assert response.status_code == 422


def test_the_projector_shows_the_first_four_departments_and_their_dots_once_revealed(
    app, client, auth, make
):
    with app.app_context():
        course, *_ = across(make)
        for n in range(4):
            make.department(course.organisation, f"Afdeling {n}", "other")
        person = make.participant(course)
        card = make.card(person, "Alle afdelinger har en plan")
        ids = [department.id for department in course.organisation.departments]
        examine_card(card, origin="unknown", departments=ids)
        set_voting_state(course, "voting")
        cast_vote(person, card, 4)
        course_id = course.id
    auth.login()
    live = f"/f/courses/{course_id}/projector/live"
    assert "department-list" not in client.get(live, headers={**HX, **EN}).text  # not yet
    with app.app_context():
        set_voting_state(db.session.get(Course, course_id), "revealed")
    page = client.get(live, headers={**HX, **EN}).text
    assert page.count('class="department-line"') == 4
    assert "and 3 more departments" in page
    assert '<b>4</b> <span class="small">dots</span>' in page
    assert "department-table" not in page  # the control panel's table stays there


# --- The PDF and the course file ----------------------------------------------------------


def test_the_pdf_says_which_departments_rules_cause_the_most_trouble(app, make):
    with app.app_context():
        course, job, social, _health = across(make)
        person = make.participant(course)
        card = make.card(person, "Handleplan og Min Plan for den samme borger")
        examine_card(
            card, origin="other_department", origin_department=social.id, departments=[job.id]
        )
        course_id = course.id
    text = flat(" ".join(pages_text(render(app, course_id))))
    assert "Which departments' rules cause the most trouble?" in text
    assert "Social og handicap 1 1" in text
    assert "Another department's rule or practice: Social og handicap" in text


def test_the_pdf_of_a_course_without_departments_has_no_department_table(app, make):
    with app.app_context():
        course = make.course(step=2)
        make.card(make.participant(course))
        course_id = course.id
    text = flat(" ".join(pages_text(render(app, course_id))))
    assert "Where do the rules come from?" in text
    assert "departments" not in text.lower()
    assert "Another department" not in text


def test_the_course_file_carries_the_departments_by_name_and_sector(app, make):
    with app.app_context():
        load_catalogue()
        course, job, social, _health = across(make)
        card = make.card(make.participant(course), "Samtykke til alt")
        examine_card(
            card, origin="other_department", origin_department=social.id, departments=[job.id]
        )
        data = export_course(course)
        assert data["cards"][0]["departments"] == [
            {"name": "Beskæftigelse", "sector": "employment", "names_origin": False},
            {"name": "Social og handicap", "sector": "social", "names_origin": True},
        ]
        elsewhere = make.facilitator("mosevang@example.dk")
        theirs = make.department(elsewhere.organisation, "social og handicap", "social")
        result = import_course(json.dumps(data), elsewhere)
        copy = result.course.cards[0]
        assert named_department(copy) is theirs  # matched by name
        added = next(link.department for link in copy.department_links if not link.names_origin)
        assert (added.name, added.sector, added.organisation_id) == (
            "Beskæftigelse",
            "employment",
            elsewhere.organisation_id,
        )
        assert added.retired_at is not None  # offered in no other course of theirs
        assert any("Beskæftigelse" in note for note in result.notes)


@pytest.mark.parametrize(
    "departments",
    [
        [{"name": "Social", "sector": "social", "names_origin": False}],  # origin names none
        [
            {"name": "Social", "sector": "social", "names_origin": True},
            {"name": "social", "sector": "social", "names_origin": False},  # twice
        ],
        [{"name": "Social", "sector": "the moon", "names_origin": True}],
    ],
    ids=["unnamed", "twice", "unknown sector"],
)
def test_a_course_file_with_damaged_departments_is_refused(app, make, departments):
    with app.app_context():
        course, *_ = across(make)
        card = make.card(make.participant(course))
        card.origin = "other_department"
        db.session.commit()
        data = export_course(course)
        data["cards"][0]["departments"] = departments
        before = db.session.scalar(select(func.count()).select_from(Course))
        with pytest.raises(ImportRefused):
            import_course(json.dumps(data), make.facilitator("andet@example.dk"))
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(Course)) == before


def test_the_cards_csv_names_the_department_whose_rule_it_is(app, make):
    with app.app_context():
        course, _job, social, _health = across(make)
        card = make.card(make.participant(course), "Endnu en plan")
        examine_card(card, origin="other_department", origin_department=social.id)
        text = cards_csv(course).decode("utf-8-sig")
        assert "En anden afdelings regel eller praksis: Social og handicap" in text


# --- The overview across the organisation's courses ---------------------------------------


def test_the_organisations_overview_shows_another_departments_rule_only_with_departments(app, make):
    with app.app_context():
        course = make.course(step=2)
        make.card(make.participant(course))
        organisation = course.organisation
        keys = [row.key for row in build_overview(organisation).origins]
        assert "other_department" not in keys and "local_practice" in keys
        course, _job, social, _health = across(make, course)
        card = make.card(make.participant(course), "Sundhedsfaglig vurdering to gange")
        examine_card(card, origin="other_department", origin_department=social.id)
        rows = {row.key: row.count for row in build_overview(organisation).origins}
        assert rows["other_department"] == 1
        assert build_overview(organisation).origin_groups["local"] == 1
