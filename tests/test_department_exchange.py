"""The course file and departments (issue 14): a participant's department goes by name and
sector, the course's two flags come along, and files from before still import."""

import json

import pytest
from sqlalchemy import select

from workshop.core.errors import WorkshopError
from workshop.core.extensions import db
from workshop.core.models import Participant
from workshop.core.vocabulary import CITIZEN_ROLE
from workshop.departments import CITIZEN_CHOICE, departments_of, set_retired
from workshop.exchange import ImportRefused, export_course, import_course
from workshop.splits import effective_split, offered_splits, set_result_split
from workshop.votes import cast_vote, set_voting_state


def _people(course):
    return db.session.scalars(
        select(Participant).where(Participant.course_id == course.id).order_by(Participant.id)
    ).all()


def test_departments_and_the_course_flags_survive_the_round_trip(app, make):
    with app.app_context():
        course = make.course(across_departments=True, invites_citizens=True)
        make.department_participant(course, "Sundhed og psykiatri")
        make.department_participant(course, CITIZEN_CHOICE)
        data = export_course(course)
        assert data["course"]["across_departments"] is True
        assert data["participants"][0]["department"] == {
            "name": "Sundhed og psykiatri",
            "sector": "health",
        }
        assert data["participants"][1]["department"] is None
        copy_ = import_course(json.dumps(data), course.facilitator).course
        assert copy_.across_departments and copy_.invites_citizens
        health, citizen = _people(copy_)
        assert health.department.name == "Sundhed og psykiatri"
        assert health.department.organisation_id == copy_.organisation_id
        assert citizen.role == CITIZEN_ROLE and citizen.department is None


def test_an_imported_department_the_organisation_lacks_is_added_retired_at_the_end(app, make):
    with app.app_context():
        course = make.course(across_departments=True)
        make.department_participant(course, "Politikere")
        data = export_course(course)
        data["participants"][0]["department"] = {"name": "Misbrugscenter", "sector": "health"}
        importer = make.facilitator(email="b@strandvig.dk")
        result = import_course(json.dumps(data), importer)
        copy_ = result.course
        names = [d.name for d in departments_of(copy_.organisation)]
        assert names[-1] == "Misbrugscenter" and len(names) == 9
        assert _people(copy_)[0].department.name == "Misbrugscenter"
        # Retired: the organisation's next courses do not offer it unasked (the admin can).
        assert _people(copy_)[0].department.retired_at is not None
        assert any("Misbrugscenter" in note for note in result.notes)


def test_an_imported_department_matches_a_retired_one_by_name_and_stays_retired(app, make):
    with app.app_context():
        course = make.course(across_departments=True)
        person = make.department_participant(course, "Leverandør")
        set_retired(person.department, True)
        copy_ = import_course(json.dumps(export_course(course)), course.facilitator).course
        assert _people(copy_)[0].department_id == person.department_id
        assert person.department.retired_at is not None


def test_a_file_from_before_departments_still_imports_with_the_flags_off(app, make):
    with app.app_context():
        course = make.course()
        make.participant(course)
        data = export_course(course)
        del data["course"]["across_departments"], data["course"]["invites_citizens"]
        del data["participants"][0]["department"]
        copy_ = import_course(json.dumps(data), course.facilitator).course
        assert not copy_.across_departments and _people(copy_)[0].department is None


def test_a_department_of_an_unknown_sector_is_refused(app, make):
    with app.app_context():
        course = make.course(across_departments=True)
        make.department_participant(course, "Politikere")
        data = export_course(course)
        data["participants"][0]["department"] = {"name": "Byråd", "sector": "parliament"}
        with pytest.raises(ImportRefused, match=r"participants\[0\]\.department"):
            import_course(json.dumps(data), course.facilitator)


def test_citizens_votes_survive_the_round_trip_with_their_own_group(app, make):
    with app.app_context():
        course = make.course(step=2, invites_citizens=True, min_group_size=1)
        card = make.card(make.participant(course))
        voters = [make.participant(course), make.participant(course, role="leder")]
        voters.append(make.participant(course, role=CITIZEN_ROLE))
        set_voting_state(course, "voting")
        for dots, voter in enumerate(voters, 1):
            cast_vote(voter, card, dots)
        set_voting_state(course, "revealed")
        data = export_course(course)
        assert data["votes"]["cards"]["voters_by_group"] == {
            "staff": 1,
            "managers": 1,
            "citizens": 1,
        }
        copy_ = import_course(json.dumps(data), course.facilitator).course
        assert export_course(copy_)["votes"] == data["votes"]


def test_citizens_under_the_minimum_survive_the_round_trip_held_back(app, make):
    with app.app_context():
        course = make.course(step=2, invites_citizens=True, min_group_size=2)
        card = make.card(make.participant(course))
        voters = [make.participant(course) for _ in range(2)]
        voters += [make.participant(course, role="leder") for _ in range(2)]
        voters.append(make.participant(course, role=CITIZEN_ROLE))
        set_voting_state(course, "voting")
        for voter in voters:
            cast_vote(voter, card, 1)
        set_voting_state(course, "revealed")
        data = export_course(course)
        assert data["votes"]["cards"]["voters_by_group"] is None
        copy_ = import_course(json.dumps(data), course.facilitator).course
        assert export_course(copy_)["votes"] == data["votes"]


def test_a_copy_whose_dots_were_rebuilt_offers_no_split_by_department(app, make):
    # The file keeps revealed results split by role only; the copy's dots agree with that
    # split, so its department figures would be invented.
    with app.app_context():
        course = make.course(step=2, across_departments=True, min_group_size=1)
        card = make.card(make.department_participant(course, "Beskæftigelse"))
        set_voting_state(course, "voting")
        cast_vote(make.department_participant(course, "Sundhed og psykiatri"), card, 2)
        set_voting_state(course, "revealed")
        set_result_split(course, "department")
        copy_ = import_course(json.dumps(export_course(course)), course.facilitator).course
        assert copy_.votes_rebuilt and copy_.across_departments
        assert "department" not in offered_splits(copy_)
        assert effective_split(copy_) == "role"
        with pytest.raises(WorkshopError):
            set_result_split(copy_, "department")
        assert "department" in offered_splits(course)


def test_a_copy_of_a_course_without_a_vote_still_splits_by_department(app, make):
    with app.app_context():
        course = make.course(step=2, across_departments=True)
        make.department_participant(course, "Beskæftigelse")
        copy_ = import_course(json.dumps(export_course(course)), course.facilitator).course
        assert not copy_.votes_rebuilt
        assert "department" in offered_splits(copy_)


def test_the_panel_says_why_a_rebuilt_copy_offers_no_department_split(app, make, client, auth):
    with app.app_context():
        course = make.course(step=2, across_departments=True, min_group_size=1)
        card = make.card(make.department_participant(course, "Beskæftigelse"))
        set_voting_state(course, "voting")
        cast_vote(make.department_participant(course, "Sundhed og psykiatri"), card, 2)
        set_voting_state(course, "revealed")
        copy_id = import_course(json.dumps(export_course(course)), course.facilitator).course.id
    auth.login()
    page = client.get(f"/f/courses/{copy_id}", headers={"Accept-Language": "en"}).text
    assert "keeps the results split by role only" in page
    assert 'name="split" value="department"' not in page
