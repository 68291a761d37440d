"""Dot voting: the budget, taking dots back, hidden until revealed, staff versus managers."""

import threading

import pytest

from workshop.core.errors import WorkshopError
from workshop.core.extensions import db
from workshop.core.models import Card, Participant, Vote
from workshop.votes import (
    cast_vote,
    clear_votes,
    dots_left,
    my_dots,
    results,
    set_voting_state,
    voting_progress,
)


@pytest.fixture
def room(make, ctx):
    """A course in step 2 with three cards and the vote open."""
    course = make.course(step=2, dot_budget=3)
    author = make.participant(course)
    cards = [make.card(author) for _ in range(3)]
    set_voting_state(course, "voting")
    return course, author, cards


def test_dots_can_be_placed_and_taken_back(room):
    _course, person, cards = room
    assert cast_vote(person, cards[0], 2).dots_left == 1
    assert cast_vote(person, cards[0], 1).dots_left == 2
    assert cast_vote(person, cards[0], 0).dots_left == 3
    assert my_dots(person) == {}


def test_the_budget_holds(room):
    _course, person, cards = room
    cast_vote(person, cards[0], 2)
    cast_vote(person, cards[1], 1)
    with pytest.raises(WorkshopError) as refused:
        cast_vote(person, cards[2], 1)
    assert refused.value.code == "budget"
    assert "3" in refused.value.message
    assert dots_left(person) == 0


def test_a_number_beyond_the_database_is_refused_as_over_the_budget(room):
    """A hand-made post can send any number: it is refused with the budget's reason on
    both databases, never passed to SQL (where SQLite can't even bind it)."""
    course, person, cards = room
    course.multiple_dots_per_card = True
    db.session.commit()
    for dots in (4, 2**63, 10**30):
        with pytest.raises(WorkshopError) as refused:
            cast_vote(person, cards[0], dots)
        assert refused.value.code == "budget"
    assert my_dots(person) == {}


def test_a_repeated_request_for_the_same_dots_is_harmless(room):
    _course, person, cards = room
    cast_vote(person, cards[0], 1)
    cast_vote(person, cards[0], 1)
    assert my_dots(person) == {cards[0].id: 1}


def test_one_dot_per_card_when_the_course_says_so(make, ctx):
    course = make.course(step=2, multiple_dots_per_card=False)
    person = make.participant(course)
    card = make.card(person)
    set_voting_state(course, "voting")
    with pytest.raises(WorkshopError) as refused:
        cast_vote(person, card, 2)
    assert refused.value.code == "one_per_item"


def test_one_dot_per_card_holds_when_the_rule_changed_after_the_tap_loaded_the_course(make, ctx):
    """The tap's request loaded the course allowing several dots; the facilitator switched
    to one dot per card before the vote was stored: the rule as it is now decides."""
    from sqlalchemy.orm.attributes import set_committed_value

    course = make.course(step=2, multiple_dots_per_card=True)
    person = make.participant(course)
    card = make.card(person)
    set_voting_state(course, "voting")
    course.multiple_dots_per_card = False  # the facilitator's switch, stored
    db.session.commit()
    # ... while the phone's request still holds the course as it loaded it before.
    set_committed_value(person.course, "multiple_dots_per_card", True)
    with pytest.raises(WorkshopError) as refused:
        cast_vote(person, card, 2)
    assert refused.value.code == "one_per_item"
    assert my_dots(person) == {}


def test_voting_only_while_the_vote_is_open(room):
    course, person, cards = room
    set_voting_state(course, "closed")
    with pytest.raises(WorkshopError) as refused:
        cast_vote(person, cards[0], 1)
    assert refused.value.code == "closed"


def test_hidden_merged_and_foreign_cards_take_no_dots(room, make):
    course, person, cards = room
    from workshop.cards import set_card_hidden

    set_card_hidden(cards[0], True)
    other_course = make.course(step=2)
    foreign = make.card(make.participant(other_course))
    for card in (cards[0], foreign):
        with pytest.raises(WorkshopError):
            cast_vote(person, card, 1)
    with pytest.raises(WorkshopError):
        cast_vote(person, cards[1], -1)


def test_results_stay_hidden_until_revealed(room):
    course, person, cards = room
    cast_vote(person, cards[1], 3)
    assert results(course) is None
    set_voting_state(course, "closed")
    assert results(course) is None
    progress = voting_progress(course)
    assert (progress.voters, progress.dots_cast, progress.dots_possible) == (1, 3, 3)
    set_voting_state(course, "revealed")
    ranked = results(course)
    assert [row.card.id for row in ranked.rows][0] == cards[1].id
    assert ranked.rows[0].total == 3


def test_staff_and_managers_are_shown_side_by_side_once_enough_of_each_voted(make, ctx):
    course = make.course(step=2, dot_budget=2, min_group_size=2)
    staff = [make.participant(course, role=r) for r in ("medarbejder", "tillidsrepraesentant")]
    managers = [make.participant(course, role="leder") for _ in range(2)]
    a, b = make.card(staff[0]), make.card(staff[0])
    set_voting_state(course, "voting")
    for person in staff:
        cast_vote(person, a, 2)
    for person in managers:
        cast_vote(person, b, 2)
    set_voting_state(course, "revealed")
    ranked = results(course)
    by_card = {row.card.id: row.by_group for row in ranked.rows}
    assert by_card[a.id] == {"staff": 4}
    assert by_card[b.id] == {"managers": 4}
    assert all(group.shown for group in ranked.groups)


def test_a_small_group_is_held_back_so_no_single_vote_shows(make, ctx):
    course = make.course(step=2, min_group_size=3)
    staff = [make.participant(course) for _ in range(3)]
    manager = make.participant(course, role="leder")
    card = make.card(staff[0])
    set_voting_state(course, "voting")
    for person in [*staff, manager]:
        cast_vote(person, card, 1)
    set_voting_state(course, "revealed")
    ranked = results(course)
    assert ranked.rows[0].total == 4
    # Staff's 3 beside the total of 4 would give the lone manager's dot away: no split at all.
    assert ranked.rows[0].by_group == {}
    assert {g.key: g.shown for g in ranked.groups} == {"staff": False, "managers": False}


def test_a_group_that_did_not_vote_does_not_hold_the_split_back(make, ctx):
    course = make.course(step=2, min_group_size=2)
    staff = [make.participant(course) for _ in range(2)]
    make.participant(course, role="leder")  # joined, did not vote
    card = make.card(staff[0])
    set_voting_state(course, "voting")
    for person in staff:
        cast_vote(person, card, 1)
    set_voting_state(course, "revealed")
    assert results(course).rows[0].by_group == {"staff": 2}


def test_starting_the_vote_over_gives_every_dot_back(room):
    course, person, cards = room
    cast_vote(person, cards[0], 3)
    clear_votes(course)
    assert dots_left(person) == 3


def test_the_budget_holds_when_one_phone_sends_many_votes_at_once(app, make):
    """Twenty threads, each its own app context and database connection, race for the dots."""
    with app.app_context():
        course = make.course(step=2, dot_budget=5)
        person = make.participant(course)
        card_ids = [make.card(person).id for _ in range(10)]
        set_voting_state(course, "voting")
        person_id = person.id

    barrier = threading.Barrier(20, timeout=30)
    outcomes = []

    def vote(card_id, dots):
        with app.app_context():
            participant = db.session.get(Participant, person_id)
            card = db.session.get(Card, card_id)
            db.session.commit()  # release the read before everyone starts at once
            barrier.wait()
            try:
                cast_vote(participant, card, dots)
                outcomes.append("ok")
            except WorkshopError as refused:
                outcomes.append(refused.code)

    threads = [threading.Thread(target=vote, args=(card_ids[i % 10], 1 + i % 2)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    with app.app_context():
        spent = sum(v.dots for v in db.session.scalars(db.select(Vote)))
        assert spent <= 5
        assert len(outcomes) == 20
        assert outcomes.count("ok") >= 3  # 15 dots were asked for: some fit, the rest refused
        assert "budget" in outcomes
        assert set(outcomes) <= {"ok", "budget"}
        assert spent == sum(
            v.dots
            for v in db.session.scalars(db.select(Vote).where(Vote.participant_id == person_id))
        )
