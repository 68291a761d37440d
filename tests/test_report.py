"""The action plan PDF: read back with pypdf — sections, rows, Danish, pages, fonts, safety."""

from __future__ import annotations

import io
import re
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from flask_babel import force_locale, format_date, gettext
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from weasyprint.urls import FatalURLFetchingError

from workshop.actions import actions_of, set_action_status
from workshop.cards import edit_card, merge_cards, set_card_hidden
from workshop.catalogue import load_catalogue
from workshop.core.clock import local_today
from workshop.core.extensions import db
from workshop.core.models import Course
from workshop.courses import go_to_step
from workshop.examination import examine_card, link_requirement, prioritise
from workshop.learning import add_lesson
from workshop.measures import log_entry
from workshop.reports import pdf as report
from workshop.votes import cast_vote, set_voting_state

STATIC = Path(__file__).resolve().parent.parent / "static"
SECTIONS_EN = [
    "The core task and the frame",
    "Who took part",
    "Prioritised challenges",
    "Where do the rules come from?",
    "Chosen solutions",
    "Action plan",
    "Measured effects",
    "Lessons and next steps",
    "Appendix: every card and what became of it",
]


# --- Reading a PDF back -----------------------------------------------------------------


def pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


def flat(text: str) -> str:
    """One line, with words the layout hyphenated or wrapped joined again."""
    text = re.sub(r"[\u2010\u00ad-]\n", "", text)
    return " ".join(text.split())


def outline(pdf: bytes) -> list[tuple[str, int, int]]:
    """(title, depth, page number) of every bookmark, in order."""
    reader = PdfReader(io.BytesIO(pdf))
    found = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                found.append((item.title, depth, reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 0)
    return found


def pdf_objects(pdf: bytes):
    reader = PdfReader(io.BytesIO(pdf))
    for number in range(1, reader.trailer["/Size"]):
        try:
            obj = reader.get_object(number)
        except Exception:  # noqa: S112 - free entries in the cross-reference table
            continue
        if hasattr(obj, "get"):
            yield obj


def embedded_fonts(pdf: bytes) -> list[tuple[str, TTFont | None]]:
    """(base font name without the subset tag, the embedded font program) of every font."""
    fonts = []
    for obj in pdf_objects(pdf):
        if obj.get("/Type") != "/Font" or obj.get("/Subtype") == "/Type0":
            continue
        descriptor = obj.get("/FontDescriptor")
        program = descriptor.get_object().get("/FontFile2") if descriptor else None
        font = TTFont(io.BytesIO(program.get_object().get_data())) if program else None
        fonts.append((str(obj["/BaseFont"]).lstrip("/").split("+")[-1], font))
    return fonts


def render(app, course_id: int, lang: str = "en") -> bytes:
    with app.test_request_context(f"/?lang={lang}"):
        return report.action_plan_pdf(db.session.get(Course, course_id))


# --- A course with something in every section ---------------------------------------------


@pytest.fixture
def full_course(app, make):
    """A course through step 6: cards (one merged, one hidden), a revealed vote with staff
    and managers, examined and prioritised challenges, chosen solutions, actions, a measure
    with entries, lessons and a decision."""
    with app.app_context():
        load_catalogue()
        course = make.course(
            step=2,
            title="Mindre bøvl på Ærø",
            core_task="Borgere i job – også når det går langsomt.",
            frame_can_change="Skabeloner og mødefora.",
            frame_cannot_change="Loven og budgettet.",
        )
        staff = [make.participant(course, unit="Team Ledige") for _ in range(3)]
        managers = [
            make.participant(course, role="leder", unit="Ledelsen", name=f"Leder {n}")
            for n in range(3)
        ]
        first = make.card(staff[0], "Æbler, øl og år – ÆØÅ skal tælles hver uge")
        second = make.card(staff[1], "Samtaler hver tredje måned uden grund")
        duplicate = make.card(staff[2], "Samtaler hver 3. måned")
        hidden = make.card(staff[2], "Kaffen er kold")
        later = make.card(managers[0], "Tre systemer til én borger")
        merge_cards(second, [duplicate])
        set_card_hidden(hidden, True)
        set_voting_state(course, "voting")
        for person in staff + managers:
            cast_vote(person, first, 2)
            cast_vote(person, second, 1)
        set_voting_state(course, "revealed")
        examine_card(first, origin="local_practice", problem="Ingen bruger tallene.")
        link_requirement(first, "R06")
        prioritise(first, "prioritised")
        prioritise(second, "prioritised")
        prioritise(later, "later", later_when="Efter sommerferien")
        solution_a = make.solution(staff[0], first, "Drop opgørelsen", kind="remove")
        solution_b = make.solution(staff[1], second, "Samtaler efter behov", effect_citizens=2)
        go_to_step(course, 4)
        today = local_today()
        plan = [
            make.action(
                solution_a,
                owner_name="Mette Ørsted",
                start_date=today,
                first_step="Mette spørger chefen",
                success_signs="Ingen savner tallene",
            ),
            make.action(solution_b, owner_id=managers[1].id, start_date=today),
        ]
        set_action_status(plan[0], "in_test")
        measure = make.measure(plan[0])
        log_entry(staff[0], measure, today - timedelta(days=35), "60", client_token="m1")
        log_entry(staff[0], measure, today - timedelta(days=5), "12,5", client_token="m2")
        add_lesson(course, "lesson", "Ledelsen skal være med fra start.")
        add_lesson(
            course,
            "decision",
            "To interne facilitatorer.",
            next_step_kind="internal_facilitators",
            responsible="Jobcenterchefen",
        )
        go_to_step(course, 6)
        return {
            "id": course.id,
            "actions": [(a.title, a.owner_label, a.status) for a in plan],
            "cards": [first.text, second.text, duplicate.text, hidden.text, later.text],
            "hidden": hidden.text,
        }


def test_the_pdf_has_every_section_in_order_with_bookmarks(app, full_course):
    pdf = render(app, full_course["id"])
    texts = pages_text(pdf)
    marks = outline(pdf)
    top = [(title, page) for title, depth, page in marks if depth == 0]
    assert [title for title, _page in top] == ["Mindre bøvl på Ærø", *SECTIONS_EN]
    pages = [page for _title, page in top]
    assert pages == sorted(pages)
    for title, page in top[1:]:
        assert title in flat(texts[page - 1])
    # Second-level bookmarks (the h2s) sit inside the sections.
    assert any(depth == 1 for _title, depth, _page in marks)


def test_the_action_plan_table_has_every_action_with_owner_and_status(app, full_course):
    pdf = render(app, full_course["id"])
    texts = pages_text(pdf)
    marks = {title: page for title, depth, page in outline(pdf) if depth == 0}
    plan = flat(" ".join(texts[marks["Action plan"] - 1 : marks["Measured effects"] - 1]))
    for title, owner, status in full_course["actions"]:
        assert title in plan
        assert owner in plan
        assert {"in_test": "In test", "not_started": "Not started"}[status] in plan
    assert "Mette spørger chefen" in plan and "Ingen savner tallene" in plan
    assert "Leder 1" in plan  # a participant owner by the name they gave


def test_every_card_is_in_the_appendix_even_hidden_and_merged_ones(app, full_course):
    pdf = render(app, full_course["id"])
    texts = pages_text(pdf)
    marks = {title: page for title, depth, page in outline(pdf) if depth == 0}
    appendix = flat(" ".join(texts[marks["Appendix: every card and what became of it"] - 1 :]))
    for text in full_course["cards"]:
        if text != full_course["hidden"]:
            assert text in appendix
    # A hidden card is counted, its words are not printed (managers get this PDF too).
    assert "Hidden by the facilitator" in appendix and "The text is hidden." in appendix
    assert full_course["hidden"] not in appendix
    assert "Merged into another card" in appendix and "→ card 2" in appendix
    assert "Efter sommerferien" in appendix


def test_danish_letters_survive_the_round_trip(app, full_course):
    text = flat(" ".join(pages_text(render(app, full_course["id"], lang="da"))))
    assert "Mindre bøvl på Ærø" in text
    assert "Æbler, øl og år – ÆØÅ skal tælles hver uge" in text
    assert "Mette Ørsted" in text
    # Danish dates on the cover: "23. november 2026".
    today = local_today()
    with app.test_request_context("/"), force_locale("da"):
        assert format_date(today, "d. MMMM yyyy") in text


def test_every_page_after_the_cover_says_page_n_of_total(app, full_course):
    pdf = render(app, full_course["id"])
    texts = pages_text(pdf)
    total = len(texts)
    assert total >= 5
    for number, text in enumerate(texts[1:], start=2):
        assert f"Page {number} of {total}" in text
    assert "Page 1 of" not in texts[0]  # the cover has no footer


def test_danish_page_numbers_use_the_danish_words(app, full_course):
    pdf = render(app, full_course["id"], lang="da")
    texts = pages_text(pdf)
    with app.test_request_context("/?lang=da"), force_locale("da"):
        page, of = gettext("Page"), gettext("of")
    assert f"{page} 2 {of} {len(texts)}" in texts[1]
    assert f"{page} {len(texts)} {of} {len(texts)}" in texts[-1]


def test_only_the_fonts_shipped_with_the_app_are_embedded(app, full_course):
    pdf = render(app, full_course["id"], lang="da")
    fonts = embedded_fonts(pdf)
    assert fonts
    shipped = {
        TTFont(path)["name"].getDebugName(6): TTFont(path)["name"].getDebugName(1)
        for path in (STATIC / "fonts").glob("*.ttf")
    }
    for base_name, program in fonts:
        # The @font-face family of static/report.css, never a system font by name...
        assert base_name.startswith("Report-Sans"), base_name
        # ...and the program inside is one of the files under static/fonts.
        assert program is not None
        assert program["name"].getDebugName(6) in shipped
    assert (STATIC / "fonts" / "OFL.txt").read_text().count("SIL OPEN FONT LICENSE") >= 1


def test_the_charts_are_vector_graphics_and_there_are_no_images(app, full_course):
    pdf = render(app, full_course["id"])
    assert not [o for o in pdf_objects(pdf) if o.get("/Subtype") == "/Image"]
    text = flat(" ".join(pages_text(pdf)))
    assert "Staff" in text and "Managers" in text  # the vote chart's legend: split shown


def test_an_almost_empty_course_says_so_in_every_section(app, make):
    with app.app_context():
        course = make.course(core_task="Borgere i job.")
        course_id = course.id
    pdf = render(app, course_id)
    text = flat(" ".join(pages_text(pdf)))
    for empty in (
        "Nobody has joined the course yet.",
        "No challenge has been prioritised yet.",
        "No cards yet.",
        "No solution has been chosen yet.",
        "No actions yet.",
        "No measures yet.",
        "No lessons or decisions recorded yet.",
        "No challenges were written in this course.",
    ):
        assert empty in text
    assert [title for title, depth, _page in outline(pdf) if depth == 0][1:] == SECTIONS_EN


def test_the_vote_is_left_out_until_it_is_revealed(app, make):
    with app.app_context():
        course = make.course(step=2)
        people = [make.participant(course) for _ in range(3)]
        card = prioritise(make.card(people[0], "Skemaet til budgetmodellen"), "prioritised")
        set_voting_state(course, "voting")
        for person in people:
            cast_vote(person, card, 3)
        set_voting_state(course, "closed")
        course_id = course.id
    text = flat(" ".join(pages_text(render(app, course_id))))
    assert "The result of the vote has not been shown yet" in text
    assert "9 dots" not in text and "Dots on the prioritised challenges" not in text


def test_a_group_held_back_on_screen_is_held_back_in_the_pdf(app, make):
    with app.app_context():
        course = make.course(step=2)
        staff = [make.participant(course) for _ in range(3)]
        boss = make.participant(course, role="leder")
        card = prioritise(make.card(staff[0], "Skemaet til budgetmodellen"), "prioritised")
        set_voting_state(course, "voting")
        for person in [*staff, boss]:
            cast_vote(person, card, 2)
        set_voting_state(course, "revealed")
        course_id = course.id
    text = flat(" ".join(pages_text(render(app, course_id))))
    assert "8 dots" in text  # the total
    # The true reason: the one manager, not the three staff (issue 20, point 3).
    assert "The split by role is not shown: among managers only 1 voted" in text
    assert "Staff: 3 voted" not in text and "Staff: held back" not in text
    assert "managers 2" not in text and "staff 6" not in text  # no split at all


def test_a_large_course_renders_every_action_and_card(app, make):
    from bench.pdf_bench import build_course

    with app.app_context():
        load_catalogue()
        course = build_course(make.facilitator(), cards=300, actions=60)
        course_id = course.id
        titles = [a.title for a in actions_of(course)]
        card_texts = [c.text for c in course.cards if not c.hidden]
    # How long it takes is bench/pdf_bench.py's to measure, not a test's to time: a loaded
    # machine would make a time limit fail for nothing.
    pdf = render(app, course_id)
    texts = pages_text(pdf)
    assert len(texts) > 20
    marks = {title: page for title, depth, page in outline(pdf) if depth == 0}
    plan = flat(" ".join(texts[marks["Action plan"] - 1 : marks["Measured effects"] - 1]))
    assert all(title in plan for title in titles)
    appendix = flat(" ".join(texts[marks["Appendix: every card and what became of it"] - 1 :]))
    assert sum(text in appendix for text in card_texts) == len(card_texts) > 290
    assert f"Page {len(texts)} of {len(texts)}" in texts[-1]


# --- The facilitator's download -------------------------------------------------------------


def test_the_download_needs_a_login(client, make, app):
    with app.app_context():
        course_id = make.course().id
    response = client.get(f"/f/courses/{course_id}/action-plan.pdf")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_the_facilitator_downloads_the_pdf_as_an_attachment(client, auth, make, app):
    with app.app_context():
        course = make.course(title="Mindre bøvl i jobcentret")
        course_id = course.id
    auth.login()
    response = client.get(f"/f/courses/{course_id}/action-plan.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert re.search(
        r"filename=[\w.-]+-mindre-boevl-i-jobcentret-\d{4}-\d\d-\d\d\.pdf", disposition
    )
    assert response.headers["Cache-Control"] == "private, no-store"
    # The control panel links to it.
    panel = client.get(f"/f/courses/{course_id}").get_data(as_text=True)
    assert f"/f/courses/{course_id}/action-plan.pdf" in panel


def test_another_facilitator_gets_a_404(client, auth, make, app):
    with app.app_context():
        other = make.facilitator("other@example.dk", "another password")
        course_id = make.course(other).id
        make.facilitator()
    auth.login()
    assert client.get(f"/f/courses/{course_id}/action-plan.pdf").status_code == 404
    assert client.get("/f/courses/999999/action-plan.pdf").status_code == 404


def test_the_filename_is_ascii_and_danish_by_default(app, make):
    with app.test_request_context("/"):
        course = make.course(title="Æblegrød & bøvl: Kontrol/Opfølgning!")
        name = report.action_plan_filename(course)
    assert name.isascii()
    assert re.fullmatch(
        r"[a-z0-9-]+-aeblegroed-boevl-kontrol-opfoelgning-\d{4}-\d\d-\d\d\.pdf", name
    )


# --- The cache --------------------------------------------------------------------------------


def test_an_unchanged_plan_comes_from_memory_and_a_change_renders_anew(app, make, monkeypatch):
    with app.app_context():
        course = make.course(step=2)
        card = make.card(make.participant(course), "Skabelonen er for lang")
        course_id, card_id = course.id, card.id
    renders = []
    real = report.render_pdf
    monkeypatch.setattr(report, "render_pdf", lambda html: renders.append(1) or real(html))

    first = render(app, course_id)
    again = render(app, course_id)
    assert again == first and len(renders) == 1  # counted, not timed: WeasyPrint ran once

    with app.app_context():
        edit_card(db.session.get(type(card), card_id), "Skabelonen har tolv overskrifter")
    changed = render(app, course_id)
    assert len(renders) == 2 and changed != first
    assert "Skabelonen har tolv overskrifter" in flat(" ".join(pages_text(changed)))
    # Another language is another document.
    render(app, course_id, lang="da")
    assert len(renders) == 3


def test_managers_opening_the_link_at_once_share_one_rendering(app, make, monkeypatch):
    with app.app_context():
        course_id = make.course().id
    renders = []
    real = report.render_pdf

    def slow_render(html):
        renders.append(1)
        time.sleep(0.3)  # long enough for the other request to arrive meanwhile
        return real(html)

    monkeypatch.setattr(report, "render_pdf", slow_render)
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(render(app, course_id))) for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == 3 and len(set(results)) == 1
    assert len(renders) == 1


# --- Security -----------------------------------------------------------------------------------


class Recorder(BaseHTTPRequestHandler):
    requests: list[str] = []
    PIXEL = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
        b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18"
        b"\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
    )

    def do_GET(self):  # noqa: N802 - the http.server API
        type(self).requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        self.wfile.write(self.PIXEL)

    def log_message(self, *args):
        pass


@pytest.fixture
def listener():
    """A real HTTP server on loopback that records every request it gets."""
    Recorder.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", Recorder.requests
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_markup_in_participant_text_is_text_and_fetches_nothing(app, make, listener):
    base, requests = listener
    # The listener answers: a fetch through it would be seen.
    import urllib.request

    urllib.request.urlopen(f"{base}/probe", timeout=5).read()  # noqa: S310
    assert requests == ["/probe"]
    requests.clear()

    markup = f'<b>fed</b><img src="{base}/pixel.png">'
    with app.app_context():
        course = make.course(
            step=2,
            title=f'Kursus"; }} @page {{ background: url({base}/title.png) }} p {{',
            frame_can_change=f'<link rel="stylesheet" href="{base}/style.css">',
        )
        author = make.participant(course, name=f'<img src="{base}/name.png">')
        card = prioritise(make.card(author, markup), "prioritised")
        solution = make.solution(author, card, f'<svg><image href="{base}/svg.png"/></svg>')
        go_to_step(course, 4)
        make.action(solution, owner_name=f"<iframe src='{base}/frame'>", start_date=local_today())
        add_lesson(course, "lesson", f"<style>@import url({base}/import.css);</style>")
        course_id = course.id
    pdf = render(app, course_id)
    # Lines may wrap anywhere in a long "word" such as a URL: compare without whitespace.
    text = "".join(" ".join(pages_text(pdf)).split())
    for literal in (
        markup,  # the literal characters, not bold text and an image
        f'<link rel="stylesheet" href="{base}/style.css">',
        f"<style>@import url({base}/import.css);</style>",
        f"<iframe src='{base}/frame'>",
    ):
        assert "".join(literal.split()) in text
    assert not [o for o in pdf_objects(pdf) if o.get("/Subtype") == "/Image"]
    time.sleep(0.2)  # a fetch in flight would land by now
    assert requests == []


def test_the_fetcher_serves_the_static_folder_and_refuses_everything_else(app, listener, tmp_path):
    base, requests = listener
    fetcher = report.static_files_only(STATIC)
    css = fetcher.fetch((STATIC / "report.css").as_uri())
    assert css.content_type == "text/css"
    assert b"@font-face" in css.read()
    font = fetcher.fetch((STATIC / "fonts" / "Lato-Regular.ttf").as_uri())
    assert font.read()[:4] == b"\x00\x01\x00\x00"

    outside = tmp_path / "secret.css"
    outside.write_text("p { color: red }")
    (STATIC / "fonts").resolve()
    refused = [
        f"{base}/pixel.png",
        "https://example.org/report.css",
        "ftp://example.org/report.css",
        "data:text/css,p%7Bcolor:red%7D",
        "file:///etc/passwd",
        outside.as_uri(),
        STATIC.as_uri() + "/../app.py",
        STATIC.as_uri() + "/%2e%2e/app.py",
        STATIC.as_uri() + "/app.js",  # served to browsers, not to the report
        STATIC.as_uri() + "/report.css?x=1",
        "file://otherhost" + (STATIC / "report.css").as_posix(),
        "/static/report.css",
        "report.css",
    ]
    for url in refused:
        with pytest.raises(FatalURLFetchingError):
            fetcher.fetch(url)
    assert requests == []


def test_a_symbolic_link_out_of_the_static_folder_is_refused(tmp_path):
    static = tmp_path / "static"
    static.mkdir()
    (static / "ok.css").write_text("p {}")
    secret = tmp_path / "secret.css"
    secret.write_text("p { color: red }")
    (static / "escape.css").symlink_to(secret)
    fetcher = report.static_files_only(static)
    assert fetcher.fetch((static / "ok.css").as_uri()).read() == b"p {}"
    with pytest.raises(FatalURLFetchingError):
        fetcher.fetch((static / "escape.css").as_uri())


def test_css_strings_cannot_be_broken_out_of():
    escaped = str(report.css_string('Side "1" \\ </style><p>æ'))
    assert '"' not in escaped and "<" not in escaped and "\n" not in escaped
    assert escaped.startswith("Side ") and "æ" in escaped


def test_a_card_linked_to_a_rule_closed_to_new_cases_is_not_called_habit_in_the_pdf(app, make):
    with app.app_context():
        load_catalogue()
        course = make.course(step=2)
        card = make.card(make.participant(course), "Ressourceforløbet skal til teamet igen")
        link_requirement(card, "R25")
        prioritise(card, "prioritised")
        course_id = course.id
    text = flat(" ".join(pages_text(render(app, course_id))))
    assert "Closed to new cases: it still binds the cases that run under it" in text
    assert "may be habit, not law" not in text
