"""Step 3 through the Flask test client: proposing, voting on and choosing solutions."""

import re

import pytest

from workshop.actions import set_action_status
from workshop.core.extensions import db
from workshop.core.models import Action, Card, Course, Solution, Vote
from workshop.courses import go_to_step
from workshop.examination import prioritise
from workshop.votes import CARDS, SOLUTIONS, set_voting_state

HX = {"HX-Request": "true"}
EN = {"Accept-Language": "en"}


@pytest.fixture
def step3(app, make):
    """A course in step 3 with one prioritised challenge and one card that was not."""
    with app.app_context():
        course = make.course(step=2, dot_budget=3)
        author = make.participant(course, name="Anne")
        challenge = make.challenge(author, "Skabelonen kræver flere samtaler end loven")
        other = make.card(author, "Kaffen er dårlig")
        go_to_step(course, 3)
        return {
            "id": course.id,
            "code": course.join_code,
            "challenge": challenge.id,
            "other": other.id,
        }


def _course(course_id):
    return db.session.get(Course, course_id)


def _count(model):
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def join(client, code, role="medarbejder"):
    return client.post(f"/j/{code}", data={"role": role, "unit": "Team Ledige"})


def propose(client, step3, headers=HX, **fields):
    data = {
        "card": step3["challenge"],
        "text": "Ret skabelonen til lovens minimum",
        "kind": "remove",
        "client_token": "s1",
        **fields,
    }
    return client.post(f"/c/{step3['code']}/solutions", data=data, headers=headers)


def _add_solution(app, make, step3, text="Én indgang til sagen", role="medarbejder"):
    with app.app_context():
        course = _course(step3["id"])
        person = make.participant(course, role=role)
        return make.solution(person, db.session.get(Card, step3["challenge"]), text).id


# --- Proposing from a phone -----------------------------------------------------------


def test_the_phone_offers_the_only_prioritised_challenge_already_chosen(client, step3):
    join(client, step3["code"])
    page = client.get(f"/c/{step3['code']}")
    assert 'id="solution-form"' in page.text
    assert f'name="card" value="{step3["challenge"]}" checked' in page.text
    assert f'name="card" value="{step3["other"]}"' not in page.text  # not prioritised: not offered
    for kind in ("remove", "change", "embed", "keep"):
        assert f'name="kind" value="{kind}"' in page.text
    assert '<details class="assessment-details">' in page.text  # the assessment is optional
    assert 'name="effect_work_environment" value="-2"' in page.text
    assert "stage=3-c" in page.text  # the collecting phase, with its challenges' digest


def test_a_phone_without_a_prioritised_challenge_is_told_and_gets_the_form_when_one_is(
    app, client, make
):
    with app.app_context():
        course = make.course(step=2)
        card = make.card(make.participant(course), "Dobbeltregistrering i to systemer")
        go_to_step(course, 3)
        code, card_id = course.join_code, card.id
    join(client, code)
    page = client.get(f"/c/{code}", headers=EN)
    assert 'id="solution-form"' not in page.text
    assert "No challenge has been prioritised yet" in page.text
    assert "stage=3-collect" in page.text
    with app.app_context():
        prioritise(db.session.get(Card, card_id), "prioritised")
    live = client.get(f"/c/{code}/live?stage=3-collect", headers=HX)
    assert 'id="stage"' in live.text and 'hx-swap-oob="true"' in live.text
    assert 'id="solution-form"' in live.text


def test_phones_get_a_new_form_when_another_challenge_is_prioritised(app, client, make):
    with app.app_context():
        course = make.course(step=2)
        author = make.participant(course)
        make.challenge(author, "Dobbeltregistrering i to systemer")
        later = make.card(author, "Ugentlig opgørelse, som ingen bruger")
        go_to_step(course, 3)
        code, later_id = course.join_code, later.id
    join(client, code)
    page = client.get(f"/c/{code}")
    stage = re.search(r'name="stage" value="([^"]+)"', page.text).group(1)
    assert "Ugentlig opgørelse" not in page.text.split('id="live"')[0]
    with app.app_context():
        prioritise(db.session.get(Card, later_id), "prioritised")
    live = client.get(f"/c/{code}/live?stage={stage}", headers=HX)
    assert 'hx-swap-oob="true"' in live.text
    assert "Ugentlig opgørelse" in live.text.split('id="stage"')[1]


def test_a_solution_sent_with_htmx_is_saved_with_its_assessment(app, client, step3):
    join(client, step3["code"])
    response = propose(
        client,
        step3,
        effect_citizens="1",
        effect_efficiency="2",
        effect_work_environment="",
        likelihood="likely",
        evidence="Færre minutter med dokumentation pr. uge",
        effort="small",
    )
    assert response.status_code == 200
    assert "data-sent" in response.text
    assert 'hx-swap-oob="true"' in response.text  # the live list, updated at once
    assert "Ret skabelonen til lovens minimum" in response.text
    assert f'name="card" value="{step3["challenge"]}" checked' in response.text  # kept
    assert '<textarea id="solution-text" name="text" rows="4"' in response.text  # emptied
    with app.app_context():
        solution = db.session.scalar(db.select(Solution))
        assert solution.card_id == step3["challenge"]
        assert solution.kind == "remove"
        assert (solution.effect_citizens, solution.effect_efficiency) == (1, 2)
        assert solution.effect_work_environment is None
        assert (solution.likelihood, solution.effort) == ("likely", "small")
        assert solution.evidence == "Færre minutter med dokumentation pr. uge"


def test_without_javascript_a_solution_posts_and_redirects_back(app, client, step3):
    join(client, step3["code"])
    response = propose(client, step3, headers={}, text="Uden JavaScript")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/c/{step3['code']}"
    page = client.get(f"/c/{step3['code']}")
    assert "Uden JavaScript" in page.text
    with app.app_context():
        assert _count(Solution) == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"card": "other"}, "Solutions are developed for the prioritised challenges only."),
        ({"card": ""}, "Choose the challenge your solution is for."),
        ({"text": ""}, "Write something first."),
        ({"text": "x" * 501}, "at most 500 fit"),
        ({"kind": "improve"}, "Choose the kind of solution"),
        ({"kind": ""}, "Choose the kind of solution"),
        ({"effect_citizens": "5"}, "An effect is rated from -2 to +2."),
    ],
)
def test_a_refused_solution_keeps_everything_typed_and_says_why(
    app, client, step3, change, message
):
    join(client, step3["code"])
    if change.get("card") == "other":
        change = {**change, "card": step3["other"]}  # a stale form: the card lost its place
    fields = {
        "text": "Ét fælles skema i stedet for tre",
        "effect_efficiency": "2",
        "likelihood": "maybe",
        "evidence": "Vi tæller skemaerne",
        **change,
    }
    response = propose(client, step3, headers={**HX, **EN}, **fields)
    assert response.status_code == 422
    assert message in response.text
    assert 'role="alert"' in response.text
    assert fields["text"] in response.text
    assert "Vi tæller skemaerne</textarea>" in response.text
    if "effect_citizens" not in change:
        assert 'name="effect_efficiency" value="2" checked' in response.text
        assert 'name="likelihood" value="maybe" checked' in response.text
        assert '<details class="assessment-details" open>' in response.text
    if "kind" not in change:
        assert 'name="kind" value="remove" checked' in response.text
    with app.app_context():
        assert _count(Solution) == 0


def test_without_javascript_a_refused_solution_renders_the_page_with_the_text(client, step3):
    join(client, step3["code"])
    response = propose(client, step3, headers={}, text="y" * 600, evidence="Målt i minutter")
    assert response.status_code == 422
    assert "<html" in response.text
    assert "y" * 600 in response.text
    assert "Målt i minutter" in response.text


def test_a_double_submitted_solution_is_saved_once(app, client, step3):
    join(client, step3["code"])
    for _ in range(3):
        assert propose(client, step3, client_token="same").status_code == 200
    with app.app_context():
        assert _count(Solution) == 1


def test_a_cpr_like_number_is_confirmed_before_it_is_saved(app, client, step3):
    join(client, step3["code"])
    first = propose(client, step3, text="Som i sag 010190-1234")
    assert first.status_code == 422
    assert 'name="not_cpr"' in first.text
    second = propose(client, step3, text="Som i sag 010190-1234", not_cpr="y")
    assert second.status_code == 200
    with app.app_context():
        assert _count(Solution) == 1


def test_a_solution_from_an_earlier_phase_brings_the_phone_up_to_date(app, client, step3):
    join(client, step3["code"])
    with app.app_context():
        set_voting_state(_course(step3["id"]), "voting", SOLUTIONS)
    response = propose(client, step3, stage="3-collect")
    assert response.headers["HX-Retarget"] == "#live"
    assert "stage=3-voting" in response.text
    with app.app_context():
        assert _count(Solution) == 0


def test_the_live_list_shows_the_groups_solutions_and_marks_my_own(app, client, step3):
    join(client, step3["code"])
    propose(client, step3, text="Min egen idé")
    other_phone = app.test_client()
    join(other_phone, step3["code"])
    propose(other_phone, step3, text="Naboens idé", client_token="s2")
    live = client.get(f"/c/{step3['code']}/live?stage=3-collect", headers=HX)
    assert "Min egen idé" in live.text and "Naboens idé" in live.text
    assert live.text.count("tag-mine") == 1
    mine = live.text.index("Min egen idé")
    assert live.text.index("tag-mine") > mine
    assert "Skabelonen kræver flere samtaler end loven" in live.text  # grouped by challenge


# --- Voting on solutions --------------------------------------------------------------


def _open_vote(app, client, make, step3):
    join(client, step3["code"])
    solution_id = _add_solution(app, make, step3)
    with app.app_context():
        set_voting_state(_course(step3["id"]), "voting", SOLUTIONS)
    return solution_id


def test_a_phone_gets_the_vote_when_the_solution_vote_opens(app, client, make, step3):
    _open_vote(app, client, make, step3)
    live = client.get(f"/c/{step3['code']}/live?stage=3-collect", headers=HX)
    assert 'id="stage"' in live.text
    assert "stage=3-voting" in live.text
    assert 'class="vote-list"' in live.text
    assert "Én indgang til sagen" in live.text


def test_voting_on_a_solution_uses_the_dots_like_the_card_vote(app, client, make, step3):
    solution_id = _open_vote(app, client, make, step3)
    url = f"/c/{step3['code']}/solutions/{solution_id}/dots"
    response = client.post(url, data={"dots": 2, "stage": "3-voting"}, headers=HX)
    assert response.status_code == 200
    assert "1 prik" in response.text  # dots left
    # The reply is this solution only (it replaces its own <li>), with the dots left.
    assert f'id="solution-{solution_id}"' in response.text
    assert response.text.count('class="vote-card') == 1
    assert 'id="dots-left"' in response.text
    page = client.get(f"/c/{step3['code']}/live?stage=3-voting", headers=HX).text
    assert 'hx-target="closest li"' in page and 'hx-sync="closest #live:replace"' in page
    with app.app_context():
        vote = db.session.scalar(db.select(Vote))
        assert (vote.solution_id, vote.card_id, vote.dots) == (solution_id, None, 2)


def test_a_solution_vote_over_budget_is_refused_with_a_message(app, client, make, step3):
    solution_id = _open_vote(app, client, make, step3)
    response = client.post(
        f"/c/{step3['code']}/solutions/{solution_id}/dots", data={"dots": 4}, headers=HX
    )
    assert response.status_code == 422
    assert "Du har brugt alle dine prikker (3)" in response.text
    with app.app_context():
        assert _count(Vote) == 0


def test_without_javascript_a_solution_vote_redirects_back(app, client, make, step3):
    solution_id = _open_vote(app, client, make, step3)
    response = client.post(f"/c/{step3['code']}/solutions/{solution_id}/dots", data={"dots": 1})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(Vote.dots)) == 1


def test_a_participant_of_another_course_cannot_vote_on_this_courses_solution(
    app, client, make, step3
):
    solution_id = _open_vote(app, app.test_client(), make, step3)
    with app.app_context():
        other = make.course(step=3)
        other_code = other.join_code
        set_voting_state(other, "voting", SOLUTIONS)
    join(client, other_code)
    here = client.post(f"/c/{step3['code']}/solutions/{solution_id}/dots", data={"dots": 1})
    assert here.status_code == 403
    there = client.post(f"/c/{other_code}/solutions/{solution_id}/dots", data={"dots": 1})
    assert there.status_code == 404
    with app.app_context():
        assert _count(Vote) == 0


def test_no_phone_or_projector_sees_counts_before_the_reveal(app, client, make, step3):
    solution_id = _open_vote(app, client, make, step3)
    client.post(f"/c/{step3['code']}/solutions/{solution_id}/dots", data={"dots": 2}, headers=HX)
    desk = app.test_client()
    desk.post("/login", data={"email": "facilitator@example.dk", "password": "correct horse"})
    other_phone = app.test_client()
    join(other_phone, step3["code"])
    for state in ("voting", "closed"):
        with app.app_context():
            set_voting_state(_course(step3["id"]), state, SOLUTIONS)
        voter = client.get(f"/c/{step3['code']}/live?stage=3-{state}", headers=HX).text
        others = [
            other_phone.get(f"/c/{step3['code']}/live?stage=3-{state}", headers=HX).text,
            desk.get(f"/f/courses/{step3['id']}/projector/live", headers=HX).text,
            desk.get(f"/f/courses/{step3['id']}/live", headers=HX).text,
        ]
        for html in [voter, *others]:
            assert 'class="results"' not in html
            assert "tag-dots" not in html
        for html in others:
            assert not re.search(r"\b2 prikker", html)  # progress says "2 af 12 prikker"
        if state == "voting":  # the other phone sees only its own dots: none
            assert re.search(r'class="my-dots"[^>]*>0<', others[0])
            assert re.search(r'class="my-dots"[^>]*>2<', voter)
    with app.app_context():
        set_voting_state(_course(step3["id"]), "revealed", SOLUTIONS)
    phone = other_phone.get(f"/c/{step3['code']}/live?stage=3-revealed", headers=HX).text
    projector = desk.get(f"/f/courses/{step3['id']}/projector/live", headers=HX).text
    for html in (phone, projector):
        assert 'class="results"' in html
        assert "2 prikker" in html
        assert "Én indgang til sagen" in html


def test_the_card_vote_is_untouched_by_the_solution_vote(app, client, make, step3):
    _open_vote(app, client, make, step3)
    with app.app_context():
        course = _course(step3["id"])
        assert CARDS.state(course) == "collect"
        assert SOLUTIONS.state(course) == "voting"


# --- The facilitator ------------------------------------------------------------------


def test_the_facilitator_runs_the_phases_of_the_solution_vote(app, client, make, auth, step3):
    auth.login()
    url = f"/f/courses/{step3['id']}/solutions/voting"
    assert client.post(url, data={"state": "voting"}).status_code == 302
    with app.app_context():
        course = _course(step3["id"])
        assert (course.solution_voting_state, course.voting_state) == ("voting", "collect")
    panel = client.get(f"/f/courses/{step3['id']}")
    assert 'name="state" value="closed"' in panel.text
    assert f'action="/f/courses/{step3["id"]}/solutions/votes/clear"' in panel.text
    client.post(url, data={"state": "nonsense"})
    with app.app_context():
        assert _course(step3["id"]).solution_voting_state == "voting"


def test_giving_all_dots_back_clears_only_the_solution_vote(app, client, make, auth, step3):
    solution_id = _open_vote(app, client, make, step3)
    client.post(f"/c/{step3['code']}/solutions/{solution_id}/dots", data={"dots": 2})
    auth.login()
    clear = f"/f/courses/{step3['id']}/solutions/votes/clear"
    asked = client.post(clear)
    assert asked.status_code == 200  # first: how many dots from how many people
    assert "Giver 2 prikker fra 1 deltager tilbage." in asked.text
    with app.app_context():
        assert _count(Vote) == 1
    assert client.post(clear, data={"confirmed": "1"}).status_code == 302
    with app.app_context():
        assert _count(Vote) == 0


def test_the_control_panel_lists_solutions_with_author_kind_and_assessment(
    app, client, make, auth, step3
):
    with app.app_context():
        leader = make.participant(_course(step3["id"]), role="leder", unit="Ledelsen")
        make.solution(
            leader,
            db.session.get(Card, step3["challenge"]),
            "Drop den ugentlige opfølgning",
            kind="remove",
            effect_citizens=2,
            likelihood="likely",
        )
    auth.login()
    live = client.get(f"/f/courses/{step3['id']}/live", headers={**HX, **EN}).text
    assert "Drop den ugentlige opfølgning" in live
    assert "Manager, Ledelsen" in live
    assert "Remove" in live
    assert "For citizens: <strong" in live and ">+2</strong>" in live
    assert "Yes, most likely" in live
    assert 'name="decided_by"' in live and 'hx-preserve="true"' in live


def test_choosing_a_solution_makes_an_action_shown_on_the_control_panel(
    app, client, make, auth, step3
):
    solution_id = _add_solution(app, make, step3)
    auth.login()
    response = client.post(
        f"/f/courses/{step3['id']}/solutions/{solution_id}/choose",
        data={"decided_by": "Jobcenterchef Lis"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/f/courses/{step3['id']}"
    with app.app_context():
        action = db.session.scalar(db.select(Action))
        assert action.solution_id == solution_id
        assert action.title == "Én indgang til sagen"
        assert db.session.get(Solution, solution_id).decided_by == "Jobcenterchef Lis"
    live = client.get(f"/f/courses/{step3['id']}/live", headers=HX).text
    assert "tag-chosen" in live
    assert "Jobcenterchef Lis" in live
    assert f'/solutions/{solution_id}/unchoose"' in live
    assert f'/solutions/{solution_id}/choose"' not in live
    # The next choice offers the same manager.
    other_id = _add_solution(app, make, step3, "Fælles skabelon for hele jobcentret")
    live = client.get(f"/f/courses/{step3['id']}/live", headers=HX).text
    assert f'id="decided-by-{other_id}" name="decided_by" value="Jobcenterchef Lis"' in live


def test_undoing_a_choice_whose_action_has_started_is_refused(app, client, make, auth, step3):
    solution_id = _add_solution(app, make, step3)
    with app.app_context():
        set_action_status(make.action(db.session.get(Solution, solution_id)), "in_test")
    auth.login()
    url = f"/f/courses/{step3['id']}/solutions/{solution_id}/unchoose"
    page = client.post(url, headers=EN, follow_redirects=True)
    assert "The action for this solution has been planned or started" in page.text
    with app.app_context():
        assert db.session.get(Solution, solution_id).chosen
        assert _count(Action) == 1


def test_undoing_a_fresh_choice_removes_the_action(app, client, make, auth, step3):
    solution_id = _add_solution(app, make, step3)
    with app.app_context():
        make.action(db.session.get(Solution, solution_id))
    auth.login()
    client.post(f"/f/courses/{step3['id']}/solutions/{solution_id}/unchoose")
    with app.app_context():
        assert not db.session.get(Solution, solution_id).chosen
        assert _count(Action) == 0


def test_a_hidden_solution_leaves_the_phones_and_the_projector(app, client, make, auth, step3):
    solution_id = _add_solution(app, make, step3, "Skjul mig")
    auth.login()
    client.post(f"/f/courses/{step3['id']}/solutions/{solution_id}/hidden")
    projector = client.get(f"/f/courses/{step3['id']}/projector/live", headers=HX).text
    assert "Skjul mig" not in projector
    phone = app.test_client()
    join(phone, step3["code"])
    assert "Skjul mig" not in phone.get(f"/c/{step3['code']}/live?stage=3-collect").text
    panel = client.get(f"/f/courses/{step3['id']}/live", headers=HX).text
    assert "Skjul mig" in panel and "is-hidden" in panel
    client.post(f"/f/courses/{step3['id']}/solutions/{solution_id}/hidden")
    assert "Skjul mig" in client.get(f"/f/courses/{step3['id']}/projector/live").text


def test_the_facilitator_adds_a_solution_proposed_in_the_room(app, client, auth, step3):
    auth.login()
    data = {
        "card": step3["challenge"],
        "text": "Sagt højt ved bordet",
        "kind": "embed",
        "effort": "medium",
        "client_token": "room-1",
    }
    url = f"/f/courses/{step3['id']}/solutions"
    assert client.post(url, data=data).status_code == 302
    assert client.post(url, data=data).status_code == 302  # a double click
    with app.app_context():
        solution = db.session.scalar(db.select(Solution))
        assert _count(Solution) == 1
        assert solution.participant_id is None and solution.course_id == step3["id"]
        assert (solution.kind, solution.effort) == ("embed", "medium")
    assert "Sagt højt ved bordet" in client.get(f"/f/courses/{step3['id']}/projector/live").text


def test_a_refused_solution_from_the_facilitator_keeps_what_was_typed(app, client, auth, step3):
    auth.login()
    response = client.post(
        f"/f/courses/{step3['id']}/solutions",
        data={
            "card": step3["challenge"],
            "text": "",
            "kind": "keep",
            "evidence": "Spørg borgerne",
            "client_token": "room-2",
        },
        headers=EN,
    )
    assert response.status_code == 422
    assert "Write something first." in response.text
    assert '<details class="add-solution" open>' in response.text
    assert 'name="kind" value="keep" checked' in response.text
    assert "Spørg borgerne</textarea>" in response.text
    with app.app_context():
        assert _count(Solution) == 0


def test_the_solution_page_edits_the_wording_and_keeps_the_authors_words(
    app, client, make, auth, step3
):
    solution_id = _add_solution(app, make, step3, "Mine egne ord")
    auth.login()
    url = f"/f/courses/{step3['id']}/solutions/{solution_id}"
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="kind" value="change" checked' in page.text
    response = client.post(
        url,
        data={
            "text": "Gruppens ord",
            "kind": "keep",
            "effect_work_environment": "-1",
            "likelihood": "unlikely",
            "evidence": "Trivselsmåling",
            "effort": "large",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == url
    with app.app_context():
        solution = db.session.get(Solution, solution_id)
        assert (solution.text, solution.original_text, solution.kind) == (
            "Gruppens ord",
            "Mine egne ord",
            "keep",
        )
        assert (solution.effect_work_environment, solution.effort) == (-1, "large")
    page = client.get(url)
    assert "Mine egne ord" in page.text  # the author's own words, shown
    assert 'name="effect_work_environment" value="-1" checked' in page.text
    assert 'name="effect_citizens" value="" checked' in page.text  # not assessed


def test_a_refused_edit_keeps_what_was_typed(app, client, make, auth, step3):
    solution_id = _add_solution(app, make, step3, "Uændret")
    auth.login()
    response = client.post(
        f"/f/courses/{step3['id']}/solutions/{solution_id}",
        data={"text": "Ny tekst", "kind": "", "evidence": "Beholdt"},
        headers=EN,
    )
    assert response.status_code == 422
    assert "Choose the kind of solution" in response.text
    assert "Ny tekst</textarea>" in response.text and "Beholdt</textarea>" in response.text
    with app.app_context():
        assert db.session.get(Solution, solution_id).text == "Uændret"


def test_the_solution_page_chooses_and_returns_to_itself(app, client, make, auth, step3):
    solution_id = _add_solution(app, make, step3)
    auth.login()
    url = f"/f/courses/{step3['id']}/solutions/{solution_id}"
    response = client.post(f"{url}/choose", data={"decided_by": "Lis", "back": "page"})
    assert response.headers["Location"] == url
    page = client.get(url)
    assert "tag-chosen" in page.text and "Lis" in page.text
    assert f"{url}/hidden" not in page.text  # a chosen solution stays in view


def test_facilitator_pages_need_a_login(app, client, make, step3):
    solution_id = _add_solution(app, make, step3)
    base = f"/f/courses/{step3['id']}/solutions"
    assert client.get(f"{base}/{solution_id}").headers["Location"].startswith("/login")
    for url in (f"{base}/{solution_id}/choose", f"{base}/{solution_id}/hidden", f"{base}/voting"):
        assert client.post(url, data={"state": "voting"}).status_code == 302
    with app.app_context():
        solution = db.session.get(Solution, solution_id)
        assert not solution.chosen and not solution.hidden
        assert _course(step3["id"]).solution_voting_state == "collect"


def test_another_facilitator_gets_404(app, client, make, auth, step3):
    solution_id = _add_solution(app, make, step3)
    with app.app_context():
        make.facilitator("other@example.dk", "another horse")
    auth.login("other@example.dk", "another horse")
    base = f"/f/courses/{step3['id']}/solutions"
    assert client.get(f"{base}/{solution_id}").status_code == 404
    for url in (
        f"{base}/{solution_id}/choose",
        f"{base}/{solution_id}/unchoose",
        f"{base}/{solution_id}/hidden",
        f"{base}/voting",
        f"{base}/votes/clear",
        base,
    ):
        assert client.post(url, data={"state": "voting", "text": "x"}).status_code == 404
    with app.app_context():
        assert not db.session.get(Solution, solution_id).chosen
        assert _count(Solution) == 1


def test_a_solution_of_another_course_is_not_on_my_solution_page(app, client, make, auth, step3):
    with app.app_context():
        other = make.course(step=2)
        person = make.participant(other)
        foreign = make.solution(person, make.challenge(person)).id
    auth.login()
    response = client.get(f"/f/courses/{step3['id']}/solutions/{foreign}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/f/courses/{step3['id']}"


# --- Live polling ----------------------------------------------------------------------


def test_the_live_fragments_answer_304_while_nothing_changed_in_step_3(
    app, client, make, auth, step3
):
    join(client, step3["code"])
    desk = app.test_client()
    desk.post("/login", data={"email": "facilitator@example.dk", "password": "correct horse"})
    urls = [
        (client, f"/c/{step3['code']}/live?stage=3-collect"),
        (desk, f"/f/courses/{step3['id']}/projector/live"),
        (desk, f"/f/courses/{step3['id']}/live"),
    ]
    etags = []
    for who, url in urls:
        first = who.get(url, headers=HX)
        assert first.status_code == 200
        etags.append(first.headers["ETag"])
        again = who.get(url, headers={**HX, "If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304
        assert again.data == b""
    _add_solution(app, make, step3, "Nyt forslag")
    for (who, url), etag in zip(urls, etags, strict=True):
        changed = who.get(url, headers={**HX, "If-None-Match": etag})
        assert changed.status_code == 200
        assert "Nyt forslag" in changed.text
