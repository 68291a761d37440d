"""Step 4 through the Flask test client: the action page, the plan, owners' phones, the board."""

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest

from steps import get_step
from workshop.actions import set_action_status
from workshop.core.clock import local_today
from workshop.core.extensions import db
from workshop.core.models import Action, ActionUpdate, Course, Participant
from workshop.courses import go_to_step
from workshop.participants import join as join_course

HX = {"HX-Request": "true"}
TODAY = local_today()


@dataclass
class Plan:
    course_id: int
    code: str
    action_id: int
    solution_text: str
    challenge_text: str


@pytest.fixture
def plan(app, make):
    """A course in step 4 with one action from a chosen solution to a prioritised challenge."""
    with app.app_context():
        course = make.course(step=2)
        author = make.participant(course, name="Bente")
        card = make.challenge(author, "Samtaleskemaet kræver tolv overskrifter")
        solution = make.solution(author, card, "Skær skemaet ned til lovens minimum")
        action = make.action(solution)
        go_to_step(course, 4)
        return Plan(course.id, course.join_code, action.id, solution.text, card.text)


def action_url(plan, suffix=""):
    return f"/f/courses/{plan.course_id}/actions/{plan.action_id}{suffix}"


def full_edit(**changes):
    """Every field of the action form, as a facilitator fills it in."""
    data = {
        "title": "Samtaleskemaet får fire overskrifter",
        "owner_id": "",
        "owner_name": "Teamleder Per",
        "who_does_what": "Jobkonsulenterne bruger det korte skema",
        "start_date": (TODAY + timedelta(days=14)).isoformat(),
        "first_step": "Per retter skabelonen i fagsystemet",
        "pilot_unit": "Team Ledige",
        "pilot_from": (TODAY + timedelta(days=14)).isoformat(),
        "pilot_to": (TODAY + timedelta(days=56)).isoformat(),
        "barrier_legal": "y",
        "barrier_legal_note": "LAB § 31 kræver kun en plan, ikke skemaet",
        "barrier_technical_note": "Skabelonen ligger i fagsystemet",
        "communication": "På teammødet og i nyhedsbrevet",
        "success_signs": "Færre minutter pr. samtale",
        "watched_by": "Teamkoordinatoren",
    }
    data.update(changes)
    return data


def is_checked(html, name, value):
    """Whether the input name=value is checked, whatever the order of its attributes."""
    for tag in re.findall(r"<input[^>]*>", html):
        if f'name="{name}"' in tag and f'value="{value}"' in tag:
            return re.search(r"\schecked[\s>=]", tag) is not None
    return False


def load(action_id):
    return db.session.get(Action, action_id)


def join(client, code, name="", role="medarbejder", unit="Team Ledige"):
    client.post(f"/j/{code}", data={"role": role, "unit": unit, "name": name})
    course = db.session.scalar(db.select(Course).where(Course.join_code == code))
    return db.session.scalar(
        db.select(Participant)
        .where(Participant.course_id == course.id)
        .order_by(Participant.id.desc())
        .limit(1)
    )


# --- The facilitator's action page -----------------------------------------------------


def test_the_action_page_shows_where_the_action_comes_from(client, auth, plan):
    auth.login()
    page = client.get(action_url(plan))
    assert page.status_code == 200
    assert plan.solution_text in page.text
    assert plan.challenge_text in page.text
    assert "/cards/" in page.text  # a link back to the challenge
    assert 'name="title"' in page.text and 'type="date"' in page.text


def test_saving_the_action_stores_every_field(app, client, auth, plan):
    auth.login()
    response = client.post(action_url(plan), data=full_edit())
    assert response.status_code == 302
    assert response.headers["Location"] == action_url(plan)
    with app.app_context():
        action = load(plan.action_id)
        assert action.title == "Samtaleskemaet får fire overskrifter"
        assert action.owner_id is None and action.owner_name == "Teamleder Per"
        assert action.who_does_what == "Jobkonsulenterne bruger det korte skema"
        assert action.start_date == TODAY + timedelta(days=14)
        assert action.first_step == "Per retter skabelonen i fagsystemet"
        assert action.pilot_unit == "Team Ledige"
        assert action.pilot_from == TODAY + timedelta(days=14)
        assert action.pilot_to == TODAY + timedelta(days=56)
        assert action.communication == "På teammødet og i nyhedsbrevet"
        assert action.success_signs == "Færre minutter pr. samtale"
        assert action.watched_by == "Teamkoordinatoren"
        assert not action.is_draft


def test_checked_barriers_are_saved_with_their_notes_and_shown_again(app, client, auth, plan):
    auth.login()
    client.post(action_url(plan), data=full_edit())
    with app.app_context():
        # A note alone counts as checked; an unticked barrier without a note is not saved.
        assert load(plan.action_id).barriers == {
            "legal": {"checked": True, "note": "LAB § 31 kræver kun en plan, ikke skemaet"},
            "technical": {"checked": True, "note": "Skabelonen ligger i fagsystemet"},
        }
    page = client.get(action_url(plan))
    assert is_checked(page.text, "barrier_legal", "y")
    assert is_checked(page.text, "barrier_technical", "y")
    assert not is_checked(page.text, "barrier_cultural", "y")
    assert "LAB § 31 kræver kun en plan, ikke skemaet" in page.text
    # Unticking and clearing a barrier removes it.
    client.post(action_url(plan), data=full_edit(barrier_legal="", barrier_legal_note=""))
    with app.app_context():
        assert set(load(plan.action_id).barriers) == {"technical"}


def test_a_start_date_in_the_past_is_saved_with_a_note_to_set_the_status(app, client, auth, plan):
    auth.login()
    past = TODAY - timedelta(days=3)
    response = client.post(action_url(plan), data=full_edit(start_date=past.isoformat()))
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert "er allerede passeret" in page.text
    assert "sæt dens status nedenfor" in page.text
    with app.app_context():
        action = load(plan.action_id)
        assert action.start_date == past and action.owner_name == "Teamleder Per"


def test_a_start_date_from_today_on_is_saved_without_the_note(client, auth, plan):
    auth.login()
    response = client.post(action_url(plan), data=full_edit())
    assert "er allerede passeret" not in client.get(response.headers["Location"]).text


def test_a_refused_edit_keeps_what_was_typed(app, client, auth, plan):
    auth.login()
    response = client.post(
        action_url(plan) + "?lang=en",
        data=full_edit(pilot_to=(TODAY + timedelta(days=1)).isoformat()),
    )
    assert response.status_code == 422
    assert 'role="alert"' in response.text
    for kept in ("Samtaleskemaet får fire overskrifter", "Teamleder Per", "Teamkoordinatoren"):
        assert kept in response.text
    assert "LAB § 31 kræver kun en plan, ikke skemaet" in response.text
    with app.app_context():
        action = load(plan.action_id)
        assert action.start_date is None and action.owner_name == ""


def test_a_test_period_that_ends_before_it_begins_is_refused(app, client, auth, plan):
    auth.login()
    data = full_edit(
        pilot_from=(TODAY + timedelta(days=30)).isoformat(),
        pilot_to=(TODAY + timedelta(days=10)).isoformat(),
    )
    response = client.post(action_url(plan) + "?lang=en", data=data)
    assert response.status_code == 422
    assert "ends before it begins" in response.text
    assert f'value="{data["pilot_to"]}"' in response.text
    with app.app_context():
        assert load(plan.action_id).pilot_from is None


def test_a_date_that_is_not_a_date_is_refused_with_the_text_kept(app, client, auth, plan):
    auth.login()
    response = client.post(action_url(plan) + "?lang=en", data=full_edit(start_date="31.02.2030"))
    assert response.status_code == 422
    assert 'value="31.02.2030"' in response.text
    assert "Give a date" in response.text
    with app.app_context():
        assert load(plan.action_id).start_date is None


def test_a_date_typed_the_danish_way_is_understood_and_an_empty_one_clears_it(
    app, client, auth, plan
):
    auth.login()
    later = TODAY + timedelta(days=20)
    typed = f"{later.day}.{later.month}.{later.year}"
    assert client.post(action_url(plan), data=full_edit(start_date=typed)).status_code == 302
    with app.app_context():
        assert load(plan.action_id).start_date == later
    cleared = full_edit(start_date="", pilot_from="", pilot_to="")
    assert client.post(action_url(plan), data=cleared).status_code == 302
    with app.app_context():
        action = load(plan.action_id)
        assert (action.start_date, action.pilot_from, action.pilot_to) == (None, None, None)
        assert action.is_draft


def test_an_empty_title_is_refused(app, client, auth, plan):
    auth.login()
    response = client.post(action_url(plan), data=full_edit(title="  "))
    assert response.status_code == 422
    assert "Teamleder Per" in response.text
    with app.app_context():
        assert load(plan.action_id).title == plan.solution_text


def test_the_owner_is_chosen_among_this_courses_participants_only(app, client, auth, make, plan):
    with app.app_context():
        course = db.session.get(Course, plan.course_id)
        anne = make.participant(course, name="Anne Jobkonsulent")
        nameless = make.participant(course, role="leder", unit="Ydelse")
        stranger = make.participant(make.course(), name="Fremmed Person")
        anne_id, nameless_id, stranger_id = anne.id, nameless.id, stranger.id
    auth.login()
    page = client.get(action_url(plan) + "?lang=en")
    assert f'<option value="{anne_id}">Anne Jobkonsulent</option>' in page.text
    assert f'<option value="{nameless_id}">Manager, Ydelse</option>' in page.text
    assert "Fremmed Person" not in page.text

    refused = client.post(action_url(plan), data=full_edit(owner_id=str(stranger_id)))
    assert refused.status_code == 422
    with app.app_context():
        assert load(plan.action_id).owner_id is None

    saved = client.post(action_url(plan), data=full_edit(owner_id=str(nameless_id)))
    assert saved.status_code == 302
    with app.app_context():
        action = load(plan.action_id)
        assert action.owner_id == nameless_id
        assert not action.is_draft  # a participant without a name is still an owner


def test_a_status_change_is_logged_as_the_facilitators(app, client, auth, plan):
    auth.login()
    response = client.post(
        action_url(plan, "/status"), data={"status": "in_test", "note": "Starter i Team Ledige"}
    )
    assert response.status_code == 302
    with app.app_context():
        assert load(plan.action_id).status == "in_test"
        update = db.session.scalar(db.select(ActionUpdate))
        assert (update.status, update.note, update.participant_id) == (
            "in_test",
            "Starter i Team Ledige",
            None,
        )
    page = client.get(action_url(plan) + "?lang=en")
    assert "Starter i Team Ledige" in page.text
    assert "Facilitator" in page.text  # by whom


def test_dropping_an_action_without_a_reason_is_refused(app, client, auth, plan):
    auth.login()
    response = client.post(action_url(plan, "/status") + "?lang=en", data={"status": "dropped"})
    assert response.status_code == 422
    assert "Say why" in response.text
    assert is_checked(response.text, "status", "dropped")
    with app.app_context():
        assert load(plan.action_id).status == "not_started"
        assert db.session.scalar(db.select(db.func.count()).select_from(ActionUpdate)) == 0


def test_a_status_form_without_a_status_says_so(app, client, auth, plan):
    auth.login()
    response = client.post(action_url(plan, "/status") + "?lang=en", data={"note": "Hmm"})
    assert response.status_code == 422
    assert "Choose a status" in response.text
    assert "Hmm" in response.text


def test_another_facilitators_action_page_is_404(app, client, auth, make, plan):
    with app.app_context():
        make.facilitator(email="other@example.dk")
    auth.login("other@example.dk")
    assert client.get(action_url(plan)).status_code == 404
    assert client.post(action_url(plan), data=full_edit()).status_code == 404
    assert client.post(action_url(plan, "/status"), data={"status": "in_test"}).status_code == 404
    with app.app_context():
        assert load(plan.action_id).owner_name == ""
        assert load(plan.action_id).status == "not_started"


def test_an_action_of_another_of_my_courses_is_404_under_this_course(app, client, auth, make, plan):
    with app.app_context():
        other_course_id = make.course().id
    auth.login()
    url = f"/f/courses/{other_course_id}/actions/{plan.action_id}"
    assert client.get(url).status_code == 404


def test_the_action_page_works_in_any_step(app, client, auth, plan):
    with app.app_context():
        go_to_step(db.session.get(Course, plan.course_id), 6)
    auth.login()
    assert client.get(action_url(plan)).status_code == 200
    assert client.post(action_url(plan), data=full_edit()).status_code == 302


# --- The control panel and the projector -----------------------------------------------


def test_the_control_panel_lists_the_plan_with_drafts_flagged(app, client, auth, make, plan):
    with app.app_context():
        course = db.session.get(Course, plan.course_id)
        go_to_step(course, 2)  # cards are written in step 2
        author = make.participant(course, name="Ole")
        card = make.challenge(author, "Dobbeltregistrering i to systemer")
        ready = make.action(
            make.solution(author, card, "Én indgang til sagen"),
            owner_name="Afdelingsleder Kim",
            start_date=TODAY + timedelta(days=3),
        )
        go_to_step(course, 4)
        ready_id = ready.id
    auth.login()
    page = client.get(f"/f/courses/{plan.course_id}?lang=en")
    assert page.status_code == 200
    assert f'href="/f/courses/{plan.course_id}/actions/{plan.action_id}"' in page.text
    assert f'href="/f/courses/{plan.course_id}/actions/{ready_id}"' in page.text
    assert "Afdelingsleder Kim" in page.text
    assert "Dobbeltregistrering i to systemer" in page.text  # the challenge it comes from
    assert page.text.count("Draft: no owner and no start date") == 1
    live = client.get(f"/f/courses/{plan.course_id}/live", headers=HX)
    assert "Én indgang til sagen" in live.text and "draft-flag" in live.text


def test_the_projector_shows_the_plan_as_a_board_by_status(app, client, auth, make, plan):
    with app.app_context():
        course = db.session.get(Course, plan.course_id)
        go_to_step(course, 2)  # cards are written in step 2
        author = make.participant(course)
        cards = [make.challenge(author, f"Udfordring {number}") for number in range(2)]
        for number, card in enumerate(cards):
            action = make.action(
                make.solution(author, card, f"Løsning {number}"),
                owner_name=f"Ejer {number}",
                start_date=TODAY,
            )
            set_action_status(action, "in_test")
        go_to_step(course, 4)
    auth.login()
    page = client.get(f"/f/courses/{plan.course_id}/projector?lang=en")
    assert page.status_code == 200
    text = page.text
    for label in ("Not started", "In test", "Implemented", "Adjusted", "Dropped"):
        assert label in text
    assert 'id="board-not_started">Not started <span class="count">(1)</span>' in text
    assert 'id="board-in_test">In test <span class="count">(2)</span>' in text
    assert 'id="board-dropped">Dropped <span class="count">(0)</span>' in text
    assert "Ejer 0" in text and "Ejer 1" in text
    assert "Draft: no owner and no start date" in text
    assert plan.solution_text in text  # the action's title


# --- Owners on their phones ------------------------------------------------------------


@pytest.fixture
def owner_phone(app, client, plan):
    """The client is a phone whose person owns the plan's action."""
    with app.app_context():
        me = join(client, plan.code, name="Anne")
        action = load(plan.action_id)
        action.owner_id = me.id
        db.session.commit()
        return me.id


def status_url(plan, action_id=None):
    return f"/c/{plan.code}/actions/{action_id or plan.action_id}/status"


def test_the_phone_in_step_four_shows_the_plan_and_the_owners_form(client, plan, owner_phone):
    page = client.get(f"/c/{plan.code}")
    assert page.status_code == 200
    assert plan.solution_text in page.text
    assert f'id="owner-status-{plan.action_id}"' in page.text
    assert f'action="{status_url(plan)}"' in page.text


def test_a_phone_that_owns_nothing_sees_the_plan_but_no_form(app, client, plan):
    with app.app_context():
        join(client, plan.code)
    page = client.get(f"/c/{plan.code}")
    assert plan.solution_text in page.text
    assert "owner-status-" not in page.text


def test_the_owner_updates_the_status_with_htmx(app, client, plan, owner_phone):
    response = client.post(
        status_url(plan),
        data={"status": "in_test", "note": "Vi er i gang", "back": "course"},
        headers=HX,
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert f'id="owner-status-{plan.action_id}"' in response.text
    assert 'role="status"' in response.text and "data-sent" in response.text
    assert is_checked(response.text, "status", "in_test")
    with app.app_context():
        assert load(plan.action_id).status == "in_test"
        update = db.session.scalar(db.select(ActionUpdate))
        assert (update.note, update.participant_id) == ("Vi er i gang", owner_phone)


def test_the_owner_updates_the_status_without_javascript(app, client, plan, owner_phone):
    response = client.post(status_url(plan), data={"status": "implemented", "back": "course"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/c/{plan.code}"
    response = client.post(
        status_url(plan) + "?lang=en", data={"status": "adjusted", "note": "Kortere"}
    )
    assert response.headers["Location"] == f"/c/{plan.code}/actions"
    page = client.get(f"/c/{plan.code}/actions?lang=en")
    assert "The status is saved" in page.text
    with app.app_context():
        assert load(plan.action_id).status == "adjusted"
        assert db.session.scalar(db.select(db.func.count()).select_from(ActionUpdate)) == 2


def test_the_owner_is_refused_dropping_without_a_reason_and_keeps_the_form(
    app, client, plan, owner_phone
):
    fragment = client.post(
        status_url(plan) + "?lang=en", data={"status": "dropped", "note": " "}, headers=HX
    )
    assert fragment.status_code == 422
    assert "Say why" in fragment.text and 'role="alert"' in fragment.text
    assert is_checked(fragment.text, "status", "dropped")
    page = client.post(status_url(plan) + "?lang=en", data={"status": "dropped"})
    assert page.status_code == 422
    assert "<html" in page.text and "Say why" in page.text
    with app.app_context():
        assert load(plan.action_id).status == "not_started"


def test_a_participant_who_does_not_own_the_action_is_refused(app, client, plan):
    with app.app_context():
        join(client, plan.code, name="Ikke ejer")
    for headers in ({}, HX):
        response = client.post(
            status_url(plan) + "?lang=en", data={"status": "in_test"}, headers=headers
        )
        assert response.status_code == 403
        assert "Only the action" in response.text
    with app.app_context():
        assert load(plan.action_id).status == "not_started"
        assert db.session.scalar(db.select(db.func.count()).select_from(ActionUpdate)) == 0


def test_an_owner_in_another_course_cannot_update_this_courses_action(app, client, make, plan):
    with app.app_context():
        other = make.course()
        me = join(client, other.join_code, name="Anden")
        # Even owning an action in their own course gives no right to this one.
        mine = load(plan.action_id)
        other_code = other.join_code
        assert me.course_id == other.id and mine.course_id != other.id
    url = f"/c/{other_code}/actions/{plan.action_id}/status?lang=en"
    response = client.post(url, data={"status": "in_test"}, headers=HX)
    # Not found, as if it did not exist: the phone learns nothing about other courses.
    assert response.status_code == 404
    assert plan.solution_text not in response.text
    # And through this course's address the phone is not a participant at all.
    assert client.post(status_url(plan), data={"status": "in_test"}).status_code == 403
    with app.app_context():
        assert load(plan.action_id).status == "not_started"


def test_an_unknown_action_is_404_not_500(client, plan, owner_phone):
    assert client.post(status_url(plan, 999999), data={"status": "in_test"}).status_code == 404


def test_owners_update_their_actions_days_later_in_step_six(app, client, plan, owner_phone):
    with app.app_context():
        go_to_step(db.session.get(Course, plan.course_id), 6)
    page = client.get(f"/c/{plan.code}/actions")
    assert page.status_code == 200
    assert f'id="owner-status-{plan.action_id}"' in page.text
    response = client.post(status_url(plan), data={"status": "implemented"}, headers=HX)
    assert response.status_code == 200
    with app.app_context():
        assert load(plan.action_id).status == "implemented"


def test_the_actions_page_asks_a_phone_that_has_not_joined_to_join(client, plan):
    response = client.get(f"/c/{plan.code}/actions")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/j/{plan.code}"


def test_naming_an_owner_brings_the_form_to_that_phone(app, client, plan):
    with app.app_context():
        me = join(client, plan.code)
        course = db.session.get(Course, plan.course_id)
        before = get_step(4).stage(course)
        action = load(plan.action_id)
        action.owner_id = me.id
        db.session.commit()
        after = get_step(4).stage(course)
    assert before != after
    live = client.get(f"/c/{plan.code}/live?stage={before}", headers=HX)
    assert f'id="owner-status-{plan.action_id}"' in live.text  # the stage, swapped in


def test_nameless_owners_without_a_unit_are_told_apart_without_a_name(app, client, auth, plan):
    with app.app_context():
        course = db.session.get(Course, plan.course_id)
        first = join_course(course, "medarbejder", "", "")
        second = join_course(course, "medarbejder", "", "")
        first_id, second_id = first.id, second.id
        action = load(plan.action_id)
        action.owner_id = second_id
        db.session.commit()
    auth.login()
    page = client.get(action_url(plan))
    assert f'<option value="{first_id}">Medarbejder (uden navn) (1)</option>' in page.text
    assert re.search(
        rf'<option [^>]*value="{second_id}"[^>]*>Medarbejder \(uden navn\) \(2\)<', page.text
    )
    panel = client.get(f"/f/courses/{plan.course_id}")
    assert "Medarbejder (uden navn) (2)" in panel.text


def test_a_nameless_owner_with_a_unique_unit_is_shown_by_role_and_unit(app, plan):
    with app.app_context():
        course = db.session.get(Course, plan.course_id)
        owner = join_course(course, "medarbejder", "Ydelsesteamet", "")
        assert owner.label == "Medarbejder, Ydelsesteamet"


def test_the_owners_saved_status_is_confirmed_beside_the_button(app, client, plan, owner_phone):
    response = client.post(
        status_url(plan), data={"status": "in_test", "back": "course"}, headers=HX
    )
    text = response.text
    button = text.index('type="submit"')
    confirmation = text.index("Tak. Status er gemt.")
    assert button < confirmation
    assert text.index('class="form-actions"') < button


def test_a_refused_status_keeps_where_the_owner_came_from(app, client, plan, owner_phone):
    fragment = client.post(
        status_url(plan) + "?lang=en",
        data={"status": "dropped", "note": " ", "back": "course"},
        headers=HX,
    )
    assert fragment.status_code == 422
    assert 'name="back" value="course"' in fragment.text
