"""Property-based: arbitrary text and form values sent to every form never give a 500 and
never leave garbage in the database (control characters, NUL, text beyond a column's or the
domain's length), and the pages still render afterwards.

One app and one pair of courses per test (examples accumulate in it, as a real workshop
would); the course is put in the step each form belongs to before every example.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import String, Text, select

from workshop.core.clock import local_today
from workshop.core.extensions import db
from workshop.core.models import Course
from workshop.core.vocabulary import BARRIERS
from workshop.courses import go_to_step
from workshop.votes import SOLUTIONS, set_voting_state
from workshop.web.common import SESSION_KEY

from .worlds import build_world, tables

# --- Values ---------------------------------------------------------------------------------

TRICKY = [
    "",
    " ",
    "\x00",
    "kort\x00med NUL",
    "\x1b[31mrød\x1b[0m",
    "linje\r\nlinje\rlinje",
    "\u202eRTL-override\u202c",
    "\u2066isolate\u2069 zero\u200bwidth\ufeff\u200d",
    "bla\u030abær",  # decomposed å
    "\u200f\u0645\u0631\u062d\u0628\u0627",  # an RTL mark and Arabic
    "👩🏽‍💻🇩🇰 emoji",
    "010190-1234",
    "0101901234",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ 7*7 }}",
    '=HYPERLINK("http://x")',
    "-5",
    "0",
    "1",
    "3",
    "50",
    "51",
    "99999999999999999999999999",
    str(2**63),
    "-9223372036854775809",
    "١٢",  # Arabic-Indic digits
    "²",
    "12,5",
    "1.500",
    "NaN",
    "inf",
    "2026-13-45",
    "31.12.2026",
    "y",
    "on",
    "true",
    "baseline",
    "voting",
    "medarbejder",
    "change",
    "lesson",
    "decision",
]

# Bytes that are not UTF-8: lone surrogates (as CESU-8 / UTF-8 of a surrogate), stray
# continuation bytes, overlong encodings.
BAD_UTF8 = [b"\xed\xa0\x80", b"\xed\xbf\xbf tekst", b"\xff\xfe", b"\xc0\xaf", b"ok\x80ok"]

texts = st.one_of(
    st.sampled_from(TRICKY),
    st.text(max_size=60),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=30),
    st.builds(lambda ch, n: ch * n, st.sampled_from("xå🙂\x00\n"), st.sampled_from(
        [119, 120, 121, 199, 200, 201, 299, 300, 301, 499, 500, 501, 2001, 20_000]
    )),
)  # fmt: skip
values = st.one_of(texts, st.sampled_from(BAD_UTF8), st.integers().map(str))
# A form's fields, some missing, some repeated, some extra.
EXTRA_FIELDS = ["csrf_token", "id", "course_id", "participant_id", "hidden", "__proto__"]


def form_values(form, ids: dict):
    """Each field valid, arbitrary or missing; plus a few extra or repeated fields. Valid
    values for the rest make sure the arbitrary one reaches the domain's checks."""
    valid = {name: value.format(**ids) for name, value in VALID.get(form.name, {}).items()}
    missing = st.just(None)

    def field(name):
        options = [values, missing]
        if name in valid:
            options.insert(0, st.just(valid[name]))
        return st.one_of(*options)

    fields = st.tuples(*(field(name) for name in form.fields))
    extra = st.lists(st.tuples(st.sampled_from([*form.fields, *EXTRA_FIELDS]), values), max_size=3)
    return st.builds(
        lambda chosen, more: (
            [
                (name, value)
                for name, value in zip(form.fields, chosen, strict=True)
                if value is not None
            ]
            + more
        ),
        fields,
        extra,
    )


# --- The forms ------------------------------------------------------------------------------


@dataclass
class Form:
    name: str
    who: str  # "phone", "newcomer" (a phone that has not joined), "facilitator", "admin"
    path: str  # formatted with the course's ids
    fields: list[str]
    step: int | None = None
    voting: str | None = None
    solution_voting: str | None = None
    multipart: bool = False


ASSESSMENT = [
    "effect_citizens",
    "effect_efficiency",
    "effect_work_environment",
    "likelihood",
    "evidence",
    "effort",
]
COURSE = [
    "title",
    "municipality",
    "unit",
    "purpose",
    "core_task",
    "frame_can_change",
    "frame_cannot_change",
    "dialogue_questions",
    "reflection_questions",
    "dot_budget",
    "multiple_dots_per_card",
    "min_group_size",
]
MEASURE = [
    "what",
    "unit",
    "higher_is_better",
    "baseline_from",
    "baseline_to",
    "followup_from",
    "followup_to",
]
ACTION = [
    "title",
    "owner_id",
    "owner_name",
    "who_does_what",
    "start_date",
    "first_step",
    "pilot_unit",
    "pilot_from",
    "pilot_to",
    "communication",
    "success_signs",
    "watched_by",
    *(f"barrier_{kind}" for kind in BARRIERS),
    *(f"barrier_{kind}_note" for kind in BARRIERS),
]
MEETING = ["day", "start", "end", "place", "steps", "note"]
PHONE_TEXT = ["text", "client_token", "not_cpr", "stage"]

PHONE_FORMS = [
    Form("join", "newcomer", "/j/{code}", ["role", "unit", "name"]),
    Form("card", "phone", "/c/{code}/cards", [*PHONE_TEXT, "category"], 2, "collect"),
    Form("answer", "phone", "/c/{code}/answers", [*PHONE_TEXT, "question"], 1),
    Form(
        "solution",
        "phone",
        "/c/{code}/solutions",
        [*PHONE_TEXT, "card", "kind", *ASSESSMENT],
        3,
        solution_voting="collect",
    ),
    Form("card dots", "phone", "/c/{code}/cards/{card2}/dots", ["dots"], 2, "voting"),
    Form(
        "solution dots",
        "phone",
        "/c/{code}/solutions/{solution2}/dots",
        ["dots"],
        3,
        solution_voting="voting",
    ),
    Form(
        "measure entry",
        "phone",
        "/c/{code}/measure-entries",
        [*PHONE_TEXT, "measure", "entry_date", "value"],
        5,
    ),
    Form("action status", "phone", "/c/{code}/actions/{action}/status", ["status", "note", "back"]),
]
FACILITATOR_FORMS = [
    Form("course create", "facilitator", "/f/courses/new", COURSE),
    Form("course edit", "facilitator", "/f/courses/{course}/edit", COURSE),
    Form("card edit", "facilitator", "/f/courses/{course}/cards/{card3}", ["text", "category"]),
    Form(
        "card examine",
        "facilitator",
        "/f/courses/{course}/cards/{card3}/examine",
        ["origin", "problem", "stakeholders"],
    ),
    Form(
        "card priority",
        "facilitator",
        "/f/courses/{course}/cards/{card3}/priority",
        ["priority", "later_when", "later_due", "reason"],
    ),
    Form("card link", "facilitator", "/f/courses/{course}/cards/{card3}/links", ["key", "q"]),
    Form(
        "card merge",
        "facilitator",
        "/f/courses/{course}/cards/{card3}/merge",
        ["target"],
        2,
        "collect",
    ),  # fmt: skip
    Form(
        "solution edit",
        "facilitator",
        "/f/courses/{course}/solutions/{solution2}",
        ["text", "kind", *ASSESSMENT],
    ),
    Form(
        "solution choose",
        "facilitator",
        "/f/courses/{course}/solutions/{solution2}/choose",
        ["decided_by", "back"],
    ),
    Form("action edit", "facilitator", "/f/courses/{course}/actions/{action}", ACTION),
    Form(
        "action status (facilitator)",
        "facilitator",
        "/f/courses/{course}/actions/{action}/status",
        ["status", "note"],
    ),
    Form("measure add", "facilitator", "/f/courses/{course}/measures", ["action", *MEASURE], 5),
    Form("measure edit", "facilitator", "/f/courses/{course}/measures/{measure}", MEASURE),
    Form(
        "lesson",
        "facilitator",
        "/f/courses/{course}/lessons",
        ["kind", "text", "next_step_kind", "responsible", "due", "card_id"],
        6,
    ),
    Form("timer", "facilitator", "/f/courses/{course}/timer", ["minutes", "label"]),
    Form("manager link", "facilitator", "/f/courses/{course}/manager-links", ["label"]),
    # Issue 18: the course's meetings.
    Form("meeting plan", "facilitator", "/f/courses/{course}/meetings", MEETING),
    Form("meeting edit", "facilitator", "/f/courses/{course}/meetings/{meeting}", MEETING),
    Form(
        "local rule",
        "facilitator",
        "/f/catalogue/local/new",
        ["name", "kind", "description", "decided_by", "decided_on"],
    ),
    # Organisations (issue 9 part 1): the admin of A's organisation, on A's colleague.
    Form(
        "facilitator add",
        "admin",
        "/f/organisation/facilitators",
        ["email", "name", "password", "is_admin"],
    ),
    Form("admin flag", "admin", "/f/organisation/facilitators/{colleague}/admin", ["value"]),
    Form("active flag", "admin", "/f/organisation/facilitators/{colleague}/active", ["value"]),
    # Issue 19 part 4: the privacy notice's data controller and contact.
    Form(
        "privacy notice", "admin", "/f/organisation/privacy", ["controller_name", "privacy_contact"]
    ),
]

_DAY = local_today()
_ISO = {
    "b1": (_DAY - timedelta(days=40)).isoformat(),
    "b2": (_DAY - timedelta(days=27)).isoformat(),
    "f1": (_DAY - timedelta(days=13)).isoformat(),
    "f2": (_DAY + timedelta(days=7)).isoformat(),
    "entry": (_DAY - timedelta(days=30)).isoformat(),
}
_MEASURE_VALID = {
    "what": "Minutter",
    "unit": "min",
    "baseline_from": _ISO["b1"],
    "baseline_to": _ISO["b2"],
    "followup_from": _ISO["f1"],
    "followup_to": _ISO["f2"],
}
_MEETING_VALID = {"day": (_DAY + timedelta(days=20)).isoformat(), "start": "9:00", "end": "12:00"}
_ASSESSMENT_VALID = {"kind": "change", "effect_citizens": "1", "likelihood": "likely"}
_COURSE_VALID = {
    "title": "Kursus",
    "municipality": "Kommune",
    "dot_budget": "5",
    "multiple_dots_per_card": "y",
    "min_group_size": "3",
}
# A valid value for each field (formatted with the course's ids), where one is needed.
VALID = {
    "join": {"role": "medarbejder"},
    "card": {"text": "Et kort", "client_token": "{token}"},
    "answer": {"text": "Et svar", "client_token": "{token}", "question": "{question}"},
    "solution": {"text": "En løsning", "client_token": "{token}", "card": "{card}",
                 **_ASSESSMENT_VALID},
    "card dots": {"dots": "1"},
    "solution dots": {"dots": "1"},
    "measure entry": {"measure": "{measure}", "entry_date": _ISO["entry"], "value": "12",
                      "client_token": "{token}"},
    "action status": {"status": "in_test"},
    "course create": _COURSE_VALID,
    "course edit": _COURSE_VALID,
    "card edit": {"text": "Omformuleret"},
    "card examine": {"origin": "local_practice"},
    "card priority": {"priority": "later"},
    "meeting plan": _MEETING_VALID,
    "meeting edit": _MEETING_VALID,
    "card link": {"key": "{local_rule}"},
    "card merge": {"target": "{card2}"},
    "solution edit": {"text": "Løsning", **_ASSESSMENT_VALID},
    "solution choose": {"decided_by": "Chefen"},
    "action edit": {"title": "Handling", "owner_id": "{owner}"},
    "action status (facilitator)": {"status": "in_test"},
    "measure add": {"action": "{action}", **_MEASURE_VALID},
    "measure edit": _MEASURE_VALID,
    "lesson": {"kind": "decision", "text": "Læring", "next_step_kind": "other"},
    "timer": {"minutes": "5"},
    "local rule": {"name": "Regel", "kind": "local_practice"},
    "facilitator add": {"email": "ny@example.dk", "password": "correct horse"},
    "admin flag": {"value": "1"},
    "active flag": {"value": "1"},
}  # fmt: skip

# --- What "no garbage" means ----------------------------------------------------------------

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# What spoofs text on the projector: bidirectional overrides and isolates, zero-width
# characters (a joiner is fine between two emoji, where it draws one picture).
INVISIBLE = re.compile(r"[\u200b\u200c\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\u2028\u2029]")


def stray_joiner(value: str) -> bool:
    """A zero-width joiner that is not between two emoji (a pictograph, a skin tone or the
    emoji variation selector before it; a pictograph after it)."""
    import unicodedata

    def emoji(char: str) -> bool:
        return unicodedata.category(char) == "So" or "\U0001f3fb" <= char <= "\U0001f3ff"

    return any(
        char == "\u200d"
        and not (
            0 < i < len(value) - 1
            and (emoji(value[i - 1]) or value[i - 1] == "\ufe0f")
            and unicodedata.category(value[i + 1]) == "So"
        )
        for i, char in enumerate(value)
    )


# Text columns have no length in the database; the domain has one.
DOMAIN_MAX = {
    ("card", "text"): 500,
    ("card", "original_text"): 500,
    ("dialogue_answer", "text"): 500,
    ("solution", "text"): 500,
    ("solution", "original_text"): 500,
    ("solution", "evidence"): 1000,
    ("lesson", "text"): 2000,
    ("measure_entry", "note"): 500,
    ("action", "title"): 500,
    ("action_update", "note"): 1000,
    ("card", "problem"): 2000,
    ("card", "stakeholders"): 2000,
    ("meeting", "note"): 1000,
}


def garbage() -> list[str]:
    """Every stored text that has control characters or is longer than it may be."""
    found = []
    for table in tables():
        columns = [c for c in table.columns if isinstance(c.type, String | Text)]
        if not columns:
            continue
        for row in db.session.execute(select(*columns)).mappings():
            for column in columns:
                value = row[column.name]
                if not isinstance(value, str):
                    continue
                where = f"{table.name}.{column.name}"
                if CONTROL.search(value):
                    found.append(f"{where} has a control character: {value[:60]!r}")
                if column.name != "client_token" and (
                    INVISIBLE.search(value) or stray_joiner(value)
                ):
                    found.append(f"{where} has an invisible character: {value[:60]!r}")
                limit = getattr(column.type, "length", None) or DOMAIN_MAX.get(
                    (table.name, column.name)
                )
                if limit and len(value) > limit:
                    found.append(f"{where} is {len(value)} long, more than {limit}")
                if "\ufffd" in value and column.name in ("client_token",):
                    found.append(f"{where} kept an undecodable byte")
    return found


# --- Sending --------------------------------------------------------------------------------


def encode(pairs) -> bytes:
    """A urlencoded body; bytes values go in as they are, undecodable ones included."""
    return urlencode(
        [(key, value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass"))
         for key, value in pairs]
    ).encode("ascii")  # fmt: skip


class Phones:
    def __init__(self, app, world):
        self.app, (self.a, self.b) = app, world
        with app.app_context():
            self.question = db.session.get(Course, self.a.course).questions[0]
        self.ids = {
            "code": self.a.code,
            "course": self.a.course,
            "card2": self.a.card2,
            "card3": self.a.card3,
            "solution2": self.a.solution2,
            "action": self.a.action,
            "measure": self.a.measure,
            "card": self.a.card,
            "owner": self.a.owner,
            "local_rule": self.a.local_rule,
            "colleague": self.a.colleague,
            "meeting": self.a.meeting,
            "question": self.question,
            "token": "{token}",
        }

    def client(self, who: str):
        client = self.app.test_client()
        with client.session_transaction() as session:
            if who == "phone":
                session[SESSION_KEY] = {str(self.a.course): self.a.owner_token}
            elif who in ("facilitator", "admin"):
                from workshop.facilitators import find_facilitator

                email = self.a.admin_email if who == "admin" else self.a.facilitator_email
                with self.app.app_context():
                    session["_user_id"] = find_facilitator(email).get_id()
                session["_fresh"] = True
        return client

    def prepare(self, form: Form) -> None:
        with self.app.app_context():
            course = db.session.get(Course, self.a.course)
            if form.step:
                go_to_step(course, form.step)
            if form.voting and course.voting_state != form.voting:
                set_voting_state(course, form.voting)
            if form.solution_voting and course.solution_voting_state != form.solution_voting:
                set_voting_state(course, form.solution_voting, SOLUTIONS)
            course.joining_open = True
            db.session.commit()

    def send(self, form: Form, pairs, *, htmx: bool):
        self.prepare(form)
        with self.app.app_context():
            self.before = garbage()
        client = self.client(form.who)
        headers = {"HX-Request": "true"} if htmx else {}
        response = client.post(
            form.path.format(**self.ids),
            data=encode(pairs),
            content_type="application/x-www-form-urlencoded",
            headers=headers,
        )
        return client, response

    def check(self, form: Form, pairs, response, client, before=()) -> None:
        assert response.status_code < 500, (form.name, pairs, response.status_code)
        with self.app.app_context():
            # Only what this example left: an earlier example's is reported there.
            assert sorted(set(garbage()) - set(before)) == [], (form.name, pairs)
        # The pages that show what was stored still render.
        if form.who == "admin":
            pages = ["/f/organisation", f"/f/courses/{self.a.course}"]
        elif form.who == "facilitator":
            pages = [f"/f/courses/{self.a.course}", f"/f/courses/{self.a.course}/projector"]
        else:
            pages = [f"/c/{self.a.code}", f"/f/courses/{self.a.course}/projector"]
            client = self.client("phone") if form.who == "newcomer" else client
        viewer = self.client("facilitator")
        for page in pages:
            shown = (viewer if page.startswith("/f/") else client).get(page)
            assert shown.status_code == 200, (form.name, pairs, page, shown.status_code)


_tokens = iter(range(10**9))


def fresh_tokens(pairs):
    """A new client token per example: a repeated one finds the first record instead."""
    return [(name, f"t{next(_tokens)}" if value == "{token}" else value) for name, value in pairs]


PROPERTY = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def phones(app, make):
    return Phones(app, build_world(app, make))


@PROPERTY
@given(data=st.data())
def test_phone_forms_take_anything_without_a_500_or_garbage(phones, data):
    form = data.draw(st.sampled_from(PHONE_FORMS), label="form")
    pairs = fresh_tokens(data.draw(form_values(form, phones.ids), label="values"))
    client, response = phones.send(form, pairs, htmx=data.draw(st.booleans(), label="htmx"))
    phones.check(form, pairs, response, client, phones.before)


@PROPERTY
@given(data=st.data())
def test_facilitator_forms_take_anything_without_a_500_or_garbage(phones, data):
    form = data.draw(st.sampled_from(FACILITATOR_FORMS), label="form")
    pairs = fresh_tokens(data.draw(form_values(form, phones.ids), label="values"))
    client, response = phones.send(form, pairs, htmx=False)
    phones.check(form, pairs, response, client, phones.before)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(content=st.one_of(
    st.binary(max_size=2000),
    st.sampled_from([b"{}", b"[]", b"null", b'{"format": "samskabt-course", "version": 1}',
                     b'{"format": "samskabt-course", "version": 999}', b"\x00" * 10,
                     b'{"course": {"title": "\\u0000"}}']),
    st.text(max_size=200).map(lambda text: text.encode("utf-8", "surrogatepass")),
))  # fmt: skip
def test_the_import_upload_takes_any_file_without_a_500_or_garbage(phones, content):
    client = phones.client("facilitator")
    response = client.post(
        "/f/courses/import",
        data={"file": (io.BytesIO(content), "kursus.json")},
        content_type="multipart/form-data",
    )
    assert response.status_code in (302, 422), response.status_code
    with phones.app.app_context():
        assert garbage() == []
    assert client.get("/f/").status_code == 200


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    where=st.sampled_from(
        [
            ("course", "title"),
            ("course", "purpose"),
            ("participants", "name"),
            ("cards", "text"),
            ("solutions", "text"),
            ("actions", "title"),
            ("lessons", "text"),
        ]
    ),
    text=texts,
    moment=st.datetimes(timezones=st.timezones()).map(lambda moment: moment.isoformat()),
)
def test_an_imported_file_with_any_text_or_time_stores_it_tidied_or_refuses_it(
    phones, where, text, moment
):
    """A course file is typed by nobody: its texts go through the same tidy as a form's
    (no control, bidirectional or zero-width characters stored), and a time outside the
    sane years is refused kindly, never a 500."""
    import json

    from workshop.exchange import export_course

    with phones.app.app_context():
        data = export_course(db.session.get(Course, phones.a.course))
    table, name = where
    record = data[table] if table == "course" else data[table][0]
    record[name] = text
    data["course"]["created_at"] = moment
    client = phones.client("facilitator")
    response = client.post(
        "/f/courses/import",
        data={"file": (io.BytesIO(json.dumps(data).encode()), "kursus.json")},
        content_type="multipart/form-data",
    )
    assert response.status_code in (302, 422), response.status_code
    with phones.app.app_context():
        assert garbage() == []
    assert client.get("/f/").status_code == 200


def test_the_shared_values_include_the_nasty_ones():
    """The strategies really send NUL, undecodable bytes, huge and unicode numbers."""
    assert "\x00" in TRICKY and "١٢" in TRICKY and str(2**63) in TRICKY
    assert any(b"\xed\xa0" in value for value in BAD_UTF8)
    assert encode([("text", b"\xed\xa0\x80")]) == b"text=%ED%A0%80"


def test_measure_periods_still_accept_a_valid_date(phones):
    """A sanity check that the measure forms are reachable: a valid entry is stored."""
    today = local_today()
    pairs = [
        ("measure", str(phones.a.measure)),
        ("entry_date", (today - timedelta(days=30)).isoformat()),
        ("value", "12,5"),
        ("text", "god\x00uge"),
        ("client_token", "property"),
    ]
    form = next(form for form in PHONE_FORMS if form.name == "measure entry")
    client, response = phones.send(form, pairs, htmx=False)
    assert response.status_code == 302
    phones.check(form, pairs, response, client, phones.before)
    with phones.app.app_context():
        from workshop.core.models import MeasureEntry

        notes = db.session.scalars(select(MeasureEntry.note)).all()
        assert "goduge" in notes


def test_tidy_drops_control_characters_but_keeps_lines_tabs_and_rtl_marks():
    from workshop.core.text import tidy

    assert tidy(" a\x00b\x1b[0m\r\nc\rd\te\u200f\x7f\x85\x07 ") == "ab[0m\nc\nd\te\u200f"
    assert tidy(None) == ""


def test_tidy_drops_bidirectional_overrides_and_zero_width_characters():
    """'\u202egnp.exe' would show as 'exe.png' on the projector and in the PDF."""
    from workshop.core.text import tidy

    assert tidy("\u202egnp.exe\u202c") == "gnp.exe"
    assert tidy("a\u202ab\u202bc\u202dd\u2066e\u2067f\u2068g\u2069h") == "abcdefgh"
    assert tidy("Jens\u200b Han\u200csen\u2060\ufeff\u200d") == "Jens Hansen"
    assert tidy("linje\u2028linje\u2029") == "linje\nlinje"


def test_tidy_keeps_joiners_inside_emoji_and_composes_letters():
    from workshop.core.text import tidy

    assert tidy("👩🏽\u200d💻 🏳️\u200d🌈 ❤\u200d🔥") == "👩🏽\u200d💻 🏳️\u200d🌈 ❤\u200d🔥"
    assert tidy("bla\u030aba\u0308r") == "blåbär"  # decomposed, as some keyboards send it
    assert tidy("a\u200b\u030a") == "å"  # composed after the invisible one is gone


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(
    st.text(max_size=40),
    st.lists(st.sampled_from(list("aå ¨\u030a\u200b\u200c\u200d\u202e\u2066\u2069\ufeff\x1b"
                                  "\x7f\r\n\u2028👩🏽💻🔥\ufe0f")), max_size=20).map("".join),
))  # fmt: skip
def test_tidy_leaves_nothing_that_spoofs_and_a_second_tidy_changes_nothing(text):
    import unicodedata

    from workshop.core.text import tidy

    tidied = tidy(text)
    assert tidy(tidied) == tidied
    assert not CONTROL.search(tidied) and not INVISIBLE.search(tidied)
    assert not stray_joiner(tidied)
    assert unicodedata.is_normalized("NFC", tidied)
    assert tidied == tidied.strip()


def test_a_course_title_longer_than_its_column_is_refused(app, make):
    from workshop.core.errors import WorkshopError

    with app.app_context(), pytest.raises(WorkshopError) as refused:
        make.course(title="x" * 201)
    assert refused.value.code == "too_long"


@pytest.mark.parametrize("typed", ["0001-01-01", "31.12.9999", "1899-12-31", "2101-01-01"])
def test_a_date_field_refuses_a_year_no_course_file_could_carry(app, typed):
    """What a form stores, an export carries and an import takes back (1900-2100)."""
    from workshop.web.catalogue import LocalRuleForm
    from workshop.web.forms import day_field

    class PlanForm(LocalRuleForm):
        start = day_field("Start")

    with app.test_request_context(method="POST", data={"start": typed, "decided_on": "1899-01-01"}):
        form = PlanForm(meta={"csrf": False})
        form.validate()
        assert form.start.errors == ["Angiv en dato mellem 1900 og 2100."]
        assert form.decided_on.errors == ["Angiv en dato mellem 1900 og 2100."]
    with app.test_request_context(method="POST", data={"start": "31.12.2100"}):
        form = PlanForm(meta={"csrf": False})
        form.validate()
        assert form.start.errors == []
