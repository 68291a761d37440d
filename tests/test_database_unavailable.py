"""A database that is restarting, unreachable or locked too long: 503 "try again", never a 500.

bench/faults.py does this for real (SIGKILL, a locked SQLite file, pg_ctl restart); here the
database error is raised where the domain would raise it, so CI covers the handler.
"""

import pytest
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from workshop.core.extensions import db
from workshop.core.models import Card, Vote

DANISH_TRY_AGAIN = "Prøv igen om lidt – din tekst er der stadig."


class ServerClosedTheConnection(Exception):
    pass


def _disconnect(*_args, **_kwargs):
    raise OperationalError(
        "UPDATE course SET revision=…",
        {},
        ServerClosedTheConnection("server closed the connection unexpectedly"),
        connection_invalidated=True,
    )


@pytest.fixture
def voting(app, make):
    with app.app_context():
        course = make.course(step=2)
        author = make.participant(course)
        card = make.card(author, "Skabelonen med tolv overskrifter")
        from workshop.votes import set_voting_state

        set_voting_state(course, "voting")
        return course.join_code, card.id


def test_a_cut_connection_during_a_vote_asks_the_phone_to_try_again(
    app, client, voting, monkeypatch
):
    code, card_id = voting
    assert client.post(f"/j/{code}", data={"role": "medarbejder"}).status_code == 302
    monkeypatch.setattr("workshop.web.voting.cast_vote", _disconnect)

    response = client.post(
        f"/c/{code}/cards/{card_id}/dots",
        data={"dots": 1, "stage": "2-voting"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "2"
    # htmx shows the message beside the form and swaps nothing else: the phone keeps its page.
    assert response.headers["HX-Retarget"] == "#messages"
    assert DANISH_TRY_AGAIN in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)

    # The database is back: the same phone's next tap succeeds and counts once.
    monkeypatch.undo()
    response = client.post(
        f"/c/{code}/cards/{card_id}/dots",
        data={"dots": 1, "stage": "2-voting"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    with app.app_context():
        assert db.session.scalar(db.select(db.func.sum(Vote.dots))) == 1


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("SELECT 1", {}, ServerClosedTheConnection("terminating connection")),
        InterfaceError("SELECT 1", {}, ServerClosedTheConnection("connection already closed")),
        PoolTimeoutError("QueuePool limit of size 5 overflow 5 reached"),
    ],
    ids=["operational", "interface", "pool-timeout"],
)
def test_a_card_refused_by_an_unavailable_database_is_a_503_page_without_javascript(
    app, client, make, monkeypatch, error
):
    with app.app_context():
        code = make.course(step=2).join_code
    assert client.post(f"/j/{code}", data={"role": "medarbejder"}).status_code == 302

    def unavailable(*_args, **_kwargs):
        raise error

    monkeypatch.setattr("workshop.web.steps.challenges.submit_card", unavailable)
    response = client.post(
        f"/c/{code}/cards",
        data={"text": "Dobbelt registrering", "client_token": "t-1", "stage": "2-collect"},
    )

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "2"
    body = response.get_data(as_text=True)
    assert DANISH_TRY_AGAIN in body
    assert "<h1>" in body  # the friendly error page, not a bare message

    monkeypatch.undo()
    response = client.post(
        f"/c/{code}/cards",
        data={"text": "Dobbelt registrering", "client_token": "t-1", "stage": "2-collect"},
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Card.id))) == 1


def test_a_bug_that_breaks_a_constraint_is_not_hidden_as_try_again(
    app, client, voting, monkeypatch
):
    """Only an unavailable database is "try again": an IntegrityError is a bug, and stays
    an error (raised here, where TESTING propagates it; a 500 page in production)."""
    from sqlalchemy.exc import IntegrityError

    code, card_id = voting
    assert client.post(f"/j/{code}", data={"role": "medarbejder"}).status_code == 302

    def broken(*_args, **_kwargs):
        raise IntegrityError("INSERT INTO vote …", {}, Exception("UNIQUE constraint failed"))

    monkeypatch.setattr("workshop.web.voting.cast_vote", broken)
    with pytest.raises(IntegrityError):
        client.post(f"/c/{code}/cards/{card_id}/dots", data={"dots": 1, "stage": "2-voting"})


def test_a_connection_cut_after_the_reply_was_made_does_not_turn_it_into_a_500(
    app, client, make, monkeypatch
):
    """PostgreSQL restarting between the commit and the request's closing ROLLBACK: the
    phone still gets its reply (seen for real with bench/faults.py)."""
    from sqlalchemy.orm import Session

    with app.app_context():
        code = make.course(step=2).join_code
    assert client.post(f"/j/{code}", data={"role": "medarbejder"}).status_code == 302
    original_close = Session.close
    cuts = []

    def close_on_a_dead_connection(session):
        if not cuts:
            cuts.append(session)
            raise OperationalError(
                "ROLLBACK", {}, ServerClosedTheConnection("terminating connection")
            )
        return original_close(session)

    monkeypatch.setattr(Session, "close", close_on_a_dead_connection)
    response = client.post(
        f"/c/{code}/cards",
        data={"text": "Skemaet ingen læser", "client_token": "t-2", "stage": "2-collect"},
    )
    assert cuts, "the cut connection was never met"
    assert response.status_code == 302
    monkeypatch.undo()
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Card.id))) == 1
