"""Issue 18 item 2: cards from people who are not in the room — the card box (a link of
its own, a window) and paper cards typed in by the facilitator. Through the domain and the
pages."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from workshop.card_box import (
    add_paper_card,
    box_by_token,
    box_state,
    close_card_box,
    renew_card_box_link,
    set_card_box_window,
    submit_box_card,
)
from workshop.cards import merge_cards, redact_card, set_card_hidden, wall_cards
from workshop.core.errors import WorkshopError
from workshop.core.extensions import db
from workshop.core.models import Card, CardBox, Course, Participant, Vote, utcnow
from workshop.core.text import redaction_marker
from workshop.courses import participant_counts
from workshop.departments import departments_of
from workshop.exchange import ImportRefused, export_course, import_course
from workshop.votes import cast_vote, results, set_voting_state
from workshop.web.common import SESSION_KEY

from .test_rate_limits import assert_danish_429, limited, phone

HOUR = timedelta(hours=1)


def _open_box(course, *, opens=-HOUR, closes=24 * HOUR) -> CardBox:
    now = utcnow()
    box = CardBox(course_id=course.id, opens_at=now + opens, closes_at=now + closes)
    db.session.add(box)
    db.session.commit()
    return box


def _send(box, text="Vi skriver det samme journalnotat tre steder", token="t1", **kwargs):
    kwargs.setdefault("role", "medarbejder")
    return submit_box_card(box, text, client_token=token, **kwargs)


@pytest.fixture
def course(make):
    return make.course(step=1)


# --- The window ------------------------------------------------------------------------------


def test_a_box_is_waiting_open_and_closed_by_its_window(ctx, course):
    box = _open_box(course, opens=HOUR, closes=2 * HOUR)
    now = utcnow()
    assert box_state(box, now) == "waiting"
    assert box_state(box, now + 90 * timedelta(minutes=1)) == "open"
    assert box_state(box, now + 3 * HOUR) == "closed"


def test_setting_a_window_makes_the_box_with_a_link_of_its_own(ctx, course):
    now = utcnow()
    box = set_card_box_window(course, now, now + 48 * HOUR)
    assert box.token and box.token != course.join_code and len(box.token) >= 40
    assert box_by_token(box.token) == box


@pytest.mark.parametrize(
    ("opens", "closes"),
    [(2 * HOUR, HOUR), (-3 * HOUR, -HOUR), (HOUR, HOUR + timedelta(days=121))],
    ids=["closes-before-it-opens", "already-over", "too-long"],
)
def test_a_window_that_cannot_be_is_refused(ctx, course, opens, closes):
    now = utcnow()
    with pytest.raises(WorkshopError) as refused:
        set_card_box_window(course, now + opens, now + closes)
    assert refused.value.code == "closes"
    assert db.session.scalar(select(func.count()).select_from(CardBox)) == 0


def test_a_card_sent_before_the_box_opens_is_refused_saying_when_it_opens(ctx, course):
    box = _open_box(course, opens=HOUR, closes=2 * HOUR)
    with pytest.raises(WorkshopError) as refused:
        _send(box)
    assert refused.value.code == "waiting"
    assert wall_cards(course) == []


def test_a_card_sent_after_the_box_closed_is_refused(ctx, course):
    box = _open_box(course, opens=-2 * HOUR, closes=-HOUR)
    with pytest.raises(WorkshopError) as refused:
        _send(box)
    assert refused.value.code == "closed"


def test_closing_early_stops_the_box_at_once(ctx, course):
    box = _open_box(course)
    close_card_box(course)
    assert box_state(box) == "closed"
    with pytest.raises(WorkshopError):
        _send(box)


def test_renewing_the_link_stops_the_old_one(ctx, course):
    box = _open_box(course)
    old = box.token
    renew_card_box_link(course)
    assert box_by_token(old) is None
    assert box_by_token(box.token) == box


# --- Cards through the box --------------------------------------------------------------------


def test_a_box_card_is_on_the_wall_marked_with_its_authors_role_and_no_participant(ctx, course):
    box = _open_box(course)
    card = _send(box, role="leder")
    assert (card.source, card.author_role, card.participant_id) == ("box", "leder", None)
    assert wall_cards(course) == [card]


def test_the_box_takes_cards_whatever_step_the_course_is_in(ctx, make):
    course = make.course(step=5)
    assert _send(_open_box(course)).source == "box"


def test_a_box_card_makes_no_participant(ctx, course):
    _send(_open_box(course))
    assert db.session.scalar(select(func.count()).select_from(Participant)) == 0
    assert participant_counts(course) == []


def test_the_same_box_form_sent_twice_makes_one_card(ctx, course):
    box = _open_box(course)
    first = _send(box, token="same")
    again = _send(box, token="same")
    assert again.id == first.id
    assert len(wall_cards(course)) == 1


def test_a_box_card_with_the_same_text_as_another_is_refused(ctx, course):
    box = _open_box(course)
    _send(box, "For mange skabeloner", token="a")
    with pytest.raises(WorkshopError) as refused:
        _send(box, "for mange SKABELONER", token="b")
    assert refused.value.code == "duplicate"


@pytest.mark.parametrize(
    ("text", "code"), [("", "empty"), ("x" * 501, "too_long"), ("Borger 010190-1234", "cpr")]
)
def test_a_box_card_follows_a_phone_cards_text_rules(ctx, course, text, code):
    with pytest.raises(WorkshopError) as refused:
        _send(_open_box(course), text)
    assert refused.value.code == code


def test_a_cpr_like_number_goes_in_when_the_author_confirms_it_is_not_one(ctx, course):
    card = _send(_open_box(course), "Sagsnummer 010190-1234", allow_cpr_like=True)
    assert card.text == "Sagsnummer 010190-1234"


def test_a_box_card_needs_a_role(ctx, course):
    with pytest.raises(WorkshopError) as refused:
        _send(_open_box(course), role="")
    assert refused.value.code == "role"


def test_across_departments_a_box_card_needs_and_keeps_its_department(ctx, make):
    course = make.course(step=2, across_departments=True)
    box = _open_box(course)
    with pytest.raises(WorkshopError) as refused:
        _send(box)
    assert refused.value.code == "department"
    health = departments_of(course.organisation)[2]
    card = _send(box, department=str(health.id))
    assert card.author_department == health


# --- Paper cards ------------------------------------------------------------------------------


def test_a_paper_card_has_its_authors_role_and_department_and_is_marked(ctx, make):
    course = make.course(step=2, across_departments=True)
    social = departments_of(course.organisation)[1]
    card = add_paper_card(
        course, "Samtykke indhentes to gange", role="leder", department=str(social.id),
        client_token="p1",
    )  # fmt: skip
    assert (card.source, card.author_role, card.author_department) == ("paper", "leder", social)
    assert add_paper_card(
        course, "Samtykke indhentes to gange", role="leder", department=str(social.id),
        client_token="p1",
    ).id == card.id  # fmt: skip


# --- Tidying, votes and redaction reach them ----------------------------------------------------


def test_box_and_paper_cards_are_merged_hidden_and_redacted_like_phone_cards(ctx, make):
    course = make.course(step=2)
    person = make.participant(course)
    phone_card = make.card(person, "Dobbelt registrering")
    box_card = _send(_open_box(course), "Dobbelt registrering i to systemer")
    paper = add_paper_card(course, "Papirkort om 010190-1234", role="medarbejder",
                           client_token="p", allow_cpr_like=True)  # fmt: skip
    merge_cards(phone_card, [box_card])
    assert box_card.merged_into == phone_card
    redact_card(paper)
    assert "010190" not in paper.text + paper.original_text
    assert paper.text == redaction_marker()
    set_card_hidden(paper, True)
    assert wall_cards(course) == [phone_card]


def test_a_box_card_takes_dots_from_the_room_and_hidden_votes_stay_hidden(ctx, make, client):
    course = make.course(step=2)
    voter = make.participant(course)
    box_card = _send(_open_box(course))
    set_voting_state(course, "voting")
    cast_vote(voter, box_card, 2)
    assert db.session.scalar(select(func.sum(Vote.dots)).where(Vote.card_id == box_card.id)) == 2
    with client.session_transaction() as session:
        session[SESSION_KEY] = {str(course.id): voter.token}
    page = client.get(f"/c/{course.join_code}").get_data(as_text=True)
    assert "Vi skriver det samme journalnotat" in page
    assert db.session.get(Course, course.id).voting_state == "voting"


@pytest.mark.parametrize("state", ["voting", "closed"])
def test_while_the_room_votes_on_the_cards_new_box_and_paper_cards_wait(ctx, make, state):
    """The ballot stays the same from the first dot to the last, as for phone cards."""
    course = make.course(step=2)
    box = _open_box(course)
    set_voting_state(course, "voting")
    if state == "closed":
        set_voting_state(course, "closed")
    with pytest.raises(WorkshopError) as refused:
        _send(box)
    assert refused.value.code == "voting"
    with pytest.raises(WorkshopError) as refused:
        add_paper_card(course, "Papirkort under afstemningen", role="leder", client_token="p")
    assert refused.value.code == "voting"
    assert db.session.scalar(select(func.count()).select_from(Card)) == 0
    set_voting_state(course, "revealed")
    assert _send(box).source == "box"


def test_a_box_cards_author_counts_in_no_split_and_its_dots_stay_hidden_until_the_reveal(ctx, make):
    """The results split by role count the voters; the box card's author (a manager) did not
    vote, so the managers' group has no one, and before the reveal there are no counts."""
    course = make.course(step=2, min_group_size=1)
    voters = [make.participant(course, unit=f"Team {n}") for n in range(3)]
    box_card = _send(_open_box(course), role="leder")
    set_voting_state(course, "voting")
    for voter in voters:
        cast_vote(voter, box_card, 1)
    assert results(course) is None
    set_voting_state(course, "closed")
    assert results(course) is None
    set_voting_state(course, "revealed")
    revealed = results(course, split="role")
    assert {group.key: group.voters for group in revealed.groups} == {"staff": 3, "managers": 0}
    assert [(row.card, row.total, row.by_group) for row in revealed.rows] == [
        (box_card, 3, {"staff": 3})
    ]


# --- The pages --------------------------------------------------------------------------------


def test_the_box_page_takes_a_card_and_says_thank_you_in_danish(app, make, client):
    with app.app_context():
        course = make.course(step=1)
        token = _open_box(course).token
    page = client.get(f"/k/{token}")
    assert page.status_code == 200 and "Kortkasse" in page.text
    assert page.headers["Referrer-Policy"] == "no-referrer"
    sent = client.post(
        f"/k/{token}",
        data={"role": "medarbejder", "text": "Tre skemaer til én bevilling", "client_token": "x1"},
    )
    assert sent.status_code == 302
    assert "Tak. Dit kort ligger i kassen." in client.get(sent.headers["Location"]).text
    with app.app_context():
        card = db.session.scalar(select(Card))
        assert (card.text, card.source) == ("Tre skemaer til én bevilling", "box")


def test_a_double_click_on_the_box_page_makes_one_card(app, make, client):
    with app.app_context():
        token = _open_box(make.course()).token
    data = {"role": "leder", "text": "Et kort", "client_token": "double"}
    assert client.post(f"/k/{token}", data=data).status_code == 302
    assert client.post(f"/k/{token}", data=data).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Card)) == 1


def test_a_wrong_or_renewed_box_link_is_a_friendly_danish_404(app, make, client):
    with app.app_context():
        course = make.course()
        old = _open_box(course).token
        renew_card_box_link(course)
    for token in (old, "nothing-like-a-token", "x" * 200):
        page = client.get(f"/k/{token}")
        assert page.status_code == 404
        assert "Linket til kortkassen virker ikke" in page.text
    assert client.post(f"/k/{old}", data={"role": "leder", "text": "x", "client_token": "a"}
                       ).status_code == 404  # fmt: skip


def test_the_join_code_does_not_open_the_box(app, make, client):
    with app.app_context():
        course = make.course()
        _open_box(course)
        code = course.join_code
    assert client.get(f"/k/{code}").status_code == 404


def test_the_box_page_says_when_it_opens_and_keeps_nothing_to_send(app, make, client):
    with app.app_context():
        token = _open_box(make.course(), opens=24 * HOUR, closes=48 * HOUR).token
    page = client.get(f"/k/{token}").text
    assert "Kortkassen er ikke åben endnu. Den åbner" in page
    assert "Send kortet" not in page


def test_a_card_typed_as_the_box_closes_is_kept_on_the_refused_page(app, make, client):
    with app.app_context():
        token = _open_box(make.course(), opens=-2 * HOUR, closes=-HOUR).token
    typed = "Vi venter på svar fra regionen i ugevis"
    refused = client.post(
        f"/k/{token}", data={"role": "medarbejder", "text": typed, "client_token": "late"}
    )
    assert refused.status_code == 422
    assert "Kortkassen lukkede" in refused.text and typed in refused.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Card)) == 0


def test_the_box_page_asks_to_confirm_a_cpr_like_number_and_keeps_the_text(app, make, client):
    with app.app_context():
        token = _open_box(make.course()).token
    data = {"role": "medarbejder", "text": "Borger 010190-1234 venter", "client_token": "c"}
    refused = client.post(f"/k/{token}", data=data)
    assert refused.status_code == 422
    assert "CPR-nummer" in refused.text and "Borger 010190-1234 venter" in refused.text
    assert 'name="not_cpr"' in refused.text
    assert client.post(f"/k/{token}", data={**data, "not_cpr": "y"}).status_code == 302


def test_a_too_long_box_card_is_refused_with_its_text_kept(app, make, client):
    with app.app_context():
        token = _open_box(make.course()).token
    text = "ø" * 501
    refused = client.post(
        f"/k/{token}", data={"role": "medarbejder", "text": text, "client_token": "l"}
    )
    assert refused.status_code == 422 and text in refused.text


def test_a_participant_of_another_course_is_no_one_special_at_the_box(app, make, client):
    """Being in a course gives nothing at another course's box: no participant is linked to
    the card, and a participant's cookie does not replace the box's link."""
    with app.app_context():
        mine, theirs = make.course(), make.course()
        stranger = make.participant(theirs)
        token = _open_box(mine).token
        with client.session_transaction() as session:
            session[SESSION_KEY] = {str(theirs.id): stranger.token}
        their_code = theirs.join_code
    assert client.get(f"/k/{their_code}").status_code == 404
    client.post(f"/k/{token}", data={"role": "leder", "text": "Kort", "client_token": "o"})
    with app.app_context():
        card = db.session.scalar(select(Card))
        assert card.participant_id is None and card.course_id != theirs.id


@limited(RATELIMIT_CARD_BOX="2/minute")
def test_the_box_is_limited_per_address(app, make):
    with app.app_context():
        token = _open_box(make.course()).token
    office = phone(app, "198.51.100.30")
    for n in range(2):
        data = {"role": "leder", "text": f"Kort {n}", "client_token": f"r{n}"}
        assert office.post(f"/k/{token}", data=data).status_code == 302
    assert_danish_429(
        office.post(f"/k/{token}", data={"role": "leder", "text": "Kort 3", "client_token": "r3"})
    )
    assert office.get(f"/k/{token}").status_code == 200  # reading the page is not limited
    other = phone(app, "198.51.100.31")
    data = {"role": "leder", "text": "Kort 4", "client_token": "r4"}
    assert other.post(f"/k/{token}", data=data).status_code == 302


def test_the_facilitator_opens_the_box_and_gets_its_link_and_qr_code(app, make, client, auth):
    with app.app_context():
        course = make.course()
        course_id = course.id
    auth.login()
    page = client.get(f"/f/courses/{course_id}/card-box")
    assert page.status_code == 200 and "Åbn kortkassen" in page.text
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    saved = client.post(
        f"/f/courses/{course_id}/card-box",
        data={"opens_day": tomorrow, "opens_time": "08:00", "closes_day": tomorrow,
              "closes_time": "16:00"},
    )  # fmt: skip
    assert saved.status_code == 302
    with app.app_context():
        box = db.session.scalar(select(CardBox))
        token = box.token
    page = client.get(f"/f/courses/{course_id}/card-box").text
    assert f"/k/{token}" in page and "Ikke åben endnu" in page
    qr = client.get(f"/f/courses/{course_id}/card-box/qr.svg")
    assert qr.status_code == 200 and qr.headers["Content-Type"] == "image/svg+xml"


def test_the_window_is_danish_local_time(app, make, client, auth):
    with app.app_context():
        course_id = make.course().id
    auth.login()
    client.post(
        f"/f/courses/{course_id}/card-box",
        data={"opens_day": "2099-01-15", "opens_time": "08:00", "closes_day": "2099-01-20",
              "closes_time": "16:30"},
    )  # fmt: skip
    with app.app_context():
        box = db.session.scalar(select(CardBox))
        # Winter in Denmark is UTC+1.
        assert (box.opens_at.hour, box.closes_at.hour, box.closes_at.minute) == (7, 15, 30)


def test_a_refused_window_keeps_what_was_typed(app, make, client, auth):
    with app.app_context():
        course_id = make.course().id
    auth.login()
    refused = client.post(
        f"/f/courses/{course_id}/card-box",
        data={"opens_day": "2099-01-20", "opens_time": "08:00", "closes_day": "2099-01-15",
              "closes_time": "16:00"},
    )  # fmt: skip
    assert refused.status_code == 422
    assert "Kassen skal lukke, efter den åbner." in refused.text and "2099-01-20" in refused.text


def test_the_facilitator_closes_the_box_early_and_renews_its_link(app, make, client, auth):
    with app.app_context():
        course = make.course()
        course_id, old = course.id, _open_box(course).token
    auth.login()
    assert client.post(f"/f/courses/{course_id}/card-box/close").status_code == 302
    assert "Kortkassen lukkede" in client.get(f"/k/{old}").text
    assert client.post(f"/f/courses/{course_id}/card-box/renew").status_code == 302
    assert client.get(f"/k/{old}").status_code == 404


def test_the_facilitator_types_in_a_paper_card_that_shows_marked_on_the_wall(
    app, make, client, auth
):
    with app.app_context():
        course = make.course(step=2)
        course_id = course.id
    auth.login()
    added = client.post(
        f"/f/courses/{course_id}/paper-cards",
        data={"role": "leder", "text": "Vi printer alle breve ud", "client_token": "pp"},
    )
    assert added.status_code == 302 and "role=leder" in added.headers["Location"]
    panel = client.get(f"/f/courses/{course_id}").text
    assert "Vi printer alle breve ud" in panel and "Papirkort" in panel
    projector = client.get(f"/f/courses/{course_id}/projector").text
    assert "Vi printer alle breve ud" in projector and "Papirkort" in projector


def test_a_box_card_shows_marked_sent_in_advance_on_the_panel_and_projector(
    app, make, client, auth
):
    with app.app_context():
        course = make.course(step=2)
        course_id = course.id
        _send(_open_box(course), "Kørselsbilag skal godkendes to gange", role="leder")
    auth.login()
    for path in (f"/f/courses/{course_id}", f"/f/courses/{course_id}/projector"):
        page = client.get(path).text
        assert "Kørselsbilag skal godkendes to gange" in page and "Sendt på forhånd" in page
    assert "Leder" in client.get(f"/f/courses/{course_id}").text


def test_a_refused_paper_card_keeps_its_text(app, make, client, auth):
    with app.app_context():
        course_id = make.course(step=2).id
    auth.login()
    refused = client.post(
        f"/f/courses/{course_id}/paper-cards",
        data={"text": "Et kort uden rolle", "client_token": "nr"},
    )
    assert refused.status_code == 422 and "Et kort uden rolle" in refused.text


# --- The course file ---------------------------------------------------------------------------


def test_the_course_file_carries_a_cards_source_and_its_authors_role_and_department(ctx, make):
    course = make.course(step=2, across_departments=True)
    make.card(make.participant(course), "Fra en telefon")
    health = departments_of(course.organisation)[2]
    _send(_open_box(course), "Fra kassen", role="leder", department=str(health.id))
    add_paper_card(course, "Fra papir", role="medarbejder", department=str(health.id),
                   client_token="p")  # fmt: skip
    data = export_course(course)
    assert [(c["source"], c["author_role"]) for c in data["cards"]] == [
        ("phone", ""), ("box", "leder"), ("paper", "medarbejder"),
    ]  # fmt: skip
    assert data["cards"][1]["author_department"] == {"name": health.name, "sector": "health"}
    copy_ = import_course(json.dumps(data), course.facilitator).course
    cards = sorted(copy_.cards, key=lambda card: card.id)
    assert [card.source for card in cards] == ["phone", "box", "paper"]
    assert cards[1].participant_id is None and cards[1].author_role == "leder"
    assert cards[2].author_department.name == health.name
    assert cards[2].author_department.organisation_id == copy_.organisation_id
    assert "card_box" not in data  # its link is a secret of this server


def test_a_course_file_from_before_the_card_box_imports_its_cards_as_phone_cards(ctx, make):
    course = make.course(step=2)
    make.card(make.participant(course), "Et gammelt kort")
    data = export_course(course)
    for card in data["cards"]:
        for key in ("source", "author_role", "author_department"):
            del card[key]
    copy_ = import_course(json.dumps(data), course.facilitator).course
    assert [(card.source, card.author_role) for card in copy_.cards] == [("phone", "")]


def test_a_box_card_with_a_participant_in_a_course_file_is_refused_as_damaged(ctx, make):
    course = make.course(step=2)
    make.card(make.participant(course), "Et kort")
    data = export_course(course)
    data["cards"][0].update(source="box", author_role="leder")
    with pytest.raises(ImportRefused):
        import_course(json.dumps(data), course.facilitator)


def test_the_cards_csv_gives_a_box_cards_source_and_its_authors_role_but_no_name(
    app, make, client, auth
):
    with app.app_context():
        course = make.course(step=2)
        course_id = course.id
        _send(_open_box(course), "Kort fra kassen", role="leder")
    auth.login()
    text = client.get(f"/f/courses/{course_id}/export/cards.csv").data.decode("utf-8-sig")
    row = next(line for line in text.splitlines() if "Kort fra kassen" in line)
    assert "Leder" in row and "Sendt på forhånd" in row


# --- The demo ----------------------------------------------------------------------------------


def test_the_demo_course_has_box_cards_a_paper_card_and_a_recently_closed_box(app, runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.title == "Mindre bøvl i jobcentret"))
        sources = [card.source for card in course.cards]
        assert sources.count("box") == 2 and sources.count("paper") == 1
        box = db.session.scalar(select(CardBox).where(CardBox.course_id == course.id))
        assert box_state(box) == "closed"
        assert utcnow() - box.closes_at.replace(tzinfo=UTC) < timedelta(days=30)
