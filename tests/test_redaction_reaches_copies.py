"""A redaction reaches every copy of the words (issue 17, findings 1 and 8): the experience
bank's snapshots, other organisations' pages, solutions other courses copied, the action
chosen from the solution, the cards merged into the card, and rendered PDFs."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from workshop.actions import update_action
from workshop.cards import merge_cards, redact_card
from workshop.catalogue import load_catalogue
from workshop.core.errors import WorkshopError
from workshop.core.extensions import db
from workshop.core.models import (
    Action,
    Card,
    Course,
    RenderedPdf,
    SharedChallenge,
    SharedSolution,
    Solution,
)
from workshop.courses import delete_course
from workshop.experience import copy_shared_solution, share_course
from workshop.solutions import redact_solution

from .bank_support import shareable_course

EN = "?lang=en"
CARD_WORDS = "Borgeren Jens Hansen venter tre uger på en samtale"
SOLUTION_WORDS = "Ring til Jens Hansen hver uge"
NAME = "Jens Hansen"


@pytest.fixture
def two(app, make):
    """Bakkedal's course holds a card and a solution naming a citizen, shared with the bank
    with their words; Strandvig (another organisation) looks at the bank."""
    with app.app_context():
        load_catalogue()
        a = shareable_course(make, "a@bakkedal.dk", "Bakkedal Kommune", label="A")
        c = shareable_course(make, "c@strandvig.dk", "Strandvig Kommune", label="C")
        db.session.execute(
            update(Card).where(Card.id == a.card).values(text=CARD_WORDS, original_text=CARD_WORDS)
        )
        db.session.execute(
            update(Solution)
            .where(Solution.id == a.solution)
            .values(text=SOLUTION_WORDS, original_text=SOLUTION_WORDS)
        )
        db.session.commit()
        course = db.session.get(Course, a.course)
        share_course(
            course,
            course.facilitator,
            texts={f"card-{a.card}": CARD_WORDS, f"solution-{a.solution}": SOLUTION_WORDS},
        )
    return a, c


def _shared_id(solution_id: int) -> int:
    return db.session.scalar(
        select(SharedSolution.id).where(SharedSolution.solution_id == solution_id)
    )


def _copy_into(course_id: int, card_id: int, shared_id: int) -> int:
    course = db.session.get(Course, course_id)
    return copy_shared_solution(course, db.session.get(Card, card_id), shared_id).id


def _redact_both(a) -> None:
    redact_card(db.session.get(Card, a.card))
    redact_solution(db.session.get(Solution, a.solution))


def _bank_texts() -> str:
    texts = db.session.scalars(select(SharedChallenge.text)).all()
    texts += db.session.scalars(select(SharedSolution.text)).all()
    return " | ".join(texts)


def test_redacting_a_shared_card_and_solution_empties_their_snapshot_in_the_bank(app, two):
    a, _c = two
    with app.app_context():
        assert NAME in _bank_texts()
        _redact_both(a)
        assert NAME not in _bank_texts()
        shared = db.session.scalar(
            select(SharedSolution).where(SharedSolution.solution_id == a.solution)
        )
        # The words go; what names nobody (kind, assessment, effect, dots) stays.
        assert shared.text == "" and shared.is_measured and shared.chosen
        assert db.session.scalar(select(SharedChallenge.dots).where(SharedChallenge.text == ""))


def test_another_organisations_card_page_and_catalogue_no_longer_show_the_words(
    app, client, auth, two
):
    a, c = two
    assert auth.login(email="c@strandvig.dk").status_code == 302
    card_page = f"/f/courses/{c.course}/cards/{c.card}{EN}"
    search = "/f/catalogue?q=R05&lang=en"
    assert NAME in client.get(card_page).text and NAME in client.get(search).text
    with app.app_context():
        _redact_both(a)
    page = client.get(card_page)
    assert NAME not in page.text
    assert "1 other course worked on this" in page.text  # the experience itself stays
    assert NAME not in client.get(search).text
    fragment = client.get(search, headers={"HX-Request": "true", "HX-Trigger-Name": "q"})
    assert NAME not in fragment.text


def test_a_solution_copied_from_the_bank_is_redacted_and_its_page_says_why(app, client, auth, two):
    a, c = two
    with app.app_context():
        shared_id = _shared_id(a.solution)
        copy_id = _copy_into(c.course, c.card, shared_id)
        copy = db.session.get(Solution, copy_id)
        assert copy.text == SOLUTION_WORDS and copy.copied_from_id == a.solution
        _redact_both(a)
        copy = db.session.get(Solution, copy_id)
        assert NAME not in copy.text and NAME not in copy.original_text
        assert copy.source_redacted and copy.source  # where it came from stays
        # Nothing more to copy: the snapshot has no words left.
        with pytest.raises(WorkshopError) as refused:
            _copy_into(c.course, c.card, shared_id)
        assert refused.value.code in ("no_text", "duplicate")
    assert auth.login(email="c@strandvig.dk").status_code == 302
    page = client.get(f"/f/courses/{c.course}/solutions/{copy_id}{EN}")
    assert page.status_code == 200 and NAME not in page.text
    assert 'id="source-redacted"' in page.text
    assert "The course this solution was copied from has redacted it" in page.text
    live = client.get(f"/f/courses/{c.course}/cards/{c.card}{EN}")
    assert NAME not in live.text


def test_the_note_on_a_redacted_copy_is_in_danish_by_default(app, client, auth, two):
    a, c = two
    with app.app_context():
        copy_id = _copy_into(c.course, c.card, _shared_id(a.solution))
        _redact_both(a)
    auth.login(email="c@strandvig.dk")
    page = client.get(f"/f/courses/{c.course}/solutions/{copy_id}")
    assert "Forløbet, som løsningen er kopieret fra, har redigeret den" in page.text
    assert "Redigeret i kilden" in page.text


def test_a_copy_shared_again_and_copied_again_loses_the_words_all_the_way(app, make, two):
    """Bakkedal -> Strandvig copies and shares it -> Sølund copies Strandvig's: Bakkedal redacts."""
    a, c = two
    with app.app_context():
        copy_id = _copy_into(c.course, c.card, _shared_id(a.solution))
        strandvig = db.session.get(Course, c.course)
        share_course(
            strandvig, strandvig.facilitator, texts={f"solution-{copy_id}": SOLUTION_WORDS}
        )
        o = shareable_course(make, "o@solund.dk", "Sølund Kommune", label="O")
        second = _copy_into(o.course, o.card, _shared_id(copy_id))
        assert db.session.get(Solution, second).copied_from_id == copy_id
        redact_solution(db.session.get(Solution, a.solution))
        assert SOLUTION_WORDS not in _bank_texts()
        for solution_id in (copy_id, second):
            solution = db.session.get(Solution, solution_id)
            assert NAME not in solution.text and solution.source_redacted


def test_redacting_reaches_the_rendered_pdfs_of_every_course_it_reaches(app, two):
    from workshop.reports.pdf import action_plan_pdf

    a, c = two
    with app.app_context():
        _copy_into(c.course, c.card, _shared_id(a.solution))
        for course_id in (a.course, c.course):
            with app.test_request_context("/"):
                action_plan_pdf(db.session.get(Course, course_id))
        assert db.session.scalar(select(func.count()).select_from(RenderedPdf)) == 2
        redact_solution(db.session.get(Solution, a.solution))
        assert db.session.scalar(select(func.count()).select_from(RenderedPdf)) == 0


def test_an_action_retitled_away_from_its_solution_loses_the_words_too(app, client, auth, two):
    """Finding 8: the title started as the solution's words; edited, it still holds them."""
    a, _c = two
    with app.app_context():
        action = db.session.scalar(select(Action).where(Action.solution_id == a.solution))
        update_action(action, title="Ring til Jens Hansen hver mandag kl. 9")
        action_id = action.id
    auth.login(email="a@bakkedal.dk")
    done = client.post(
        f"/f/courses/{a.course}/solutions/{a.solution}/redact{EN}", data={"confirm": "y"}
    )
    assert done.status_code == 302
    page = client.get(done.headers["Location"] + EN)
    assert "give the action a new title" in page.text
    with app.app_context():
        action = db.session.get(Action, action_id)
        assert NAME not in action.title
        assert action.title == db.session.get(Solution, a.solution).text
        # The plan the group wrote after the choice is theirs, and stays.
        assert action.status == "implemented"
    action_page = client.get(f"/f/courses/{a.course}/actions/{action_id}{EN}")
    assert action_page.status_code == 200 and "Ring til Jens" not in action_page.text


def test_the_cards_merged_into_a_redacted_card_lose_their_words_too(app, make):
    with app.app_context():
        course = make.course(step=2)
        anne, bo = make.participant(course), make.participant(course)
        target = make.card(anne, CARD_WORDS)
        duplicate = make.card(bo, "Jens Hansen har ventet længe")
        other = make.card(bo, "Skabelonen har tolv overskrifter")
        merge_cards(target, [duplicate])
        redact_card(db.session.get(Card, target.id))
        for card_id in (target.id, duplicate.id):
            card = db.session.get(Card, card_id)
            assert NAME not in card.text and NAME not in card.original_text
        assert db.session.get(Card, other.id).text == "Skabelonen har tolv overskrifter"


def test_a_snapshot_shared_before_sources_were_recorded_loses_its_words_too(app, two):
    """Untraced rows (shared before the migration, edited on review) may hold the words:
    a redaction in their course empties every one of them."""
    a, _c = two
    with app.app_context():
        db.session.execute(update(SharedChallenge).values(card_id=None))
        db.session.execute(update(SharedSolution).values(solution_id=None))
        db.session.commit()
        redact_card(db.session.get(Card, a.card))
        assert NAME not in _bank_texts()


def test_a_copy_made_before_copies_named_their_source_is_found_by_its_words(app, two):
    a, c = two
    with app.app_context():
        copy_id = _copy_into(c.course, c.card, _shared_id(a.solution))
        db.session.execute(update(Solution).values(copied_from_id=None))
        db.session.commit()
        redact_solution(db.session.get(Solution, a.solution))
        copy = db.session.get(Solution, copy_id)
        assert NAME not in copy.text and copy.source_redacted


def test_deleting_the_source_course_leaves_its_copies_without_a_source(app, two):
    a, c = two
    with app.app_context():
        copy_id = _copy_into(c.course, c.card, _shared_id(a.solution))
        delete_course(db.session.get(Course, a.course))
        copy = db.session.get(Solution, copy_id)
        assert copy.copied_from_id is None and copy.text == SOLUTION_WORDS


def test_the_migration_traces_shares_and_copies_made_before_it(app, make, two):
    """Shares and copies from before sources were recorded: migrating traces each shared
    text that matches one card or solution of its course exactly, and each copy through
    its token ("bank-<id>"); an edited shared text stays untraced. Nothing else changes."""
    from flask_migrate import downgrade, upgrade

    from .worlds import row_counts

    a, c = two
    with app.app_context():
        copy_id = _copy_into(c.course, c.card, _shared_id(a.solution))
        strandvig = db.session.get(Course, c.course)
        share_course(
            strandvig, strandvig.facilitator, texts={f"card-{c.card}": "Omskrevet på vej ud"}
        )
        before = row_counts()
        db.session.remove()
        downgrade(revision="f6a5b4c3d2e1")
        db.session.remove()
        upgrade(revision="heads")
        db.session.remove()
        assert row_counts() == before
        traced = dict(
            db.session.execute(select(SharedChallenge.text, SharedChallenge.card_id)).all()
        )
        assert traced == {CARD_WORDS: a.card, "Omskrevet på vej ud": None}
        assert (
            db.session.scalar(
                select(SharedSolution.solution_id).where(SharedSolution.text == SOLUTION_WORDS)
            )
            == a.solution
        )
        assert db.session.get(Solution, copy_id).copied_from_id == a.solution
        db.session.remove()
