"""The projector's join screen (issue 20, point 2): big while the course begins, then a box
that shrinks once people are in; the facilitator can call it back with ?join=1."""

from __future__ import annotations

import pytest

from workshop.core.extensions import db
from workshop.core.models import Course
from workshop.dialogue import answer_question

HX = {"HX-Request": "true"}


@pytest.fixture
def course_id(app, make):
    with app.app_context():
        course = make.course()
        make.participant(course)
        return course.id


@pytest.fixture
def desk(app, make, client):
    with app.app_context():
        make.facilitator()
    client.post("/login", data={"email": "facilitator@example.dk", "password": "correct horse"})
    return client


def test_step_one_before_any_answer_is_the_big_join_screen(desk, course_id):
    page = desk.get(f"/f/courses/{course_id}/projector").get_data(as_text=True)
    assert 'class="projector-join projector-join-screen"' in page
    assert "Vær med nu" in page and "1 deltager" in page


def test_the_first_answer_shrinks_the_join_screen_to_a_box(app, desk, course_id):
    with app.app_context():
        course = db.session.get(Course, course_id)
        answer_question(
            course.participants[0], course.questions[0], "Når tjeklisten hjælper", client_token="t1"
        )
    page = desk.get(f"/f/courses/{course_id}/projector/live", headers=HX).get_data(as_text=True)
    assert "projector-join-screen" not in page
    assert "projector-join-medium" in page


def test_from_step_two_the_join_box_sits_small_in_the_corner(app, desk, make, course_id):
    with app.app_context():
        from workshop.courses import go_to_step

        go_to_step(db.session.get(Course, course_id), 2)
    page = desk.get(f"/f/courses/{course_id}/projector").get_data(as_text=True)
    assert "projector-join-small" in page and "projector-join-screen" not in page


def test_join_1_calls_the_big_join_screen_back_and_keeps_it_through_the_polls(app, desk, course_id):
    with app.app_context():
        from workshop.courses import go_to_step

        go_to_step(db.session.get(Course, course_id), 3)
    page = desk.get(f"/f/courses/{course_id}/projector?join=1").get_data(as_text=True)
    assert 'class="projector-join projector-join-screen"' in page
    assert f"/f/courses/{course_id}/projector/live?join=1" in page  # the poll asks for it too
    live = desk.get(f"/f/courses/{course_id}/projector/live?join=1", headers=HX)
    assert "projector-join-screen" in live.get_data(as_text=True)


def test_the_facilitator_puts_the_big_join_screen_away_to_present_the_frame(desk, course_id):
    panel = desk.get(f"/f/courses/{course_id}").get_data(as_text=True)
    assert "Vis trinnet i stedet for den store QR-kode" in panel
    desk.post(f"/f/courses/{course_id}/projector/join", data={"choice": "small"})
    page = desk.get(f"/f/courses/{course_id}/projector/live", headers=HX).get_data(as_text=True)
    assert "projector-join-screen" not in page and "projector-join-medium" in page
    panel = desk.get(f"/f/courses/{course_id}").get_data(as_text=True)
    assert "Vis den store QR-kode på storskærmen" in panel


def test_the_facilitator_calls_the_big_join_screen_back_for_latecomers_until_the_next_step(
    app, desk, course_id
):
    with app.app_context():
        from workshop.courses import go_to_step

        go_to_step(db.session.get(Course, course_id), 3)
    desk.post(f"/f/courses/{course_id}/projector/join", data={"choice": "big"})
    page = desk.get(f"/f/courses/{course_id}/projector/live", headers=HX).get_data(as_text=True)
    assert "projector-join-screen" in page
    desk.post(f"/f/courses/{course_id}/step", data={"step": 4})
    page = desk.get(f"/f/courses/{course_id}/projector/live", headers=HX).get_data(as_text=True)
    assert "projector-join-screen" not in page and "projector-join-small" in page


def test_an_unknown_join_screen_choice_changes_nothing(app, desk, course_id):
    desk.post(f"/f/courses/{course_id}/projector/join", data={"choice": "huge"})
    with app.app_context():
        assert db.session.get(Course, course_id).projector_join == "auto"
