"""The facilitator's laptop and the projector, through the Flask test client."""

import pytest

from workshop.core.errors import WorkshopError
from workshop.core.extensions import db
from workshop.core.models import Card, Course
from workshop.votes import set_voting_state
from workshop.web.refusals import refusal_reply

HX = {"HX-Request": "true"}


@pytest.fixture
def facilitator(app, make):
    with app.app_context():
        return make.facilitator().id


@pytest.fixture
def course_id(app, make, facilitator):
    with app.app_context():
        return make.course(step=2).id


def _course(course_id):
    return db.session.get(Course, course_id)


@pytest.mark.parametrize(
    "path",
    ["/f/", "/f/courses/new", "/f/courses/1", "/f/courses/1/projector", "/f/courses/1/live"],
)
def test_facilitator_pages_need_a_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_step_routes_for_facilitators_need_a_login_too(client, course_id):
    response = client.post(f"/f/courses/{course_id}/voting", data={"state": "voting"})
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_a_wrong_password_gets_a_danish_message(client, auth, facilitator):
    response = auth.login(password="wrong")
    assert response.status_code == 422
    assert "Forkert" in response.text


def test_login_goes_on_to_the_page_asked_for_but_never_off_site(client, facilitator):
    data = {"email": "facilitator@example.dk", "password": "correct horse"}
    response = client.post("/login?next=/f/courses/new", data=data)
    assert response.headers["Location"] == "/f/courses/new"
    client.post("/logout")
    response = client.post("/login?next=https://evil.example/", data=data)
    assert response.headers["Location"] == "/f/"


@pytest.mark.parametrize(
    "target", ["/\\evil.example/", "//evil.example/", "/\t/evil.example/", "\\evil.example"]
)
def test_login_never_goes_on_to_a_path_a_browser_reads_as_another_host(client, facilitator, target):
    data = {"email": "facilitator@example.dk", "password": "correct horse"}
    response = client.post("/login", query_string={"next": target}, data=data)
    assert response.headers["Location"] == "/f/"


def test_a_facilitator_creates_a_course_and_sees_it_listed(app, client, auth, facilitator):
    auth.login()
    form = client.get("/f/courses/new")
    assert "Hvornår" in form.text  # default dialogue questions, in Danish
    response = client.post(
        "/f/courses/new",
        data={
            "title": "Mindre bøvl i Team Ledige",
            "municipality": "Fjordby Kommune",
            "unit": "Jobcenter",
            "core_task": "Borgere i job",
            "frame_cannot_change": "LAB",
            "dialogue_questions": "Hvad hjælper?\nHvad hindrer?",
            "dot_budget": 4,
            "multiple_dots_per_card": "",
            "min_group_size": 2,
        },
    )
    assert response.status_code == 302
    with app.app_context():
        course = db.session.scalar(db.select(Course))
        assert (course.dot_budget, course.multiple_dots_per_card) == (4, False)
        assert course.questions == ["Hvad hjælper?", "Hvad hindrer?"]
        code = course.join_code
    listing = client.get("/f/")
    assert "Mindre bøvl i Team Ledige" in listing.text
    assert f"{code[:3]} {code[3:]}" in listing.text


def test_a_course_without_title_is_refused_with_the_fields_kept(client, auth, facilitator):
    auth.login()
    response = client.post(
        "/f/courses/new",
        data={"title": "", "municipality": "Fjordby", "dot_budget": 5, "min_group_size": 3},
    )
    assert response.status_code == 422
    assert 'value="Fjordby"' in response.text
    assert "titel" in response.text


def test_a_dot_budget_out_of_range_is_refused(client, auth, facilitator):
    auth.login()
    response = client.post(
        "/f/courses/new",
        data={"title": "X", "municipality": "Y", "dot_budget": 500, "min_group_size": 3},
    )
    assert response.status_code == 422


def test_another_facilitators_course_does_not_exist_for_you(app, client, auth, make):
    with app.app_context():
        mine = make.facilitator()
        theirs = make.facilitator(email="other@example.dk")
        their_course = make.course(theirs).id
        make.course(mine)
    auth.login()
    for path in ("", "/projector", "/live", "/edit", "/qr.svg"):
        assert client.get(f"/f/courses/{their_course}{path}").status_code == 404
    assert client.post(f"/f/courses/{their_course}/step", data={"step": 3}).status_code == 404
    assert (
        client.post(f"/f/courses/{their_course}/voting", data={"state": "voting"}).status_code
        == 404
    )
    assert "other@example.dk" not in client.get("/f/").text


def test_the_control_panel_moves_through_the_six_steps(app, client, auth, course_id):
    auth.login()
    page = client.get(f"/f/courses/{course_id}")
    assert "Udpege, undersøge og prioritere udfordringerne" in page.text
    assert 'aria-current="step"' in page.text
    client.post(f"/f/courses/{course_id}/step", data={"step": 3})
    with app.app_context():
        assert _course(course_id).current_step == 3
    client.post(f"/f/courses/{course_id}/step", data={"step": 9})
    with app.app_context():
        assert _course(course_id).current_step == 3
    page = client.get(f"/f/courses/{course_id}")
    assert "Udvikle løsninger" in page.text
    assert "Vejledning" in page.text or "vejledning" in page.text


def test_the_projector_shows_code_qr_counts_and_the_step(app, client, auth, make, course_id):
    with app.app_context():
        course = _course(course_id)
        make.participant(course, role="leder")
        make.participant(course)
        code = course.join_code
    auth.login()
    page = client.get(f"/f/courses/{course_id}/projector")
    assert page.status_code == 200
    assert f"{code[:3]} {code[3:]}" in page.text
    assert f"/f/courses/{course_id}/qr.svg" in page.text
    assert "2 deltagere" in page.text
    assert "Leder: 1" in page.text
    qr = client.get(f"/f/courses/{course_id}/qr.svg")
    assert qr.headers["Content-Type"] == "image/svg+xml"
    assert qr.data.startswith(b"<svg")


def test_the_projector_and_panel_poll_with_304_until_something_changes(
    app, client, auth, make, course_id
):
    auth.login()
    for url in (f"/f/courses/{course_id}/projector/live", f"/f/courses/{course_id}/live"):
        first = client.get(url, headers=HX)
        etag = first.headers["ETag"]
        assert client.get(url, headers={**HX, "If-None-Match": etag}).status_code == 304
    with app.app_context():
        make.card(make.participant(_course(course_id)), "Nyt kort på væggen")
    for url in (f"/f/courses/{course_id}/projector/live", f"/f/courses/{course_id}/live"):
        fresh = client.get(url, headers=HX)
        assert fresh.status_code == 200
        assert "Nyt kort på væggen" in fresh.text


def test_the_projector_hides_the_vote_until_the_reveal(app, client, auth, make, course_id):
    from workshop.votes import cast_vote

    with app.app_context():
        course = _course(course_id)
        person = make.participant(course)
        card = make.card(person, "Den ugentlige opgørelse")
        set_voting_state(course, "voting")
        cast_vote(person, card, 3)
    auth.login()
    voting = client.get(f"/f/courses/{course_id}/projector/live", headers=HX)
    assert "3 prikker" not in voting.text
    assert "1 af 1 har stemt" in voting.text
    client.post(f"/f/courses/{course_id}/voting", data={"state": "revealed"})
    revealed = client.get(f"/f/courses/{course_id}/projector/live", headers=HX)
    assert 'class="results"' in revealed.text
    assert "3 prikker" in revealed.text


def test_the_facilitator_edits_hides_and_merges_cards(app, client, auth, make, course_id):
    with app.app_context():
        course = _course(course_id)
        author = make.participant(course, name="Mette")
        keep = make.card(author, "Vi taster det samme flere steder").id
        duplicate = make.card(make.participant(course), "Dobbeltregistrering").id
    auth.login()
    page = client.get(f"/f/courses/{course_id}/cards/{keep}")
    assert "Mette" in page.text
    client.post(
        f"/f/courses/{course_id}/cards/{keep}",
        data={"text": "Samme data to steder", "category": "it_system"},
    )
    client.post(f"/f/courses/{course_id}/cards/{duplicate}/merge", data={"target": keep})
    client.post(f"/f/courses/{course_id}/cards/{keep}/hidden")
    with app.app_context():
        card = db.session.get(Card, keep)
        assert (card.text, card.original_text, card.hidden) == (
            "Samme data to steder",
            "Vi taster det samme flere steder",
            True,
        )
        assert [c.text for c in card.merged_cards] == ["Dobbeltregistrering"]
    panel = client.get(f"/f/courses/{course_id}/live", headers=HX)
    assert "Dobbeltregistrering" in panel.text  # merged texts stay visible to the facilitator


def test_merging_during_the_vote_is_refused_with_a_message(app, client, auth, make, course_id):
    with app.app_context():
        course = _course(course_id)
        person = make.participant(course)
        a, b = make.card(person).id, make.card(person).id
        set_voting_state(course, "voting")
    auth.login()
    response = client.post(
        f"/f/courses/{course_id}/cards/{b}/merge", data={"target": a}, follow_redirects=True
    )
    assert "før afstemningen" in response.text
    with app.app_context():
        assert db.session.get(Card, b).merged_into_id is None


def test_the_voting_buttons_follow_the_phases(app, client, auth, course_id):
    auth.login()
    for state in ("voting", "closed", "revealed", "collect"):
        client.post(f"/f/courses/{course_id}/voting", data={"state": state})
        with app.app_context():
            assert _course(course_id).voting_state == state
    response = client.post(
        f"/f/courses/{course_id}/voting", data={"state": "closed"}, follow_redirects=True
    )
    assert 'class="message message-error"' in response.text


def test_the_health_check_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_an_unknown_page_is_a_friendly_danish_404(client):
    response = client.get("/does-not-exist")
    assert response.status_code == 404
    assert "finde" in response.text


def test_an_htmx_error_goes_to_the_message_area(client):
    response = client.get("/does-not-exist", headers=HX)
    assert response.status_code == 404
    assert response.headers["HX-Retarget"] == "#messages"


def test_pages_that_can_be_fragments_vary_on_hx_request(client):
    assert "HX-Request" in client.get("/").headers["Vary"]


def test_behind_a_proxy_the_join_link_uses_the_public_address(monkeypatch, database_url):
    from app import create_app

    monkeypatch.setenv("TRUSTED_PROXIES", "1")
    monkeypatch.setenv("SECURE_COOKIES", "1")
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        from tests.factories import Factories

        course = Factories(app).course()
        course_id, code = course.id, course.join_code
    client = app.test_client()
    # The proxy speaks HTTPS to the phone and plain HTTP to the app.
    proxied = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "samskabt.example.dk"}
    login_page = client.get("/login", headers=proxied)
    assert "Secure" in login_page.headers["Set-Cookie"]
    token = login_page.text.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    # A Secure cookie only travels over HTTPS: as the proxy sends it on, so does the client.
    # Flask-WTF also checks the Referer on HTTPS, as a browser sends it.
    https = {
        "headers": {**proxied, "Referer": "https://samskabt.example.dk/login"},
        "base_url": "https://localhost",
    }
    response = client.post(
        "/login",
        data={"email": "facilitator@example.dk", "password": "correct horse", "csrf_token": token},
        **https,
    )
    assert response.status_code == 302
    cookies = response.headers.getlist("Set-Cookie")
    assert {cookie.split("=")[0] for cookie in cookies} >= {"remember_token", "samskabt_device"}
    for cookie in cookies:  # the login, and the mark of a known device, only over HTTPS
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie, cookie
    panel = client.get(f"/f/courses/{course_id}", **https)
    assert f"https://samskabt.example.dk/j/{code}" in panel.text


def test_a_refusal_with_template_values_but_no_template_is_a_programming_error(app):
    # `back=` for `redirect_to=` once turned a flash-and-redirect into the error page.
    with app.test_request_context("/"), pytest.raises(TypeError, match="back"):
        refusal_reply(WorkshopError("Nej."), back="/f/courses")
