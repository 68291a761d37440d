"""What keeps hundreds of phones cheap: others' joins, cards and dots leave a phone's poll at
304 (only the projector and the control panel refresh for them), and a vote's reply is the
item and the dots left, not the whole voting list."""

import re

import pytest

from workshop.core.extensions import db
from workshop.core.models import Card, Course, Vote
from workshop.votes import set_voting_state

HX = {"HX-Request": "true"}


@pytest.fixture
def room(app, make):
    """A course in step 2 with three cards, a logged-in facilitator's id and its code."""
    with app.app_context():
        facilitator = make.facilitator()
        course = make.course(step=2, dot_budget=2, facilitator=facilitator)
        author = make.participant(course)
        for text in ("Dobbeltregistrering", "Skabelonen til planen", "Mødeindkaldelser"):
            make.card(author, text)
        return course.id, course.join_code


def _course(course_id):
    return db.session.get(Course, course_id)


def _join(client, code):
    client.post(f"/j/{code}", data={"role": "medarbejder", "unit": "Team Ledige"})


def _poll(client, url, etag=None):
    headers = {**HX, "If-None-Match": etag} if etag else HX
    return client.get(url, headers=headers)


def test_others_joining_writing_and_voting_leave_a_phone_at_304(app, client, auth, room):
    course_id, code = room
    _join(client, code)
    phone_url = f"/c/{code}/live?stage=2-collect"
    phone_etag = _poll(client, phone_url).headers["ETag"]
    auth.login()  # the same client carries the facilitator's session for the screens
    screens = [f"/f/courses/{course_id}/projector/live", f"/f/courses/{course_id}/live"]
    screen_etags = [_poll(client, url).headers["ETag"] for url in screens]

    other = app.test_client()
    _join(other, code)  # someone joins
    assert _poll(client, phone_url, phone_etag).status_code == 304
    for url, etag in zip(screens, screen_etags, strict=True):
        assert _poll(client, url, etag).status_code == 200

    other.post(f"/c/{code}/cards", data={"text": "Et kort fra en anden", "client_token": "a"})
    assert _poll(client, phone_url, phone_etag).status_code == 304
    projector = _poll(client, screens[0])
    assert "Et kort fra en anden" in projector.text

    with app.app_context():
        set_voting_state(_course(course_id), "voting")  # everyone's screen changes
    phone_url = f"/c/{code}/live?stage=2-voting"
    voting = _poll(client, phone_url)
    assert voting.status_code == 200 and "Et kort fra en anden" in voting.text
    phone_etag = voting.headers["ETag"]
    projector_etag = _poll(client, screens[0]).headers["ETag"]
    with app.app_context():
        card_id = db.session.scalar(db.select(Card.id).order_by(Card.id))
    reply = other.post(f"/c/{code}/cards/{card_id}/dots", data={"dots": 1}, headers=HX)
    assert reply.status_code == 200
    assert _poll(client, phone_url, phone_etag).status_code == 304
    assert _poll(client, screens[0], projector_etag).status_code == 200


def test_a_vote_answers_with_its_item_and_the_dots_left(app, client, room):
    _course_id, code = room
    _join(client, code)
    with app.app_context():
        set_voting_state(_course(_course_id), "voting")
        first, second, third = db.session.scalars(db.select(Card.id).order_by(Card.id)).all()

    reply = client.post(f"/c/{code}/cards/{first}/dots", data={"dots": 1}, headers=HX)
    assert reply.status_code == 200
    assert "HX-Retarget" not in reply.headers
    assert reply.text.count('class="vote-card') == 1  # only this card, not the list
    assert "Dobbeltregistrering" in reply.text and "Mødeindkaldelser" not in reply.text
    assert 'id="dots-left"' in reply.text and 'hx-swap-oob="innerHTML"' in reply.text
    assert "1 prik tilbage" in reply.text
    assert 'name="dots" value="2"' in reply.text  # + now asks for the second dot

    # The last dot: the reply is still the one card; its + is grey, and the dots left say 0
    # (static/app.js then greys out every other +, see data-dots-left).
    last = client.post(f"/c/{code}/cards/{second}/dots", data={"dots": 1}, headers=HX)
    assert last.status_code == 200 and "HX-Retarget" not in last.headers
    assert last.text.count('class="vote-card') == 1
    assert 'data-dots-left="0"' in last.text and "0 prikker tilbage" in last.text
    plus = re.search(r'<button[^>]*value="2"[^>]*>', last.text).group(0)
    assert "data-give" in plus and " disabled" in plus

    # One too many: refused beside the card, which shows its real state, nothing stored.
    refused = client.post(f"/c/{code}/cards/{third}/dots", data={"dots": 1}, headers=HX)
    assert refused.status_code == 422 and "HX-Retarget" not in refused.headers
    assert refused.text.count('class="vote-card') == 1
    assert 'role="alert"' in refused.text and "Du har brugt alle dine prikker (2)" in refused.text
    assert '<span class="my-dots" aria-hidden="true">0</span>' in refused.text

    # Taking one back: the dots left come back for every + (the phone's script).
    back = client.post(f"/c/{code}/cards/{first}/dots", data={"dots": 0}, headers=HX)
    assert back.status_code == 200 and 'data-dots-left="1"' in back.text

    # A card that is gone brings the whole region, where it is no longer listed.
    with app.app_context():
        from workshop.cards import set_card_hidden

        set_card_hidden(db.session.get(Card, third), True)
    gone = client.post(
        f"/c/{code}/cards/{third}/dots", data={"dots": 1, "stage": "2-voting"}, headers=HX
    )
    assert gone.status_code == 422 and gone.headers["HX-Retarget"] == "#live"
    assert gone.text.count('class="vote-card') == 2
    with app.app_context():
        assert db.session.scalar(db.select(db.func.sum(Vote.dots))) == 1


def test_a_vote_without_javascript_still_returns_to_the_page(app, client, room):
    course_id, code = room
    _join(client, code)
    with app.app_context():
        set_voting_state(_course(course_id), "voting")
        card_id = db.session.scalar(db.select(Card.id).order_by(Card.id))
    reply = client.post(f"/c/{code}/cards/{card_id}/dots", data={"dots": 1})
    assert reply.status_code == 302
    page = client.get(reply.headers["Location"])
    assert "1 prik tilbage" in page.text


def test_phones_without_dots_share_one_drawing_of_the_voting_list(app, client, room):
    """The moment the vote opens every phone asks for the same list: it is drawn once per
    worker. The token travels as a header (htmx), so the region has nothing of the phone's
    own; the full page (which may have no JavaScript) keeps a token in every form."""
    course_id, code = room
    _join(client, code)
    other = app.test_client()
    _join(other, code)
    with app.app_context():
        set_voting_state(_course(course_id), "voting")
        card_id = db.session.scalar(db.select(Card.id).order_by(Card.id))
    url = f"/c/{code}/live?stage=2-voting"
    mine, theirs = _poll(client, url).text, _poll(other, url).text
    assert mine == theirs and 'name="csrf_token"' not in mine
    page = client.get(f"/c/{code}").text
    assert page.count('name="csrf_token"') >= 3  # one per card, for phones without htmx

    other.post(f"/c/{code}/cards/{card_id}/dots", data={"dots": 1}, headers=HX)
    theirs = _poll(other, url).text
    assert theirs != mine and 'data-dots-left="1"' in theirs
    assert _poll(client, url).text == mine  # the one without dots still gets the shared list


def _token(client):
    return re.search(r'X-CSRFToken": "([^"]+)"', client.get("/").text).group(1)


@pytest.mark.parametrize("app", [{"WTF_CSRF_ENABLED": True}], indirect=True)
def test_a_poll_without_htmx_cannot_put_its_token_into_other_phones_lists(app, room):
    """Found in review: the shared drawing of the list once kept the token of whoever
    asked for it first, and every other phone's vote was then refused."""
    course_id, code = room
    first, second = app.test_client(), app.test_client()
    for phone in (first, second):
        data = {"role": "medarbejder", "csrf_token": _token(phone)}
        assert phone.post(f"/j/{code}", data=data).status_code == 302
    with app.app_context():
        set_voting_state(_course(course_id), "voting")
        card_id = db.session.scalar(db.select(Card.id).order_by(Card.id))
    url = f"/c/{code}/live?stage=2-voting"
    assert 'name="csrf_token"' in first.get(url).text  # no htmx: a token in each form
    region = second.get(url, headers=HX).text
    assert 'name="csrf_token"' not in region
    reply = second.post(
        f"/c/{code}/cards/{card_id}/dots",
        data={"dots": 1, "stage": "2-voting"},
        headers={**HX, "X-CSRFToken": _token(second)},
    )
    assert reply.status_code == 200


def test_a_phones_own_tap_makes_its_next_poll_fresh(app, client, room):
    """A tap changes the participant's revision in the poll's ETag: whatever became of the
    tap's reply (lost, or cancelled by the next tap), the next poll shows the dots as they
    are; starting the vote over shows none again."""
    course_id, code = room
    _join(client, code)
    with app.app_context():
        set_voting_state(_course(course_id), "voting")
        first = db.session.scalar(db.select(Card.id).order_by(Card.id))
    url = f"/c/{code}/live?stage=2-voting"
    before = _poll(client, url)
    client.post(f"/c/{code}/cards/{first}/dots", data={"dots": 1}, headers=HX)
    after = _poll(client, url, before.headers["ETag"])
    assert after.status_code == 200 and 'data-dots-left="1"' in after.text
    assert _poll(client, url, after.headers["ETag"]).status_code == 304
    with app.app_context():
        from workshop.votes import clear_votes

        clear_votes(_course(course_id))
    cleared = _poll(client, url, after.headers["ETag"])
    assert cleared.status_code == 200 and 'data-dots-left="2"' in cleared.text
    assert "has-dots" not in cleared.text


def _kept_words(app) -> str:
    from workshop.web import fragments

    return " ".join(whole.data.decode() for whole, _spans in fragments.of(app).values())


def test_a_redacted_cards_words_leave_the_shared_list_at_the_next_poll(app, client, room):
    course_id, code = room
    _join(client, code)
    with app.app_context():
        set_voting_state(_course(course_id), "voting")
    url = f"/c/{code}/live?stage=2-voting"
    _poll(client, url)
    assert "Mødeindkaldelser" in _kept_words(app)
    with app.app_context():
        from workshop.cards import redact_card

        card = db.session.scalar(db.select(Card).where(Card.text == "Mødeindkaldelser"))
        redact_card(card)
    after = _poll(client, url)
    assert "Mødeindkaldelser" not in after.text
    assert "Mødeindkaldelser" not in _kept_words(app)


def test_the_list_from_the_cache_is_the_list_drawn_whole(app, client, room):
    """The phone's own cards are drawn anew in their places among the cached others."""
    import dataclasses

    from workshop.cards import wall_cards
    from workshop.core.models import Participant
    from workshop.votes import dots_left, my_dots
    from workshop.web import fragments
    from workshop.web.voting import voting_list_context

    course_id, code = room
    _join(client, code)
    with app.app_context():
        set_voting_state(_course(course_id), "voting")
        first, _second, third = db.session.scalars(db.select(Card.id).order_by(Card.id)).all()
    for card_id in (first, third):
        client.post(f"/c/{code}/cards/{card_id}/dots", data={"dots": 1}, headers=HX)
    with app.test_request_context(headers=HX):
        course = _course(course_id)
        phone = db.session.scalars(db.select(Participant).order_by(Participant.id.desc())).first()
        vote = voting_list_context(course, Card, phone, dots_left(phone), "2-voting")["vote"]
        mine = my_dots(phone)
        whole = str(dataclasses.replace(vote, shared_as=None).items_html(wall_cards(course), mine))
        for _ in range(2):  # drawn into the cache, then from it
            mark = str(vote.items_html(lambda: wall_cards(course), mine))
            spliced, _hash = fragments.resolve_drawn(f"<ul>{mark}</ul>".encode())
            assert spliced.decode() == f"<ul>{whole}</ul>"
        assert whole.count("has-dots") == 2


def test_a_taps_reply_names_the_etag_of_the_list_with_it_so_the_next_poll_is_a_304(
    app, client, room
):
    """Issue 16: the reply to a tap carries the ETag the phone's list has with the tap
    (X-Live-ETag), but only when the phone had seen everything of its own before; a tap
    whose reply the phone never got leaves the next poll a full redraw."""
    course_id, code = room
    _join(client, code)
    with app.app_context():
        set_voting_state(_course(course_id), "voting")
        first, second, _third = db.session.scalars(db.select(Card.id).order_by(Card.id)).all()
    url = f"/c/{code}/live?stage=2-voting"
    shown = _poll(client, url).headers["ETag"]

    def tap(card_id, dots, sent):
        headers = {**HX, "X-Live-ETag": sent} if sent else HX
        return client.post(f"/c/{code}/cards/{card_id}/dots", data={"dots": dots}, headers=headers)

    reply = tap(first, 1, shown)
    following = reply.headers["X-Live-ETag"]
    assert following != shown
    assert _poll(client, url, following).status_code == 304
    assert _poll(client, url, shown).status_code == 200  # the old list lacks the dot

    # A tap on its way while another one's reply was lost: no ETag, the poll redraws.
    tap(second, 1, following)  # its reply never reaches the phone
    lost = tap(first, 0, following)
    assert lost.status_code == 200 and "X-Live-ETag" not in lost.headers
    redrawn = _poll(client, url, following)
    assert redrawn.status_code == 200 and "1 prik tilbage" in redrawn.text

    # The ETag stays in the form the phone has it: weak (as compression makes it) or not.
    shown = redrawn.headers["ETag"]
    assert shown.startswith('W/"p')
    weak = tap(first, 1, shown)
    assert weak.headers["X-Live-ETag"].startswith('W/"p')
    strong = tap(first, 0, weak.headers["X-Live-ETag"].removeprefix("W/"))
    assert strong.headers["X-Live-ETag"].startswith('"p')
    assert tap(second, 0, "not an etag of ours").headers.get("X-Live-ETag") is None


def test_a_poll_sends_no_new_cookie_until_the_session_is_a_day_old(app, client, room):
    """The session cookie is signed again when it changes or once a day, not on each poll
    (workshop/web/sessions.py): its 180 days still count from the last visit."""
    from datetime import UTC, datetime, timedelta

    from workshop.web import sessions

    _course_id, code = room
    _join(client, code)
    client.get(f"/c/{code}")  # the page (its form token goes into the session)
    url = f"/c/{code}/live?stage=2-collect"
    etag = _poll(client, url).headers["ETag"]
    unchanged = _poll(client, url, etag)
    assert unchanged.status_code == 304 and "Set-Cookie" not in unchanged.headers
    assert "Set-Cookie" not in _poll(client, url).headers
    later = datetime.now(UTC) + timedelta(days=1, minutes=1)
    original = sessions.datetime

    class Tomorrow(datetime):
        @classmethod
        def now(cls, tz=None):
            return later

    sessions.datetime = Tomorrow
    try:
        renewed = _poll(client, url, etag)
    finally:
        sessions.datetime = original
    assert renewed.status_code == 304 and "session=" in renewed.headers["Set-Cookie"]


def test_a_poll_that_brings_a_new_step_names_its_key_at_the_new_url(app, client, room):
    """The region polls the new stage's URL afterwards: the reply names the ETag it has
    there (X-Live-ETag), so that poll is a 304, not a second drawing of the same list."""
    course_id, code = room
    _join(client, code)
    old_url = f"/c/{code}/live?stage=2-collect"
    shown = _poll(client, old_url).headers["ETag"]
    assert "X-Live-ETag" not in _poll(client, old_url).headers
    with app.app_context():
        set_voting_state(_course(course_id), "voting")
    moved = _poll(client, old_url, shown)
    assert moved.status_code == 200 and "stage=2-voting" in moved.text
    assert (
        _poll(client, f"/c/{code}/live?stage=2-voting", moved.headers["X-Live-ETag"]).status_code
        == 304
    )
