"""Feedback to the state: flagging law-origin cards, the document (PDF read back, CSV), the
routes for the facilitator and the manager link, and bad input."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from workshop.cards import redact_card, set_card_hidden
from workshop.catalogue import CATALOGUE_FILE, load_catalogue
from workshop.core.clock import local_today
from workshop.core.errors import WorkshopError
from workshop.core.extensions import db
from workshop.core.models import Course, Participant, StateFeedback
from workshop.courses import delete_course
from workshop.examination import examine_card, link_requirement
from workshop.exchange import feedback_csv
from workshop.manager_links import create_manager_link, revoke_manager_link
from workshop.measures import log_entry
from workshop.privacy import forget_participant
from workshop.state_feedback import (
    feedback_document,
    flag_card,
    unflag_card,
    update_feedback,
)
from workshop.votes import cast_vote, set_voting_state

SELF_BOOKING = "Selvbooking af samtaler udelukker borgere uden it-færdigheder"
AVAILABILITY = "Rådighedsreglerne kræver fremmøde samme dag"
LOCAL = "Vi skriver referat af alle møder"


def count_feedback() -> int:
    return db.session.scalar(select(func.count()).select_from(StateFeedback))


@pytest.fixture
def course(app, make):
    """A course with two law-origin cards (LAB and LAS), a local one, a measure with figures
    and a revealed vote."""
    with app.app_context():
        load_catalogue()
        course = make.course(step=2, title="Mindre bøvl i jobcentret")
        anne = make.participant(course, name="Anne")
        boss = make.participant(course, role="leder", unit="Ledelsen")
        booking = make.card(anne, SELF_BOOKING)
        examine_card(booking, origin="national_law", problem="Borgere udebliver")
        link_requirement(booking, "R10")
        availability = make.card(boss, AVAILABILITY)
        examine_card(availability, origin="executive_order")
        link_requirement(availability, "R29")
        local = make.card(anne, LOCAL)
        examine_card(local, origin="local_practice")
        challenge = make.challenge(anne, "Dokumentation i tre systemer")
        set_voting_state(course, "voting")
        cast_vote(anne, booking, 3)
        cast_vote(boss, booking, 2)
        set_voting_state(course, "revealed")
        action = make.action(make.solution(anne, challenge, "Én indgang"))
        measure = make.measure(action, what="Minutter på selvbooking-hjælp", unit="minutter")
        today = local_today()
        for days, value, token in ((35, 60, "b1"), (30, 40, "b2"), (10, 20, "f1")):
            log_entry(anne, measure, today - timedelta(days=days), value, client_token=token)
        other = make.course(make.facilitator(email="b@example.dk"), step=2, title="Kursus B")
        bob = make.participant(other)
        other_card = make.card(bob, "Kort i B")
        other_challenge = make.challenge(bob, "B's udfordring")
        other_action = make.action(make.solution(bob, other_challenge, "B's løsning"))
        other_measure = make.measure(other_action)
        return {
            "id": course.id,
            "booking": booking.id,
            "availability": availability.id,
            "local": local.id,
            "measure": measure.id,
            "other_card": other_card.id,
            "other_measure": other_measure.id,
        }


def card(ids, name):
    from workshop.core.models import Card

    return db.session.get(Card, ids[name])


def pdf_text(pdf: bytes) -> str:
    text = " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)
    text = re.sub(r"[\u2010\u00ad-]\n", "", text)
    return " ".join(text.split())


def read_csv(body: bytes) -> list[dict[str, str]]:
    assert body.startswith(b"\xef\xbb\xbf")
    header, *rows = csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=";")
    return [dict(zip(header, row, strict=True)) for row in rows]


# --- The domain ---------------------------------------------------------------------------


def test_a_law_card_is_flagged_once_and_a_second_flag_updates_it(app, course):
    with app.app_context():
        booking = card(course, "booking")
        first = flag_card(booking, cost="  10 timer om ugen ", proposal="Fritag borgere")
        again = flag_card(booking, cost="12 timer om ugen", trial="trial_provision")
        assert first.id == again.id and count_feedback() == 1
        assert (again.cost, again.trial, again.proposal) == (
            "12 timer om ugen",
            "trial_provision",
            "",
        )
        update_feedback(again, cost="8 timer", measure_id=course["measure"], trial="exemption")
        assert db.session.get(StateFeedback, first.id).measure_id == course["measure"]
        assert unflag_card(booking) is True and unflag_card(booking) is False
        assert count_feedback() == 0


@pytest.mark.parametrize(
    "name, fields, code",
    [
        ("local", {}, "origin"),
        ("booking", {"trial": "maybe"}, "trial"),
        ("booking", {"measure_id": "other"}, "measure"),
        ("booking", {"cost": "x" * 2001}, "too_long"),
        ("booking", {"trial_note": "x" * 2001}, "too_long"),
    ],
)
def test_bad_input_is_refused_with_a_reason_and_writes_nothing(app, course, name, fields, code):
    with app.app_context():
        if fields.get("measure_id") == "other":
            fields = {"measure_id": course["other_measure"]}
        revision = db.session.get(Course, course["id"]).revision
        with pytest.raises(WorkshopError) as refused:
            flag_card(card(course, name), **fields)
        assert refused.value.code == code
        db.session.rollback()
        assert count_feedback() == 0
        assert db.session.get(Course, course["id"]).revision == revision


def test_the_document_leaves_out_a_card_whose_origin_is_no_longer_law(app, course):
    with app.app_context():
        flag_card(card(course, "booking"), proposal="Fritag")
        flag_card(card(course, "availability"))
        examine_card(card(course, "availability"), origin="management_decision")
        document = feedback_document(db.session.get(Course, course["id"]))
        assert [row.card.text for row in document.rows] == [SELF_BOOKING]
        assert [row.card.text for row in document.left_out] == [AVAILABILITY]
        # Updating it is refused too, until the origin is law again; taking it out is not.
        with pytest.raises(WorkshopError):
            flag_card(card(course, "availability"), cost="x")
        db.session.rollback()
        assert unflag_card(card(course, "availability"))


def test_rows_carry_dots_measured_figures_and_the_trial_facts_of_their_acts(app, course):
    with app.app_context():
        flag_card(card(course, "booking"), measure_id=course["measure"])
        flag_card(card(course, "availability"))
        rows = feedback_document(db.session.get(Course, course["id"])).rows
        booking, availability = rows
        assert (booking.number, availability.number) == (1, 2)
        assert booking.dots == 5 and availability.dots == 0
        assert booking.stats.baseline.mean == 50 and booking.stats.followup.mean == 20
        # R10 names LAB and LAF; R29 is LAS: the LAS trial provision is there, verified.
        assert [f.key for f in booking.trial_facts] == ["bek-2498-2021", "frikommune"]
        assert [f.key for f in availability.trial_facts] == ["las-110", "frikommune"]
        assert availability.trial_facts[0].confidence == "verified"
        assert booking.trial_facts[0].confidence == "unsure"


def _changed_catalogue(tmp_path, key: str, law_version: str):
    data = json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))
    entry = next(e for e in data["requirements"] if e["id"] == key)
    old = entry["law_version"]
    entry["law_version"] = law_version
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    load_catalogue(path)
    return old


def test_a_requirement_that_changed_since_the_link_shows_both_versions(app, course, tmp_path):
    with app.app_context():
        flag_card(card(course, "booking"))
        old = _changed_catalogue(tmp_path, "R10", "LOV nr. 999 af 1/1/2027")
        (row,) = feedback_document(db.session.get(Course, course["id"])).rows
        (line,) = row.requirements
        assert line.changed and row.any_changed
        assert (line.linked_version, line.version) == (1, 2)
        assert (line.linked_law_version, line.law_version) == (old, "LOV nr. 999 af 1/1/2027")
    with app.test_request_context("/?lang=en"):
        from workshop.web.state_feedback import _pdf

        text = pdf_text(_pdf(db.session.get(Course, course["id"])).get_data())
    assert "When the card was linked (version 1)" in text
    assert "The catalogue now (version 2)" in text
    assert "LOV nr. 999 af 1/1/2027" in text
    assert " ".join(old.split()) in text


def test_deleting_the_course_deletes_its_feedback(app, course):
    with app.app_context():
        flag_card(card(course, "booking"), measure_id=course["measure"])
        delete_course(db.session.get(Course, course["id"]))
        assert count_feedback() == 0


# --- The PDF and the CSV ----------------------------------------------------------------------


def _render(app, course_id: int, lang="en") -> str:
    with app.test_request_context(f"/?lang={lang}"):
        from workshop.web.state_feedback import _pdf

        return pdf_text(_pdf(db.session.get(Course, course_id)).get_data())


def test_the_pdf_has_the_cover_each_rule_and_the_trial_facts(app, course):
    with app.app_context():
        flag_card(
            card(course, "booking"),
            cost="Hver borger uden MitID koster 20 minutters hjælp",
            measure_id=course["measure"],
            proposal="Lad kommunen fritage borgere uden it-færdigheder",
            trial="trial_provision",
            trial_note="Ansøg om forsøg efter BEK 2498/2021",
        )
        flag_card(card(course, "availability"), trial="exemption")
    text = _render(app, course["id"])
    for expected in (
        "Rules only the state can change",
        "The management / KL / the ministry",
        "Mindre bøvl i jobcentret",
        "Fjordby Kommune",
        SELF_BOOKING,
        AVAILABILITY,
        "LAB § 34",
        "LAS § 13",
        "Hver borger uden MitID koster 20 minutters hjælp",
        "Minutter på selvbooking-hjælp",
        "Lad kommunen fritage borgere uden it-færdigheder",
        "Ansøg om forsøg efter BEK 2498/2021",
        "LAS § 110",
        "BEK nr. 2498 af 10/12/2021",
        "Verified in the source",
        "Not checked",
        "5 dots",
    ):
        assert expected in text, expected
    assert LOCAL not in text
    assert "Page 2 of" in text


def test_the_pdf_in_danish_says_who_it_is_for(app, course):
    with app.app_context():
        flag_card(card(course, "booking"))
    text = _render(app, course["id"], "da")
    assert SELF_BOOKING in text and "Side 2 af" in text


def test_hidden_and_redacted_cards_keep_their_words_out(app, course):
    with app.app_context():
        flag_card(card(course, "booking"), proposal="Forslag A")
        flag_card(card(course, "availability"), proposal="Forslag B")
        set_card_hidden(card(course, "booking"), True)
        redact_card(card(course, "availability"))
        body = feedback_csv(db.session.get(Course, course["id"]))
    text = _render(app, course["id"])
    assert SELF_BOOKING not in text and AVAILABILITY not in text
    assert "[Redacted" not in text and text.count("The text is hidden.") >= 2
    assert "Forslag A" in text and "Forslag B" in text
    rows = read_csv(body)
    assert len(rows) == 2
    for row in rows:
        assert not any(SELF_BOOKING in v or AVAILABILITY in v for v in row.values())


def test_a_card_its_author_deleted_keeps_its_marker_out_like_a_redacted_one(app, course):
    """Issue 19: the author deleted their own data; the document leaves the text out."""
    with app.app_context():
        flag_card(card(course, "booking"), proposal="Forslag A")
        forget_participant(db.session.get(Participant, card(course, "booking").participant_id))
    text = _render(app, course["id"])
    assert SELF_BOOKING not in text and "[Slettet" not in text and "[Deleted" not in text
    assert "The text is hidden." in text and "Forslag A" in text


def test_a_requirement_is_named_as_it_read_when_linked_and_as_it_reads_now(app, course):
    with app.app_context():
        booking = card(course, "booking")
        flag_card(booking)
        requirement = booking.links[0].requirement
        then = f"{requirement.citation}: {requirement.name_da}"
        requirement.paragraph, requirement.name_da = "§ 99", "Et nyt navn"
        db.session.commit()
        (row,) = feedback_document(db.session.get(Course, course["id"])).rows
        (line,) = row.requirements
    assert line.linked_label == then
    assert line.label == "LAB § 99: Et nyt navn"


def test_the_trial_facts_follow_the_acts_a_paragraph_names_not_the_words_of_its_name(app, course):
    with app.app_context():
        booking = card(course, "booking")
        flag_card(booking)
        booking.links[0].requirement.name_da = "Booking som efter LAS"
        db.session.commit()
        (row,) = feedback_document(db.session.get(Course, course["id"])).rows
    assert [fact.key for fact in row.trial_facts] == ["bek-2498-2021", "frikommune"]


def test_the_csv_is_for_danish_excel(app, course):
    with app.test_request_context("/?lang=en"):
        flag_card(
            card(course, "booking"),
            cost="=HYPERLINK(1)",
            measure_id=course["measure"],
            proposal="Forslag; med semikolon",
        )
        rows = read_csv(feedback_csv(db.session.get(Course, course["id"])))
    (row,) = rows
    assert row["No."] == "1" and row["Card"] == SELF_BOOKING
    assert row["What it costs in practice"] == "'=HYPERLINK(1)"
    assert row["What we propose"] == "Forslag; med semikolon"
    assert row["Requirement"].startswith("LAB § 34")
    assert (row["Before: average"], row["After: average"], row["Change"]) == ("50", "20", "-30")
    assert row["Dots"] == "5"
    assert row["Changed since the card was linked"] == "No"
    assert "BEK nr. 2498" in row["Trial provisions and exemption schemes (confidence)"]


# --- The routes -------------------------------------------------------------------------------------


def test_the_card_page_offers_the_form_only_for_law_cards(client, auth, course):
    auth.login()
    base = f"/f/courses/{course['id']}/cards"
    law = client.get(f"{base}/{course['booking']}?lang=en")
    assert law.status_code == 200
    assert f'action="{base}/{course["booking"]}/state-feedback"' in law.text
    local = client.get(f"{base}/{course['local']}?lang=en")
    assert 'id="state-feedback"' in local.text
    assert f'action="{base}/{course["local"]}/state-feedback"' not in local.text
    assert "Only a card whose rule comes from national law" in local.text


def test_flagging_from_the_card_page_and_taking_it_out(app, client, auth, course):
    auth.login()
    url = f"/f/courses/{course['id']}/cards/{course['booking']}/state-feedback"
    done = client.post(
        url,
        data={
            "cost": "Tre timer om ugen",
            "measure": str(course["measure"]),
            "proposal": "Fritagelse",
            "trial": "exemption",
            "trial_note": "Frikommune?",
        },
    )
    assert done.status_code == 302
    assert done.headers["Location"].endswith(f"/cards/{course['booking']}#state-feedback")
    with app.app_context():
        (saved,) = db.session.scalars(select(StateFeedback)).all()
        assert (saved.cost, saved.measure_id, saved.trial) == (
            "Tre timer om ugen",
            course["measure"],
            "exemption",
        )
    page = client.get(f"/f/courses/{course['id']}/state-feedback")
    assert page.status_code == 200 and SELF_BOOKING in page.text
    assert f"/f/courses/{course['id']}/state-feedback.pdf" in page.text
    card_page = client.get(f"/f/courses/{course['id']}/cards/{course['booking']}")
    assert "Tre timer om ugen" in card_page.text
    assert client.post(f"{url}/delete").status_code == 302
    with app.app_context():
        assert count_feedback() == 0


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("local", {"cost": "Mine ord"}, "Only a card whose rule comes from national law"),
        ("booking", {"cost": "Mine ord", "trial": "maybe"}, "Choose whether a local trial"),
        ("booking", {"cost": "Mine ord", "measure": "other"}, "Choose one of this course"),
        ("booking", {"cost": "Mine ord", "measure": "abc"}, "Choose one of this course"),
        ("booking", {"cost": "Mine ord", "proposal": "x" * 2001}, "at most 2000 characters"),
    ],
)
def test_a_refused_flag_keeps_what_was_typed(app, client, auth, course, name, data, message):
    auth.login()
    if data.get("measure") == "other":
        data = {**data, "measure": str(course["other_measure"])}
    response = client.post(
        f"/f/courses/{course['id']}/cards/{course[name]}/state-feedback?lang=en", data=data
    )
    assert response.status_code == 422
    assert message in response.text
    if name == "booking":
        assert "Mine ord" in response.text  # the form is shown again, filled in
    with app.app_context():
        assert count_feedback() == 0


def test_the_left_out_card_gets_a_note_on_its_page(app, client, auth, course):
    with app.app_context():
        flag_card(card(course, "availability"))
        examine_card(card(course, "availability"), origin="it_system")
    auth.login()
    page = client.get(f"/f/courses/{course['id']}/cards/{course['availability']}?lang=en")
    assert "the document leaves it out" in page.text
    assert f"/cards/{course['availability']}/state-feedback/delete" in page.text
    overview = client.get(f"/f/courses/{course['id']}/state-feedback?lang=en")
    assert "Left out of the document" in overview.text and AVAILABILITY in overview.text


def test_the_downloads_for_the_facilitator(client, auth, course, app):
    with app.app_context():
        flag_card(card(course, "booking"), proposal="Forslag")
    auth.login()
    pdf = client.get(f"/f/courses/{course['id']}/state-feedback.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    assert "attachment" in pdf.headers["Content-Disposition"]
    assert pdf.headers["Cache-Control"] == "private, no-store"
    again = client.get(f"/f/courses/{course['id']}/state-feedback.pdf")
    assert again.data == pdf.data  # from the cache
    table = client.get(f"/f/courses/{course['id']}/state-feedback.csv")
    assert table.status_code == 200 and table.mimetype == "text/csv"
    assert ".csv" in table.headers["Content-Disposition"]
    assert len(read_csv(table.data)) == 1


def test_the_manager_link_gives_the_pdf_and_a_revoked_one_nothing(app, client, course):
    with app.app_context():
        flag_card(card(course, "booking"), proposal="Forslag til ministeriet")
        course_row = db.session.get(Course, course["id"])
        token = create_manager_link(course_row, "Direktionen").token
        old = revoke_manager_link(create_manager_link(course_row, "Gammel")).token
    status = client.get(f"/m/{token}?lang=en")
    assert f"/m/{token}/state-feedback.pdf" in status.text
    response = client.get(f"/m/{token}/state-feedback.pdf?lang=en")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "Forslag til ministeriet" in pdf_text(response.data)
    assert client.get(f"/m/{old}/state-feedback.pdf").status_code == 404
    assert client.get("/m/nonsense/state-feedback.pdf").status_code == 404
    with app.app_context():
        unflag_card(card(course, "booking"))
    assert f"/m/{token}/state-feedback.pdf" not in client.get(f"/m/{token}").text


def test_another_facilitator_and_anonymous_are_refused(app, client, auth, course):
    paths = [
        f"/f/courses/{course['id']}/state-feedback",
        f"/f/courses/{course['id']}/state-feedback.pdf",
        f"/f/courses/{course['id']}/state-feedback.csv",
    ]
    for path in paths:
        assert client.get(path).headers["Location"].startswith("/login")
    auth.login("b@example.dk")
    for path in paths:
        assert client.get(path).status_code == 404
    post = client.post(f"/f/courses/{course['id']}/cards/{course['booking']}/state-feedback")
    assert post.status_code == 404
    with app.app_context():
        assert count_feedback() == 0


def test_a_card_of_another_course_under_mine_goes_back_to_the_panel(app, client, auth, course):
    auth.login()
    response = client.post(
        f"/f/courses/{course['id']}/cards/{course['other_card']}/state-feedback", data={}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/f/courses/{course['id']}"
    with app.app_context():
        assert count_feedback() == 0


@pytest.mark.parametrize(
    "app", [{"RATELIMIT_ENABLED": True, "RATELIMIT_MANAGER_LINK": "1/minute"}], indirect=True
)
def test_the_manager_pdf_shares_the_manager_links_rate_limit(app, client, course):
    with app.app_context():
        token = create_manager_link(db.session.get(Course, course["id"])).token
    assert client.get(f"/m/{token}").status_code == 200
    assert client.get(f"/m/{token}/state-feedback.pdf").status_code == 429


# --- The course file (JSON export and import) --------------------------------------------------


def _exported(app, course) -> dict:
    from workshop.exchange import export_course

    with app.app_context():
        flag_card(
            card(course, "booking"),
            cost="Tre timer",
            measure_id=course["measure"],
            proposal="Fritag",
            trial="exemption",
            trial_note="Frikommune",
        )
        flag_card(card(course, "availability"), proposal="Ændr LAS § 13")
        return export_course(db.session.get(Course, course["id"]))


def test_the_feedback_survives_an_export_and_an_import(app, course):
    from workshop.exchange import import_course
    from workshop.facilitators import find_facilitator

    data = _exported(app, course)
    assert [item["measure"] for item in data["state_feedback"]] == [
        {"action": 1, "measure": 0},
        None,
    ]
    with app.app_context():
        copy = import_course(json.dumps(data), find_facilitator("b@example.dk")).course
        rows = feedback_document(copy).rows
        assert [(row.card.text, row.feedback.proposal) for row in rows] == [
            (SELF_BOOKING, "Fritag"),
            (AVAILABILITY, "Ændr LAS § 13"),
        ]
        first = rows[0]
        assert (first.feedback.cost, first.feedback.trial, first.feedback.trial_note) == (
            "Tre timer",
            "exemption",
            "Frikommune",
        )
        assert first.measure.what == "Minutter på selvbooking-hjælp"
        assert first.measure.action.course_id == copy.id
        assert first.stats.baseline.mean == 50


def test_a_file_from_before_the_feedback_existed_still_imports(app, course):
    from workshop.exchange import import_course
    from workshop.facilitators import find_facilitator

    data = _exported(app, course)
    del data["state_feedback"]
    with app.app_context():
        copy = import_course(json.dumps(data), find_facilitator("b@example.dk")).course
        assert feedback_document(copy).rows == []


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data["state_feedback"][0].update(card=9999),
        lambda data: data["state_feedback"][1].update(card=data["state_feedback"][0]["card"]),
        lambda data: data["state_feedback"][0].update(trial="perhaps"),
        lambda data: data["state_feedback"][0].update(cost="x" * 2001),
        lambda data: data["state_feedback"][0].update(measure={"action": 1, "measure": 5}),
        lambda data: data["state_feedback"][0].update(measure={"action": 99, "measure": 0}),
        lambda data: data["state_feedback"][0].update(measure={"action": True, "measure": 0}),
        lambda data: data["state_feedback"][0].update(measure="1"),
        lambda data: data["state_feedback"][0].pop("measure"),
        lambda data: data.update(state_feedback={}),
    ],
    ids=[
        "dangling card",
        "two for one card",
        "unknown trial",
        "too long",
        "no such measure",
        "no such action",
        "true for a number",
        "text for a place",
        "no measure field",
        "not a list",
    ],
)
def test_a_damaged_feedback_list_refuses_the_whole_file(app, course, damage):
    from workshop.exchange import ImportRefused, import_course
    from workshop.facilitators import find_facilitator

    data = _exported(app, course)
    damage(data)
    with app.app_context():
        courses = db.session.scalar(select(func.count()).select_from(Course))
        with pytest.raises(ImportRefused) as refused:
            import_course(json.dumps(data), find_facilitator("b@example.dk"))
        assert refused.value.code == "damaged"
        assert db.session.scalar(select(func.count()).select_from(Course)) == courses
        assert count_feedback() == 2


def test_every_download_names_its_type_and_charset_once(app, client, auth, course):
    """Werkzeug adds '; charset=utf-8' to a text mimetype itself: a type that already says
    it must be set as the whole Content-Type, or the header says it twice."""
    with app.app_context():
        flag_card(card(course, "booking"), proposal="Forslag")
        token = create_manager_link(db.session.get(Course, course["id"]), "Direktionen").token
    auth.login()
    base = f"/f/courses/{course['id']}"
    expected = {
        f"{base}/state-feedback.csv": "text/csv; charset=utf-8",
        f"{base}/state-feedback.pdf": "application/pdf",
        f"{base}/export/cards.csv": "text/csv; charset=utf-8",
        f"{base}/export/actions.csv": "text/csv; charset=utf-8",
        f"{base}/export/entries.csv": "text/csv; charset=utf-8",
        f"{base}/export/course.json": "application/json; charset=utf-8",
        f"{base}/action-plan.pdf": "application/pdf",
        f"{base}/qr.svg": "image/svg+xml",
        "/f/overview.csv": "text/csv; charset=utf-8",
        f"/m/{token}/action-plan.pdf": "application/pdf",
        f"/m/{token}/state-feedback.pdf": "application/pdf",
    }
    for url, content_type in expected.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Content-Type"] == content_type, url
