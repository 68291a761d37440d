"""CSRF on every form, the CLI commands, and the language catalogues."""

import re

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from workshop.core.extensions import db
from workshop.core.models import (
    Action,
    Card,
    Course,
    Facilitator,
    Lesson,
    MeasureEntry,
    Participant,
    Solution,
    Vote,
)

CSRF_ON = pytest.mark.parametrize("app", [{"WTF_CSRF_ENABLED": True}], indirect=True)


def _token(page_text):
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page_text).group(1)


@CSRF_ON
def test_a_post_without_a_csrf_token_is_refused_kindly_and_changes_nothing(app, client, make):
    with app.app_context():
        code = make.course().join_code
    response = client.post(f"/j/{code}", data={"role": "leder"})
    assert response.status_code == 400
    assert "Genindlæs" in response.text
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Participant)) == 0


@CSRF_ON
def test_a_stale_token_on_an_htmx_post_lands_in_the_message_area(app, client, make):
    with app.app_context():
        code = make.course(step=2).join_code
    page = client.get(f"/j/{code}")
    client.post(f"/j/{code}", data={"role": "leder", "csrf_token": _token(page.text)})
    response = client.post(
        f"/c/{code}/cards",
        data={"text": "Min tekst", "client_token": "t", "csrf_token": "stale"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    assert response.headers["HX-Retarget"] == "#messages"
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Card)) == 0


@CSRF_ON
def test_htmx_sends_the_token_from_the_page_header(app, client, make):
    with app.app_context():
        code = make.course(step=2).join_code
    page = client.get(f"/j/{code}")
    client.post(f"/j/{code}", data={"role": "leder", "csrf_token": _token(page.text)})
    phone = client.get(f"/c/{code}")
    header_token = re.search(r'hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'', phone.text).group(1)
    response = client.post(
        f"/c/{code}/cards",
        data={"text": "Sendt med htmx", "client_token": "t"},
        headers={"HX-Request": "true", "X-CSRFToken": header_token},
    )
    assert response.status_code == 200


def test_the_cli_creates_a_facilitator_who_can_log_in(app, runner, client):
    result = runner.invoke(
        args=["facilitator", "create", "Ny@Example.dk", "--password", "hemmelig1"]
    )
    assert result.exit_code == 0, result.output
    again = runner.invoke(
        args=["facilitator", "create", "ny@example.dk", "--password", "hemmelig1"]
    )
    assert again.exit_code != 0
    assert "findes" in again.output
    short = runner.invoke(args=["facilitator", "create", "b@example.dk", "--password", "kort"])
    assert short.exit_code != 0
    response = client.post("/login", data={"email": "ny@example.dk", "password": "hemmelig1"})
    assert response.status_code == 302


def test_the_demo_is_a_course_part_way_through_and_reset_keeps_its_code(app, runner):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    code = re.search(r"Join code:\s+(\w+)", first.output).group(1)
    assert "demo@samskabt.dk" in first.output
    assert f"/j/{code}" in first.output
    second = runner.invoke(args=["demo"])
    assert re.search(r"Join code:\s+(\w+)", second.output).group(1) == code
    # The course across departments keeps its code too.
    assert re.findall(r"Join code:\s+(\w+)", second.output) == re.findall(
        r"Join code:\s+(\w+)", first.output
    )
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Course)) == 2
        course = db.session.scalar(db.select(Course).filter_by(title="Mindre bøvl i jobcentret"))
        assert course.current_step == 5
        assert (course.voting_state, course.solution_voting_state) == ("revealed", "revealed")
        for model, least in [
            (Participant, 10),
            (Vote, 20),
            (Solution, 5),
            (Action, 3),
            (MeasureEntry, 10),
            (Lesson, 1),
        ]:
            assert db.session.scalar(db.select(db.func.count()).select_from(model)) >= least
        assert db.session.scalar(db.select(db.func.count()).select_from(Facilitator)) == 1


def test_the_demo_course_pages_render_in_every_step(app, runner, client):
    runner.invoke(args=["demo"])
    with app.app_context():
        course = db.session.scalar(db.select(Course).filter_by(title="Mindre bøvl i jobcentret"))
        course_id, code = course.id, course.join_code
    client.post("/login", data={"email": "demo@samskabt.dk", "password": "demo-samskabt"})
    phone = app.test_client()
    phone.post(f"/j/{code}", data={"role": "medarbejder"})
    for step in range(1, 7):
        client.post(f"/f/courses/{course_id}/step", data={"step": step})
        for page in (
            client.get(f"/f/courses/{course_id}"),
            client.get(f"/f/courses/{course_id}/projector"),
            phone.get(f"/c/{code}"),
        ):
            assert page.status_code == 200, (step, page.request.path)
            assert "Mindre bøvl i jobcentret" in page.text
    client.post(f"/f/courses/{course_id}/step", data={"step": 2})
    projector = client.get(f"/f/courses/{course_id}/projector")
    assert "Medarbejdere" in projector.text and "Ledere" in projector.text


def test_every_ui_string_has_a_danish_translation():
    with open("translations/da/LC_MESSAGES/messages.po", "rb") as po:
        catalogue = read_po(po)
    translated = {
        m.id if isinstance(m.id, str) else m.id[0]
        for m in catalogue
        if m.id and all(m.string if isinstance(m.string, tuple) else [m.string])
    }
    method_map = [("**.py", "python"), ("**.html", "jinja2"), ("**.txt", "jinja2")]
    missing = []
    for folder in ("workshop", "steps", "templates"):
        keywords = {"_": None, "_l": None, "gettext": None, "ngettext": (1, 2)}
        # Every folder, "_partials" too: babel skips those by default, and so would a
        # missing translation in one of them.
        for _file, _line, message, _comments, _context in extract_from_dir(
            folder, method_map, keywords=keywords, directory_filter=lambda _path: True
        ):
            msgid = message if isinstance(message, str) else message[0]
            if msgid not in translated:
                missing.append(msgid)
    assert missing == []


def test_english_on_request_and_danish_by_default(client):
    assert "Deltag" in client.get("/").text
    english = client.get("/?lang=en")
    assert "Join a workshop" in english.text
    assert '<html lang="en">' in english.text
    assert "Join a workshop" in client.get("/").text  # the choice is remembered
    assert "Deltag" in client.get("/?lang=da").text


def test_odd_requests_get_answers_not_server_errors(app, client, make):
    """Ids beyond the integer range, a missing code, a missing form token."""
    with app.app_context():
        code = make.course(step=2).join_code
    assert client.post("/", data={}).status_code == 422
    client.post(f"/j/{code}", data={"role": "leder"})
    huge = "9" * 30
    assert client.post(f"/c/{code}/cards/{huge}/dots", data={"dots": 1}).status_code == 404
    assert client.get(f"/f/courses/{huge}").status_code in (302, 404)
    no_token = client.post(
        f"/c/{code}/cards", data={"text": "Uden token"}, headers={"HX-Request": "true"}
    )
    assert no_token.status_code == 422
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Card)) == 0


def test_a_logged_out_poll_sends_the_whole_page_to_login(client):
    response = client.get(
        "/f/courses/1/live",
        headers={"HX-Request": "true", "HX-Current-URL": "http://localhost/f/courses/1"},
    )
    assert response.headers["HX-Redirect"] == "/login?next=%2Ff%2Fcourses%2F1"
