"""The facilitator redacts a card, an answer or a solution; a course is deleted with all
its data, from the control panel or by the retention CLI."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func, select, update

from workshop.cards import redact_card
from workshop.core.clock import as_utc, local_today
from workshop.core.extensions import db
from workshop.core.models import (
    Card,
    CardRequirement,
    Course,
    DialogueAnswer,
    Meeting,
    Participant,
    Requirement,
    Solution,
    Vote,
)
from workshop.courses import courses_inactive_since, delete_course, last_activity
from workshop.meetings import plan_meeting

from .worlds import build_world, checksum, row_counts

MARKER_DA = "[Redigeret af facilitator]"
SECRET = "Borger Jens Hansen 010190-1234"


@pytest.fixture
def world(app, make):
    return build_world(app, make)


def _login(client, app, email):
    from workshop.facilitators import find_facilitator

    with app.app_context():
        user_id = find_facilitator(email).get_id()
    with client.session_transaction() as session:
        session["_user_id"] = user_id
        session["_fresh"] = True


def _put_secret_in_card(app, card_id):
    with app.app_context():
        db.session.execute(
            update(Card).where(Card.id == card_id).values(text=SECRET, original_text=SECRET)
        )
        db.session.commit()


def _everything_as_text() -> str:
    from .worlds import tables

    return "\n".join(
        repr(tuple(row)) for table in tables() for row in db.session.execute(select(table))
    )


# --- Redaction ----------------------------------------------------------------------------


def test_redacting_a_card_replaces_both_texts_and_keeps_place_dots_and_links(app, world):
    a, _b = world
    _put_secret_in_card(app, a.card2)  # card2 has a dot and a catalogue link
    with app.app_context():
        card = db.session.get(Card, a.card2)
        priority, course_revision = card.priority, card.course.revision
        redact_card(card)
        card = db.session.get(Card, a.card2)
        assert card.text == card.original_text
        assert card.text != SECRET and "Jens" not in card.text
        assert card.priority == priority and card.course.revision > course_revision
        assert db.session.scalar(select(func.count()).where(Vote.card_id == card.id)) == 1
        assert (
            db.session.scalar(select(func.count()).where(CardRequirement.card_id == card.id)) == 1
        )
        assert "Jens Hansen" not in _everything_as_text()


def test_the_redaction_marker_is_in_danish_for_the_room(app, world):
    a, _b = world
    with app.app_context():
        redact_card(db.session.get(Card, a.card2))
        text = db.session.get(Card, a.card2).text
    # Danish once the lead's translations are in; the English msgid until then.
    assert text in (MARKER_DA, "[Redacted by the facilitator]")


def test_the_facilitator_must_tick_the_box_before_a_card_is_redacted(app, client, world):
    a, _b = world
    _put_secret_in_card(app, a.card2)
    _login(client, app, a.facilitator_email)
    url = f"/f/courses/{a.course}/cards/{a.card2}/redact"
    refused = client.post(url, data={}, query_string={"lang": "en"})
    assert refused.status_code == 422
    assert 'id="redact-confirm"' in refused.text
    with app.app_context():
        assert db.session.get(Card, a.card2).text == SECRET
    done = client.post(url, data={"confirm": "y"})
    assert done.status_code == 302
    assert done.headers["Location"].startswith(f"/f/courses/{a.course}/cards/{a.card2}")
    page = client.get(done.headers["Location"])
    assert "Jens Hansen" not in page.text
    with app.app_context():
        card = db.session.get(Card, a.card2)
        assert "Jens" not in card.text and "Jens" not in card.original_text


def test_the_card_page_offers_the_redaction_with_a_confirmation(app, client, world):
    a, _b = world
    _login(client, app, a.facilitator_email)
    page = client.get(f"/f/courses/{a.course}/cards/{a.card2}")
    assert f'action="/f/courses/{a.course}/cards/{a.card2}/redact"' in page.text
    assert 'type="checkbox"' in page.text and 'id="redact-confirm"' in page.text


def test_the_old_words_are_logged_nowhere(app, client, world, caplog):
    a, _b = world
    _put_secret_in_card(app, a.card2)
    _login(client, app, a.facilitator_email)
    with caplog.at_level(logging.DEBUG):
        client.post(f"/f/courses/{a.course}/cards/{a.card2}/redact", data={"confirm": "y"})
        client.get(f"/f/courses/{a.course}")
    assert "Jens" not in caplog.text
    projector = client.get(f"/f/courses/{a.course}/projector")
    assert "Jens" not in projector.text


def test_another_facilitator_cannot_redact(app, client, world):
    a, b = world
    _put_secret_in_card(app, a.card2)
    _login(client, app, b.facilitator_email)
    response = client.post(f"/f/courses/{a.course}/cards/{a.card2}/redact", data={"confirm": "y"})
    assert response.status_code == 404
    with app.app_context():
        assert db.session.get(Card, a.card2).text == SECRET


def test_an_answer_is_redacted_after_a_confirmation_page(app, client, world):
    a, _b = world
    _login(client, app, a.facilitator_email)
    url = f"/f/courses/{a.course}/answers/{a.answer}/redact"
    page = client.get(url)
    assert page.status_code == 200 and "Svar fra A" in page.text
    assert client.post(url, data={}).status_code == 422
    with app.app_context():
        assert db.session.get(DialogueAnswer, a.answer).text == "Svar fra A"
    assert client.post(url, data={"confirm": "y"}).status_code == 302
    with app.app_context():
        answer = db.session.get(DialogueAnswer, a.answer)
        assert answer.text != "Svar fra A" and not answer.hidden


def test_a_solution_is_redacted_and_its_action_renamed(app, client, world):
    a, _b = world
    _login(client, app, a.facilitator_email)
    url = f"/f/courses/{a.course}/solutions/{a.solution}/redact"
    assert client.post(url, data={}).status_code == 422
    assert client.post(url, data={"confirm": "y"}).status_code == 302
    with app.app_context():
        solution = db.session.get(Solution, a.solution)
        assert solution.text == solution.original_text != "Løsning A"
        assert solution.chosen and solution.action.title == solution.text
        assert "Løsning A" not in _everything_as_text()


# --- Deleting a course ---------------------------------------------------------------------


def test_deleting_a_course_deletes_every_row_of_it_and_nothing_else(app, make):
    """Counted in every table: A's rows go, B's stay, the catalogue and the local rules stay."""
    a, b = build_world(app, make, catalogue=True)
    with app.app_context():
        before = row_counts()
        law = db.session.scalar(
            select(func.count()).select_from(Requirement).where(Requirement.kind == "law")
        )
        assert law > 0
        # What A has in each table, counted first, so the test says what had to go.
        course_a = db.session.get(Course, a.course)
        owned = {name: count for name, count in _rows_of_course(a.course).items() if count}
        assert set(owned) >= {
            "course",
            "participant",
            "dialogue_answer",
            "card",
            "card_requirement",
            "vote",
            "solution",
            "action",
            "action_update",
            "measure",
            "measure_entry",
            "lesson",
            "manager_link",
        }
        # A shared its results with the experience bank; B copied a solution from it.
        from workshop.core.models import Share, SharedSolution
        from workshop.experience import copy_shared_solution, share_course

        share_course(course_a, course_a.facilitator, texts={f"solution-{a.solution}": "Løsning A"})
        shared_id = db.session.scalar(select(SharedSolution.id).where(SharedSolution.text != ""))
        course_b = db.session.get(Course, b.course)
        copy = copy_shared_solution(course_b, db.session.get(Card, b.card), shared_id).id
        # Its action plan was downloaded: the rendered PDF is kept for the next download.
        with app.test_request_context("/"):
            from workshop.reports.pdf import action_plan_pdf

            action_plan_pdf(db.session.get(Course, a.course))
        # A vote started over a moment ago: its dots wait a minute for an undo.
        from workshop.core.models import ClearedVotes

        db.session.add(ClearedVotes(course_id=a.course, ballot="cards", votes="[]"))
        db.session.commit()
        owned = {name: count for name, count in _rows_of_course(a.course).items() if count}
        assert {
            "share",
            "shared_challenge",
            "shared_solution",
            "rendered_pdf",
            "cleared_votes",
        } <= set(owned)
        before = row_counts()
        b_rows = _rows_of_course(b.course)
        delete_course(course_a)
        after = row_counts()
        for table, count in before.items():
            assert after[table] == count - owned.get(table, 0), table
        assert _rows_of_course(a.course) == dict.fromkeys(b_rows, 0)
        assert _rows_of_course(b.course) == b_rows
        assert (
            db.session.scalar(
                select(func.count()).select_from(Requirement).where(Requirement.kind == "law")
            )
            == law
        )
        assert db.session.scalar(select(func.count()).select_from(Share)) == 0
        assert db.session.get(Solution, copy) is not None  # B's copy is B's
        # The facilitator's own rule is theirs, not the course's.
        assert db.session.scalar(select(Requirement).where(Requirement.key == a.local_rule))


def _rows_of_course(course_id: int) -> dict[str, int]:
    """How many rows each course table holds for one course."""
    from workshop.core.models import (
        Action,
        ActionUpdate,
        CardBox,
        CardDepartment,
        CardFeedback,
        ClearedVotes,
        Lesson,
        ManagerLink,
        Measure,
        MeasureEntry,
        RenderedPdf,
        SentReminder,
        Share,
        SharedChallenge,
        SharedRequirement,
        SharedSolution,
        StateFeedback,
        Touchpoint,
    )

    actions = select(Action.id).where(Action.course_id == course_id)
    measures = select(Measure.id).where(Measure.action_id.in_(actions))
    cards = select(Card.id).where(Card.course_id == course_id)
    shares = select(Share.id).where(Share.course_id == course_id)
    shared_challenges = select(SharedChallenge.id).where(SharedChallenge.share_id.in_(shares))

    def count(model, condition):
        return db.session.scalar(select(func.count()).select_from(model).where(condition))

    return {
        "course": count(Course, Course.id == course_id),
        "participant": count(Participant, Participant.course_id == course_id),
        "dialogue_answer": count(DialogueAnswer, DialogueAnswer.course_id == course_id),
        "card": count(Card, Card.course_id == course_id),
        "card_requirement": count(CardRequirement, CardRequirement.card_id.in_(cards)),
        "card_department": count(CardDepartment, CardDepartment.card_id.in_(cards)),
        "card_box": count(CardBox, CardBox.course_id == course_id),
        "touchpoint": count(Touchpoint, Touchpoint.course_id == course_id),
        "vote": count(Vote, Vote.course_id == course_id),
        "cleared_votes": count(ClearedVotes, ClearedVotes.course_id == course_id),
        "solution": count(Solution, Solution.course_id == course_id),
        "action": count(Action, Action.course_id == course_id),
        "action_update": count(ActionUpdate, ActionUpdate.action_id.in_(actions)),
        "measure": count(Measure, Measure.action_id.in_(actions)),
        "measure_entry": count(MeasureEntry, MeasureEntry.measure_id.in_(measures)),
        "lesson": count(Lesson, Lesson.course_id == course_id),
        "manager_link": count(ManagerLink, ManagerLink.course_id == course_id),
        "state_feedback": count(StateFeedback, StateFeedback.course_id == course_id),
        "card_feedback": count(CardFeedback, CardFeedback.course_id == course_id),
        "meeting": count(Meeting, Meeting.course_id == course_id),
        "sent_reminder": count(SentReminder, SentReminder.course_id == course_id),
        "rendered_pdf": count(RenderedPdf, RenderedPdf.course_id == course_id),
        "share": count(Share, Share.course_id == course_id),
        "shared_challenge": count(SharedChallenge, SharedChallenge.share_id.in_(shares)),
        "shared_requirement": count(
            SharedRequirement, SharedRequirement.challenge_id.in_(shared_challenges)
        ),
        "shared_solution": count(
            SharedSolution, SharedSolution.challenge_id.in_(shared_challenges)
        ),
    }


def test_every_table_is_counted_by_the_deletion_test(app):
    """A new table must be added to _rows_of_course (or be declared not course data)."""
    from .worlds import NOT_COURSE_DATA, tables

    with app.app_context():
        names = {table.name for table in tables()}
        counted = set(_rows_of_course(1))
    # The organisation's own records (its single sign-on too) and the catalogue stay.
    catalogue = {
        "facilitator",
        "organisation",
        "sign_on",
        "department",
        "requirement",
        "requirement_version",
        "requirement_correction",  # an organisation's correction of a law entry
    }
    # The audit trail outlives a deleted course on purpose (its own retention, issue 19).
    kept_after_deletion = {"audit_event"}
    assert names - NOT_COURSE_DATA == counted | catalogue | kept_after_deletion


def test_deleting_merged_cards_works_whatever_their_order(app, make):
    with app.app_context():
        course = make.course(step=2)
        anne = make.participant(course)
        first, second, third = make.card(anne), make.card(anne), make.card(anne)
        from workshop.cards import merge_cards

        merge_cards(first, [second])
        merge_cards(third, [first])
        delete_course(db.session.get(Course, course.id))
        assert db.session.scalar(select(func.count()).select_from(Card)) == 0


def test_the_facilitator_deletes_a_course_by_typing_its_title(app, client, world):
    a, b = world
    _login(client, app, a.facilitator_email)
    edit = client.get(f"/f/courses/{a.course}/edit")
    assert f'action="/f/courses/{a.course}/delete"' in edit.text
    wrong = client.post(f"/f/courses/{a.course}/delete", data={"confirm_title": "Kursus"})
    assert wrong.status_code == 422
    with app.app_context():
        assert db.session.get(Course, a.course) is not None
    done = client.post(f"/f/courses/{a.course}/delete", data={"confirm_title": " Kursus  A "})
    assert done.status_code == 302 and done.headers["Location"] == "/f/"
    listing = client.get("/f/")
    assert "Kursus A" in listing.text  # the flash names it
    assert f"/f/courses/{a.course}" not in listing.text
    with app.app_context():
        assert db.session.get(Course, a.course) is None
        assert db.session.get(Course, b.course) is not None
    assert client.get(f"/f/courses/{a.course}").status_code == 404
    assert client.get(f"/m/{a.token}").status_code == 404
    assert client.get(f"/c/{a.code}").status_code == 404


def test_another_facilitator_cannot_delete_a_course(app, client, world):
    a, b = world
    _login(client, app, b.facilitator_email)
    with app.app_context():
        before = checksum()
    response = client.post(f"/f/courses/{a.course}/delete", data={"confirm_title": "Kursus A"})
    assert response.status_code == 404
    with app.app_context():
        assert checksum() == before


# --- Last activity and the retention CLI -----------------------------------------------------


def _age(app, course_id: int, days: int) -> None:
    """Move every timestamp of a course `days` into the past, as if it had been idle."""
    from .worlds import tables

    moment = datetime.now(UTC) - timedelta(days=days)
    # A meeting and a card box end then too (each begins an hour before it ends).
    moments = {
        **dict.fromkeys(("created_at", "updated_at", "chosen_at", "timer_started_at"), moment),
        **dict.fromkeys(("ends_at", "closes_at"), moment),
        **dict.fromkeys(("starts_at", "opens_at"), moment - timedelta(hours=1)),
    }
    with app.app_context():
        for table in tables():
            for column in table.columns:
                if column.name in moments:
                    db.session.execute(update(table).values({column.name: moments[column.name]}))
        db.session.commit()
    return moment


def test_last_activity_is_the_newest_thing_that_happened(app, make):
    with app.app_context():
        course = make.course(step=2)
        old = datetime.now(UTC) - timedelta(days=400)
        db.session.execute(update(Course).values(created_at=old))
        db.session.commit()
        assert abs(last_activity(course) - old) < timedelta(seconds=1)
        make.card(make.participant(course))
        assert datetime.now(UTC) - last_activity(course) < timedelta(minutes=1)


def test_a_course_between_its_workshops_is_not_idle_until_its_next_meeting_ends(app, make):
    with app.app_context():
        course = make.course()
        old = datetime.now(UTC) - timedelta(days=400)
        db.session.execute(update(Course).values(created_at=old))
        db.session.commit()
        coming = plan_meeting(
            course, day=local_today() + timedelta(days=60), start=time(9), end=time(12)
        )
        db.session.execute(update(Meeting).values(created_at=old, updated_at=old))
        db.session.commit()
        assert last_activity(course) == as_utc(coming.ends_at)
        assert courses_inactive_since(datetime.now(UTC) - timedelta(days=365)) == []


def test_course_list_shows_every_course(app, world):
    a, b = world
    result = app.test_cli_runner().invoke(args=["course", "list"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split("\t") == [
        "id",
        "title",
        "municipality",
        "facilitator",
        "created",
        "last activity",
    ]
    assert f"{a.course}\tKursus A\tKommune A\ta@example.dk\t" in result.output
    assert f"{b.course}\tKursus B\tKommune B\tb@example.dk\t" in result.output


def test_purge_deletes_only_courses_idle_longer_than_the_retention(app, world, make):
    a, b = world
    _age(app, a.course, 400)  # every course is 400 days idle now ...
    with app.app_context():
        # ... but someone wrote a card in B yesterday.
        recent = datetime.now(UTC) - timedelta(days=1)
        db.session.execute(update(Card).where(Card.id == b.card3).values(created_at=recent))
        db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["course", "purge", "--older-than", "365", "--yes"])
    assert result.exit_code == 0, result.output
    assert f"Deleted course {a.course} (Kursus A)." in result.output
    assert "Kursus B" not in result.output
    with app.app_context():
        assert db.session.get(Course, a.course) is None
        assert db.session.get(Course, b.course) is not None


def test_purge_asks_first_and_deletes_nothing_on_no(app, world):
    a, _b = world
    _age(app, a.course, 100)
    with app.app_context():
        before = checksum()
    result = app.test_cli_runner().invoke(
        args=["course", "purge", "--older-than", "30"], input="n\n"
    )
    assert result.exit_code == 0, result.output
    assert "Kursus A" in result.output and "Kursus B" in result.output
    assert "Nothing deleted." in result.output
    with app.app_context():
        assert checksum() == before
    yes = app.test_cli_runner().invoke(args=["course", "purge", "--older-than", "30"], input="y\n")
    assert "Deleted course" in yes.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Course)) == 0


def test_purge_with_nothing_old_says_so(app, world):
    result = app.test_cli_runner().invoke(args=["course", "purge", "--older-than", "30", "--yes"])
    assert result.exit_code == 0
    assert "No course has been inactive for more than 30 days." in result.output


def test_purge_needs_a_positive_number_of_days(app):
    result = app.test_cli_runner().invoke(args=["course", "purge", "--older-than", "0"])
    assert result.exit_code != 0
