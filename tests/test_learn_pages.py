"""Step 6 through the Flask test client: reflections, the status of everything, lessons."""

import re
from datetime import date

import pytest
from markupsafe import escape

from workshop.actions import set_action_status, update_action
from workshop.core.clock import local_today
from workshop.core.extensions import db
from workshop.core.models import Course, DialogueAnswer, Lesson
from workshop.courses import go_to_step
from workshop.examination import prioritise
from workshop.learning import add_lesson

HX = {"HX-Request": "true"}
EN = {"Accept-Language": "en"}


def _course(course_id):
    return db.session.get(Course, course_id)


def join(client, code, role="medarbejder"):
    return client.post(f"/j/{code}", data={"role": role, "unit": "Team Ledige"})


def answer(client, code, question, text, stage, **extra):
    token = re.sub(r"[^A-Za-z0-9]+", "-", text)[:30]  # one form per text: a URL-safe nonce
    data = {"question": question, "text": text, "client_token": token, "stage": stage}
    return client.post(f"/c/{code}/answers", data={**data, **extra}, headers=HX)


@pytest.fixture
def learning(app, make):
    """A course in step 6 with one challenge of each status; the facilitator's ids."""
    with app.app_context():
        course = make.course(step=2)
        writer = make.participant(course)
        chosen = make.challenge(writer, "Samtaler hver tredje måned")
        later = prioritise(
            make.card(writer, "Tre systemer for én borger"),
            "later",
            later_when="Efter sommerferien",
        )
        outside = prioritise(
            make.card(writer, "Selvbooking udelukker nogle borgere"),
            "out_of_scope",
            reason="Kræver en lovændring",
        )
        undecided = make.card(writer, "Skabelonen til planer er for lang")
        solution = make.solution(writer, chosen, "Samtaler efter behov")
        make.solution(writer, chosen, "Kortere samtaler")  # proposed, not chosen
        action = make.action(solution, owner_name="Mette", start_date=local_today())
        set_action_status(action, "in_test")
        go_to_step(course, 6)
        return {
            "course": course.id,
            "code": course.join_code,
            "chosen": chosen.id,
            "later": later.id,
            "outside": outside.id,
            "undecided": undecided.id,
            "action": action.id,
        }


# --- Reflections from the phones ---------------------------------------------------------


def test_a_reflection_answer_in_step_six_lands_under_step_six_not_on_step_ones_wall(
    app, client, auth, make
):
    with app.app_context():
        course = make.course()
        course_id, code = course.id, course.join_code
        intro_question = course.questions[0]
    join(client, code)
    assert (
        answer(client, code, intro_question, "Når reglerne giver tryghed", "1").status_code == 200
    )
    with app.app_context():
        go_to_step(_course(course_id), 6)
        reflection = _course(course_id).reflections[0]
    page = client.get(f"/c/{code}")
    assert 'id="answer-form"' in page.text
    assert f'value="{reflection}"' in page.text
    assert f'value="{intro_question}"' not in page.text  # step 1's questions are closed

    response = answer(client, code, reflection, "Vi manglede kolleger fra ydelse", "6")
    assert response.status_code == 200
    with app.app_context():
        saved = db.session.scalar(
            db.select(DialogueAnswer).where(
                DialogueAnswer.text == "Vi manglede kolleger fra ydelse"
            )
        )
        assert (saved.step, saved.question) == (6, reflection)

    auth.login()
    projector = client.get(f"/f/courses/{course_id}/projector")
    assert "Vi manglede kolleger fra ydelse" in projector.text
    assert "Når reglerne giver tryghed" not in projector.text  # step 1's answers stay there
    with app.app_context():
        go_to_step(_course(course_id), 1)
    projector = client.get(f"/f/courses/{course_id}/projector")
    assert "Når reglerne giver tryghed" in projector.text
    assert "Vi manglede kolleger fra ydelse" not in projector.text


def test_answering_in_step_three_is_refused(app, client, make):
    with app.app_context():
        course = make.course(step=3)
        code, question = course.join_code, course.questions[0]
        stage = app.extensions["samskabt_steps"][2].stage(course)
    join(client, code)
    response = answer(client, code, question, "Et svar for sent", stage)
    assert response.status_code == 422
    assert "Et svar for sent" in response.text
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(DialogueAnswer)) == 0


def test_a_reflection_that_looks_like_a_cpr_number_keeps_its_text_until_confirmed(
    app, client, learning
):
    code = learning["code"]
    join(client, code)
    with app.app_context():
        question = _course(learning["course"]).reflections[1]
    text = "Vi talte om sag 010190-1234 alt for sent"
    refused = answer(client, code, question, text, "6")
    assert refused.status_code == 422
    assert text in refused.text
    assert 'name="not_cpr"' in refused.text
    assert f'value="{escape(question)}" checked' in refused.text
    confirmed = answer(client, code, question, text, "6", not_cpr="y")
    assert confirmed.status_code == 200
    with app.app_context():
        assert db.session.scalar(db.select(DialogueAnswer.step)) == 6


def test_the_facilitator_hides_a_reflection_from_the_big_screen(app, client, auth, learning):
    join(client, learning["code"])
    with app.app_context():
        question = _course(learning["course"]).reflections[0]
    answer(client, learning["code"], question, "Et svar der skal skjules", "6")
    with app.app_context():
        answer_id = db.session.scalar(db.select(DialogueAnswer.id))
    auth.login()
    panel = client.get(f"/f/courses/{learning['course']}")
    assert f"/answers/{answer_id}/hidden" in panel.text
    client.post(f"/f/courses/{learning['course']}/answers/{answer_id}/hidden")
    assert (
        "Et svar der skal skjules"
        not in client.get(f"/f/courses/{learning['course']}/projector").text
    )
    assert "Et svar der skal skjules" in client.get(f"/f/courses/{learning['course']}").text


# --- The status of every challenge ----------------------------------------------------


def test_the_status_overview_lists_every_card_with_its_status_and_its_action(
    client, auth, learning
):
    auth.login()
    live = client.get(f"/f/courses/{learning['course']}/live", headers={**HX, **EN})
    assert live.status_code == 200
    text = live.text
    for card_text, status in [
        ("Samtaler hver tredje måned", "priority-prioritised"),
        ("Tre systemer for én borger", "priority-later"),
        ("Selvbooking udelukker nogle borgere", "priority-out_of_scope"),
        ("Skabelonen til planer er for lang", "priority-open"),
    ]:
        assert card_text in text
        start = text.index(card_text)
        assert status in text[start : text.index("</li>", start)]
    assert "Efter sommerferien" in text  # later: when
    assert "Kræver en lovændring" in text  # outside the frame: why
    assert "Samtaler efter behov" in text  # the chosen solution…
    assert "action-in_test" in text  # …and its action's status
    assert "Kortere samtaler" not in text  # a proposal that was not chosen is only counted
    assert "1 other solution was proposed." in text
    # Counts per action status, every status listed.
    assert "<dt>In test</dt><dd>1</dd>" in text
    assert "<dt>Implemented</dt><dd>0</dd>" in text
    assert "<dt>Later</dt><dd>1</dd>" in text


def test_phones_see_what_became_of_every_card_with_their_own_marked(app, client, make, learning):
    with app.app_context():
        course = _course(learning["course"])
        mine = make.participant(course)
        go_to_step(course, 2)
        make.card(mine, "Mit eget kort om blanketter")
        go_to_step(course, 6)
        mine_token = mine.token
    # The phone of the person who wrote the last card: sign in as that participant.
    with client.session_transaction() as session:
        session["participant_of"] = {str(learning["course"]): mine_token}
    live = client.get(f"/c/{learning['code']}/live?stage=6", headers={**HX, **EN})
    assert live.status_code == 200
    for card_text in ("Samtaler hver tredje måned", "Tre systemer for én borger"):
        assert card_text in live.text
    assert "Efter sommerferien" in live.text
    assert "action-in_test" in live.text
    assert live.text.count("tag-mine") == 1
    start = live.text.index("Mit eget kort om blanketter")
    assert "tag-mine" in live.text[start : live.text.index("</li>", start)]


def test_the_stuck_list_shows_a_draft_action_and_a_late_start_with_its_reason(
    app, client, auth, make, learning
):
    with app.app_context():
        course = _course(learning["course"])
        writer = make.participant(course)
        go_to_step(course, 2)
        card = make.challenge(writer, "Journalnotater i to systemer")
        draft = make.action(make.solution(writer, card, "Ét system til notater"))
        late = make.action(make.solution(writer, card, "Fælles skabelon"))
        update_action(late, today=date(2020, 1, 1), owner_name="Ali", start_date=date(2020, 2, 1))
        go_to_step(course, 6)
        draft_id, late_id = draft.id, late.id
    auth.login()
    live = client.get(f"/f/courses/{learning['course']}/live", headers={**HX, **EN})
    stuck = live.text[live.text.index('id="stuck"') :]
    stuck = stuck[: stuck.index("</ul>")]
    assert "Ét system til notater" in stuck
    assert "No owner or start date yet." in stuck
    assert "Fælles skabelon" in stuck
    assert "Should have started on February 1, 2020." in stuck
    assert "Samtaler efter behov" not in stuck  # in test, started today: not stuck
    if "implement.action_page" in app.view_functions:
        assert f"/actions/{draft_id}" in stuck
        assert f"/actions/{late_id}" in stuck


# --- Lessons, results and decisions --------------------------------------------------------


def _lessons(app):
    with app.app_context():
        return [
            (lesson.kind, lesson.text)
            for lesson in db.session.scalars(db.select(Lesson).order_by(Lesson.id))
        ]


def test_the_facilitator_records_and_deletes_lessons_and_decisions(app, client, auth, learning):
    auth.login()
    url = f"/f/courses/{learning['course']}/lessons"
    response = client.post(url, data={"kind": "process_result", "text": "Vi fik et fælles sprog"})
    assert response.status_code == 302
    assert response.headers["Location"] == (
        f"/f/courses/{learning['course']}?kind=process_result#lessons"
    )
    response = client.post(
        url,
        data={
            "kind": "decision",
            "text": "Vi tager de tre systemer op",
            "next_step_kind": "next_challenge",
            "responsible": "Teamleder Mette",
            "due": "2031-09-01",
            "card_id": str(learning["later"]),
        },
    )
    assert response.status_code == 302
    panel = client.get(response.headers["Location"], headers=EN)
    # The next note starts as a decision too: they tend to come several at a time.
    assert re.search(
        r'<input checked id="kind-\d" name="kind" type="radio" value="decision">', panel.text
    )
    assert "Vi fik et fælles sprog" in panel.text
    assert "Teamleder Mette" in panel.text
    assert "1/9/2031" in panel.text
    # The later and the undecided challenges can be taken up next; the prioritised one not.
    assert f'<option value="{learning["later"]}"' in panel.text
    assert f'<option value="{learning["undecided"]}"' in panel.text
    assert f'<option value="{learning["chosen"]}"' not in panel.text
    with app.app_context():
        decision = db.session.scalar(db.select(Lesson).where(Lesson.kind == "decision"))
        assert (decision.card_id, decision.due) == (learning["later"], date(2031, 9, 1))
        first = db.session.scalar(db.select(Lesson.id).where(Lesson.kind == "process_result"))
    assert 'Delete…<span class="visually-hidden">: Vi fik et fælles sprog</span>' in panel.text

    delete_url = f"/f/courses/{learning['course']}/lessons/{first}/delete"
    asked = client.post(delete_url)
    assert asked.status_code == 200  # first the confirmation, in the button's place
    assert "Slet notatet for altid?" in asked.text
    assert len(_lessons(app)) == 2
    response = client.post(delete_url, data={"confirmed": "1"})
    assert response.status_code == 302
    assert _lessons(app) == [("decision", "Vi tager de tre systemer op")]


@pytest.mark.parametrize(
    ("data", "kept"),
    [
        (  # empty text
            {
                "kind": "decision",
                "text": "  ",
                "next_step_kind": "experience_group",
                "responsible": "Mette",
            },
            ['value="Mette"', '<option selected value="experience_group">'],
        ),
        (  # a decision without saying how the method is kept going
            {
                "kind": "decision",
                "text": "Vi fortsætter",
                "responsible": "Ali",
                "due": "2031-01-15",
            },
            ["Vi fortsætter", 'value="Ali"', 'value="2031-01-15"'],
        ),
        (  # decision details on a lesson would be dropped without a word: ask instead
            {"kind": "lesson", "text": "Inddrag ydelse tidligere", "responsible": "Ali"},
            ["Inddrag ydelse tidligere", 'value="Ali"'],
        ),
        (  # a date that is not a date
            {"kind": "decision", "text": "Næste forløb", "next_step_kind": "other", "due": "snart"},
            ["Næste forløb", 'value="snart"'],
        ),
    ],
)
def test_refused_lessons_keep_what_was_typed(app, client, auth, learning, data, kept):
    auth.login()
    response = client.post(f"/f/courses/{learning['course']}/lessons", data=data)
    assert response.status_code == 422
    assert 'class="message message-error"' in response.text
    for fragment in kept:
        assert fragment in response.text
    checked = re.search(
        r'<input checked id="kind-\d" name="kind" type="radio" value="(\w+)">', response.text
    )
    assert checked.group(1) == data["kind"]
    assert _lessons(app) == []
    # Reloading the address the refused form left behind shows the control panel.
    reload = client.get(f"/f/courses/{learning['course']}/lessons")
    assert reload.headers["Location"] == f"/f/courses/{learning['course']}#lessons"


def test_a_decision_with_a_card_from_another_course_is_refused(app, client, auth, make, learning):
    with app.app_context():
        other = make.course(make.facilitator("other@example.dk"), step=2, title="Et andet forløb")
        foreign = make.card(make.participant(other), "Et kort fra en anden kommune").id
    auth.login()
    response = client.post(
        f"/f/courses/{learning['course']}/lessons",
        data={
            "kind": "decision",
            "text": "Tag det andet kort op",
            "next_step_kind": "next_challenge",
            "card_id": str(foreign),
        },
    )
    assert response.status_code == 422
    assert "Tag det andet kort op" in response.text
    assert "Et kort fra en anden kommune" not in response.text
    assert _lessons(app) == []


def test_the_projector_shows_lessons_decisions_answers_and_the_status_in_numbers(
    app, client, auth, learning
):
    with app.app_context():
        course = _course(learning["course"])
        add_lesson(course, "product_result", "Otte timer sparet om ugen")
        add_lesson(
            course,
            "decision",
            "To interne facilitatorer",
            next_step_kind="internal_facilitators",
            responsible="Jobcenterchefen",
        )
    join(client, learning["code"])
    with app.app_context():
        question = _course(learning["course"]).reflections[2]
    answer(client, learning["code"], question, "Vi informerede for sent", "6")
    auth.login()
    page = client.get(f"/f/courses/{learning['course']}/projector", headers=EN)
    assert page.status_code == 200
    for text in (
        "Otte timer sparet om ugen",
        "To interne facilitatorer",
        "Jobcenterchefen",
        "Internal facilitators",
        "Vi informerede for sent",
        question,
        "<dt>Prioritised</dt><dd>1</dd>",
        "<dt>In test</dt><dd>1</dd>",
    ):
        assert text in page.text


# --- Who may do what -----------------------------------------------------------------------


def test_lesson_routes_need_a_login(client, learning):
    response = client.post(f"/f/courses/{learning['course']}/lessons", data={"text": "x"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    response = client.post(f"/f/courses/{learning['course']}/lessons/1/delete")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_another_facilitator_gets_404_and_changes_nothing(app, client, auth, make, learning):
    with app.app_context():
        make.facilitator("other@example.dk")
        lesson = add_lesson(_course(learning["course"]), "lesson", "Vores egen erfaring").id
    auth.login("other@example.dk")
    base = f"/f/courses/{learning['course']}"
    assert client.get(base).status_code == 404
    assert client.get(f"{base}/live").status_code == 404
    assert client.get(f"{base}/projector").status_code == 404
    assert client.post(f"{base}/lessons", data={"kind": "lesson", "text": "x"}).status_code == 404
    assert client.post(f"{base}/lessons/{lesson}/delete").status_code == 404
    assert _lessons(app) == [("lesson", "Vores egen erfaring")]


def test_a_lesson_of_another_course_cannot_be_deleted_through_ones_own(
    app, client, auth, make, learning
):
    with app.app_context():
        mine = make.course(title="Mit andet forløb").id
        lesson = add_lesson(_course(learning["course"]), "lesson", "Bliver stående").id
    auth.login()
    client.post(f"/f/courses/{mine}/lessons/{lesson}/delete")
    assert _lessons(app) == [("lesson", "Bliver stående")]


def test_a_refused_lesson_after_the_step_changed_says_why_with_the_text(
    app, client, auth, learning
):
    with app.app_context():
        go_to_step(_course(learning["course"]), 5)
    auth.login()
    response = client.post(
        f"/f/courses/{learning['course']}/lessons",
        data={"kind": "decision", "text": "Skrevet mens vi skiftede trin"},
    )
    assert response.status_code == 302
    panel = client.get(response.headers["Location"])
    assert "Skrevet mens vi skiftede trin" in panel.text
    assert 'id="lessons-heading"' not in panel.text
    assert _lessons(app) == []


@pytest.mark.parametrize("app", [{"WTF_CSRF_ENABLED": True}], indirect=True)
def test_lessons_are_added_and_deleted_only_with_the_pages_csrf_token(app, client, learning):
    page = client.get("/login")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
    client.post(
        "/login",
        data={"email": "facilitator@example.dk", "password": "correct horse", "csrf_token": token},
    )
    base = f"/f/courses/{learning['course']}"
    refused = client.post(f"{base}/lessons", data={"kind": "lesson", "text": "Uden token"})
    assert refused.status_code == 400
    assert _lessons(app) == []
    panel = client.get(base).text
    start = panel.index('id="lessons"')
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', panel[start:]).group(1)
    saved = client.post(
        f"{base}/lessons", data={"kind": "lesson", "text": "Med token", "csrf_token": token}
    )
    assert saved.status_code == 302
    assert _lessons(app) == [("lesson", "Med token")]
    with app.app_context():
        lesson_id = db.session.scalar(db.select(Lesson.id))
    client.post(f"{base}/lessons/{lesson_id}/delete")
    assert _lessons(app) == [("lesson", "Med token")]
    panel = client.get(base).text
    delete_form = panel[panel.index(f"/lessons/{lesson_id}/delete") :]
    token = re.search(r'name="csrf_token" value="([^"]+)"', delete_form).group(1)
    client.post(f"{base}/lessons/{lesson_id}/delete", data={"csrf_token": token, "confirmed": "1"})
    assert _lessons(app) == []
