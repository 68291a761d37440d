"""Ids in forms that are not ids — huge, non-ASCII digits, another course's — answer with a
message, never a 500, and change nothing."""

import pytest

from workshop.core.extensions import db
from workshop.core.models import Action, Course, Measure, MeasureEntry
from workshop.courses import go_to_step

HUGE = str(2**64)


@pytest.fixture
def setup(app, make):
    with app.app_context():
        course = make.course(step=2)
        anne = make.participant(course, name="Anne")
        action = make.action(make.solution(anne, make.challenge(anne)))
        measure = make.measure(action)
        course_id, code, action_id, measure_id = course.id, course.join_code, action.id, measure.id
    return course_id, code, action_id, measure_id


@pytest.mark.parametrize("owner", [HUGE, "²", "-1", "abc"])
def test_an_owner_id_that_is_no_id_is_refused(app, client, auth, setup, owner):
    course_id, _code, action_id, _measure_id = setup
    auth.login()
    response = client.post(
        f"/f/courses/{course_id}/actions/{action_id}", data={"title": "Ny titel", "owner_id": owner}
    )
    assert response.status_code == 422
    with app.app_context():
        action = db.session.get(Action, action_id)
        assert action.owner_id is None and action.title != "Ny titel"


@pytest.mark.parametrize("action", [HUGE, "²", "0"])
def test_a_new_measure_for_an_action_that_is_no_id_is_refused(app, client, auth, setup, action):
    course_id, *_rest = setup
    auth.login()
    response = client.post(
        f"/f/courses/{course_id}/measures",
        data={"action": action, "what": "Minutter", "unit": "min"},
    )
    assert response.status_code in (302, 422)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Measure)) == 1


@pytest.mark.parametrize("measure", [HUGE, "²", "١٢"])
def test_a_logbook_entry_for_a_measure_that_is_no_id_is_refused(app, client, setup, measure):
    _course_id, code, _action_id, _measure_id = setup
    with app.app_context():
        go_to_step(db.session.scalar(db.select(Course)), 5)
    client.post(f"/j/{code}", data={"role": "medarbejder"})
    response = client.post(
        f"/c/{code}/measure-entries",
        data={"measure": measure, "value": "12", "client_token": "t"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(MeasureEntry)) == 0
