"""A participant's phone through the Flask test client: joining, live updates, cards, votes."""

import pytest

from workshop.core.extensions import db
from workshop.core.models import Card, Course, Participant, Vote
from workshop.courses import go_to_step, set_joining_open
from workshop.examination import prioritise
from workshop.votes import set_voting_state

HX = {"HX-Request": "true"}


@pytest.fixture
def course_code(app, make):
    with app.app_context():
        return make.course(step=2, dot_budget=3).join_code


def _course(code):
    return db.session.scalar(db.select(Course).where(Course.join_code == code))


def join(client, code, role="medarbejder", unit="Team Ledige", name=""):
    return client.post(f"/j/{code}", data={"role": role, "unit": unit, "name": name})


def test_the_front_page_asks_for_the_code_in_danish(client):
    page = client.get("/")
    assert page.status_code == 200
    assert "Deltag i en workshop" in page.text or "kode" in page.text.lower()
    assert '<html lang="da">' in page.text


def test_a_typed_code_with_a_space_leads_to_the_join_page(client, course_code):
    typed = f"{course_code[:3].lower()} {course_code[3:]}"
    response = client.post("/", data={"code": typed})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/j/{course_code}"


def test_a_wrong_code_gets_a_friendly_danish_message_and_keeps_what_was_typed(client):
    response = client.post("/", data={"code": "QQQ 999"})
    assert response.status_code == 422
    assert "QQQ 999" in response.text
    assert "kode" in response.text.lower()


def test_an_unknown_join_link_is_a_friendly_404(client):
    response = client.get("/j/NOPE42")
    assert response.status_code == 404
    assert "NOPE42" in response.text


def test_joining_keeps_the_phone_in_the_course_across_reloads(app, client, course_code):
    response = join(client, course_code, role="leder", name="Susanne")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/c/{course_code}"
    page = client.get(f"/c/{course_code}")
    assert page.status_code == 200
    assert "Susanne" in page.text
    # Joining again goes straight to the course instead of making a second participant.
    assert client.get(f"/j/{course_code}").headers["Location"] == f"/c/{course_code}"
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Participant)) == 1


def test_a_phone_back_days_later_finds_its_course_on_the_front_page(app, client, make):
    with app.app_context():
        first = make.course(title="Forløb i Team Ledige")
        second = make.course(title="Forløb i Ungeindsatsen", step=4)
        codes = first.join_code, second.join_code
    assert "Forløb i" not in client.get("/").text
    for code in codes:
        join(client, code)
    page = client.get("/")
    assert page.status_code == 200
    assert f'href="/c/{codes[1]}"' in page.text and f'href="/c/{codes[0]}"' in page.text
    assert page.text.index("Ungeindsatsen") < page.text.index("Team Ledige")  # newest first
    assert "Trin 4 af 6" in page.text
    # A course deleted since (or a participant removed) is simply left out.
    with app.app_context():
        db.session.delete(db.session.get(Course, _course(codes[0]).id))
        db.session.commit()
    assert "Team Ledige" not in client.get("/").text


def test_the_session_cookie_lasts_for_days(client, course_code):
    response = join(client, course_code)
    cookie = response.headers["Set-Cookie"]
    assert "Expires=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_joining_without_a_role_is_refused_with_the_text_kept(client, course_code):
    response = client.post(f"/j/{course_code}", data={"unit": "Jobcenter Nord"})
    assert response.status_code == 422
    assert 'value="Jobcenter Nord"' in response.text


def test_a_closed_course_says_so_and_lets_nobody_new_in(app, client, course_code):
    with app.app_context():
        set_joining_open(_course(course_code), False)
    page = client.get(f"/j/{course_code}")
    assert page.status_code == 422
    assert join(client, course_code).status_code == 422
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Participant)) == 0


def test_a_participant_of_another_course_must_join_this_one(app, client, make, course_code):
    with app.app_context():
        other = make.course(step=2).join_code
    join(client, other)
    response = client.get(f"/c/{course_code}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/j/{course_code}"
    refused = client.post(f"/c/{course_code}/cards", data={"text": "Snyd", "client_token": "x"})
    assert refused.status_code == 403
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Card)) == 0


def test_the_phone_shows_the_card_form_in_step_two(client, course_code):
    join(client, course_code)
    page = client.get(f"/c/{course_code}")
    assert 'id="card-form"' in page.text
    assert 'hx-trigger="every 2s"' in page.text


def test_a_card_sent_with_htmx_returns_a_fresh_form_and_the_updated_list(app, client, course_code):
    join(client, course_code)
    response = client.post(
        f"/c/{course_code}/cards",
        data={
            "text": "Skabelonen kræver 12 overskrifter",
            "category": "dokumentation",
            "client_token": "t1",
        },
        headers=HX,
    )
    assert response.status_code == 200
    assert "data-sent" in response.text
    assert 'hx-swap-oob="true"' in response.text  # the list of my cards, updated at once
    assert "Skabelonen kræver 12 overskrifter" in response.text  # in "your cards"
    assert '<textarea id="card-text" name="text" rows="4"' in response.text
    with app.app_context():
        assert db.session.scalar(db.select(Card.category)) == "dokumentation"


def test_a_double_submitted_card_is_saved_once(app, client, course_code):
    join(client, course_code)
    data = {"text": "Dobbelt tryk", "client_token": "same"}
    for _ in range(3):
        assert client.post(f"/c/{course_code}/cards", data=data, headers=HX).status_code == 200
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Card)) == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", "Skriv"), ("x" * 700, "500"), ("Borgerens cpr 010190-1234", "CPR")],
)
def test_a_refused_card_keeps_the_text_and_says_why_in_danish(client, course_code, text, expected):
    join(client, course_code)
    response = client.post(
        f"/c/{course_code}/cards", data={"text": text, "client_token": "t"}, headers=HX
    )
    assert response.status_code == 422
    assert expected in response.text
    assert text in response.text
    assert 'role="alert"' in response.text


def test_a_cpr_warning_can_be_overridden(app, client, course_code):
    join(client, course_code)
    first = client.post(
        f"/c/{course_code}/cards", data={"text": "Sag 010190-1234", "client_token": "t"}, headers=HX
    )
    assert 'name="not_cpr"' in first.text
    second = client.post(
        f"/c/{course_code}/cards",
        data={"text": "Sag 010190-1234", "client_token": "t", "not_cpr": "y"},
        headers=HX,
    )
    assert second.status_code == 200


def test_without_javascript_a_card_posts_and_redirects_back(client, course_code):
    join(client, course_code)
    response = client.post(f"/c/{course_code}/cards", data={"text": "Uden JS", "client_token": "t"})
    assert response.status_code == 302
    page = client.get(f"/c/{course_code}")
    assert "Uden JS" in page.text


def test_without_javascript_a_refused_card_renders_the_whole_page_with_the_text(
    client, course_code
):
    join(client, course_code)
    response = client.post(f"/c/{course_code}/cards", data={"text": "x" * 600, "client_token": "t"})
    assert response.status_code == 422
    assert "<html" in response.text
    assert "x" * 600 in response.text


def test_the_live_region_answers_304_while_nothing_changed(app, client, course_code):
    join(client, course_code)
    url = f"/c/{course_code}/live?stage=2-collect"
    first = client.get(url, headers=HX)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "no-cache, private"
    again = client.get(url, headers={**HX, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    with app.app_context():
        set_voting_state(_course(course_code), "voting")
    changed = client.get(url, headers={**HX, "If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag


def test_when_the_step_changes_the_live_reply_brings_the_new_forms(app, client, course_code):
    join(client, course_code)
    with app.app_context():
        set_voting_state(_course(course_code), "voting")
    response = client.get(f"/c/{course_code}/live?stage=2-collect", headers=HX)
    assert 'id="stage"' in response.text
    assert 'hx-swap-oob="true"' in response.text
    assert "stage=2-voting" in response.text
    same = client.get(f"/c/{course_code}/live?stage=2-voting", headers=HX)
    assert 'id="stage"' not in same.text


def test_a_phone_that_left_the_course_is_sent_to_join_by_the_poll(client, course_code):
    response = client.get(f"/c/{course_code}/live?stage=2-collect", headers=HX)
    assert response.headers["HX-Redirect"] == f"/j/{course_code}"


def _open_vote_with_card(app, client, code):
    join(client, code)
    client.post(f"/c/{code}/cards", data={"text": "Stem på mig", "client_token": "t"})
    with app.app_context():
        set_voting_state(_course(code), "voting")
        return db.session.scalar(db.select(Card.id))


def test_voting_from_the_phone_updates_the_dots_left(app, client, course_code):
    card_id = _open_vote_with_card(app, client, course_code)
    response = client.post(f"/c/{course_code}/cards/{card_id}/dots", data={"dots": 2}, headers=HX)
    assert response.status_code == 200
    assert "1 prik" in response.text
    with app.app_context():
        assert db.session.scalar(db.select(Vote.dots)) == 2


def test_a_vote_over_budget_is_refused_with_a_danish_message(app, client, course_code):
    card_id = _open_vote_with_card(app, client, course_code)
    response = client.post(f"/c/{course_code}/cards/{card_id}/dots", data={"dots": 4}, headers=HX)
    assert response.status_code == 422
    assert "prikker" in response.text
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Vote)) == 0


def test_a_vote_while_voting_is_closed_is_refused(app, client, course_code):
    card_id = _open_vote_with_card(app, client, course_code)
    with app.app_context():
        set_voting_state(_course(course_code), "closed")
    response = client.post(f"/c/{course_code}/cards/{card_id}/dots", data={"dots": 1}, headers=HX)
    assert response.status_code == 422
    assert "ikke åben" in response.text


def test_a_vote_on_another_courses_card_is_refused(app, client, make, course_code):
    _open_vote_with_card(app, client, course_code)
    with app.app_context():
        other = make.course(step=2)
        foreign = make.card(make.participant(other)).id
    response = client.post(f"/c/{course_code}/cards/{foreign}/dots", data={"dots": 1}, headers=HX)
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Vote)) == 0


def test_no_phone_sees_counts_before_the_reveal(app, client, course_code):
    card_id = _open_vote_with_card(app, client, course_code)
    client.post(f"/c/{course_code}/cards/{card_id}/dots", data={"dots": 3}, headers=HX)
    with app.app_context():
        set_voting_state(_course(course_code), "closed")
    live = client.get(f"/c/{course_code}/live?stage=2-closed", headers=HX)
    assert "3 prikker" not in live.text
    assert 'class="results"' not in live.text
    with app.app_context():
        set_voting_state(_course(course_code), "revealed")
    live = client.get(f"/c/{course_code}/live?stage=2-revealed", headers=HX)
    assert 'class="results"' in live.text
    assert "3 prikker" in live.text


def test_step_one_answers_reach_the_wall(app, client, make):
    with app.app_context():
        course = make.course()
        code, hinders = course.join_code, course.questions[1]
    join(client, code)
    page = client.get(f"/c/{code}")
    assert 'id="answer-form"' in page.text
    response = client.post(
        f"/c/{code}/answers",
        data={
            "question": hinders,
            "text": "Når vi dokumenterer for dokumentationens skyld",
            "client_token": "a",
            "stage": "1",
        },
        headers=HX,
    )
    assert response.status_code == 200
    assert "Når vi dokumenterer for dokumentationens skyld" in response.text
    assert f'value="{hinders}" checked' in response.text  # the chosen question stays chosen


def test_a_phone_that_missed_a_step_change_gets_the_new_forms(app, client, make):
    with app.app_context():
        course = make.course()
        code = course.join_code
    join(client, code)
    with app.app_context():
        go_to_step(_course(code), 2)
    response = client.post(
        f"/c/{code}/answers",
        data={"question": "x", "text": "Sendt for sent", "client_token": "a", "stage": "1"},
        headers=HX,
    )
    assert response.headers["HX-Retarget"] == "#live"
    assert 'id="card-form"' in response.text  # the step 2 forms, swapped in out of band
    assert "stage=2-collect" in response.text
    assert "facilitatoren er gået videre" in response.text.lower()


def test_a_vote_from_a_closed_round_brings_the_phone_up_to_date(app, client, course_code):
    card_id = _open_vote_with_card(app, client, course_code)
    with app.app_context():
        set_voting_state(_course(course_code), "closed")
    response = client.post(
        f"/c/{course_code}/cards/{card_id}/dots",
        data={"dots": 1, "stage": "2-voting"},
        headers=HX,
    )
    assert 'id="stage"' in response.text
    assert "stage=2-closed" in response.text
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Vote)) == 0


def test_steps_three_to_six_show_their_purpose_on_the_phone(app, client, course_code):
    join(client, course_code)
    for number in range(3, 7):
        with app.app_context():
            go_to_step(_course(course_code), number)
        page = client.get(f"/c/{course_code}")
        assert f"Trin {number} af 6" in page.text


def test_without_javascript_a_card_from_a_closed_phase_shows_the_reason_and_the_text(
    app, client, course_code
):
    join(client, course_code)
    with app.app_context():
        set_voting_state(_course(course_code), "voting")
    response = client.post(
        f"/c/{course_code}/cards",
        data={"text": "Skrevet før afstemningen", "client_token": "t", "stage": "2-collect"},
    )
    assert response.status_code == 422
    assert "Skrevet før afstemningen" in response.text
    assert "Der samles ikke nye kort ind lige nu" in response.text


def test_the_frame_keeps_its_line_breaks_and_paragraphs_on_the_phone(app, client, make):
    with app.app_context():
        course = make.course(
            purpose="Mindre bøvl\nMere tid til borgeren\n\nOg <b>færre</b> skemaer",
        )
        code = course.join_code
    join(client, code)
    page = client.get(f"/c/{code}")
    assert (
        "<p>Mindre bøvl<br>\nMere tid til borgeren</p><p>Og &lt;b&gt;færre&lt;/b&gt; skemaer</p>"
        in (page.text)
    )


def test_the_frame_keeps_its_line_breaks_on_the_projector(app, client, auth, make):
    with app.app_context():
        course = make.course(make.facilitator(), frame_can_change="Skabeloner\nMødeformer")
        course_id = course.id
    auth.login()
    # The big join screen comes first in step 1; the facilitator puts it away to present.
    client.post(f"/f/courses/{course_id}/projector/join", data={"choice": "small"})
    page = client.get(f"/f/courses/{course_id}/projector")
    assert "<p>Skabeloner<br>\nMødeformer</p>" in page.text


def test_after_the_reveal_phones_say_what_is_prioritised_only_once_something_is(
    app, client, course_code
):
    card_id = _open_vote_with_card(app, client, course_code)
    with app.app_context():
        set_voting_state(_course(course_code), "revealed")
    page = client.get(f"/c/{course_code}")
    assert "Sådan stemte gruppen." in page.text
    assert "prioriteret" not in page.text.lower()
    with app.app_context():
        prioritise(db.session.get(Card, card_id), "prioritised")
    live = client.get(f"/c/{course_code}/live?stage=2-revealed", headers=HX)
    assert "Gruppen har prioriteret de kort, der er markeret “Prioriteret”." in live.text


def test_every_page_links_an_icon_and_favicon_ico_is_served(client, course_code):
    page = client.get(f"/j/{course_code}")
    assert 'rel="icon" href="/favicon.ico"' in page.text
    assert 'rel="icon" href="/static/favicon.svg?v=' in page.text
    with client.get("/favicon.ico") as icon:
        assert icon.status_code == 200
        assert icon.mimetype == "image/vnd.microsoft.icon"
        assert icon.data[:4] == b"\x00\x00\x01\x00"  # the ICO file signature
    with client.get("/static/favicon.svg") as svg:
        assert svg.status_code == 200
