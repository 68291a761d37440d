"""Feedback beyond the state (issue 18 part 6): cards for the IT vendor (grouped by system)
and for the political committee / top management, through the domain and the pages: the
PDF read back, the CSV's rows, redaction and hiding, the manager link, and empty courses."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select

from tests.test_state_feedback import pdf_text, read_csv
from workshop.cards import merge_cards, redact_card, set_card_hidden
from workshop.core.errors import WorkshopError
from workshop.core.extensions import db
from workshop.core.models import Card, CardFeedback, Course
from workshop.courses import delete_course
from workshop.examination import examine_card, prioritise
from workshop.exchange import local_feedback_csv
from workshop.local_feedback import ROUTES, flag_for, local_document, unflag_for
from workshop.manager_links import create_manager_link, revoke_manager_link
from workshop.votes import cast_vote, set_voting_state

VENDOR, POLITICS = ROUTES["it_vendor"], ROUTES["politics"]
CLICKS = "Journalnotatet kræver syv klik før det kan gemmes"
LOGOUT = "Sagssystemet logger os ud midt i en samtale"
CALENDAR = "Kalenderen kan ikke booke tolk sammen med samtalen"
DECISION = "Alle ledige skal til samtale hver 4. uge uanset behov"
LOCAL = "Vi skriver referat af alle møder"
LAW = "Rådighedsreglerne kræver fremmøde samme dag"
SOLUTION = "Samtaler efter behov, aftalt med borgeren"


def count_flags() -> int:
    return db.session.scalar(select(func.count()).select_from(CardFeedback))


@pytest.fixture
def course(app, make):
    """Three IT-system cards (two about the same system), a municipal decision with a
    chosen solution and its action, a local practice and a law card, a revealed vote; and
    another course with its own IT card."""
    with app.app_context():
        course = make.course(step=2, title="Mindre bøvl i jobcentret")
        anne = make.participant(course, name="Anne")
        boss = make.participant(course, role="leder", unit="Ledelsen")
        ids = {}
        for name, text, origin in (
            ("clicks", CLICKS, "it_system"),
            ("logout", LOGOUT, "it_system"),
            ("calendar", CALENDAR, "it_system"),
            ("decision", DECISION, "municipal_decision"),
            ("local", LOCAL, "local_practice"),
            ("law", LAW, "national_law"),
        ):
            card = make.card(anne, text)
            examine_card(card, origin=origin)
            ids[name] = card.id
        set_voting_state(course, "voting")
        cast_vote(anne, db.session.get(Card, ids["clicks"]), 3)
        cast_vote(boss, db.session.get(Card, ids["clicks"]), 1)
        set_voting_state(course, "revealed")
        decision = prioritise(db.session.get(Card, ids["decision"]), "prioritised")
        make.action(make.solution(anne, decision, SOLUTION, kind="change"))
        other = make.course(make.facilitator(email="b@example.dk"), step=2, title="Kursus B")
        bob = make.participant(other)
        other_card = make.card(bob, "B's system er langsomt")
        examine_card(other_card, origin="it_system")
        return {"id": course.id, "other": other.id, "other_card": other_card.id, **ids}


def card(ids, name) -> Card:
    return db.session.get(Card, ids[name])


def _course(ids, key="id") -> Course:
    return db.session.get(Course, ids[key])


def _render(app, course_id: int, route_key: str, lang="en") -> str:
    with app.test_request_context(f"/?lang={lang}"):
        from workshop.web.local_feedback import PAGES, _pdf

        return pdf_text(_pdf(db.session.get(Course, course_id), PAGES[route_key]).get_data())


def _csv(app, ids, route, lang="en") -> str:
    """The CSV as a facilitator who chose English gets it (the headers are translated)."""
    with app.test_request_context(f"/?lang={lang}"):
        return local_feedback_csv(_course(ids), route)


def _flag_vendor_cards(ids) -> None:
    flag_for(
        VENDOR,
        card(ids, "clicks"),
        subject="Sagssystemet",
        cost="Hvert notat tager et minut ekstra",
        estimate_minutes="2",
        estimate_per="case",
        proposal="Gem notatet med ét klik",
    )
    # The same system, spelled with other spaces and capitals: the same group.
    flag_for(VENDOR, card(ids, "logout"), subject=" sagssystemet ", proposal="Længere session")
    flag_for(VENDOR, card(ids, "calendar"), subject="Bookingkalenderen", proposal="Tolk i booking")


# --- The domain ---------------------------------------------------------------------------


def test_a_card_is_flagged_once_per_route_and_a_second_flag_updates_it(app, course):
    with app.app_context():
        first = flag_for(VENDOR, card(course, "clicks"), subject="Sagssystemet", cost="Lidt")
        again = flag_for(VENDOR, card(course, "clicks"), subject="Sagssystemet", cost="Meget")
        assert first.id == again.id and count_flags() == 1
        assert (again.route, again.cost, again.subject) == ("it_vendor", "Meget", "Sagssystemet")
        assert unflag_for(VENDOR, card(course, "clicks")) and count_flags() == 0


@pytest.mark.parametrize(
    "route_key, name",
    [
        ("it_vendor", "decision"),
        ("it_vendor", "law"),
        ("politics", "clicks"),
        ("politics", "local"),
    ],
)
def test_only_a_card_whose_origin_fits_the_route_can_be_flagged(app, course, route_key, name):
    with app.app_context():
        with pytest.raises(WorkshopError) as refused:
            flag_for(ROUTES[route_key], card(course, name), proposal="Forslag")
        assert refused.value.code == "origin" and count_flags() == 0


@pytest.mark.parametrize(
    "fields, code",
    [
        ({"estimate_minutes": "ti", "estimate_per": "case"}, "estimate"),
        ({"estimate_minutes": "0", "estimate_per": "week"}, "estimate"),
        ({"estimate_minutes": "-5", "estimate_per": "week"}, "estimate"),
        ({"estimate_minutes": "15"}, "estimate_per"),
        ({"estimate_minutes": "15", "estimate_per": "month"}, "estimate_per"),
        ({"decided_on": "31-02-2025"}, "decided_on"),
        ({"ask": "abolish"}, "ask"),
        ({"subject": "x" * 201}, "too_long"),
        ({"proposal": "x" * 2001}, "too_long"),
    ],
)
def test_bad_input_is_refused_with_a_reason_and_writes_nothing(app, course, fields, code):
    with app.app_context():
        with pytest.raises(WorkshopError) as refused:
            flag_for(POLITICS, card(course, "decision"), **fields)
        assert refused.value.code == code and count_flags() == 0


def test_the_vendor_document_groups_the_cards_by_system_whatever_the_spelling(app, course):
    with app.app_context():
        _flag_vendor_cards(course)
        document = local_document(_course(course), VENDOR)
        groups = [(g.label, [row.card.text for row in g.rows]) for g in document.groups]
    assert groups == [("Sagssystemet", [CLICKS, LOGOUT]), ("Bookingkalenderen", [CALENDAR])]


def test_a_card_whose_origin_changed_is_left_out_and_listed(app, course):
    with app.app_context():
        _flag_vendor_cards(course)
        examine_card(card(course, "logout"), origin="local_practice")
        document = local_document(_course(course), VENDOR)
        assert [row.card.id for row in document.left_out] == [course["logout"]]
        assert course["logout"] not in [row.card.id for row in document.rows]


def test_deleting_the_course_deletes_its_feedback(app, course):
    with app.app_context():
        _flag_vendor_cards(course)
        delete_course(_course(course))
        assert count_flags() == 0


# --- The documents ------------------------------------------------------------------------


def test_the_vendor_pdf_has_each_system_with_its_cards_and_no_others(app, course):
    with app.app_context():
        _flag_vendor_cards(course)
        flag_for(POLITICS, card(course, "decision"), subject="Samtale hver 4. uge")
    text = _render(app, course["id"], "it_vendor")
    for expected in (
        "Feedback to the IT vendor",
        "The IT vendor",
        "Mindre bøvl i jobcentret",
        "IT system: Sagssystemet (2 cards)",
        "IT system: Bookingkalenderen (1 card)",
        "Hvert notat tager et minut ekstra",
        "The group's estimate (not measured): about 2 minutes per case",
        "Gem notatet med ét klik",
        "4 dots",
    ):
        assert expected in text, expected
    # Grouped: both Sagssystemet cards come before the calendar's group.
    assert text.index(CLICKS) < text.index(LOGOUT) < text.index("Bookingkalenderen (1 card)")
    for absent in (DECISION, LOCAL, LAW, "Samtale hver 4. uge", "B's system"):
        assert absent not in text, absent


def test_the_political_pdf_has_the_decision_the_solutions_and_the_action_status(app, course):
    with app.app_context():
        _flag_vendor_cards(course)
        flag_for(
            POLITICS,
            card(course, "decision"),
            subject="Samtale hver 4. uge for alle ledige",
            decided_by="Beskæftigelsesudvalget",
            decided_on="2024-03-12",
            cost="40 samtaler om ugen uden indhold",
            estimate_minutes="1800",
            estimate_per="week",
            ask="change",
            proposal="Lad rådgiveren aftale hyppigheden med borgeren",
        )
    text = _render(app, course["id"], "politics")
    for expected in (
        "Feedback to the committee / top management",
        "The political committee / the top management",
        "Made by: Beskæftigelsesudvalget",
        "Samtale hver 4. uge for alle ledige",
        "12 March 2024",
        "about 1800 minutes per week",
        "Change it",
        "Lad rådgiveren aftale hyppigheden med borgeren",
        SOLUTION,
        "Chosen",
        "Action plan: Not started",
    ):
        assert expected in text, expected
    for absent in (CLICKS, LOGOUT, CALENDAR, LOCAL, LAW):
        assert absent not in text, absent


def test_the_pdf_in_danish_has_the_danish_title(app, course):
    with app.app_context():
        _flag_vendor_cards(course)
        flag_for(POLITICS, card(course, "decision"))
    assert "Tilbagemelding til it-leverandøren" in _render(app, course["id"], "it_vendor", "da")
    assert "Tilbagemelding til udvalget / direktionen" in _render(
        app, course["id"], "politics", "da"
    )


def test_the_vendor_csv_has_one_row_per_card_in_the_groups_order(app, course):
    with app.app_context():
        _flag_vendor_cards(course)
    rows = read_csv(_csv(app, course, VENDOR))
    assert [(row["IT system"], row["Card"]) for row in rows] == [
        ("Sagssystemet", CLICKS),
        ("sagssystemet", LOGOUT),
        ("Bookingkalenderen", CALENDAR),
    ]
    first = rows[0]
    assert (first["Estimate (minutes)"], first["Estimate per"], first["Dots"]) == (
        "2",
        "per case",
        "4",
    )
    assert "Which decision" not in first and "The group's solutions" not in first


def test_the_political_csv_has_the_decision_and_the_solutions(app, course):
    with app.app_context():
        flag_for(
            POLITICS,
            card(course, "decision"),
            subject="=Samtale hver 4. uge",
            decided_by="Byrådet",
            decided_on="2024-03-12",
            ask="remove",
        )
    (row,) = read_csv(_csv(app, course, POLITICS))
    assert row["Which decision"] == "'=Samtale hver 4. uge"  # never a formula in Excel
    assert (row["Made by"], row["Decided on"], row["Remove or change"]) == (
        "Byrådet",
        "2024-03-12",
        "Remove it",
    )
    assert row["The group's solutions"] == f"{SOLUTION} (Change)"
    assert row["Action plan status"] == "Not started"


def test_redacted_and_hidden_cards_keep_their_words_out_of_both_documents(app, course):
    with app.app_context():
        _flag_vendor_cards(course)
        flag_for(POLITICS, card(course, "decision"), proposal="Forslag til udvalget")
        redact_card(card(course, "clicks"))
        set_card_hidden(card(course, "logout"), True)
        redact_card(card(course, "decision"))
    vendor_csv = _csv(app, course, VENDOR).decode("utf-8-sig")
    politics_csv = _csv(app, course, POLITICS).decode("utf-8-sig")
    vendor_pdf = _render(app, course["id"], "it_vendor")
    politics_pdf = _render(app, course["id"], "politics")
    for document in (vendor_pdf, politics_pdf, vendor_csv, politics_csv):
        for words in (CLICKS, LOGOUT, DECISION, "[Redacted"):
            assert words not in document
        assert "The text is hidden." in document
    assert "Gem notatet med ét klik" in vendor_pdf and "Forslag til udvalget" in politics_pdf


def test_a_merged_card_shows_with_the_card_it_was_merged_into(app, course):
    with app.app_context():
        _flag_vendor_cards(course)
        set_voting_state(_course(course), "collect")  # cards are merged while collected
        merge_cards(card(course, "clicks"), [card(course, "logout")])
        document = local_document(_course(course), VENDOR)
        (clicks,) = [row for row in document.rows if row.card.id == course["clicks"]]
        assert clicks.merged_texts == [LOGOUT]


def test_a_redacted_solution_keeps_its_words_out_of_the_political_document(app, course):
    from workshop.core.models import Solution
    from workshop.solutions import redact_solution

    with app.app_context():
        flag_for(POLITICS, card(course, "decision"))
        redact_solution(db.session.scalar(select(Solution).where(Solution.text == SOLUTION)))
    body = _csv(app, course, POLITICS).decode("utf-8-sig")
    text = _render(app, course["id"], "politics")
    assert SOLUTION not in text and SOLUTION not in body
    assert "The text is hidden." in text


# --- The pages -----------------------------------------------------------------------------


def test_the_card_page_offers_the_route_its_origin_fits(client, auth, course):
    auth.login()
    base = f"/f/courses/{course['id']}/cards"
    it_page = client.get(f"{base}/{course['clicks']}?lang=en")
    assert f'action="{base}/{course["clicks"]}/vendor-feedback"' in it_page.text
    assert "/political-feedback" not in it_page.text
    decision_page = client.get(f"{base}/{course['decision']}?lang=en")
    assert f'action="{base}/{course["decision"]}/political-feedback"' in decision_page.text
    assert "/vendor-feedback" not in decision_page.text
    local = client.get(f"{base}/{course['local']}?lang=en")
    assert "/vendor-feedback" not in local.text and "/political-feedback" not in local.text


def test_flagging_from_the_card_page_and_taking_it_out(app, client, auth, course):
    auth.login()
    url = f"/f/courses/{course['id']}/cards/{course['decision']}/political-feedback"
    done = client.post(
        url,
        data={
            "politics-subject": "Samtale hver 4. uge",
            "politics-decided_by": "Beskæftigelsesudvalget",
            "politics-decided_on": "2024-03-12",
            "politics-estimate_minutes": "90",
            "politics-estimate_per": "week",
            "politics-ask": "change",
            "politics-proposal": "Efter behov",
        },
    )
    assert done.status_code == 302
    assert done.headers["Location"].endswith(f"/cards/{course['decision']}#political-feedback")
    with app.app_context():
        (saved,) = db.session.scalars(select(CardFeedback)).all()
        assert (saved.route, saved.decided_by, saved.estimate_minutes, saved.ask) == (
            "politics",
            "Beskæftigelsesudvalget",
            90,
            "change",
        )
        assert saved.decided_on.isoformat() == "2024-03-12"
    page = client.get(f"/f/courses/{course['id']}/political-feedback?lang=en")
    assert page.status_code == 200 and DECISION in page.text
    assert "Beskæftigelsesudvalget" in page.text
    card_page = client.get(f"/f/courses/{course['id']}/cards/{course['decision']}")
    assert 'value="2024-03-12"' in card_page.text and "Efter behov" in card_page.text
    assert client.post(f"{url}/delete").status_code == 302
    with app.app_context():
        assert count_flags() == 0


def test_a_refused_flag_keeps_what_was_typed_and_says_why_in_its_panel(app, client, auth, course):
    auth.login()
    response = client.post(
        f"/f/courses/{course['id']}/cards/{course['clicks']}/vendor-feedback?lang=en",
        data={"it_vendor-subject": "Sagssystemet", "it_vendor-estimate_minutes": "en time"},
    )
    assert response.status_code == 422
    assert 'id="vendor-feedback-error"' in response.text
    assert "Write the estimate as whole minutes" in response.text
    assert 'value="en time"' in response.text and 'value="Sagssystemet"' in response.text
    with app.app_context():
        assert count_flags() == 0


def test_the_downloads_for_the_facilitator(client, auth, course, app):
    with app.app_context():
        _flag_vendor_cards(course)
    auth.login()
    pdf = client.get(f"/f/courses/{course['id']}/vendor-feedback.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert pdf.headers["Cache-Control"] == "private, no-store"
    assert "it-leverandoeren" in pdf.headers["Content-Disposition"]  # Danish by default
    table = client.get(f"/f/courses/{course['id']}/vendor-feedback.csv")
    assert table.status_code == 200 and table.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert len(read_csv(table.data)) == 3


def test_a_course_with_no_such_cards_gets_a_friendly_empty_document(app, client, auth, course):
    auth.login()
    for slug, empty in (
        ("vendor-feedback", "No card has been put in the feedback to the IT vendor yet."),
        ("political-feedback", "No card has been put in the feedback to the committee"),
    ):
        page = client.get(f"/f/courses/{course['id']}/{slug}?lang=en")
        assert page.status_code == 200 and "No card has been put in this document yet" in page.text
        pdf = client.get(f"/f/courses/{course['id']}/{slug}.pdf?lang=en")
        assert pdf.status_code == 200 and empty in pdf_text(pdf.data)
        table = client.get(f"/f/courses/{course['id']}/{slug}.csv")
        assert table.status_code == 200 and read_csv(table.data) == []


def test_the_manager_link_serves_both_files_only_for_its_own_course(app, client, course):
    with app.app_context():
        _flag_vendor_cards(course)
        flag_for(VENDOR, db.session.get(Card, course["other_card"]), subject="B-systemet")
        token = create_manager_link(_course(course), "Direktionen").token
        other_token = create_manager_link(_course(course, "other"), "B").token
        old = revoke_manager_link(create_manager_link(_course(course), "Gammel")).token
    status = client.get(f"/m/{token}?lang=en")
    assert f"/m/{token}/vendor-feedback.pdf" in status.text
    assert f"/m/{token}/vendor-feedback.csv" in status.text
    assert "/political-feedback" not in status.text  # nothing in that document yet
    response = client.get(f"/m/{token}/vendor-feedback.pdf?lang=en")
    assert response.status_code == 200 and response.headers["Referrer-Policy"] == "no-referrer"
    text = pdf_text(response.data)
    assert CLICKS in text and "B-systemet" not in text
    rows = read_csv(client.get(f"/m/{token}/vendor-feedback.csv?lang=en").data)
    assert [row["Card"] for row in rows] == [CLICKS, LOGOUT, CALENDAR]
    other_rows = read_csv(client.get(f"/m/{other_token}/vendor-feedback.csv?lang=en").data)
    assert [row["IT system"] for row in other_rows] == ["B-systemet"]
    for path in ("vendor-feedback.pdf", "vendor-feedback.csv", "political-feedback.csv"):
        assert client.get(f"/m/{old}/{path}").status_code == 404
        assert client.get(f"/m/nonsense/{path}").status_code == 404


def test_another_facilitator_and_anonymous_are_refused(app, client, auth, course):
    paths = [
        f"/f/courses/{course['id']}/vendor-feedback",
        f"/f/courses/{course['id']}/political-feedback.pdf",
        f"/f/courses/{course['id']}/vendor-feedback.csv",
    ]
    for path in paths:
        assert client.get(path).headers["Location"].startswith("/login")
    auth.login("b@example.dk")
    for path in paths:
        assert client.get(path).status_code == 404


# --- The course file -----------------------------------------------------------------------


def _exported_with_both(app, ids) -> dict:
    from workshop.exchange import export_course

    with app.app_context():
        _flag_vendor_cards(ids)
        flag_for(
            POLITICS,
            card(ids, "decision"),
            subject="Samtale hver 4. uge",
            decided_by="Byrådet",
            decided_on="2024-03-12",
            ask="remove",
            proposal="Efter behov",
        )
        return json.loads(json.dumps(export_course(_course(ids))))


def test_the_feedback_beyond_the_state_survives_an_export_and_an_import(app, course):
    from workshop.exchange import import_course
    from workshop.facilitators import find_facilitator

    data = _exported_with_both(app, course)
    assert [item["route"] for item in data["card_feedback"]] == [
        "it_vendor",
        "it_vendor",
        "it_vendor",
        "politics",
    ]
    with app.app_context():
        copy = import_course(json.dumps(data), find_facilitator("b@example.dk")).course
        vendor = local_document(copy, VENDOR)
        assert [(g.label, len(g.rows)) for g in vendor.groups] == [
            ("Sagssystemet", 2),
            ("Bookingkalenderen", 1),
        ]
        first = vendor.rows[0].feedback
        assert (first.estimate_minutes, first.estimate_per, first.cost) == (
            2,
            "case",
            "Hvert notat tager et minut ekstra",
        )
        (decision,) = local_document(copy, POLITICS).rows
        assert (decision.feedback.decided_by, decision.feedback.ask) == ("Byrådet", "remove")
        assert decision.feedback.decided_on.isoformat() == "2024-03-12"


def test_a_file_from_before_the_feedback_beyond_the_state_still_imports(app, course):
    from workshop.exchange import import_course
    from workshop.facilitators import find_facilitator

    data = _exported_with_both(app, course)
    del data["card_feedback"]
    with app.app_context():
        copy = import_course(json.dumps(data), find_facilitator("b@example.dk")).course
        assert local_document(copy, VENDOR).rows == []


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data["card_feedback"][0].update(card=9999),
        lambda data: data["card_feedback"][1].update(card=data["card_feedback"][0]["card"]),
        lambda data: data["card_feedback"][0].update(route="ministry"),
        lambda data: data["card_feedback"][0].update(estimate_minutes=0),
        lambda data: data["card_feedback"][0].update(estimate_per="month"),
        lambda data: data["card_feedback"][3].update(ask="abolish"),
        lambda data: data["card_feedback"][3].update(decided_on="12-03-2024"),
    ],
    ids=[
        "dangling card",
        "two for one card and route",
        "unknown route",
        "no minutes",
        "unknown period",
        "unknown ask",
        "not a date",
    ],
)
def test_a_damaged_feedback_list_refuses_the_whole_file(app, course, damage):
    from workshop.exchange import ImportRefused, import_course
    from workshop.facilitators import find_facilitator

    data = _exported_with_both(app, course)
    damage(data)
    with app.app_context():
        courses = db.session.scalar(select(func.count()).select_from(Course))
        with pytest.raises(ImportRefused):
            import_course(json.dumps(data), find_facilitator("b@example.dk"))
        assert db.session.scalar(select(func.count()).select_from(Course)) == courses
        assert count_flags() == 4


# --- Accessible like the other PDFs -----------------------------------------------------------


@pytest.mark.parametrize(
    ("route_key", "lang", "kind"),
    [
        ("it_vendor", "da", "Tilbagemelding til it-leverandøren"),
        ("politics", "en", "Feedback to the committee / top management"),
    ],
)
def test_each_document_is_tagged_pdf_ua_in_its_language(app, course, route_key, lang, kind):
    from tests.test_pdf_accessibility import Tagged
    from workshop.web.local_feedback import PAGES, _pdf

    with app.app_context():
        _flag_vendor_cards(course)
        flag_for(POLITICS, card(course, "decision"), subject="Samtale hver 4. uge")
    with app.test_request_context(f"/?lang={lang}"):
        document = Tagged(_pdf(_course(course), PAGES[route_key]).get_data())
    assert str(document.root.Lang) == lang
    assert str(document.pdf.docinfo.Title) == f"{kind}: Mindre bøvl i jobcentret"
    assert document.root.MarkInfo.Marked is True
    with document.pdf.open_metadata() as xmp:
        assert xmp["pdfuaid:part"] == "1" and xmp["pdfaid:part"] == "2"
    levels = [
        int(e.kind[2]) for e in document.tree.all() if e.kind[:2] == "/H" and len(e.kind) == 3
    ]
    assert levels[:3] == [1, 1, 2]  # the cover, the cards, the first system or body
    assert all(level <= before + 1 for before, level in zip(levels, levels[1:], strict=False))
    headers = {th.text: th.attributes["/Scope"] for th in document.elements("/TH")}
    assert headers["Course" if lang == "en" else "Forløb"] == "/Row"


@pytest.mark.parametrize("app", [{"WTF_CSRF_ENABLED": True}], indirect=True)
def test_the_panel_posts_with_its_own_prefixed_csrf_token(app, client, course):
    """The panel's form has the route as prefix (two panels never share a field's id):
    its token is sent as "it_vendor-csrf_token", and with CSRF on it is still accepted."""
    login = client.get("/login")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login.text).group(1)
    client.post(
        "/login",
        data={"email": "facilitator@example.dk", "password": "correct horse", "csrf_token": token},
    )
    url = f"/f/courses/{course['id']}/cards/{course['clicks']}/vendor-feedback"
    assert client.post(url, data={"it_vendor-subject": "Uden token"}).status_code == 400
    page = client.get(f"/f/courses/{course['id']}/cards/{course['clicks']}").text
    panel = page[page.index('id="vendor-feedback"') :]
    token = re.search(r'name="it_vendor-csrf_token" type="hidden" value="([^"]+)"', panel)
    saved = client.post(
        url, data={"it_vendor-subject": "Sagssystemet", "it_vendor-csrf_token": token.group(1)}
    )
    assert saved.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(CardFeedback.subject)) == "Sagssystemet"
