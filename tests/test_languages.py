"""Danish and English (issue 7): Danish by default, English complete, neither leaking into the
other, and numbers and dates formatted per language.

The UI's msgids are English, so "English complete" means: every page renders in English
when asked (`?lang=en`, or an English browser), and no Danish UI text shows there. The
Danish catalogue is checked for completeness by
tests/test_security_and_cli.py::test_every_ui_string_has_a_danish_translation; here the
two catalogues are compared *as rendered*: on every page type of a course with data in
every step (the demo course), in every step, for the facilitator, the projector, a phone
and a manager, no Danish translation (msgstr) appears on the English page, and no English
msgid that has a different Danish translation appears on the Danish page. That also
catches text a template or a view shows without passing it through the catalogue.
"""

from __future__ import annotations

import os
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from workshop.commands.demo import DEMO_EMAIL, DEMO_PASSWORD, seed_demo
from workshop.core.extensions import db
from workshop.core.models import Course
from workshop.courses import go_to_step
from workshop.manager_links import create_manager_link
from workshop.measures import measures_of

PO = Path(__file__).resolve().parent.parent / "translations" / "da" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]|\{\w*\}")
# Fragments shorter than this are too often also names, numbers or the other language.
MIN_FRAGMENT = 14


class VisibleText(HTMLParser):
    """The text a person sees or hears: text nodes and the attributes read aloud or shown,
    without <script>/<style> and without form values (which hold what people typed)."""

    SPOKEN = ("aria-label", "placeholder", "title", "alt", "data-offline", "data-failed")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "textarea"):
            self._skip += 1
        for name, value in attrs:
            if name in self.SPOKEN and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "textarea") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data)

    @classmethod
    def of(cls, html: str) -> str:
        parser = cls()
        parser.feed(html)
        return re.sub(r"\s+", " ", " ".join(parser.parts))


def fragments(text: str) -> list[str]:
    """The literal pieces of a message between its placeholders, long enough to be telling."""
    pieces = (re.sub(r"\s+", " ", piece).strip(" .,:;") for piece in PLACEHOLDER.split(text))
    return [piece for piece in pieces if piece and len(piece) >= MIN_FRAGMENT]


@pytest.fixture(scope="module")
def catalogue():
    with PO.open("rb") as po:
        messages = [m for m in read_po(po) if m.id]
    danish, english = set(), set()
    for message in messages:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for msgid, msgstr in zip(ids * len(strings), strings, strict=False):
            if not msgstr or msgstr == msgid:
                continue
            for piece in fragments(msgstr):
                if piece not in msgid:
                    danish.add(piece)
            for piece in fragments(msgid):
                if piece not in msgstr:
                    english.add(piece)
    # A Danish fragment that is also an English one (a name, a term) tells nothing.
    return danish - english, english - danish


@pytest.fixture
def demo(app):
    with app.test_request_context():
        course = seed_demo()
        token = create_manager_link(course, "Jobcenterchefen").token
        # The course's questions are its own text (Danish defaults, stored in the course);
        # so are its measures' names and units, typed or filled in from a Danish template.
        own_text = [*course.questions, *course.reflections]
        own_text += [text for m in measures_of(course) for text in (m.what, m.unit)]
        return {"id": course.id, "code": course.join_code, "token": token, "own": own_text}


def pages_of_every_type(app, demo, lang: str) -> dict[str, str]:
    """Every page type a person meets, in every step, rendered in `lang`."""
    accept = {"Accept-Language": "en-GB,en;q=0.9" if lang == "en" else "da-DK,da;q=0.9"}
    facilitator, phone, anyone = app.test_client(), app.test_client(), app.test_client()
    pages: dict[str, str] = {}

    def get(who, name, url, status=200, **headers):
        reply = who.get(url, headers={**accept, **headers})
        assert reply.status_code == status, (name, url, reply.status_code)
        pages[name] = reply.text

    get(anyone, "home", "/")
    get(anyone, "login", "/login")
    get(anyone, "join", f"/j/{demo['code']}")
    get(anyone, "privacy", f"/privacy/{demo['code']}")
    get(anyone, "not-found", "/no-such-page", status=404)
    get(anyone, "manager", f"/m/{demo['token']}")
    reply = facilitator.post("/login", data={"email": DEMO_EMAIL, "password": DEMO_PASSWORD})
    assert reply.status_code == 302
    get(facilitator, "courses", "/f/")
    get(facilitator, "course-form", "/f/courses/new")
    get(facilitator, "catalogue", "/f/catalogue")
    get(facilitator, "facilitator-not-found", "/f/courses/999999", status=404)
    reply = phone.post(
        f"/j/{demo['code']}",
        data={"role": "medarbejder", "unit": "Team Ledige"},
        headers=accept,
    )
    assert reply.status_code == 302
    get(phone, "my-data", f"/c/{demo['code']}/my-data")
    for step in range(1, 7):
        with app.test_request_context():
            go_to_step(db.session.get(Course, demo["id"]), step)
        course = f"/f/courses/{demo['id']}"
        get(facilitator, f"control-{step}", course)
        get(facilitator, f"projector-{step}", f"{course}/projector")
        get(phone, f"phone-{step}", f"/c/{demo['code']}")
        get(phone, f"phone-live-{step}", f"/c/{demo['code']}/live", **{"HX-Request": "true"})
    return pages


def leaks(pages: dict[str, str], foreign: set[str], data: list[str]) -> dict[str, list[str]]:
    """What of `foreign` shows on each page, besides the course's own text `data`."""
    found = {}
    for name, html in pages.items():
        text = VisibleText.of(html)
        for own in data:
            text = text.replace(own, " ")
        hits = sorted(piece for piece in foreign if piece in text)
        if hits:
            found[name] = hits
    return found


def test_the_catalogue_comparison_finds_something_to_compare(catalogue):
    danish, english = catalogue
    assert len(danish) > 300 and len(english) > 300
    assert "Skriv et tal, fx 45 eller 12,5" in danish
    assert "Write a number, for example 45 or 12,5" in english


def test_english_pages_show_no_danish_ui_text(app, demo, catalogue):
    danish, _english = catalogue
    pages = pages_of_every_type(app, demo, "en")
    for name, html in pages.items():
        assert "live" in name or '<html lang="en">' in html, name
    assert leaks(pages, danish, demo["own"]) == {}


def test_danish_pages_show_no_english_ui_text(app, demo, catalogue):
    _danish, english = catalogue
    pages = pages_of_every_type(app, demo, "da")
    for name, html in pages.items():
        assert "live" in name or '<html lang="da">' in html, name
    assert leaks(pages, english, demo["own"]) == {}


@pytest.mark.parametrize(
    ("lang", "value", "day"),
    [("da", "12,5", "3.2.2026"), ("en", "12.5", "3/2/2026")],
)
def test_numbers_and_dates_follow_the_language(app, lang, value, day):
    with app.test_request_context(f"/?lang={lang}"):
        measure_value = app.jinja_env.filters["measure_value"]
        short_date = app.jinja_env.filters["short_date"]
        assert measure_value(12.5) == value
        assert short_date(date(2026, 2, 3)) == day
        assert app.jinja_env.filters["measure_value"](1234.5).replace("\xa0", " ") in (
            "1.234,5",
            "1,234.5",
        )


# --- the Danish catalogue is part of the app, not a build step ---------------------------


def _po_only_copy(tmp_path: Path) -> Path:
    """A translations folder as a fresh clone has it: the .po, no compiled .mo."""
    folder = tmp_path / "translations"
    target = folder / "da" / "LC_MESSAGES" / "messages.po"
    target.parent.mkdir(parents=True)
    target.write_bytes(PO.read_bytes())
    return folder


def _front_page(database_url, translations: Path) -> str:
    from app import create_app

    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "BABEL_TRANSLATION_DIRECTORIES": str(translations),
        }
    )
    try:
        return app.test_client().get("/").get_data(as_text=True)
    finally:
        with app.app_context():
            db.engine.dispose()


def test_a_server_started_without_pybabel_compile_still_speaks_danish(database_url, tmp_path):
    translations = _po_only_copy(tmp_path)
    page = _front_page(database_url, translations)
    assert (translations / "da" / "LC_MESSAGES" / "messages.mo").exists()
    assert "Deltag i en workshop" in page
    assert "Join a workshop" not in page


def test_a_catalogue_edited_after_compiling_is_compiled_again(tmp_path):
    from workshop.core.translations import compiled_translations

    translations = _po_only_copy(tmp_path)
    assert compiled_translations(translations, tmp_path / "instance") == translations
    mo = translations / "da" / "LC_MESSAGES" / "messages.mo"
    po = translations / "da" / "LC_MESSAGES" / "messages.po"
    compiled_long_ago = po.stat().st_mtime - 3600  # then someone edited the .po
    os.utime(mo, (compiled_long_ago, compiled_long_ago))
    compiled_translations(translations, tmp_path / "instance")
    assert mo.stat().st_mtime >= po.stat().st_mtime


def test_without_a_danish_catalogue_the_app_refuses_to_start(database_url, tmp_path):
    from workshop.core.translations import MissingTranslations

    empty = tmp_path / "translations"
    empty.mkdir()
    with pytest.raises(MissingTranslations, match="Danish message catalogue is missing"):
        _front_page(database_url, empty)
