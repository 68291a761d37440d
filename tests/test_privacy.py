"""A privacy notice participants read before they join, and deleting one's own data from the
phone (issue 19 part 4): who the data controller is (the organisation, or whom its admin
names), what is stored, who sees what, how long, and how to have one's own data removed;
then "Mine data", where a participant deletes their name and texts everywhere the words
reached, while their dots stay in the totals without them."""

from __future__ import annotations

import http.cookiejar
import io
import json
import re
import threading
import urllib.parse
import urllib.request

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from sqlalchemy import select, update

from tests.bank_support import shareable_course
from workshop.cards import merge_cards
from workshop.catalogue import load_catalogue
from workshop.core.extensions import db
from workshop.core.models import (
    Action,
    ActionUpdate,
    Card,
    Course,
    DialogueAnswer,
    MeasureEntry,
    Participant,
    SharedChallenge,
    SharedSolution,
    Solution,
)
from workshop.experience import share_course
from workshop.votes import CARDS, results
from workshop.web.common import SESSION_KEY

from .worlds import checksum

EN = "?lang=en"
TEXTS = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["", " ", "\x00dpo@a.dk", "a" * 201, "x@y.dk" + "z" * 260, "‮dpo@a.dk"]),
)
RETAIN = pytest.mark.parametrize("app", [{"RETENTION_DAYS": 365}], indirect=True)


def _phone(app, participant: Participant):
    """A test client that is this participant's phone (its cookie names their token)."""
    course_id, token = participant.course_id, participant.token  # read in the caller's context
    client = app.test_client()
    with client.session_transaction() as session:
        session[SESSION_KEY] = {str(course_id): token}
    return client


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# --- The notice ---------------------------------------------------------------------------


@RETAIN
def test_the_join_page_tells_in_danish_who_is_responsible_the_group_size_and_how_long(
    app, client, make
):
    with app.app_context():
        organisation = make.organisation("Fjordby Kommune")
        facilitator = make.facilitator(email="f@fjordby.dk", organisation=organisation)
        code = make.course(facilitator, min_group_size=4).join_code
    page = _text(client.get(f"/j/{code}").text)
    assert "Om dine data" in page
    assert "Fjordby Kommune er ansvarlig for dine data." in page
    assert "Dine prikker er anonyme, også for facilitatoren" in page
    assert "når mindst 4 i en rolle har stemt" in page
    assert "Forløbet slettes, når der ikke er sket noget i det i 365 dage." in page
    assert "Du kan selv slette dit navn og dine tekster når som helst." in page
    assert "Læs mere om dine data" in page  # the rest, folded: no extra tap to join


@RETAIN
def test_the_join_page_tells_the_same_in_english(app, client, make):
    with app.app_context():
        organisation = make.organisation("Fjordby Kommune")
        facilitator = make.facilitator(email="f@fjordby.dk", organisation=organisation)
        code = make.course(facilitator, min_group_size=4).join_code
    page = _text(client.get(f"/j/{code}{EN}").text)
    assert "Fjordby Kommune is responsible for your data." in page
    assert "only when at least 4 of a role have voted" in page
    assert "The course is deleted when nothing has happened in it for 365 days." in page
    assert "You can delete your name and texts yourself at any time." in page
    assert "Read more about your data" in page


def test_without_a_retention_period_the_notice_promises_no_deletion_it_does_not_do(
    app, client, make
):
    with app.app_context():
        code = make.course().join_code
    page = _text(client.get(f"/j/{code}{EN}").text)
    assert "The course is kept until the facilitator deletes it." in page
    assert "nothing has happened" not in page


def test_the_notice_says_what_a_work_email_is_for_and_how_it_goes(app, client, make):
    with app.app_context():
        code = make.course().join_code
    page = _text(client.get(f"/j/{code}{EN}").text)
    assert "your work email: used only to remind you of your own actions and measures" in page
    assert "never shown to others or put in exports" in page
    assert "no email address" not in page


def test_joining_stays_one_form_with_the_notice_inside_it(app, client, make):
    """The notice adds no page and no button between the role and "Join"."""
    with app.app_context():
        code = make.course().join_code
    page = client.get(f"/j/{code}").text
    form = page[page.index("<form") : page.index("</form>")]
    assert 'id="privacy-heading"' in form and "<details" in form
    assert form.count('type="submit"') == 1
    joined = client.post(f"/j/{code}", data={"role": "medarbejder"})
    assert joined.status_code == 302 and joined.headers["Location"] == f"/c/{code}"


def test_the_admin_names_the_controller_and_a_contact_and_the_notice_says_so(
    app, client, auth, make
):
    with app.app_context():
        organisation = make.organisation("Jobcenter Fjordby")
        make.facilitator(email="admin@fjordby.dk", organisation=organisation, is_admin=True)
        code = make.course(make.facilitator(email="admin@fjordby.dk")).join_code
    assert "Jobcenter Fjordby er ansvarlig" in _text(client.get(f"/j/{code}").text)
    auth.login(email="admin@fjordby.dk")
    saved = client.post(
        "/f/organisation/privacy",
        data={"controller_name": "Fjordby Kommune, Byrådet", "privacy_contact": "dpo@fjordby.dk"},
    )
    assert saved.status_code == 302
    assert "Privatlivserklæringen er gemt." in client.get(saved.headers["Location"]).text
    notice = _text(client.get(f"/privacy/{code}").text)
    assert "Fjordby Kommune, Byrådet er dataansvarlig" in notice
    assert "Forløbet drives af Jobcenter Fjordby." in notice
    assert "kan du skrive til dpo@fjordby.dk" in notice


def test_a_contact_that_is_no_email_address_is_refused_with_the_typed_text_kept(
    app, client, auth, make
):
    with app.app_context():
        organisation = make.organisation("Jobcenter Fjordby")
        make.facilitator(email="admin@fjordby.dk", organisation=organisation, is_admin=True)
    auth.login(email="admin@fjordby.dk")
    refused = client.post(
        "/f/organisation/privacy",
        data={"controller_name": "Byrådet", "privacy_contact": "ring til Jens"},
    )
    assert refused.status_code == 422
    assert "Skriv kontakten som en e-mailadresse" in refused.text
    assert 'value="ring til Jens"' in refused.text
    with app.app_context():
        assert make.organisation("Jobcenter Fjordby").privacy_contact == ""


def test_a_facilitator_who_is_not_admin_cannot_change_the_controller(app, client, auth, make):
    with app.app_context():
        organisation = make.organisation("Jobcenter Fjordby")
        make.facilitator(email="admin@fjordby.dk", organisation=organisation, is_admin=True)
        make.facilitator(email="kollega@fjordby.dk", organisation=organisation)
    auth.login(email="kollega@fjordby.dk")  # a line in the audit trail
    with app.app_context():
        before = checksum()
    page = client.get("/f/organisation").text
    assert "Privatlivserklæring" in page and "/f/organisation/privacy" not in page
    refused = client.post("/f/organisation/privacy", data={"controller_name": "Mig"})
    assert refused.status_code == 403
    with app.app_context():
        assert checksum() == before


def test_the_phone_reaches_the_notice_and_my_data_from_the_course_page(app, make):
    with app.app_context():
        course = make.course(step=2)
        phone = _phone(app, make.participant(course, name="Bente"))
        code = course.join_code
    page = phone.get(f"/c/{code}").text
    assert f'href="/c/{code}/my-data"' in page and f'href="/privacy/{code}"' in page
    mine = _text(phone.get(f"/c/{code}/my-data").text)
    assert "Mine data" in mine and "Bente" in mine and "Team Ledige" in mine
    assert "Slet mine oplysninger" in mine
    assert phone.get(f"/privacy/{code}").status_code == 200


# --- Deleting one's own data -----------------------------------------------------------------

CARD = "Vi holder flere samtaler end loven kræver A"
SOLUTION = "Drop den lokale samtaleskabelon A"
NOTE = "Skabelonen er væk"
ANSWER = "Jeg bruger en time om dagen på skemaer"
EVIDENCE = "Vi ser det på ventetiden"
ENTRY_NOTE = "Målt i min egen kalender"
NAME = "Medarbejder A0"


@pytest.fixture
def shared(app, make):
    """A course in step 5 whose first staff member wrote a card, an answer, a solution
    (chosen: an action they own, with a status note) and measure entries with a note; the
    course shared its card and solution with their words to the experience bank."""
    with app.app_context():
        load_catalogue()
        a = shareable_course(make, "a@bakkedal.dk", "Bakkedal Kommune", label="A")
        course = db.session.get(Course, a.course)
        author = db.session.scalar(select(Participant).where(Participant.name == NAME))
        db.session.add(
            DialogueAnswer(
                course_id=course.id,
                participant_id=author.id,
                question=course.questions[0] if course.questions else "Hvad bøvler?",
                text=ANSWER,
                client_token="svar-1",
            )
        )
        db.session.execute(
            update(Solution).where(Solution.id == a.solution).values(evidence=EVIDENCE)
        )
        db.session.execute(
            update(MeasureEntry)
            .where(MeasureEntry.participant_id == author.id)
            .values(note=ENTRY_NOTE)
        )
        db.session.commit()
        share_course(
            course,
            course.facilitator,
            texts={f"card-{a.card}": CARD, f"solution-{a.solution}": SOLUTION},
        )
        return a, author.id


def _everything_the_facilitator_sees(app, a) -> str:
    client = app.test_client()
    client.post("/login", data={"email": "a@bakkedal.dk", "password": "correct horse"})
    with app.app_context():
        action = db.session.scalar(select(Action.id).where(Action.solution_id == a.solution))
    base = f"/f/courses/{a.course}"
    pages = [
        base,
        f"{base}/projector",
        f"{base}/cards/{a.card}",
        f"{base}/solutions/{a.solution}",
        f"{base}/actions/{action}",
        f"{base}/export/cards.csv",
        f"{base}/export/actions.csv",
        f"{base}/export/entries.csv",
    ]
    seen = []
    for url in pages:
        reply = client.get(url)
        assert reply.status_code == 200, url
        seen.append(reply.get_data(as_text=True))
    exported = client.get(f"{base}/export/course.json")
    seen.append(json.dumps(json.loads(exported.data), ensure_ascii=False))
    pdf = client.get(f"{base}/action-plan.pdf").data
    seen.append(" ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages))
    return "\n".join(seen)


def _bank_texts() -> str:
    texts = db.session.scalars(select(SharedChallenge.text)).all()
    texts += db.session.scalars(select(SharedSolution.text)).all()
    return " | ".join(texts)


def _delete(phone, code: str):
    return phone.post(f"/c/{code}/my-data/delete", data={"confirmed": "1"})


def _words_of_the_author(text: str) -> list[str]:
    # The PDF breaks lines: compare without whitespace.
    flat = "".join(text.split())
    return [
        w
        for w in (CARD, SOLUTION, NOTE, ANSWER, EVIDENCE, ENTRY_NOTE, NAME)
        if "".join(w.split()) in flat
    ]


def test_deleting_my_data_removes_my_name_and_words_from_every_page_export_pdf_and_the_bank(
    app, shared
):
    a, author = shared
    with app.app_context():
        code = db.session.get(Course, a.course).join_code
        phone = _phone(app, db.session.get(Participant, author))
        assert NAME in _bank_texts() or CARD in _bank_texts()
    before = _everything_the_facilitator_sees(app, a)
    assert set(_words_of_the_author(before)) == {
        CARD, SOLUTION, NOTE, ANSWER, EVIDENCE, ENTRY_NOTE, NAME
    }  # fmt: skip
    done = _delete(phone, code)
    assert done.status_code == 302 and done.headers["Location"] == f"/privacy/{code}"
    after = _everything_the_facilitator_sees(app, a)
    assert _words_of_the_author(after) == []
    assert "[Slettet af deltageren]" in after
    with app.app_context():
        assert CARD not in _bank_texts() and SOLUTION not in _bank_texts()
        person = db.session.get(Participant, author)
        assert person.name == "" and person.unit == "" and person.forgotten_at is not None
        assert person.role == "medarbejder"  # the split by role still adds up


def test_my_dots_stay_in_the_totals_and_the_split_by_role_after_i_delete_my_data(app, shared):
    a, author = shared
    with app.app_context():
        course = db.session.get(Course, a.course)
        before = [(row.item.id, row.total, row.by_group) for row in results(course, CARDS).rows]
        phone = _phone(app, db.session.get(Participant, author))
    assert _delete(phone, course.join_code).status_code == 302
    with app.app_context():
        course = db.session.get(Course, a.course)
        after = [(row.item.id, row.total, row.by_group) for row in results(course, CARDS).rows]
    assert after == before and before[0][1] == 12


def test_the_phone_leaves_the_course_after_deleting_and_an_old_cookie_names_nobody(
    app, client, make
):
    with app.app_context():
        course = make.course(step=2)
        person = make.participant(course, name="Bente")
        make.card(person, "Skemaet har tolv felter")
        code, token, course_id = course.join_code, person.token, course.id
    with client.session_transaction() as session:
        session[SESSION_KEY] = {str(course_id): token}
    done = _delete(client, code)
    shown = client.get(done.headers["Location"])
    assert "Dit navn og dine tekster er slettet" in shown.text
    assert client.get(f"/c/{code}").headers["Location"] == f"/j/{code}"
    with client.session_transaction() as session:
        assert str(course_id) not in session.get(SESSION_KEY, {})
    # A copy of the cookie from before the deletion is nobody in the course either.
    old = _phone(app, type("P", (), {"course_id": course_id, "token": token}))
    assert old.get(f"/c/{code}").headers["Location"] == f"/j/{code}"
    assert (
        old.post(f"/c/{code}/cards", data={"text": "Nyt", "client_token": "x"}).status_code == 403
    )


def test_a_double_tap_deletes_once_and_both_taps_get_the_same_answer(app, make):
    """Both taps carry the cookie from before the first reply: the second finds the
    participant deleted already and answers as the first did, changing nothing."""
    with app.app_context():
        course = make.course(step=2)
        person = make.participant(course, name="Bente")
        make.card(person, "Skemaet har tolv felter")
        first, second = _phone(app, person), _phone(app, person)
        code = course.join_code
    one = _delete(first, code)
    with app.app_context():
        after_one = checksum()
    two = _delete(second, code)
    assert one.status_code == two.status_code == 302
    assert one.headers["Location"] == two.headers["Location"] == f"/privacy/{code}"
    with app.app_context():
        assert checksum() == after_one


def test_deleting_asks_first_and_says_what_will_happen(app, make):
    with app.app_context():
        course = make.course(step=2)
        person = make.participant(course, name="Bente")
        make.card(person, "Skemaet har tolv felter")
        phone, code = _phone(app, person), course.join_code
        before = checksum()
    asked = phone.post(f"/c/{code}/my-data/delete")
    assert asked.status_code == 200
    text = _text(asked.text)
    assert "Slet dit navn, din enhed og alt, hvad du har skrevet i forløbet?" in text
    assert "[Slettet af deltageren]" in text and "Dine prikker bliver i resultaterne" in text
    assert "noter og berøringspunkter på borgerens forløb kommer til at stå som" in text
    assert 'name="confirmed" value="1"' in asked.text and "Nej, behold dem" in text
    with app.app_context():
        assert checksum() == before


def test_another_course_or_nobody_cannot_delete_anything(app, make):
    with app.app_context():
        course = make.course(step=2)
        person = make.participant(course, name="Bente")
        make.card(person, "Skemaet har tolv felter")
        other = make.course(step=2, title="Andet forløb")
        stranger = _phone(app, make.participant(other, name="Søren"))
        code = course.join_code
        before = checksum()
    for phone in (stranger, app.test_client()):
        assert _delete(phone, code).status_code == 403
        assert phone.get(f"/c/{code}/my-data").headers["Location"] == f"/j/{code}"
    with app.app_context():
        assert checksum() == before


def test_cards_others_wrote_that_were_merged_into_mine_keep_their_words(app, make):
    with app.app_context():
        course = make.course(step=2)
        me, other = make.participant(course, name="Bente"), make.participant(course, name="Ole")
        mine = make.card(me, "Skemaet har tolv felter")
        theirs = make.card(other, "Skemaet er for langt")
        merge_cards(mine, [theirs])
        mine_id, theirs_id = mine.id, theirs.id
        phone, code = _phone(app, me), course.join_code
    _delete(phone, code)
    with app.app_context():
        assert db.session.get(Card, mine_id).original_text == "[Slettet af deltageren]"
        assert db.session.get(Card, theirs_id).text == "Skemaet er for langt"


def test_my_data_page_counts_what_is_stored_about_me(app, shared):
    a, author = shared
    with app.app_context():
        code = db.session.get(Course, a.course).join_code
        phone = _phone(app, db.session.get(Participant, author))
        notes = db.session.scalar(
            select(ActionUpdate.note).where(ActionUpdate.participant_id == author)
        )
    assert notes == NOTE
    page = _text(phone.get(f"/c/{code}/my-data{EN}").text)
    assert "1 card, 1 answer, 1 solution, 3 notes" in page
    assert "Dots 2" in page
    asked = _text(phone.post(f"/c/{code}/my-data/delete{EN}").text)
    assert "The actions you own stay in the plan, without your name" in asked


# --- Retention: the period the notice states is the one `course purge` uses -------------


def test_course_purge_without_older_than_uses_the_configured_retention_period(app, make):
    app.config["RETENTION_DAYS"] = 30
    with app.app_context():
        make.course(title="Nyt forløb")
    result = app.test_cli_runner().invoke(args=["course", "purge"])
    assert result.exit_code == 0 and "more than 30 days" in result.output


def test_course_purge_without_any_period_asks_for_one(app):
    result = app.test_cli_runner().invoke(args=["course", "purge"])
    assert result.exit_code != 0 and "SAMSKABT_RETENTION_DAYS" in result.output


@pytest.mark.parametrize("value", ["ett år", "0", "-5", "1.5"])
def test_a_retention_period_that_is_no_whole_number_of_days_stops_the_start(value):
    from workshop.core.config import retention_days

    with pytest.raises(ValueError, match="SAMSKABT_RETENTION_DAYS"):
        retention_days(value)


def test_taps_on_delete_at_the_same_moment_delete_once_and_none_fails(app, make, live_server):
    """Over real HTTP, several posts with the same cookie at once (SQLite and PostgreSQL):
    every one is answered as the first, and the data is deleted once."""
    with app.app_context():
        code = make.course(step=2).join_code
    jar = http.cookiejar.CookieJar()
    joining = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    joined = joining.open(
        f"{live_server}/j/{code}",
        urllib.parse.urlencode({"role": "medarbejder", "name": "Bente"}).encode(),
        timeout=30,
    )
    assert joined.status == 200
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)  # the cookie from before any tap
    barrier = threading.Barrier(6, timeout=30)
    statuses = []

    def tap():
        request = urllib.request.Request(
            f"{live_server}/c/{code}/my-data/delete",
            data=b"confirmed=1",
            headers={"Cookie": cookie},
            method="POST",
        )
        barrier.wait()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
                statuses.append((response.status, response.url))
        except urllib.error.HTTPError as error:
            statuses.append((error.code, ""))

    threads = [threading.Thread(target=tap) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [(200, f"{live_server}/privacy/{code}")] * 6
    with app.app_context():
        people = db.session.scalars(select(Participant)).all()
        assert len(people) == 1 and people[0].forgotten_at is not None and people[0].name == ""


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=TEXTS, contact=st.one_of(TEXTS, st.emails().map(str)))
def test_any_controller_and_contact_are_stored_within_their_columns_or_refused(
    app, make, name, contact
):
    """Whatever the admin types: no 500, nothing longer than its column, and the join page
    still renders the notice."""
    with app.app_context():
        organisation = make.organisation("Jobcenter Fjordby")
        admin = make.facilitator(email="admin@fjordby.dk", organisation=organisation, is_admin=True)
        code = make.course(admin).join_code
    client = app.test_client()
    client.post("/login", data={"email": "admin@fjordby.dk", "password": "correct horse"})
    reply = client.post(
        "/f/organisation/privacy", data={"controller_name": name, "privacy_contact": contact}
    )
    assert reply.status_code in (302, 422)
    with app.app_context():
        stored = make.organisation("Jobcenter Fjordby")
        assert len(stored.controller_name) <= 200 and len(stored.privacy_contact) <= 254
        assert "\x00" not in stored.controller_name + stored.privacy_contact
    assert client.get(f"/j/{code}").status_code == 200


def test_a_participant_deleting_their_data_leaves_a_line_in_the_trail_without_them(app, make):
    """When and in which course someone deleted their texts is accountable; who they were
    and what they wrote is exactly what they asked to remove."""
    from workshop.core.models import AuditEvent

    with app.app_context():
        course = make.course(step=2)
        person = make.participant(course, name="Bente", unit="Team Ydelse")
        make.card(person, "Skemaet har tolv felter")
        phone, code, person_id = _phone(app, person), course.join_code, person.id
    _delete(phone, code)
    _delete(phone, code)  # the double tap records nothing more
    with app.app_context():
        lines = db.session.scalars(select(AuditEvent)).all()
        assert [(e.action, e.course_id, e.target_id, e.actor_id) for e in lines] == [
            ("participant_forgot", course.id, person_id, None)
        ]
        columns = [column.name for column in AuditEvent.__table__.columns]
        stored = repr({name: getattr(lines[0], name) for name in columns})
        assert not [word for word in ("Bente", "Team Ydelse", "Skemaet") if word in stored]
