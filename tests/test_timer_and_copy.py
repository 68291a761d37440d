"""The facilitator's timer on every screen, and copying a course for the next unit."""

import re

import pytest

from workshop.core.extensions import db
from workshop.core.models import Course


@pytest.fixture
def course(app, make):
    with app.app_context():
        course = make.course(step=2, frame_cannot_change="Lovens krav")
        return course.id, course.join_code


def _seconds_left(html):
    match = re.search(r'data-seconds-left="(\d+)"', html)
    return int(match.group(1)) if match else None


def test_a_started_timer_shows_on_projector_control_panel_and_phones(client, auth, course, app):
    course_id, code = course
    phone = app.test_client()
    phone.post(f"/j/{code}", data={"role": "medarbejder"})
    assert _seconds_left(phone.get(f"/c/{code}").text) is None
    auth.login()
    response = client.post(
        f"/f/courses/{course_id}/timer", data={"minutes": "5", "label": "Skriv jeres kort"}
    )
    assert response.status_code == 302
    for page in (
        phone.get(f"/c/{code}/live?stage=2-collect").text,
        client.get(f"/f/courses/{course_id}/projector/live").text,
        client.get(f"/f/courses/{course_id}").text,
    ):
        assert 290 <= _seconds_left(page) <= 300
        assert "Skriv jeres kort" in page
    client.post(f"/f/courses/{course_id}/timer/stop")
    assert _seconds_left(phone.get(f"/c/{code}").text) is None


@pytest.mark.parametrize("minutes", ["0", "181", "fem", ""])
def test_a_timer_of_a_wrong_length_is_refused_with_a_message(client, auth, course, minutes, app):
    course_id, _code = course
    auth.login()
    response = client.post(
        f"/f/courses/{course_id}/timer", data={"minutes": minutes}, follow_redirects=True
    )
    assert response.status_code == 200
    assert "message-error" in response.text
    with app.app_context():
        assert db.session.get(Course, course_id).timer_ends_at is None


def test_the_timer_needs_the_facilitator_of_the_course(client, auth, course, make, app):
    course_id, _code = course
    assert client.post(f"/f/courses/{course_id}/timer", data={"minutes": "5"}).status_code == 302
    with app.app_context():
        make.facilitator("other@example.dk", "another password")
    auth.login("other@example.dk", "another password")
    assert client.post(f"/f/courses/{course_id}/timer", data={"minutes": "5"}).status_code == 404
    assert client.post(f"/f/courses/{course_id}/copy").status_code == 404


def test_a_course_is_copied_as_a_template_and_opens_for_editing(client, auth, course, app):
    course_id, code = course
    auth.login()
    response = client.post(f"/f/courses/{course_id}/copy")
    assert response.status_code == 302
    new_id = int(re.search(r"/f/courses/(\d+)/edit", response.headers["Location"]).group(1))
    assert new_id != course_id
    with app.app_context():
        copy = db.session.get(Course, new_id)
        assert copy.frame_cannot_change == "Lovens krav" and copy.join_code != code
        assert copy.current_step == 1 and copy.participants == []
    page = client.get(response.headers["Location"])
    assert page.status_code == 200 and "Lovens krav" in page.text
