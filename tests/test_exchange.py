"""CSV exports for Danish Excel, and the full JSON export/import of a course."""

from __future__ import annotations

import copy
import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy
from sqlalchemy.exc import IntegrityError

from app import create_app
from workshop import exchange
from workshop.catalogue import CATALOGUE_FILE, add_local_rule, load_catalogue
from workshop.commands.demo import DEMO_EMAIL, seed_demo
from workshop.core import models
from workshop.core.clock import local_today
from workshop.core.extensions import db
from workshop.core.models import Card, CardRequirement, Course, Facilitator, Requirement
from workshop.courses import go_to_step
from workshop.examination import link_requirement
from workshop.exchange import (
    FORMAT_VERSION,
    ImportRefused,
    ascii_filename,
    danish_number,
    export_course,
    export_course_json,
    import_course,
    safe_cell,
    schema,
)
from workshop.facilitators import create_facilitator
from workshop.measures import log_entry
from workshop.votes import CARDS, cast_vote, set_voting_state

BOM = b"\xef\xbb\xbf"
EN = {"Accept-Language": "en"}
CSRF_ON = pytest.mark.parametrize("app", [{"WTF_CSRF_ENABLED": True}], indirect=True)


def _config(url: str, **extra) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        **extra,
    }


@pytest.fixture
def second_app(new_database):
    """Another server: its own freshly migrated database."""
    other = create_app(_config(new_database()))
    yield other
    with other.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def demo_export(new_database):
    """The demo course (every step has data) exported once, as a dict."""
    source = create_app(_config(new_database()))
    with source.app_context():
        data = export_course(seed_demo())
    with source.app_context():
        db.engine.dispose()  # outside the first context: its session gave its connection back
    return data


def row_counts(url: str) -> dict[str, int]:
    """Rows in every table of the database (the manager links too)."""
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as connection:
            return {
                table: connection.scalar(
                    sqlalchemy.select(sqlalchemy.func.count()).select_from(sqlalchemy.table(table))
                )
                for table in sqlalchemy.inspect(connection).get_table_names()
            }
    finally:
        engine.dispose()


def read_csv(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=";"))


def as_dicts(body: bytes) -> list[dict[str, str]]:
    header, *rows = read_csv(body)
    return [dict(zip(header, row, strict=True)) for row in rows]


def comparable(data: dict) -> dict:
    """An export without what legitimately differs between two databases: the time of the
    export, the keys of local rules (a database gives them its own keys), and when each
    server loaded its own law catalogue."""
    data = copy.deepcopy(data)
    data.pop("exported_at")
    local = {
        r["key"]: f"local:{r['name_da']}" for r in data["requirements"] if r["kind"] == "local"
    }
    for requirement in data["requirements"]:
        if requirement["kind"] == "law":
            requirement.pop("updated_at")
            for version in requirement["versions"]:
                version.pop("created_at")
        requirement["key"] = local.get(requirement["key"], requirement["key"])
        for version in requirement["versions"]:
            if "key" in version["snapshot"]:
                version["snapshot"]["key"] = local.get(
                    version["snapshot"]["key"], version["snapshot"]["key"]
                )
    data["requirements"].sort(key=lambda r: r["key"])
    for card in data["cards"]:
        for link in card["links"]:
            link["requirement"] = local.get(link["requirement"], link["requirement"])
    return data


# --------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------


@pytest.fixture
def voted(app, make):
    """A course in step 2 with a revealed vote: three staff members and one manager."""

    def build(min_group_size=3, reveal=True):
        with app.app_context():
            course = make.course(step=2, min_group_size=min_group_size)
            staff = [make.participant(course, name=name) for name in ("Åse", "Bo", "")]
            boss = make.participant(course, role="leder", unit="Ledelsen", name="Søren")
            card = make.card(staff[0], "Æblegrød; på Ørestad\nanden linje")
            other = make.card(staff[1], '=HYPERLINK("http://evil.example")')
            make.card(staff[2], "+45 tal")
            make.card(staff[2], "-minus først")
            make.card(boss, "@SUM(A1)")
            set_voting_state(course, "voting")
            for person in staff:
                cast_vote(person, card, 1)
            cast_vote(boss, card, 2)
            cast_vote(staff[0], other, 1)
            if reveal:
                set_voting_state(course, "revealed")
            return course.id

    return build


def test_the_cards_csv_is_utf8_with_a_bom_semicolons_and_crlf(client, auth, voted):
    course_id = voted()
    auth.login()
    response = client.get(f"/f/courses/{course_id}/export/cards.csv", headers=EN)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.data.startswith(BOM)
    first_line = response.data[len(BOM) :].split(b"\r\n")[0].decode("utf-8")
    assert first_line.startswith("No.;Card;Original text;")
    assert b"\r\n" in response.data and b"\n\n" not in response.data


def test_danish_letters_and_a_semicolon_or_newline_survive_csv_reader(client, auth, voted):
    course_id = voted()
    auth.login()
    rows = as_dicts(client.get(f"/f/courses/{course_id}/export/cards.csv", headers=EN).data)
    first = rows[0]
    assert first["Card"] == "Æblegrød; på Ørestad\nanden linje"
    assert first["Author's name"] == "Åse"
    assert (rows[4]["Author's role"], rows[4]["Author's unit"]) == ("Manager", "Ledelsen")
    assert rows[2]["Author's name"] == ""  # nameless: no name, only role and unit


def test_linked_requirements_are_named_by_citation_and_name_and_separated_by_semicolons(
    app, client, auth, make
):
    with app.app_context():
        load_catalogue()
        course = make.course(step=2)
        card = make.card(make.participant(course), "Samtaler hver 3. måned")
        link_requirement(card, "R05")
        link_requirement(card, "R08")
        course_id = course.id
    auth.login()
    rows = as_dicts(client.get(f"/f/courses/{course_id}/export/cards.csv", headers=EN).data)
    assert rows[0]["Linked requirements"] == (
        "LAB § 31, stk. 1, 2 og 4: Jobsamtaler de første 6 måneder (dagpenge); "
        "LAB § 32, stk. 1: Kontaktforløb efter 6 måneder"
    )


def test_a_value_with_a_semicolon_or_newline_is_quoted():
    body = exchange.csv_bytes(["a", "b"], [["x;y", "første\r\nanden"], ["plain", 'say "hi"']])
    text = body.decode("utf-8-sig")
    assert text == 'a;b\r\n"x;y";"første\r\nanden"\r\nplain;"say ""hi"""\r\n'
    assert read_csv(body)[1] == ["x;y", "første\r\nanden"]


def test_text_that_excel_would_run_as_a_formula_gets_an_apostrophe(client, auth, voted):
    course_id = voted()
    auth.login()
    rows = as_dicts(client.get(f"/f/courses/{course_id}/export/cards.csv", headers=EN).data)
    texts = [row["Card"] for row in rows]
    assert '\'=HYPERLINK("http://evil.example")' in texts
    assert "'+45 tal" in texts
    assert "'-minus først" in texts
    assert "'@SUM(A1)" in texts
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert safe_cell(f"{start}1+1") == f"'{start}1+1"
    assert safe_cell("Helt almindelig tekst") == "Helt almindelig tekst"
    assert safe_cell("") == ""


def test_dots_stay_empty_until_the_vote_is_revealed(client, auth, voted):
    course_id = voted(reveal=False)
    auth.login()
    rows = as_dicts(client.get(f"/f/courses/{course_id}/export/cards.csv", headers=EN).data)
    assert {row["Dots"] for row in rows} == {""}
    assert not any(name.startswith("Dots:") for name in rows[0])


def test_the_role_split_is_held_back_where_the_result_holds_it_back(client, auth, voted):
    course_id = voted(min_group_size=3)  # one manager voted: too few to show
    auth.login()
    rows = as_dicts(client.get(f"/f/courses/{course_id}/export/cards.csv", headers=EN).data)
    assert rows[0]["Dots"] == "5"
    assert not any(name.startswith("Dots:") for name in rows[0])


def test_the_role_split_is_shown_where_the_result_shows_it(client, auth, voted):
    course_id = voted(min_group_size=1)
    auth.login()
    rows = as_dicts(client.get(f"/f/courses/{course_id}/export/cards.csv", headers=EN).data)
    assert (rows[0]["Dots"], rows[0]["Dots: Staff"], rows[0]["Dots: Managers"]) == ("5", "3", "2")
    assert (rows[1]["Dots"], rows[1]["Dots: Staff"], rows[1]["Dots: Managers"]) == ("1", "1", "0")


def test_lowering_the_smallest_group_after_the_reveal_is_refused_in_the_form(
    app, client, auth, voted
):
    """The probe's finding: one manager voted with a minimum of 3; editing the course to a
    minimum of 1 showed that manager's dots on the projector and in the CSV."""
    course_id = voted()
    auth.login()
    form = client.get(f"/f/courses/{course_id}/edit").text
    fields = {
        name: value
        for name, value in re.findall(r'name="(\w+)"[^>]*value="([^"]*)"', form)
        if name != "csrf_token"
    }
    fields.update(title="Kursus", municipality="Fjordby", min_group_size="1", dot_budget="5")
    fields["multiple_dots_per_card"] = "y"
    response = client.post(f"/f/courses/{course_id}/edit", data=fields)
    assert response.status_code == 422
    assert "kan kun hæves (til 3 eller mere)" in response.text
    with app.app_context():
        assert db.session.get(Course, course_id).min_group_size == 3
    header = read_csv(client.get(f"/f/courses/{course_id}/export/cards.csv").data)[0]
    assert not any(name.startswith("Prikker:") for name in header)
    assert "Prikker" in header


def test_the_cards_csv_names_linked_requirements_merges_and_hidden_cards(app, client, auth, make):
    with app.app_context():
        load_catalogue()
        course = make.course(step=2)
        person = make.participant(course)
        card = make.card(person, "Samtaler hver 3. måned")
        duplicate = make.card(person, "Samtaler for tit")
        hidden = make.card(person, "Skjult kort")
        link_requirement(card, "R05")
        from workshop.cards import merge_cards, set_card_hidden

        merge_cards(card, [duplicate])
        set_card_hidden(hidden, True)
        course_id = course.id
    auth.login()
    rows = as_dicts(client.get(f"/f/courses/{course_id}/export/cards.csv", headers=EN).data)
    assert (
        rows[0]["Linked requirements"]
        == "LAB § 31, stk. 1, 2 og 4: Jobsamtaler de første 6 måneder (dagpenge)"
    )
    assert rows[1]["Merged into no."] == "1"
    assert (rows[2]["Hidden"], rows[0]["Hidden"]) == ("Yes", "No")


@pytest.fixture
def measured(app, make):
    """An action with a measure and three entries, one of them negative."""
    with app.app_context():
        course = make.course(step=2)
        anne = make.participant(course, name="Anne")
        nameless = make.participant(course, unit="Team Ledige")
        challenge = make.challenge(anne, "Dobbeltregistrering")
        action = make.action(
            make.solution(anne, challenge, "Én registrering"),
            owner_id=anne.id,
            start_date=local_today() + timedelta(days=3),
            who_does_what="Alle; også lederne",
        )
        measure = make.measure(action)
        go_to_step(course, 5)
        day = measure.baseline_from + timedelta(days=1)
        log_entry(anne, measure, day, "12,5", "=1+1", client_token="e1")
        log_entry(nameless, measure, day, "-3", "", client_token="e2")
        log_entry(anne, measure, measure.followup_from, "0,00001", "Æ", client_token="e3")
        return course.id, day, action.start_date


def test_entries_have_decimal_commas_iso_dates_and_periods(client, auth, measured):
    course_id, day, _start = measured
    auth.login()
    rows = as_dicts(client.get(f"/f/courses/{course_id}/export/entries.csv", headers=EN).data)
    assert [row["Value"] for row in rows] == ["12,5", "-3", "0,00001"]  # a number is no formula
    assert rows[0]["Date"] == day.isoformat()
    assert rows[0]["Note"] == "'=1+1"
    assert rows[0]["Period"] == "Before (baseline)"
    assert rows[2]["Period"] == "After (follow-up)"
    assert rows[0]["Logged by"] == "Anne"
    assert rows[1]["Logged by"] == "Staff member, Team Ledige"
    assert rows[0]["Measure"] == "Minutter brugt på dokumentation"


def test_the_actions_csv_is_the_plan_a_manager_filters_in_excel(client, auth, measured):
    course_id, _day, start = measured
    auth.login()
    rows = as_dicts(client.get(f"/f/courses/{course_id}/export/actions.csv", headers=EN).data)
    assert len(rows) == 1
    row = rows[0]
    assert row["Action"] == "Én registrering"
    assert row["Challenge"] == "Dobbeltregistrering"
    assert row["Owner"] == "Anne"
    assert row["Start date"] == start.isoformat()
    assert row["Who does what"] == "Alle; også lederne"
    assert row["Status"] == "Not started"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", row["Last update"])


def test_headers_follow_the_ui_language(client, auth, voted):
    course_id = voted()
    auth.login()
    danish = read_csv(client.get(f"/f/courses/{course_id}/export/cards.csv").data)[0]
    english = read_csv(client.get(f"/f/courses/{course_id}/export/cards.csv", headers=EN).data)[0]
    assert english[1] == "Card" and danish[1] == "Kort"


def test_danish_numbers_never_use_points_or_exponents():
    assert danish_number(12.5) == "12,5"
    assert danish_number(3.0) == "3"
    assert danish_number(-2.25) == "-2,25"
    assert danish_number(0.00001) == "0,00001"
    assert danish_number(123456789.5) == "123456789,5"
    assert danish_number(None) == ""


def test_download_names_are_ascii(app, make):
    with app.app_context():
        course = make.course(title='Æblegrød på "Ørestad" / Å-holdet; 2027')
        name = ascii_filename(course, "kort", "csv")
    assert name.isascii()
    assert re.fullmatch(r"aeblegroed-paa-oerestad-aa-holdet-2027-kort-\d{4}-\d\d-\d\d\.csv", name)


EXPORTS = ("cards.csv", "actions.csv", "entries.csv", "course.json")


def test_exports_need_a_login(client, make, app):
    with app.app_context():
        course_id = make.course().id
    for name in EXPORTS:
        response = client.get(f"/f/courses/{course_id}/export/{name}")
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]
    assert "/login" in client.get("/f/courses/import").headers["Location"]


def test_another_facilitators_course_cannot_be_exported(app, client, auth, make):
    with app.app_context():
        other = make.facilitator("other@example.dk")
        course_id = make.course(other).id
        make.facilitator()
    auth.login()
    for name in EXPORTS:
        assert client.get(f"/f/courses/{course_id}/export/{name}").status_code == 404


def test_downloads_are_attachments_not_kept_in_caches(app, client, auth, make):
    with app.app_context():
        course_id = make.course(title="Mindre bøvl").id
    auth.login()
    for name in EXPORTS:
        response = client.get(f"/f/courses/{course_id}/export/{name}")
        disposition = response.headers["Content-Disposition"]
        assert disposition.isascii()
        assert re.fullmatch(
            r'attachment; filename="mindre-boevl-[a-z-]+-[\d-]+\.(csv|json)"', disposition
        )
        assert response.headers["Cache-Control"] == "no-store"


def test_the_control_panel_links_to_every_export(app, client, auth, make):
    with app.app_context():
        course_id = make.course().id
    auth.login()
    panel = client.get(f"/f/courses/{course_id}").text
    for name in EXPORTS:
        assert f"/f/courses/{course_id}/export/{name}" in panel
    assert 'id="exports"' in panel
    assert "/f/courses/import" in client.get("/f/").text


# --------------------------------------------------------------------------------------
# JSON: export and import
# --------------------------------------------------------------------------------------


def test_the_export_says_what_it_is(demo_export):
    assert demo_export["format"] == "samskabt-course"
    assert demo_export["version"] == FORMAT_VERSION
    assert demo_export["app"].startswith("samskabt")
    assert demo_export["exported_at"].endswith("+00:00")
    # Everything the demo has made is in it.
    for name in ("participants", "answers", "requirements", "cards", "solutions", "votes"):
        assert demo_export[name], name
    assert any(action["updates"] for action in demo_export["actions"])
    assert any(m["entries"] for a in demo_export["actions"] for m in a["measures"])
    assert demo_export["lessons"]
    assert {r["kind"] for r in demo_export["requirements"]} == {"law", "local"}
    assert all(r["versions"] for r in demo_export["requirements"])
    # No join code, no manager links, no login: those are secrets of the server.
    text = json.dumps(demo_export)
    assert "join_code" not in text and "token" not in text and "password" not in text


def test_a_course_survives_the_round_trip_into_a_fresh_database(app, second_app):
    with app.app_context():
        course = seed_demo()
        first = export_course(course)
        code = course.join_code
    with second_app.app_context():
        load_catalogue()  # a new server loads its catalogue first (README)
        facilitator = create_facilitator("ny@example.dk", "correct horse", "Demo-facilitator")
        result = import_course(json.dumps(first).encode(), facilitator)
        assert result.course.facilitator_id == facilitator.id
        assert result.course.join_code != code
        local = [r for r in first["requirements"] if r["kind"] == "local"]
        assert result.catalogue_added == len(local)  # the law entries were already here
        second = export_course(result.course)
    assert comparable(second) == comparable(first)


def test_importing_into_the_same_database_reuses_the_facilitators_local_rules(app):
    with app.app_context():
        course = seed_demo()
        first = export_course(course)
        rules = db.session.scalar(db.select(db.func.count()).select_from(Requirement))
        result = import_course(json.dumps(first), course.facilitator)
        assert result.renamed == [] and result.catalogue_added == 0
        assert db.session.scalar(db.select(db.func.count()).select_from(Requirement)) == rules
        assert result.course.id != course.id
        second = export_course(result.course)
    first.pop("exported_at"), second.pop("exported_at")
    assert second == first


def test_the_imported_course_gives_the_same_action_plan_pdf(app, second_app):
    report = pytest.importorskip(
        "workshop.reports.pdf", reason="the action plan PDF is not built yet"
    )
    pypdf = pytest.importorskip("pypdf")

    def text_of(pdf: bytes) -> str:
        pages = pypdf.PdfReader(io.BytesIO(pdf)).pages
        return "\n".join(page.extract_text() for page in pages)

    with app.app_context():
        course = seed_demo()
        data = export_course(course)
        original = text_of(report.action_plan_pdf(course))
    with second_app.app_context():
        load_catalogue()
        # The same person on the other server (the cover names the facilitator).
        facilitator = create_facilitator(DEMO_EMAIL, "correct horse", "Demo-facilitator")
        imported = import_course(json.dumps(data), facilitator).course
        copied = text_of(report.action_plan_pdf(imported))
    assert "Mindre bøvl i jobcentret" in original
    assert copied == original


def test_local_rules_get_keys_of_the_new_database(app, second_app):
    with app.app_context():
        data = export_course(seed_demo())
    local_keys = {r["key"] for r in data["requirements"] if r["kind"] == "local"}
    with second_app.app_context():
        load_catalogue()
        someone = create_facilitator("someone@example.dk", "correct horse")
        for number in range(4):
            add_local_rule(someone, name=f"Regel {number}", kind="template")
        taken = set(db.session.scalars(db.select(Requirement.key)))
        importer = create_facilitator("ny@example.dk", "correct horse")
        result = import_course(json.dumps(data), importer)
        assert result.renamed and {old for old, _new in result.renamed} <= local_keys
        mine = db.session.scalars(
            db.select(Requirement).where(Requirement.owner_id == importer.id)
        ).all()
        assert len(mine) == len(local_keys)
        for rule in mine:
            assert rule.key == f"L{rule.id}" and rule.key not in taken
            assert rule.versions[0].snapshot["key"] == rule.key
        # The cards point at the importer's copies, and new local rules still get free keys.
        linked = db.session.scalars(
            db.select(CardRequirement.requirement_id)
            .join(Card)
            .where(Card.course_id == result.course.id)
        ).all()
        assert {rule.id for rule in mine} <= set(linked)
        assert add_local_rule(importer, name="Endnu en regel", kind="template").key.startswith("L")


def _catalogue_with_changed_r05(tmp_path: Path, description: str) -> Path:
    data = json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))
    for entry in data["requirements"]:
        if entry["id"] == "R05":
            entry["description"] = description
    path = tmp_path / f"catalogue-{abs(hash(description))}.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def linked_course(app, make):
    """A course whose card is linked to R05; returns a function that exports it."""
    with app.app_context():
        load_catalogue()
        course = make.course(step=2)
        card = make.card(make.participant(course), "Samtaler hver 3. måned")
        ids = course.id, card.id

    def export() -> dict:
        with app.app_context():
            return export_course(db.session.get(Course, ids[0]))

    def link():
        with app.app_context():
            link_requirement(db.session.get(Card, ids[1]), "R05")

    return export, link


def _r05(course: Course) -> tuple[Requirement, CardRequirement]:
    link = db.session.scalar(
        db.select(CardRequirement).join(Card).where(Card.course_id == course.id)
    )
    return link.requirement, link


def test_a_newer_local_catalogue_entry_is_kept_and_the_link_keeps_its_version(
    app, make, linked_course, tmp_path
):
    export, link = linked_course
    link()
    data = export()
    with app.app_context():
        load_catalogue(_catalogue_with_changed_r05(tmp_path, "Nyere tekst her"))
        result = import_course(json.dumps(data), make.facilitator())
        requirement, imported_link = _r05(result.course)
        assert (requirement.version, requirement.description) == (2, "Nyere tekst her")
        assert imported_link.version == 1 and imported_link.is_outdated
        assert imported_link.as_linked["description"] != "Nyere tekst her"
        assert result.versions_added == 0 and result.notes == []


def test_a_newer_law_text_in_the_file_leaves_this_servers_catalogue_alone(
    app, second_app, linked_course, tmp_path
):
    export, link = linked_course
    with app.app_context():
        load_catalogue(_catalogue_with_changed_r05(tmp_path, "Ændret i 2026"))
    link()  # linked to version 2
    data = export()
    with second_app.app_context():
        load_catalogue()  # only the first version of R05
        facilitator = create_facilitator("ny@example.dk", "correct horse")
        result = import_course(json.dumps(data), facilitator)
        requirement, imported_link = _r05(result.course)
        # The law catalogue is shared by every facilitator: an import never changes it.
        assert [v.version for v in requirement.versions] == [1]
        assert requirement.version == 1 and requirement.description != "Ændret i 2026"
        assert imported_link.version == 1
        assert any("R05" in note for note in result.notes)
        assert load_catalogue().changed == 0


def test_an_import_never_adds_law_entries_or_unsafe_sources(app, second_app, demo_export):
    data = copy.deepcopy(demo_export)
    law = next(r for r in data["requirements"] if r["kind"] == "law")
    with second_app.app_context():
        load_catalogue()
        facilitator = create_facilitator("ny@example.dk", "correct horse")
        unknown = copy.deepcopy(data)
        next(r for r in unknown["requirements"] if r["key"] == law["key"])["key"] = "ZZ1"
        for card in unknown["cards"]:
            for card_link in card.get("links", []):
                if card_link.get("requirement") == law["key"]:
                    card_link["requirement"] = "ZZ1"
        with pytest.raises(ImportRefused):
            import_course(json.dumps(unknown), facilitator)
        unsafe = copy.deepcopy(data)
        next(r for r in unsafe["requirements"] if r["key"] == law["key"])["sources"] = [
            "javascript:alert(1)"
        ]
        with pytest.raises(ImportRefused):
            import_course(json.dumps(unsafe), facilitator)
        assert (
            db.session.scalar(
                db.select(db.func.count()).select_from(Requirement).where(Requirement.key == "ZZ1")
            )
            == 0
        )


def test_the_same_text_under_another_version_number_is_linked_there(
    app, second_app, linked_course, tmp_path
):
    export, link = linked_course
    changed = _catalogue_with_changed_r05(tmp_path, "Ændret i 2026")
    with app.app_context():
        load_catalogue(changed)
    link()  # version 2 on the first server
    data = export()
    with second_app.app_context():
        load_catalogue(changed)  # the second server started with the changed text: version 1
        facilitator = create_facilitator("ny@example.dk", "correct horse")
        result = import_course(json.dumps(data), facilitator)
        requirement, imported_link = _r05(result.course)
        assert requirement.version == 1 and imported_link.version == 1
        assert imported_link.as_linked["description"] == "Ændret i 2026"
        # The older text the first server also had is unknown here under its number.
        assert len(result.notes) == 1 and "R05" in result.notes[0]


def _newer(data):
    data["version"] = FORMAT_VERSION + 1


def in_english(app):
    """The refusal in English, whatever the default language: the messages are asserted."""
    return app.test_request_context(headers=EN)


def test_a_file_from_a_newer_version_is_refused_and_writes_nothing(
    app, database_url, make, demo_export
):
    with app.app_context():
        facilitator_id = make.facilitator().id
    before = row_counts(database_url)
    data = copy.deepcopy(demo_export)
    _newer(data)
    with in_english(app), pytest.raises(ImportRefused) as refused:
        import_course(json.dumps(data), db.session.get(Facilitator, facilitator_id))
    assert refused.value.code == "newer"
    assert "newer version" in str(refused.value.message)
    assert row_counts(database_url) == before


def _set(path: str, value):
    def mutate(data):
        *parents, last = path.split(".")
        target = data
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[int(last) if last.isdigit() else last] = value

    return mutate


def _delete(path: str):
    def mutate(data):
        *parents, last = path.split(".")
        target = data
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        del target[last]

    return mutate


def _merge_cycle(data):
    data["cards"][0]["merged_into"] = data["cards"][1]["id"]
    data["cards"][1]["merged_into"] = data["cards"][0]["id"]


def _duplicate_item(data):
    items = data["votes"]["cards"]["items"]
    items.append(dict(items[0]))


def _split_off_by_one(data):
    data["votes"]["cards"]["items"][0]["by_group"]["staff"] += 1


def _more_voters_than_people(data):
    result = data["votes"]["cards"]
    result["voters"] += 100
    result["voters_by_group"]["staff"] += 100


def _more_dots_than_budgets(data):
    """Every staff member's whole budget and one more dot on the first card."""
    result = data["votes"]["cards"]
    budget = data["course"]["dot_budget"]
    first = result["items"][0]
    extra = budget * result["voters_by_group"]["staff"] + 1 - first["by_group"]["staff"]
    first["dots"] += extra
    first["by_group"]["staff"] += extra


def _result_never_revealed(data):
    data["course"]["voting_state"] = "voting"


def _a_voter_beside_the_dots(data):
    data["votes"]["cards"]["items"][0]["participant"] = 1


def _first_linked(data):
    return next(card for card in data["cards"] if card["links"])


def _dangling_link(data):
    _first_linked(data)["links"][0]["requirement"] = "R99"


def _unknown_link_version(data):
    _first_linked(data)["links"][0]["version"] = 42


def _lawlike_local_key(data):
    law = next(r for r in data["requirements"] if r["kind"] == "law")
    law["key"] = "L1"


DAMAGED_EDITS = {
    "missing field": _delete("cards.0.priority"),
    "missing list": _delete("lessons"),
    "no course": _delete("course"),
    "text for a number": _set("course.dot_budget", "5"),
    "true for a number": _set("votes.cards.items.0.dots", True),
    "dots out of range": _set("votes.cards.items.0.dots", 0),
    "dangling participant": _set("answers.0.participant", 9999),
    "dangling card in the result": _set("votes.cards.items.0.card", 9999),
    "a solution's result naming a card": _set("votes.solutions.items.0.solution", 9999),
    "a split that does not add up": _split_off_by_one,
    "more voters than people": _more_voters_than_people,
    "more dots than the budgets hold": _more_dots_than_budgets,
    "a result that was never revealed": _result_never_revealed,
    "a voter beside the dots": _a_voter_beside_the_dots,
    "a list for a card's number": _set("votes.cards.items.0.card", [1]),
    "a result that is not an object": _set("votes.cards", [1, 2]),
    "no votes at all": _delete("votes"),
    "votes as a list in format 2": _set("votes", []),
    "dangling card": _set("solutions.0.card", 9999),
    "dangling link": _dangling_link,
    "unknown linked version": _unknown_link_version,
    "too long": _set("cards.0.text", "x" * 501),
    "unknown status": _set("actions.0.status", "done"),
    "unknown role": _set("participants.0.role", "admin"),
    "bad date": _set("actions.0.start_date", "2026-13-01"),
    "bad timestamp": _set("cards.0.created_at", "yesterday"),
    "merge cycle": _merge_cycle,
    "duplicate item in a result": _duplicate_item,
    "duplicate id": _set("participants.1.id", 1),
    "law key like a local rule": _lawlike_local_key,
    "wrong format": _set("format", "something-else"),
    "version as text": _set("version", "1"),
    "null byte": _set("answers.0.text", "nul\x00byte"),
    "barriers of an unknown kind": _set("actions.0.barriers", {"magic": {"note": ""}}),
    # Issue 18: the course's meetings and the day "later" comes back.
    "a meeting that ends before it starts": _set("meetings.0.ends_at", "2000-01-01T00:00:00+00:00"),
    "a meeting in step 7": _set("meetings.0.steps", [2, 7]),
    "a meeting's steps as text": _set("meetings.0.steps", "2,3"),
    "a later day that is no day": _set("cards.0.later_due", "1. marts"),
}


@pytest.mark.parametrize("edit", DAMAGED_EDITS.values(), ids=DAMAGED_EDITS.keys())
def test_a_damaged_file_is_refused_and_writes_nothing(app, database_url, make, demo_export, edit):
    with app.app_context():
        facilitator_id = make.facilitator().id
    data = copy.deepcopy(demo_export)
    edit(data)
    before = row_counts(database_url)
    with in_english(app), pytest.raises(ImportRefused) as refused:
        import_course(json.dumps(data), db.session.get(Facilitator, facilitator_id))
    assert "Nothing was imported" in str(refused.value.message)
    assert row_counts(database_url) == before


RAW_FILES = {
    "not json": b'{"format": "samskabt-course", ',
    "truncated": None,  # half of the demo export, filled in below
    "not utf-8": b"\xff\xfe{\x00",
    "not an object": b"[]",
    "nan": b'{"format": "samskabt-course", "version": NaN}',
    "deeply nested": b"[" * 100_000 + b"]" * 100_000,
    "empty": b"",
}


@pytest.mark.parametrize("name", RAW_FILES)
def test_a_file_that_is_not_a_course_export_is_refused(app, database_url, make, demo_export, name):
    raw = RAW_FILES[name]
    if raw is None:
        whole = json.dumps(demo_export).encode()
        raw = whole[: len(whole) // 2]
    with app.app_context():
        facilitator_id = make.facilitator().id
    before = row_counts(database_url)
    with app.app_context(), pytest.raises(ImportRefused):
        import_course(raw, db.session.get(Facilitator, facilitator_id))
    assert row_counts(database_url) == before


def test_a_failure_while_writing_rolls_everything_back(
    app, database_url, make, demo_export, monkeypatch
):
    """Checked files are written in one transaction: a failure at the very end (the lessons,
    after the course, people, cards, catalogue entries …) leaves nothing behind."""
    with app.app_context():
        facilitator_id = make.facilitator().id
    before = row_counts(database_url)

    def broken(**_values):
        raise IntegrityError("INSERT INTO lesson", {}, Exception("disk said no"))

    monkeypatch.setattr(exchange.load, "Lesson", broken)
    with app.app_context(), pytest.raises(ImportRefused):
        import_course(json.dumps(demo_export), db.session.get(Facilitator, facilitator_id))
    assert row_counts(database_url) == before


# --------------------------------------------------------------------------------------
# The import page and the CLI
# --------------------------------------------------------------------------------------


def _upload(client, body: bytes, **extra):
    return client.post(
        "/f/courses/import",
        data={"file": (io.BytesIO(body), "kursus.json"), **extra},
        content_type="multipart/form-data",
    )


def test_the_import_page_makes_a_new_course_of_the_uploaded_file(
    app, client, auth, make, demo_export
):
    with app.app_context():
        make.facilitator()
    auth.login()
    page = client.get("/f/courses/import")
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text
    assert 'type="file"' in page.text
    response = _upload(client, json.dumps(demo_export).encode())
    assert response.status_code == 302
    with app.app_context():
        course = db.session.scalar(db.select(Course))
        assert response.headers["Location"].endswith(f"/f/courses/{course.id}")
        assert course.title == demo_export["course"]["title"]
        code = course.join_code
    panel = client.get(response.headers["Location"])
    assert f"{code[:3]} {code[3:]}" in panel.text


def test_the_import_page_refuses_a_damaged_file_kindly(app, client, auth, database_url, make):
    with app.app_context():
        make.facilitator()
    auth.login()
    before = row_counts(database_url)
    response = _upload(client, b'{"format": "samskabt-course", "version": 99}')
    assert response.status_code == 422
    assert 'id="import-error"' in response.text
    assert "99" in response.text
    assert row_counts(database_url) == before
    assert _upload(client, b"").status_code == 422
    missing = client.post("/f/courses/import", data={}, content_type="multipart/form-data")
    assert missing.status_code == 422 and "field-error" in missing.text


def test_the_import_page_refuses_a_file_over_the_limit(app, client, auth, make, monkeypatch):
    from workshop.web import exports as export_views

    monkeypatch.setattr(export_views, "IMPORT_MAX_BYTES", 2000)
    monkeypatch.setattr(export_views, "UPLOAD_OVERHEAD", 500)
    with app.app_context():
        make.facilitator()
    auth.login()
    response = _upload(client, b" " * 5000)
    assert response.status_code == 413
    assert 'id="import-error"' in response.text


def test_the_import_page_accepts_files_larger_than_ordinary_requests(
    app, client, auth, make, demo_export
):
    """The app refuses requests over 256 KB; a course file may be far larger."""
    with app.app_context():
        make.facilitator()
    auth.login()
    body = json.dumps(demo_export, indent=40).encode()  # padding: JSON ignores whitespace
    assert len(body) > app.config["MAX_CONTENT_LENGTH"]
    assert _upload(client, body).status_code == 302


@CSRF_ON
def test_the_import_page_needs_its_csrf_token(app, client, make, database_url, demo_export):
    with app.app_context():
        make.facilitator()
    login_page = client.get("/login")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page.text).group(1)
    client.post(
        "/login",
        data={"email": "facilitator@example.dk", "password": "correct horse", "csrf_token": token},
    )
    before = row_counts(database_url)
    body = json.dumps(demo_export).encode()
    assert _upload(client, body).status_code == 400
    assert _upload(client, body, csrf_token="forged").status_code == 400
    assert row_counts(database_url) == before
    page = client.get("/f/courses/import")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
    assert _upload(client, body, csrf_token=token).status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Course)) == 1


def test_the_cli_exports_and_imports_a_course(app, runner, tmp_path, make):
    with app.app_context():
        course_id = seed_demo().id
        make.facilitator("ny@example.dk")
    path = tmp_path / "kursus.json"
    exported = runner.invoke(args=["course", "export", str(course_id), str(path)])
    assert exported.exit_code == 0, exported.output
    assert json.loads(path.read_text(encoding="utf-8"))["format"] == "samskabt-course"
    imported = runner.invoke(args=["course", "import", str(path), "--facilitator", "NY@example.dk"])
    assert imported.exit_code == 0, imported.output
    assert "Join code:" in imported.output
    with app.app_context():
        courses = db.session.scalars(db.select(Course).order_by(Course.id)).all()
        assert len(courses) == 2
        assert courses[1].facilitator.email == "ny@example.dk"
        assert courses[1].facilitator.email != DEMO_EMAIL


def test_the_cli_writes_to_standard_output_and_refuses_what_it_cannot_do(
    app, runner, tmp_path, make, database_url
):
    with app.app_context():
        course_id = make.course().id
    printed = runner.invoke(args=["course", "export", str(course_id)])
    assert printed.exit_code == 0
    data = json.loads(printed.output)
    assert runner.invoke(args=["course", "export", "999"]).exit_code != 0
    _newer(data)
    path = tmp_path / "nyere.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    before = row_counts(database_url)
    unknown = runner.invoke(args=["course", "import", str(path), "--facilitator", "x@example.dk"])
    assert unknown.exit_code != 0 and "x@example.dk" in unknown.output
    newer = runner.invoke(
        args=["course", "import", str(path), "--facilitator", "facilitator@example.dk"]
    )
    assert newer.exit_code != 0
    assert row_counts(database_url) == before


# --------------------------------------------------------------------------------------
# Hostile files: text and dates
# --------------------------------------------------------------------------------------


def _import_as_new_facilitator(app, make, data):
    with app.app_context():
        facilitator_id = make.facilitator(email="import@example.dk").id
    with app.app_context():
        facilitator = db.session.get(Facilitator, facilitator_id)
        return exchange.import_on_this_server(json.dumps(data), facilitator).course.id


def test_imported_text_is_tidied_as_a_form_would_tidy_it(app, make, demo_export):
    """Control characters, bidirectional overrides and zero-width characters would spoof
    the projector and the PDF; decomposed letters are composed."""
    data = copy.deepcopy(demo_export)
    data["course"]["title"] = "\x1b[31mMindre\x07 bøvl\x7f \u202egnp.exe\u202c\u200b "
    data["cards"][0]["text"] = "Bla\u030a \u2066kort\u2069 med\ufeff \u2060skjult\u200d tegn"
    local = next(r for r in data["requirements"] if r["kind"] == "local")
    local["name_da"] = "\u202eLokal\u202c regel " + local["name_da"]
    local["versions"][-1]["snapshot"]["name_da"] = local["name_da"]
    course_id = _import_as_new_facilitator(app, make, data)
    with app.app_context():
        course = db.session.get(Course, course_id)
        assert course.title == "[31mMindre bøvl gnp.exe"
        cards = db.session.scalars(
            db.select(Card).where(Card.course_id == course_id).order_by(Card.id)
        ).all()
        assert cards[0].text == "Blå kort med skjult tegn"
        rule = next(
            link.requirement
            for card in cards
            for link in card.links
            if link.requirement.is_local and link.requirement.name_da.startswith("Lokal")
        )
        assert "\u202e" not in rule.name_da
        assert all("\u202e" not in str(v.snapshot) for v in rule.versions)


EXTREME_DATES = {
    "the end of the calendar": ("course.created_at", "9999-12-31T23:30:00+00:00"),
    "before UTC began": ("course.created_at", "0001-01-01T00:00:00+01:00"),
    "a card in year 1": ("cards.0.created_at", "0001-01-01T00:00:00+00:00"),
    "no offset, far future": ("answers.0.created_at", "9999-12-31T23:59:59"),
    "a plan in year 9999": ("actions.0.start_date", "9999-12-31"),
    "a lesson due in year 1": ("lessons.0.due", "0001-01-01"),
    "a catalogue version in 1899": ("requirements.0.versions.0.created_at", "1899-12-31T00:00Z"),
}


@pytest.mark.parametrize("path, value", EXTREME_DATES.values(), ids=EXTREME_DATES.keys())
def test_a_file_with_a_date_outside_sane_years_is_refused_kindly(
    app, database_url, make, demo_export, path, value
):
    with app.app_context():
        facilitator_id = make.facilitator().id
    data = copy.deepcopy(demo_export)
    _set(path, value)(data)
    before = row_counts(database_url)
    with in_english(app), pytest.raises(ImportRefused) as refused:
        import_course(json.dumps(data), db.session.get(Facilitator, facilitator_id))
    assert refused.value.code == "date"
    assert "outside the years" in str(refused.value.message)
    assert "Nothing was imported" in str(refused.value.message)
    assert row_counts(database_url) == before


def test_the_import_page_refuses_an_extreme_date_in_danish(app, client, auth, make, demo_export):
    with app.app_context():
        make.facilitator()
    auth.login()
    data = copy.deepcopy(demo_export)
    data["course"]["created_at"] = "0001-01-01T00:00:00+01:00"
    response = _upload(client, json.dumps(data).encode())
    assert response.status_code == 422
    assert "uden for årene 2000–2100 (ved course.created_at)" in response.text


@pytest.mark.parametrize(
    "moment",
    [datetime(9999, 12, 31, 23, 30, tzinfo=UTC), datetime(1, 1, 1, 0, 30, tzinfo=UTC)],
    ids=["year 9999", "year 1"],
)
def test_no_stored_time_breaks_a_page_or_a_download(app, client, auth, make, moment):
    """A time Danish time cannot reach (an hour from either end of Python's calendar, as
    an older import could store) shows in UTC instead of failing the organisation's pages."""
    with app.app_context():
        course = make.course(step=2)
        person = make.participant(course, name="Åse")
        card = make.card(person, "Et kort")
        for row in (course, person, card):
            row.created_at = moment
        db.session.commit()
        course_id = course.id
    auth.login()
    for url in (
        "/f/",
        f"/f/courses/{course_id}",
        f"/f/courses/{course_id}/projector",
        "/f/overview",
        "/f/overview.csv",
        "/f/overview?since=0001-01-01&until=9999-12-31",
        "/f/overview.csv?since=0001-01-01&until=9999-12-31",
        f"/f/courses/{course_id}/export/cards.csv",
        f"/f/courses/{course_id}/export/course.json",
        f"/f/courses/{course_id}/action-plan.pdf",
    ):
        assert client.get(url).status_code == 200, url


# --------------------------------------------------------------------------------------
# Votes in the course file: anonymous towards the facilitator who downloads it
# --------------------------------------------------------------------------------------


def _exported(app, course_id: int) -> dict:
    with app.app_context():
        return json.loads(export_course_json(db.session.get(Course, course_id)))


def _nowhere_a_voter(value) -> bool:
    """No participant, name or role anywhere in the votes, at any depth."""
    text = json.dumps(value)
    return not any(word in text for word in ('"participant', '"name', '"role', "Søren", "leder"))


@pytest.mark.parametrize("state", ["voting", "closed"])
def test_before_the_reveal_the_course_file_holds_no_dots_at_all(app, voted, state):
    """The probe's finding: during voting the file listed every participant's dots beside
    their name and role. Before the reveal the screen shows only how many voted."""
    course_id = voted(reveal=False)
    if state == "closed":
        with app.app_context():
            set_voting_state(db.session.get(Course, course_id), "closed")
    data = _exported(app, course_id)
    assert data["version"] == 2
    assert data["votes"] == {"cards": None, "solutions": None}


def test_after_the_reveal_the_file_has_the_result_as_shown_and_no_voter(app, voted):
    """Three staff and one manager (minimum 3): the split is held back on screen, so the
    file has only the totals; nothing ties a dot to a participant, a name or a role."""
    course_id = voted()
    data = _exported(app, course_id)
    cards = data["votes"]["cards"]
    assert cards == {
        "voters": 4,
        "voters_by_group": None,
        "items": [{"card": 1, "dots": 5}, {"card": 2, "dots": 1}],
    }
    assert data["votes"]["solutions"] is None
    assert _nowhere_a_voter(data["votes"])


def test_the_file_splits_by_role_only_where_the_screen_does(app, voted):
    data = _exported(app, voted(min_group_size=1))
    cards = data["votes"]["cards"]
    assert cards["voters_by_group"] == {"staff": 3, "managers": 1}
    assert cards["items"][0] == {"card": 1, "dots": 5, "by_group": {"staff": 3, "managers": 2}}
    assert _nowhere_a_voter(data["votes"])


def test_the_demo_file_ties_no_dot_to_anyone(demo_export):
    assert _nowhere_a_voter(demo_export["votes"])
    for result in demo_export["votes"].values():
        for item in result["items"]:
            assert set(item) <= {"card", "solution", "dots", "by_group"}


def _results_of(course) -> tuple:
    from workshop.votes import SOLUTIONS, results

    summary = []
    for ballot in (CARDS, SOLUTIONS):
        shown = results(course, ballot)
        summary.append(
            None
            if shown is None
            else (
                [(row.item.text, row.total, row.by_group) for row in shown.rows],
                [(g.key, g.voters, g.shown) for g in shown.groups],
            )
        )
    return tuple(summary)


@pytest.mark.parametrize("min_group_size", [1, 3], ids=["split shown", "split held back"])
def test_an_imported_result_reads_as_the_original_and_keeps_every_budget(
    app, make, voted, min_group_size
):
    from workshop.votes import dots_left, voting_progress

    course_id = voted(min_group_size=min_group_size)
    data = _exported(app, course_id)
    with app.app_context():
        original = _results_of(db.session.get(Course, course_id))
        progress = voting_progress(db.session.get(Course, course_id))
        facilitator = make.facilitator(email="kopi@example.dk")
        copy_ = import_course(json.dumps(data), facilitator).course
        assert _results_of(copy_) == original
        assert voting_progress(copy_) == progress
        assert all(0 <= dots_left(person) <= 5 for person in copy_.participants)
        assert export_course(copy_)["votes"] == data["votes"]


def test_one_dot_per_card_survives_the_round_trip(app, make):
    from workshop.votes import Vote

    with app.app_context():
        course = make.course(step=2, multiple_dots_per_card=False, dot_budget=2)
        people = [make.participant(course) for _ in range(4)]
        cards = [make.card(people[0], f"Kort {n}") for n in range(3)]
        set_voting_state(course, "voting")
        for person in people:
            cast_vote(person, cards[0], 1)
            cast_vote(person, cards[1 + people.index(person) % 2], 1)
        set_voting_state(course, "revealed")
        data = export_course(course)
        copy_ = import_course(json.dumps(data), course.facilitator).course
        dots = db.session.scalars(db.select(Vote.dots).where(Vote.course_id == copy_.id)).all()
        assert set(dots) == {1} and sum(dots) == 8
        assert export_course(copy_)["votes"] == data["votes"]


@pytest.fixture(scope="session")
def demo_export_v1(new_database):
    """The demo course as format 1 wrote it: every participant's dots beside them."""
    from workshop.core.models import Participant, Solution, Vote

    source = create_app(_config(new_database()))
    with source.app_context():
        course = seed_demo()
        data = export_course(course)

        def numbers(model):
            ids = db.session.scalars(
                db.select(model.id).where(model.course_id == course.id).order_by(model.id)
            )
            return {row_id: n for n, row_id in enumerate(ids, 1)}

        people, cards, solutions = numbers(Participant), numbers(Card), numbers(Solution)
        votes = db.session.scalars(
            db.select(Vote).where(Vote.course_id == course.id).order_by(Vote.id)
        ).all()
        data["version"] = 1
        data["votes"] = [
            {
                "participant": people[vote.participant_id],
                "card": cards.get(vote.card_id),
                "solution": solutions.get(vote.solution_id),
                "dots": vote.dots,
            }
            for vote in votes
        ]
        shown = _results_of(course)
    with source.app_context():
        db.engine.dispose()
    return data, shown


def test_a_file_of_format_1_still_imports_with_its_dots(app, make, demo_export_v1):
    data, shown = demo_export_v1
    with app.app_context():
        load_catalogue()
        facilitator = make.facilitator(email="gammel@example.dk")
        copy_ = import_course(json.dumps(data), facilitator).course
        assert _results_of(copy_) == shown
        assert export_course(copy_)["version"] == FORMAT_VERSION


V1_DAMAGED_EDITS = {
    "true for a number": _set("votes.0.dots", True),
    "dots out of range": _set("votes.0.dots", 0),
    "dangling participant": _set("votes.0.participant", 9999),
    "duplicate vote": lambda data: data["votes"].append(dict(data["votes"][0])),
}


@pytest.mark.parametrize("edit", V1_DAMAGED_EDITS.values(), ids=V1_DAMAGED_EDITS.keys())
def test_a_damaged_file_of_format_1_is_refused(app, database_url, make, demo_export_v1, edit):
    with app.app_context():
        facilitator_id = make.facilitator().id
    data = copy.deepcopy(demo_export_v1[0])
    edit(data)
    before = row_counts(database_url)
    with in_english(app), pytest.raises(ImportRefused):
        import_course(json.dumps(data), db.session.get(Facilitator, facilitator_id))
    assert row_counts(database_url) == before


# The tables the course file carries, each with its description in the schema.
FILE_TABLES = {
    models.Course: schema.COURSE,
    models.Participant: schema.PARTICIPANT,
    models.DialogueAnswer: schema.ANSWER,
    models.Requirement: schema.REQUIREMENT,
    models.RequirementVersion: schema.REQUIREMENT_VERSION,
    models.Card: schema.CARD,
    models.CardRequirement: schema.LINK,
    models.CardDepartment: schema.CARD_DEPARTMENT,
    models.Solution: schema.SOLUTION,
    models.Vote: schema.VOTE,
    models.Action: schema.ACTION,
    models.ActionUpdate: schema.ACTION_UPDATE,
    models.Measure: schema.MEASURE,
    models.MeasureEntry: schema.ENTRY,
    models.Lesson: schema.LESSON,
    models.StateFeedback: schema.STATE_FEEDBACK,
    models.CardFeedback: schema.CARD_FEEDBACK,
    models.Touchpoint: schema.TOUCHPOINT,
    models.Meeting: schema.MEETING,
}


@pytest.mark.parametrize("model", FILE_TABLES, ids=lambda model: model.__tablename__)
def test_every_column_of_a_table_in_the_course_file_is_carried_or_left_out_with_a_reason(model):
    columns = {column.name for column in model.__table__.columns}
    carried = {getattr(item, "attribute", "") or item.name for item in FILE_TABLES[model]}
    left_out = schema.LEFT_OUT[model.__tablename__]
    assert columns - carried - set(left_out) == set()
    assert set(left_out) <= columns - carried  # no reason for a column carried or gone
    assert all(reason.strip() for reason in left_out.values())


def test_every_table_that_refers_to_one_in_the_course_file_is_in_it_or_left_out_whole():
    carried = {model.__tablename__ for model in FILE_TABLES}
    belonging = {
        table.name
        for table in db.metadata.sorted_tables
        if {key.column.table.name for key in table.foreign_keys} & carried
    }
    assert belonging - carried - set(schema.TABLES_LEFT_OUT) == set()
    assert set(schema.TABLES_LEFT_OUT) <= belonging - carried
    assert set(schema.LEFT_OUT) == carried


# --------------------------------------------------------------------------------------
# The catalogue beyond LAB (issue 14): sectors and confidence per fact in the course file
# --------------------------------------------------------------------------------------


@pytest.fixture
def linked_to_r25(app, make):
    """A course whose card is linked to R25 (closed to new cases, confidence per fact) and
    to a local rule; returns its export."""
    with app.app_context():
        load_catalogue()
        course = make.course(step=2)
        card = make.card(make.participant(course), "Ressourceforløbet til teamet igen")
        link_requirement(card, "R25")
        rule = add_local_rule(course.facilitator, name="Teammøde hver måned", kind="template")
        link_requirement(card, rule.key)
        return export_course(course)


def test_the_course_file_carries_an_entrys_sectors_and_confidence_per_fact(
    app, make, linked_to_r25
):
    r25 = next(r for r in linked_to_r25["requirements"] if r["key"] == "R25")
    assert r25["sectors"] == ["employment"]
    assert {note["confidence"] for note in r25["confidence_notes"]} == {"verified", "likely"}
    assert r25["status"] == "closed_to_new"
    with app.app_context():
        result = import_course(json.dumps(linked_to_r25), make.facilitator())
        links = db.session.scalars(
            db.select(CardRequirement).join(Card).where(Card.course_id == result.course.id)
        ).all()
        by_key = {link.requirement.key: link for link in links}
        assert not by_key["R25"].is_outdated
        assert by_key["R25"].as_linked["confidence_notes"] == r25["confidence_notes"]
        assert result.notes == []


def test_a_course_file_written_before_sectors_and_confidence_notes_still_imports(
    app, make, linked_to_r25
):
    old = copy.deepcopy(linked_to_r25)
    for record in old["requirements"]:
        del record["sectors"], record["confidence_notes"]
    with app.app_context():
        result = import_course(json.dumps(old), make.facilitator(email="ny@example.dk"))
        rules = db.session.scalars(db.select(Requirement).where(Requirement.kind == "local")).all()
        assert result.course is not None
        assert all(rule.sectors == [] and rule.confidence_notes == [] for rule in rules)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("sectors", ["employmnet"]),
        ("sectors", ["social", "social"]),
        ("confidence_notes", [{"fact": "Datoen", "confidence": "certain"}]),
        ("confidence_notes", [{"fact": "Datoen"}]),
    ],
)
def test_an_unknown_sector_or_a_bad_confidence_note_in_a_file_is_refused(
    app, make, linked_to_r25, field, value
):
    bad = copy.deepcopy(linked_to_r25)
    next(r for r in bad["requirements"] if r["kind"] == "local")[field] = value
    with app.app_context(), pytest.raises(ImportRefused):
        import_course(json.dumps(bad), make.facilitator(email="ny@example.dk"))
