"""Issue 20, point 3: when the split by role is held back, every screen says why truly, and
the facilitator is warned before the vote that a role group is too small.

The rule stays (a small group hides every group: beside the total, the big group's figures
would give the small group's away); what was false was the explanation, which blamed the
big group ("Medarbejdere: vises ikke, fordi færre end 3 har stemt" with 3 staff voting).
"""

from __future__ import annotations

import pytest

from workshop.votes import cast_vote, role_groups_below_minimum, set_voting_state

TRUE_REASON = "Fordelingen på roller vises ikke: blandt ledere har kun 2 stemt"
WHY = "før man ikke kan regne sig frem til den enkeltes prikker"
FALSE_REASON = "Medarbejdere: vises ikke"
WARNING = "Resultatet bliver ikke delt op på roller."
TOO_FEW_JOINED = "Blandt ledere er kun 2 med"


@pytest.fixture
def revealed(app, make, client):
    """Step 2, minimum 3: the phone (`client`) and two more staff, and two managers, voted;
    the result is revealed. Returns the course id."""
    with app.app_context():
        course = make.course(step=2, min_group_size=3)
        code = course.join_code
        course_id = course.id
    client.post(f"/j/{code}", data={"role": "medarbejder", "unit": "Team Ledige", "name": ""})
    with app.app_context():
        from workshop.core.extensions import db
        from workshop.core.models import Course, Participant

        course = db.session.get(Course, course_id)
        phone = db.session.scalar(db.select(Participant).where(Participant.course_id == course_id))
        staff = [phone, make.participant(course), make.participant(course)]
        managers = [make.participant(course, role="leder") for _ in range(2)]
        card = make.card(staff[0], "Skemaet til budgetmodellen")
        set_voting_state(course, "voting")
        for person in [*staff, *managers]:
            cast_vote(person, card, 1)
        set_voting_state(course, "revealed")
    return course_id, code


@pytest.fixture
def desk(app, make):
    """A second browser: the facilitator's laptop, logged in."""
    with app.app_context():
        make.facilitator()
    laptop = app.test_client()
    laptop.post("/login", data={"email": "facilitator@example.dk", "password": "correct horse"})
    return laptop


def test_the_projector_says_the_managers_were_too_few_not_the_staff(revealed, desk):
    course_id, _code = revealed
    page = desk.get(f"/f/courses/{course_id}/projector").get_data(as_text=True)
    assert TRUE_REASON in page and WHY in page
    assert FALSE_REASON not in page


def test_the_control_panel_says_the_same(revealed, desk):
    course_id, _code = revealed
    page = desk.get(f"/f/courses/{course_id}").get_data(as_text=True)
    assert TRUE_REASON in page
    assert FALSE_REASON not in page


def test_the_phones_say_the_same(revealed, client):
    _course_id, code = revealed
    page = client.get(f"/c/{code}").get_data(as_text=True)
    assert TRUE_REASON in page
    assert FALSE_REASON not in page


def test_a_shown_split_says_how_many_of_each_role_voted(app, make, desk):
    with app.app_context():
        course = make.course(step=2, min_group_size=2)
        people = [make.participant(course) for _ in range(2)]
        people += [make.participant(course, role="leder") for _ in range(2)]
        card = make.card(people[0])
        set_voting_state(course, "voting")
        for person in people:
            cast_vote(person, card, 1)
        set_voting_state(course, "revealed")
        course_id = course.id
    page = desk.get(f"/f/courses/{course_id}/projector").get_data(as_text=True)
    assert "Medarbejdere: 2 har stemt." in page and "Ledere: 2 har stemt." in page
    assert "Fordelingen på roller vises ikke" not in page


@pytest.fixture
def two_managers_joined(app, make):
    """Step 2 before the vote: three staff and two managers have joined; minimum 3."""
    with app.app_context():
        course = make.course(step=2, min_group_size=3)
        for _ in range(3):
            make.participant(course)
        for _ in range(2):
            make.participant(course, role="leder")
        return course.id


def test_the_facilitator_is_warned_before_opening_the_vote(two_managers_joined, desk):
    page = desk.get(f"/f/courses/{two_managers_joined}").get_data(as_text=True)
    assert WARNING in page and TOO_FEW_JOINED in page
    assert "invitere flere af dem med" in page  # what they can do


def test_the_warning_stays_while_the_vote_is_open(app, two_managers_joined, desk):
    with app.app_context():
        from workshop.core.extensions import db
        from workshop.core.models import Course

        set_voting_state(db.session.get(Course, two_managers_joined), "voting")
    page = desk.get(f"/f/courses/{two_managers_joined}").get_data(as_text=True)
    assert WARNING in page


def test_the_course_form_warns_given_who_has_joined(two_managers_joined, desk):
    page = desk.get(f"/f/courses/{two_managers_joined}/edit").get_data(as_text=True)
    assert WARNING in page and TOO_FEW_JOINED in page


def test_a_new_course_form_explains_what_the_minimum_does(desk):
    page = desk.get("/f/courses/new").get_data(as_text=True)
    assert "To ledere og 3 her: ingen fordeling på roller." in page
    assert WARNING not in page  # nobody has joined yet


def test_no_warning_when_every_role_that_joined_is_big_enough(app, make, desk):
    with app.app_context():
        course = make.course(step=2, min_group_size=3)
        for role in ("medarbejder", "leder") * 3:
            make.participant(course, role=role)
        course_id = course.id
        assert role_groups_below_minimum(course) == []
    assert WARNING not in desk.get(f"/f/courses/{course_id}").get_data(as_text=True)


def test_a_role_nobody_joined_in_warns_of_nothing(app, make):
    with app.app_context():
        course = make.course(step=2, min_group_size=3)
        for _ in range(4):
            make.participant(course)
        assert role_groups_below_minimum(course) == []
