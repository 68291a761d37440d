"""Many requests at once from one phone, over real HTTP (SQLite and PostgreSQL)."""

import http.cookiejar
import threading
import urllib.error
import urllib.parse
import urllib.request

from workshop.core.extensions import db
from workshop.core.models import Card, Course, Vote
from workshop.votes import set_voting_state


def _opener():
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )


def _post(opener, url, data, headers=None):
    request = urllib.request.Request(
        url, data=urllib.parse.urlencode(data).encode(), headers=headers or {}, method="POST"
    )
    try:
        with opener.open(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_dot_budget_holds_when_one_phone_fires_many_votes_at_once(app, make, live_server):
    with app.app_context():
        course = make.course(step=2, dot_budget=5)
        author = make.participant(course)
        card_ids = [make.card(author).id for _ in range(8)]
        set_voting_state(course, "voting")
        code = course.join_code

    phone = _opener()
    assert _post(phone, f"{live_server}/j/{code}", {"role": "medarbejder"}) == 200
    barrier = threading.Barrier(24, timeout=30)
    statuses = []

    def tap(card_id, dots):
        barrier.wait()
        statuses.append(
            _post(
                phone,
                f"{live_server}/c/{code}/cards/{card_id}/dots",
                {"dots": dots},
                {"HX-Request": "true"},
            )
        )

    threads = [threading.Thread(target=tap, args=(card_ids[i % 8], 1 + i % 3)) for i in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(statuses) == 24
    assert set(statuses) <= {200, 422}, statuses  # accepted or refused: never a 500 or 503
    assert 422 in statuses
    with app.app_context():
        course = db.session.scalar(db.select(Course).where(Course.join_code == code))
        votes = db.session.scalars(
            db.select(Vote).join(Card).where(Card.course_id == course.id)
        ).all()
        assert 0 < sum(v.dots for v in votes) <= 5
        assert len({v.participant_id for v in votes}) == 1
