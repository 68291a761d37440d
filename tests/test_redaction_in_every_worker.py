"""Redacted words are kept nowhere: not in another worker's memory either (issue 15's
per-worker caches, issue 17 finding 1).

gunicorn runs several worker processes; a redaction is handled by one of them. Here the
other worker is a real second process with its own app on the same database
(tests/worker_process.py): it serves a phone's voting list and the action plan PDF, this
process redacts the card, and the other reports what its memory still holds."""

from __future__ import annotations

import multiprocessing

import pytest
from sqlalchemy import func, select

from workshop.cards import redact_card
from workshop.core.extensions import db
from workshop.core.models import Card, Course, RenderedPdf
from workshop.votes import set_voting_state

from .worker_process import serve

WORDS = "Jens Hansen"
CARD = "Borgeren Jens Hansen venter tre uger på en samtale"


@pytest.fixture
def room(app, make):
    """A course voting on three cards, one naming a citizen."""
    with app.app_context():
        facilitator = make.facilitator()
        course = make.course(step=2, facilitator=facilitator)
        author = make.participant(course)
        for text in (CARD, "Skabelonen til planen", "Mødeindkaldelser"):
            make.card(author, text)
        set_voting_state(course, "voting")
        return course.id, course.join_code, facilitator.get_id()  # "<id>:<login token>"


def _other_worker(database_url, room, mode, max_age):
    course_id, code, login_id = room
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(
        target=serve,
        args=(theirs, database_url, code, course_id, login_id),
        kwargs={"mode": mode, "max_age": max_age},
        daemon=True,
    )
    process.start()
    ours.send(WORDS[::-1])
    return process, ours


def _receive(connection, process) -> dict:
    if not connection.poll(120):
        process.kill()
        pytest.fail("the other worker did not answer")
    return connection.recv()


@pytest.mark.parametrize(
    ("mode", "max_age"),
    [("poll", 60.0), ("idle", 5.0)],
    ids=["at-its-next-poll", "when-no-request-comes"],
)
def test_another_worker_keeps_no_redacted_words_after_a_redaction(
    app, database_url, room, mode, max_age
):
    process, connection = _other_worker(database_url, room, mode, max_age)
    try:
        before = _receive(connection, process)
        assert before["served"] and before["pdf"] == 200
        assert before["held"][0] > 0  # the drawn voting list holds the words
        with app.app_context():
            card = db.session.scalar(select(Card).where(Card.text == CARD))
            redact_card(card)
            # No worker finds a rendered PDF of the course any more.
            assert db.session.scalar(select(func.count()).select_from(RenderedPdf)) == 0
        connection.send("redacted")
        after = _receive(connection, process)
    finally:
        process.join(timeout=30)
        if process.is_alive():
            process.kill()
    assert not after["served"]
    texts, pdfs = after["held"]
    assert texts == 0, "the other worker still holds the redacted words"
    assert pdfs == 0, "the other worker still holds a rendered PDF in memory"


def test_a_second_download_from_another_worker_takes_no_rendering(app, make, monkeypatch):
    """The rendered PDF is in the database: a second app (another worker) serves it."""
    from app import create_app
    from workshop.reports import pdf as report

    with app.app_context():
        course_id = make.course(step=2).id
    other = create_app({**app.config})
    with app.test_request_context("/"):
        first = report.action_plan_pdf(db.session.get(Course, course_id))
    monkeypatch.setattr(report, "render_pdf", lambda html: pytest.fail("rendered again"))
    with other.test_request_context("/"):
        assert report.action_plan_pdf(db.session.get(Course, course_id)) == first


def test_a_pdf_rendered_before_a_redaction_is_not_kept_after_it(app, make):
    """A worker renders for seconds; a redaction committed meanwhile must not find its
    PDF (with the old words) kept afterwards."""
    from workshop.core.caches import course_revision, keep_pdf

    with app.app_context():
        course = make.course(step=2)
        card = make.card(make.participant(course), CARD)
        course_id = course.id
        before = course_revision(course_id)  # the rendering starts here ...
        redact_card(db.session.get(Card, card.id))  # ... another worker redacts ...
        keep_pdf(course_id, "action-plan", before, b"%PDF-1.7 old words")  # ... it ends
        assert db.session.scalar(select(func.count()).select_from(RenderedPdf)) == 0
        keep_pdf(course_id, "action-plan", course_revision(course_id), b"%PDF-1.7 new")
        assert db.session.scalar(select(func.count()).select_from(RenderedPdf)) == 1


def test_a_worker_neither_serves_nor_keeps_a_list_drawn_from_an_older_revision():
    from workshop.web.fragments import Fragments

    kept = Fragments(max_age=60)
    created = "2026-12-06"
    kept.put(7, (created, 2), ("da",), "list at revision 2")
    assert kept.get(7, (created, 2), ("da",)) == "list at revision 2"
    # A request reads revision 3 (a redaction happened): revision 2's list goes at once.
    assert kept.get(7, (created, 3), ("da",)) is None
    assert kept.values() == []
    # A slow request that read revision 2 before the redaction cannot put it back.
    kept.put(7, (created, 2), ("da",), "list at revision 2")
    assert kept.values() == [] and kept.get(7, (created, 2), ("da",)) is None
    # Another course under a reused id (another creation time) starts afresh.
    kept.put(7, ("2027-01-01", 1), ("da",), "another course")
    assert kept.values() == ["another course"]


def test_nothing_is_kept_longer_than_the_age_limit_even_without_requests():
    import time

    from workshop.web.fragments import Fragments

    kept = Fragments(max_age=0.3)
    kept.put(7, ("2026-12-06", 1), ("da",), "a list")
    deadline = time.monotonic() + 10
    while kept._entries and time.monotonic() < deadline:  # swept by its timer, not by us
        time.sleep(0.05)
    assert not kept._entries
