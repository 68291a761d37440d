"""A second worker, as gunicorn runs one: its own process and its own app on the same
database. Used by tests/test_redaction_in_every_worker.py through multiprocessing (spawn,
so nothing of the test's process is inherited), it serves a phone's poll and a PDF, then
reports what its memory still holds after another process redacted the words."""

from __future__ import annotations

import gc
import time


def held_in_memory(words: str) -> tuple[int, int]:
    """How many references from live objects of this process lead to a text holding
    `words` (or encoded text: the voting list is kept as bytes), and how many to a
    rendered PDF: whatever holds them (a dict, a list, an object's attributes), found
    through every object the garbage collector tracks."""
    gc.collect()
    encoded = words.encode()
    texts = pdfs = 0
    for container in gc.get_objects():
        for value in gc.get_referents(container):
            if isinstance(value, str) and words in value:
                texts += 1
            elif isinstance(value, bytes) and value.startswith(b"%PDF-"):
                pdfs += 1
            elif isinstance(value, bytes) and encoded in value:
                texts += 1
    return texts, pdfs


def serve(connection, database_url, code, course_id, login_id, *, mode, max_age):
    """Run in the child process: poll the voting list and download the action plan, report,
    wait for the go, then (mode "poll") poll once more or (mode "idle") wait past
    `max_age` without a request, and report again."""
    from app import create_app

    # The words to look for arrive reversed: the process's own arguments must not hold them.
    words = connection.recv()[::-1]
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "WTF_CSRF_ENABLED": False,
            "SAMSKABT_FRAGMENT_MAX_AGE": max_age,
        }
    )
    phone, laptop = app.test_client(), app.test_client()
    with laptop.session_transaction() as session:
        session["_user_id"] = login_id
        session["_fresh"] = True
    pdf = laptop.get(f"/f/courses/{course_id}/action-plan.pdf").status_code
    # The poll last: the list it draws must still be kept when this process reports.
    phone.post(f"/j/{code}", data={"role": "medarbejder", "unit": "Team Ledige"})
    poll = f"/c/{code}/live?stage=2-voting"
    headers = {"HX-Request": "true"}
    served = words in phone.get(poll, headers=headers).text
    connection.send({"served": served, "pdf": pdf, "held": held_in_memory(words)})
    connection.recv()  # the other process has redacted the words
    if mode == "poll":
        served = words in phone.get(poll, headers=headers).text
    else:
        time.sleep(max_age + 0.5)
        served = False
    connection.send({"served": served, "held": held_in_memory(words)})
    with app.app_context():
        from workshop.core.extensions import db

        db.engine.dispose()
