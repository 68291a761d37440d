"""The audit trail (issue 19 part 3): each audited action writes its line with the right
actor, organisation and course, and never a participant's words or a password; only the
organisation's admin reads the lines (page and CSV); the retention purge is the only way a
line goes, and the database refuses to change one."""

from __future__ import annotations

import io
import re
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from app import create_app
from workshop.audit import ACTIONS, purge, record
from workshop.core.extensions import db
from workshop.core.models import (
    AuditEvent,
    Course,
    DialogueAnswer,
    ManagerLink,
    Participant,
    Solution,
)
from workshop.exchange import export_course_json

from .worlds import build_world

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse"
TEST_SETTINGS = {"TESTING": True, "SECRET_KEY": "test-secret", "WTF_CSRF_ENABLED": False}


@pytest.fixture
def world(app, make):
    return build_world(app, make)


def lines(app, **where) -> list[AuditEvent]:
    with app.app_context():
        query = select(AuditEvent).order_by(AuditEvent.id)
        for name, value in where.items():
            query = query.where(getattr(AuditEvent, name) == value)
        found = db.session.scalars(query).all()
        db.session.expunge_all()
        return list(found)


def the_line(app, action: str) -> AuditEvent:
    found = lines(app, action=action)
    assert len(found) == 1, [(line.action, line.detail) for line in lines(app)]
    return found[0]


def whole_table(app) -> str:
    """Every column of every line, as one text to search for words that must not be there."""
    with app.app_context():
        rows = db.session.execute(text("SELECT * FROM audit_event")).all()
    return "\n".join(repr(tuple(row)) for row in rows)


def login(client, email: str, password: str = PASSWORD):
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, response.text
    return response


def facilitator_id(app, email: str) -> int:
    from workshop.facilitators import find_facilitator

    with app.app_context():
        return find_facilitator(email).id


# --- Logins and logouts ----------------------------------------------------------------------


def test_a_login_is_recorded_with_the_facilitator_their_organisation_and_address(
    app, client, world
):
    a, _b = world
    login(client, a.facilitator_email)
    line = the_line(app, "login")
    assert line.actor_id == a.facilitator and line.actor_email == a.facilitator_email
    assert line.organisation_id == a.organisation
    assert line.client_address == "127.0.0.1"
    assert line.at is not None and line.course_id is None


def test_a_failed_login_with_a_known_email_names_the_facilitator_and_never_the_password(
    app, client, world
):
    a, _b = world
    refused = client.post("/login", data={"email": a.facilitator_email, "password": "Hemmelig1!"})
    assert refused.status_code == 422
    line = the_line(app, "login_failed")
    assert line.actor_id is None and line.organisation_id == a.organisation
    assert (line.target_kind, line.target_id) == ("facilitator", a.facilitator)
    assert line.detail == {"reason": "password"}
    assert "Hemmelig1!" not in whole_table(app)
    assert not lines(app, action="login")


def test_a_failed_login_with_an_unknown_email_keeps_only_a_keyed_hash_of_it(app, client, world):
    client.post("/login", data={"email": "ukendt@eksempel.dk", "password": "Hemmelig1!"})
    client.post("/login", data={"email": " UKENDT@eksempel.dk", "password": "andet"})
    first, second = lines(app, action="login_failed")
    assert first.organisation_id is None and first.target_id is None
    assert first.detail["reason"] == "unknown_email"
    assert re.fullmatch(r"[0-9a-f]{32}", first.detail["email_key"])
    assert first.detail["email_key"] == second.detail["email_key"]  # the same address
    table = whole_table(app).lower()
    assert "ukendt" not in table and "hemmelig" not in table and "andet" not in table


def test_a_logout_is_recorded(app, client, world):
    a, _b = world
    login(client, a.facilitator_email)
    client.post("/logout")
    line = the_line(app, "logout")
    assert line.actor_id == a.facilitator and line.organisation_id == a.organisation


# --- Role changes -----------------------------------------------------------------------------


def test_admin_on_and_off_deactivation_and_reactivation_are_recorded(app, client, world):
    a, _b = world
    login(client, a.admin_email)
    admin_id = facilitator_id(app, a.admin_email)
    base = f"/f/organisation/facilitators/{a.colleague}"
    for path, value in (("admin", "1"), ("admin", "0"), ("active", "0"), ("active", "1")):
        assert client.post(f"{base}/{path}", data={"value": value}).status_code == 302
    codes = [line.action for line in lines(app) if line.action != "login"]
    assert codes == [
        "admin_granted",
        "admin_revoked",
        "facilitator_deactivated",
        "facilitator_activated",
    ]
    for line in lines(app, target_kind="facilitator"):
        assert line.actor_id == admin_id and line.target_id == a.colleague
        assert line.organisation_id == a.organisation


def test_pressing_a_role_button_for_what_already_holds_records_nothing(app, client, world):
    a, _b = world
    login(client, a.admin_email)
    client.post(f"/f/organisation/facilitators/{a.colleague}/active", data={"value": "1"})
    assert [line.action for line in lines(app)] == ["login"]


def test_a_new_facilitator_added_by_an_admin_is_recorded_without_the_password(app, client, world):
    a, _b = world
    login(client, a.admin_email)
    client.post(
        "/f/organisation/facilitators",
        data={"email": "ny@example.dk", "password": "Startkode-9", "is_admin": ""},
    )
    line = the_line(app, "facilitator_added")
    assert line.target_id == facilitator_id(app, "ny@example.dk")
    assert line.actor_id == facilitator_id(app, a.admin_email)
    assert line.detail == {"admin": False}
    assert "Startkode-9" not in whole_table(app)


def test_a_new_password_on_the_command_line_is_recorded_but_not_the_password(app, world):
    a, _b = world
    result = app.test_cli_runner().invoke(
        args=["facilitator", "password", a.facilitator_email, "--password", "Nyt-kodeord-7"]
    )
    assert result.exit_code == 0, result.output
    line = the_line(app, "password_changed")
    assert line.actor_id is None and line.detail == {"via": "cli"}
    assert (line.target_id, line.organisation_id) == (a.facilitator, a.organisation)
    assert "Nyt-kodeord-7" not in whole_table(app)


# --- Courses ------------------------------------------------------------------------------------


def test_creating_a_course_is_recorded_with_its_id_and_title(app, client, world):
    a, _b = world
    login(client, a.facilitator_email)
    response = client.post(
        "/f/courses/new",
        data={"title": "Nyt forløb", "municipality": "Fjordby Kommune", "dot_budget": 4,
              "min_group_size": 2},
    )  # fmt: skip
    assert response.status_code == 302
    line = the_line(app, "course_created")
    assert line.course_id == int(response.headers["Location"].rsplit("/", 1)[1])
    assert line.course_title == "Nyt forløb" and line.actor_id == a.facilitator


def test_a_copied_course_is_recorded_as_created_from_the_original(app, client, world):
    a, _b = world
    login(client, a.facilitator_email)
    response = client.post(f"/f/courses/{a.course}/copy")
    assert response.status_code == 302
    line = the_line(app, "course_created")
    assert line.course_id == int(response.headers["Location"].split("/")[3]) != a.course
    assert line.detail == {"copied_from": a.course}


def test_a_deleted_course_keeps_its_lines_with_the_id_and_title_copied(app, client, world):
    a, _b = world
    login(client, a.facilitator_email)
    client.get(f"/f/courses/{a.course}/export/cards.csv")
    done = client.post(f"/f/courses/{a.course}/delete", data={"confirm_title": "Kursus A"})
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(Course, a.course) is None
    line = the_line(app, "course_deleted")
    assert (line.course_id, line.course_title, line.actor_id) == (
        a.course,
        "Kursus A",
        a.facilitator,
    )
    assert the_line(app, "exported").course_id == a.course  # the earlier line survives too


def test_course_purge_records_each_purged_course_and_keeps_the_line(app, world):
    a, b = world
    from .test_redaction_and_retention import _age

    _age(app, a.course, 400)
    with app.app_context():
        # B stays: a card written yesterday.
        from workshop.core.models import Card

        recent = datetime.now(UTC) - timedelta(days=1)
        db.session.execute(update(Card).where(Card.id == b.card3).values(created_at=recent))
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["course", "purge", "--older-than", "365", "--yes"])
    assert result.exit_code == 0, result.output
    line = the_line(app, "course_purged")
    assert (line.course_id, line.course_title) == (a.course, "Kursus A")
    assert line.actor_id is None and line.organisation_id == a.organisation
    assert line.detail == {"via": "cli", "days": 365}


# --- Redaction: which item, never the words -----------------------------------------------------


def test_redacting_a_card_records_the_card_and_never_its_words(app, client, make, world):
    a, _b = world
    with app.app_context():
        owner = db.session.get(Participant, a.owner)
        card = make.card(owner, "Jens Hansen fra Vestergade fik afslag")
        card_id = card.id
    login(client, a.facilitator_email)
    done = client.post(f"/f/courses/{a.course}/cards/{card_id}/redact", data={"confirm": "y"})
    assert done.status_code == 302
    line = the_line(app, "redacted")
    assert (line.target_kind, line.target_id, line.course_id) == ("card", card_id, a.course)
    assert line.actor_id == a.facilitator
    table = whole_table(app)
    assert "Jens" not in table and "Hansen" not in table and "Vestergade" not in table


def test_redacting_an_answer_and_a_solution_records_their_kind_and_id(app, client, world):
    a, _b = world
    with app.app_context():
        answer_text = db.session.get(DialogueAnswer, a.answer).text
        solution_text = db.session.get(Solution, a.solution).text
    login(client, a.facilitator_email)
    client.post(f"/f/courses/{a.course}/answers/{a.answer}/redact", data={"confirm": "y"})
    client.post(f"/f/courses/{a.course}/solutions/{a.solution}/redact", data={"confirm": "y"})
    found = [(line.target_kind, line.target_id) for line in lines(app, action="redacted")]
    assert found == [("answer", a.answer), ("solution", a.solution)]
    table = whole_table(app)
    assert answer_text not in table and solution_text not in table


# --- Downloads and imports ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "file"),
    [
        ("export/cards.csv", "cards_csv"),
        ("export/actions.csv", "actions_csv"),
        ("export/entries.csv", "entries_csv"),
        ("export/course.json", "course_json"),
        ("state-feedback.csv", "state_feedback_csv"),
    ],
)
def test_each_download_is_recorded_with_the_course_and_the_file(app, client, world, path, file):
    a, _b = world
    login(client, a.facilitator_email)
    assert client.get(f"/f/courses/{a.course}/{path}").status_code == 200
    line = the_line(app, "exported")
    assert (line.course_id, line.course_title, line.actor_id) == (
        a.course,
        "Kursus A",
        a.facilitator,
    )
    assert line.detail == {"file": file}
    assert "Andet kort A" not in whole_table(app)  # the file's contents stay out


def test_the_pdfs_are_recorded_for_the_facilitator_and_through_a_manager_link(app, client, world):
    a, _b = world
    login(client, a.facilitator_email)
    assert client.get(f"/f/courses/{a.course}/action-plan.pdf").status_code == 200
    assert client.get(f"/f/courses/{a.course}/state-feedback.pdf").status_code == 200
    client.post("/logout")
    assert client.get(f"/m/{a.token}/action-plan.pdf").status_code == 200
    assert client.get(f"/m/{a.token}/state-feedback.pdf").status_code == 200
    found = [(line.actor_id, line.course_id, line.detail) for line in lines(app, action="exported")]
    assert found == [
        (a.facilitator, a.course, {"file": "action_plan_pdf"}),
        (a.facilitator, a.course, {"file": "state_feedback_pdf"}),
        (None, a.course, {"file": "action_plan_pdf", "via": "manager_link"}),
        (None, a.course, {"file": "state_feedback_pdf", "via": "manager_link"}),
    ]
    # The manager's downloads belong to the course's organisation.
    assert {line.organisation_id for line in lines(app, action="exported")} == {a.organisation}


def test_an_imported_course_is_recorded_as_the_new_course(app, client, world):
    a, _b = world
    with app.app_context():
        body = export_course_json(db.session.get(Course, a.course))
    login(client, a.facilitator_email)
    response = client.post(
        "/f/courses/import",
        data={"file": (io.BytesIO(body), "kursus.json")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    line = the_line(app, "imported")
    new_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert line.course_id == new_id != a.course and line.actor_id == a.facilitator
    assert line.detail == {"via": "upload"}


# --- Manager links and the experience bank ----------------------------------------------------


def test_a_manager_link_made_and_revoked_is_recorded_once_each(app, client, world):
    a, _b = world
    login(client, a.facilitator_email)
    client.post(f"/f/courses/{a.course}/manager-links", data={"label": "Borgmester Jens"})
    with app.app_context():
        link_id = db.session.scalar(
            select(ManagerLink.id).where(ManagerLink.label == "Borgmester Jens")
        )
    yes = {"confirmed": "1"}
    client.post(f"/f/courses/{a.course}/manager-links/{link_id}/revoke", data=yes)
    client.post(f"/f/courses/{a.course}/manager-links/{link_id}/revoke", data=yes)  # twice
    made, revoked = the_line(app, "manager_link_created"), the_line(app, "manager_link_revoked")
    for line in (made, revoked):
        assert (line.target_kind, line.target_id, line.course_id) == (
            "manager_link",
            link_id,
            a.course,
        )
    assert "Borgmester" not in whole_table(app)


def test_a_share_made_and_withdrawn_is_recorded(app, client, make):
    from workshop.catalogue import load_catalogue

    from .bank_support import shareable_course

    with app.app_context():
        load_catalogue()
        a = shareable_course(make, "a@bakkedal.dk", "Bakkedal Kommune", label="A")
    login(client, "a@bakkedal.dk")
    review = client.post(f"/f/courses/{a.course}/share", data={"step": "review"})
    revision = re.search(r'name="revision" value="([\d.]+)"', review.text).group(1)
    shared = client.post(
        f"/f/courses/{a.course}/share", data={"step": "confirm", "revision": revision}
    )
    assert shared.status_code == 302
    client.post(f"/f/courses/{a.course}/share/withdraw")
    made, withdrawn = the_line(app, "share_made"), the_line(app, "share_withdrawn")
    assert made.course_id == withdrawn.course_id == a.course
    assert made.target_kind == "share" and made.target_id == withdrawn.target_id
    assert made.detail == {"replaced": False}
    table = whole_table(app)
    assert not any(name in table for name in a.names)


# --- Who reads it -------------------------------------------------------------------------------


def test_a_facilitator_who_is_not_admin_is_refused_the_page_and_the_csv(app, client, world):
    a, _b = world
    login(client, a.colleague_email)
    assert client.get("/f/organisation/audit").status_code == 403
    assert client.get("/f/organisation/audit.csv").status_code == 403
    assert "Revisionsspor" not in client.get("/f/organisation").text  # no link to it either


def test_another_organisations_admin_sees_none_of_its_lines(app, client, world):
    a, b = world
    with app.app_context():
        record("exported", actor=None, course=db.session.get(Course, a.course),
               detail={"file": "cards_csv"})  # fmt: skip
    login(client, b.facilitator_email)  # B is the admin of the other organisation
    page = client.get(f"/f/organisation/audit?course={a.course}")
    assert page.status_code == 200
    assert "Kursus A" not in page.text and "Ingen linjer passer." in page.text
    csv = client.get(f"/f/organisation/audit.csv?course={a.course}").data.decode("utf-8-sig")
    assert "Kursus A" not in csv and len(csv.strip().splitlines()) == 1  # the header only


def test_the_admin_page_filters_by_action_facilitator_course_and_date(app, client, world):
    a, _b = world
    login(client, a.facilitator_email)
    client.get(f"/f/courses/{a.course}/export/cards.csv")
    login(client, a.admin_email)
    page = client.get("/f/organisation/audit")
    assert page.status_code == 200 and 'id="audit-lines"' in page.text
    assert "3 linjer" in page.text  # two logins and the download
    by_action = client.get("/f/organisation/audit?action=exported")
    assert "1 linje" in by_action.text and "Kursus A" in by_action.text
    by_person = client.get(f"/f/organisation/audit?facilitator={a.facilitator}")
    assert "2 linjer" in by_person.text and a.admin_email not in by_person.text.split("<tbody>")[1]
    by_course = client.get(f"/f/organisation/audit?course={a.course}")
    assert "1 linje" in by_course.text
    today = datetime.now(UTC).date()
    before = client.get(f"/f/organisation/audit?until={today - timedelta(days=1)}")
    assert "Ingen linjer passer." in before.text
    assert "3 linjer" in client.get(f"/f/organisation/audit?since={today}&until={today}").text


def test_the_admin_page_names_the_facilitator_a_failed_login_was_for(app, client, world):
    a, _b = world
    client.post("/login", data={"email": a.colleague_email, "password": "forkert-kode"})
    login(client, a.admin_email)
    page = client.get("/f/organisation/audit?action=login_failed")
    assert "Mislykket login" in page.text
    assert a.colleague_email in page.text.split("<tbody>")[1]
    wrong = client.get("/f/organisation/audit?since=31-12-2026")
    assert wrong.status_code == 422 and "YYYY-MM-DD" not in wrong.text  # said in Danish


def test_the_admin_page_is_paged_newest_first(app, client, world):
    a, _b = world
    with app.app_context():
        course = db.session.get(Course, a.course)
        for number in range(55):
            record("exported", actor=None, course=course, detail={"file": "cards_csv", "n": number})
    login(client, a.admin_email)
    first = client.get("/f/organisation/audit")
    assert "56 linjer" in first.text and "Side 1 af 2" in first.text
    assert "login" not in first.text.split("<tbody>")[1].split("</tbody>")[0].lower()
    second = client.get("/f/organisation/audit?page=2")
    assert "Side 2 af 2" in second.text and "n: 0" in second.text and "n: 54" not in second.text


def test_the_csv_is_for_danish_excel_and_follows_the_filters(app, client, world):
    a, _b = world
    login(client, a.facilitator_email)
    client.get(f"/f/courses/{a.course}/export/cards.csv")
    login(client, a.admin_email)
    response = client.get("/f/organisation/audit.csv?action=exported")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="revisionsspor-' in response.headers["Content-Disposition"]
    body = response.data
    assert body.startswith(b"\xef\xbb\xbf") and b"\r\n" in body
    rows = [row.split(";") for row in body.decode("utf-8-sig").strip().split("\r\n")]
    assert rows[0][:4] == ["Tidspunkt (UTC)", "Facilitator", "Facilitator-id", "Handling"]
    assert len(rows) == 2  # only the one download (not the logins)
    assert rows[1][1:6] == [a.facilitator_email, str(a.facilitator), "Downloadet", "exported",
                            "Kursus A"]  # fmt: skip
    assert rows[1][-1] == "file: cards_csv"
    # Reading the trail out is itself recorded.
    assert lines(app, action="exported")[-1].detail == {"file": "audit_csv"}


# --- Kept for a period, then gone; never changed ---------------------------------------------------


@contextmanager
def started_again(app):
    """The app made anew on the same database: it reads the environment as it is now."""
    again = create_app(
        {**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]}
    )
    try:
        yield again
    finally:
        with again.app_context():
            db.engine.dispose()


def _old_line(app, days: int) -> None:
    with app.app_context():
        db.session.add(
            AuditEvent(at=datetime.now(UTC) - timedelta(days=days), action="login", detail={})
        )
        db.session.commit()


def test_audit_purge_removes_only_lines_older_than_the_retention(app, world, monkeypatch):
    _old_line(app, 800)
    _old_line(app, 100)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["audit", "purge"])  # default 730 days
    assert result.exit_code == 0 and "Removed 1 audit lines older than 730 days." in result.output
    assert len(lines(app)) == 1
    monkeypatch.setenv("SAMSKABT_AUDIT_DAYS", "30")
    with started_again(app) as restarted:  # as each `flask audit purge` reads the environment
        runner = restarted.test_cli_runner()
        assert (
            "Removed 1 audit lines older than 30 days."
            in runner.invoke(args=["audit", "purge"]).output
        )
    assert lines(app) == []


def test_course_purge_also_applies_the_audit_retention(app, world, monkeypatch):
    monkeypatch.setenv("SAMSKABT_AUDIT_DAYS", "90")
    _old_line(app, 100)
    _old_line(app, 10)
    with started_again(app) as restarted:
        result = restarted.test_cli_runner().invoke(
            args=["course", "purge", "--older-than", "365", "--yes"]
        )
    assert "Removed 1 audit lines older than 90 days." in result.output
    assert len(lines(app)) == 1


def test_a_line_cannot_hold_free_text(app):
    with app.app_context(), pytest.raises(ValueError):
        record("exported", actor=None, detail={"note": "Jens Hansen fik afslag"})
    with app.app_context(), pytest.raises(ValueError):
        record("no_such_action", actor=None)


def test_the_database_refuses_to_change_a_line(app, world):
    with app.app_context():
        record("login", actor=None)
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(update(AuditEvent).values(action="logout"))
            db.session.flush()
        db.session.rollback()
    assert [line.action for line in lines(app)] == ["login"]


def test_on_postgresql_only_the_purge_may_delete_a_line(app, world, db_kind):
    if db_kind != "postgresql":
        pytest.skip("postgresql only: SQLite's trigger refuses UPDATE; DELETE is the purge's")
    _old_line(app, 800)
    with app.app_context():
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(delete(AuditEvent))
            db.session.flush()
        db.session.rollback()
        assert purge(730) == 1
        # The purge's permission ended with its transaction.
        record("login", actor=None)
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(delete(AuditEvent))
        db.session.rollback()


def test_the_app_has_no_path_that_changes_or_deletes_a_line():
    """Only workshop/audit.py touches AuditEvent, and its one delete is the purge."""
    sources = [*ROOT.joinpath("workshop").rglob("*.py"), *ROOT.joinpath("steps").rglob("*.py"),
               ROOT / "app.py"]  # fmt: skip
    touching = {
        path.relative_to(ROOT).as_posix()
        for path in sources
        if "AuditEvent" in path.read_text() or "audit_event" in path.read_text()
    }
    assert touching == {"workshop/audit.py", "workshop/core/models.py"}
    audit = ROOT.joinpath("workshop", "audit.py").read_text()
    assert audit.count(".delete(") == 1 and audit.count("update(") == 0
    purge_body = audit.split("def purge(")[1]
    assert ".delete(" in purge_body


def test_every_action_has_a_label_in_danish(app):
    from flask_babel import force_locale

    with app.test_request_context():
        with force_locale("en"):
            english = {code: str(label) for code, label in ACTIONS.items()}
        with force_locale("da"):
            untranslated = [code for code, label in ACTIONS.items() if str(label) == english[code]]
    assert untranslated == []
