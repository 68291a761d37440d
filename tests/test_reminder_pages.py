"""The work email for reminders on the phone (issue 18 item 3): optional, explained in one
plain sentence, checked with a friendly Danish message, removable on the phone and under
"Mine data", gone with "delete my data" — and never shown to anyone else, nor in an
export, the course file, a CSV, the PDF or the experience bank. The control panel says
when reminders are off."""

from __future__ import annotations

import io
import json
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import select, text

from tests.bank_support import shareable_course
from tests.mail_support import mail_settings
from workshop.catalogue import load_catalogue
from workshop.core.extensions import db
from workshop.core.models import Action, Course, Participant
from workshop.experience import share_course
from workshop.manager_links import create_manager_link
from workshop.reminders import set_email
from workshop.web.common import SESSION_KEY

EMAIL = "bente.hansen@bakkedal.example"
PURPOSE = (
    "Hvis du vil, kan du skrive din arbejdsmail: Vi bruger den kun til at minde dig om dine "
    "egne handlinger og målinger mellem workshopperne, og den bliver aldrig vist for andre "
    "eller kommer med i eksporter, erfaringsbanken eller PDF'erne."
)


def _phone(app, participant: Participant):
    course_id, token = participant.course_id, participant.token
    client = app.test_client()
    with client.session_transaction() as session:
        session[SESSION_KEY] = {str(course_id): token}
    return client


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def phone(app, make):
    """(course code, participant id, their phone) in a course in step 4."""
    with app.app_context():
        course = make.course(step=4)
        person = make.participant(course, name="Bente")
        return course.join_code, person.id, _phone(app, person)


def _email(app, number: int) -> str:
    with app.app_context():
        return db.session.get(Participant, number).email


def test_the_phone_explains_the_email_in_one_plain_danish_sentence_and_keeps_it(app, phone):
    code, number, client = phone
    page = client.get(f"/c/{code}/email")
    assert page.status_code == 200
    assert PURPOSE in _text(page.text)
    saved = client.post(f"/c/{code}/email", data={"email": f"  {EMAIL} "})
    assert saved.status_code == 302 and saved.headers["Location"] == f"/c/{code}/email"
    assert _email(app, number) == EMAIL
    again = _text(client.get(f"/c/{code}/email").text)
    assert f"Tak. Vi minder dig om det på {EMAIL}." in again
    assert "Fjern min mail" in again


@pytest.mark.parametrize(
    "typed", ["bente at bakkedal", "bente@bakkedal", "a b@c.dk", "x@y.dk,z@w.dk"]
)
def test_an_address_that_is_not_one_is_refused_in_danish_and_stays_in_the_field(app, phone, typed):
    code, number, client = phone
    refused = client.post(f"/c/{code}/email", data={"email": typed})
    assert refused.status_code == 422
    assert "Det ligner ikke en mailadresse. Skriv den som navn@kommune.dk" in refused.text
    assert 'aria-invalid="true"' in refused.text
    assert f'value="{typed}"' in refused.text
    assert _email(app, number) == ""


def test_the_participant_removes_their_email_on_the_phone(app, phone):
    code, number, client = phone
    client.post(f"/c/{code}/email", data={"email": EMAIL})
    removed = client.post(f"/c/{code}/email/delete")
    assert removed.status_code == 302 and removed.headers["Location"] == f"/c/{code}/email"
    assert _email(app, number) == ""
    assert "Din mail er fjernet" in client.get(f"/c/{code}/email").text


def test_my_data_shows_the_email_and_removes_it_there(app, phone):
    code, number, client = phone
    client.post(f"/c/{code}/email", data={"email": EMAIL})
    mine = _text(client.get(f"/c/{code}/my-data").text)
    assert f"Arbejdsmail, til påmindelser {EMAIL}" in mine
    removed = client.post(f"/c/{code}/email/delete", data={"back": "my-data"})
    assert removed.headers["Location"] == f"/c/{code}/my-data"
    assert _email(app, number) == ""


def test_deleting_my_data_removes_my_email_too(app, phone):
    code, number, client = phone
    client.post(f"/c/{code}/email", data={"email": EMAIL})
    asking = _text(client.post(f"/c/{code}/my-data/delete").text)
    assert "Din arbejdsmail bliver fjernet: Du får ikke flere påmindelser." in asking
    client.post(f"/c/{code}/my-data/delete", data={"confirmed": "1"})
    assert _email(app, number) == ""


def test_a_new_email_after_unsubscribing_starts_the_reminders_again(app, phone):
    code, number, client = phone
    with app.app_context():
        person = db.session.get(Participant, number)
        person.reminders_stopped_at = person.created_at
        db.session.commit()
    assert "Du stoppede påmindelserne den" in client.get(f"/c/{code}/email").text
    client.post(f"/c/{code}/email", data={"email": EMAIL})
    with app.app_context():
        assert db.session.get(Participant, number).reminders_stopped_at is None


def test_the_owners_actions_page_offers_reminders(app, make):
    with app.app_context():
        course = make.course(step=2)
        owner = make.participant(course, name="Bente")
        solution = make.solution(owner, make.challenge(owner, "Skemaet er for langt"))
        make.action(solution, owner_id=owner.id)
        code, client = course.join_code, _phone(app, owner)
    page = client.get(f"/c/{code}/actions")
    assert 'id="reminder-offer"' in page.text and f"/c/{code}/email" in page.text


# --- Never anywhere else --------------------------------------------------------------------


@pytest.fixture
def everyone_left_an_email(app, make):
    """A shareable course in step 5 (an action, measures, entries, a share in the bank),
    every participant with a work email left for reminders."""
    with app.app_context():
        load_catalogue()
        a = shareable_course(make, "a@bakkedal.dk", "Bakkedal Kommune", label="A")
        course = db.session.get(Course, a.course)
        people = list(course.participants)
        for number, person in enumerate(people):
            set_email(person, f"person{number}@bakkedal.example")
        share_course(course, course.facilitator)
        token = create_manager_link(course, "Chefen").token
        other = _phone(app, people[-1])
        action = db.session.scalar(select(Action.id).where(Action.solution_id == a.solution))
        return a, token, other, action


def _everything_others_see(app, a, token, other, action) -> str:
    client = app.test_client()
    client.post("/login", data={"email": "a@bakkedal.dk", "password": "correct horse"})
    base = f"/f/courses/{a.course}"
    with app.app_context():
        code = db.session.get(Course, a.course).join_code
    seen = [
        client.get(url).get_data(as_text=True)
        for url in (
            base,
            f"{base}/projector",
            f"{base}/actions/{action}",
            f"{base}/export/cards.csv",
            f"{base}/export/actions.csv",
            f"{base}/export/entries.csv",
            f"{base}/state-feedback",
            "/f/overview",
        )
    ]
    seen.append(json.dumps(json.loads(client.get(f"{base}/export/course.json").data)))
    pdf = client.get(f"{base}/action-plan.pdf").data
    seen.append(" ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages))
    manager = app.test_client()
    seen += [manager.get(f"/m/{token}").text]
    manager_pdf = manager.get(f"/m/{token}/action-plan.pdf").data
    seen.append(" ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(manager_pdf)).pages))
    seen += [other.get(f"/c/{code}").text, other.get(f"/c/{code}/actions").text]
    return "\n".join(seen)


def _bank_rows(app) -> str:
    with app.app_context():
        rows = []
        for table in ("share", "shared_challenge", "shared_requirement", "shared_solution"):
            rows += [str(tuple(row)) for row in db.session.execute(text(f"SELECT * FROM {table}"))]  # noqa: S608 (fixed names)
        return "\n".join(rows)


def test_no_export_csv_pdf_page_or_bank_share_carries_an_email(app, everyone_left_an_email):
    a, token, other, action = everyone_left_an_email
    seen = _everything_others_see(app, a, token, other, action)
    assert "Forløb Bakkedal Kommune" in seen  # the pages were there to read
    assert "bakkedal.example" not in seen
    bank = _bank_rows(app)
    assert bank and "bakkedal.example" not in bank


# --- The control panel ----------------------------------------------------------------------


def test_the_control_panel_says_reminders_are_off_without_a_mail_server(app, client, auth, make):
    with app.app_context():
        course_id = make.course().id
    auth.login()
    panel = _text(client.get(f"/f/courses/{course_id}").text)
    assert "Påmindelser på mail · slået fra" in panel
    assert (
        "Påmindelser er slået fra: Der er ikke angivet nogen mailserver (SAMSKABT_SMTP_HOST)."
        in panel
    )


@pytest.mark.parametrize("app", [mail_settings(2525)], indirect=True)
def test_the_control_panel_says_reminders_are_on_with_a_mail_server(app, client, auth, make):
    with app.app_context():
        course_id = make.course().id
    auth.login()
    panel = _text(client.get(f"/f/courses/{course_id}").text)
    assert "Påmindelser på mail · slået til" in panel and "slået fra" not in panel
