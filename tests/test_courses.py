"""Courses, join codes, steps and the voting round, called as plain functions."""

import pytest

from workshop.core.errors import WorkshopError
from workshop.courses import (
    JOIN_CODE_ALPHABET,
    JOIN_CODE_LENGTH,
    advance_step,
    confirm_deletion,
    find_course_by_code,
    format_join_code,
    go_to_step,
    normalise_join_code,
    participant_counts,
    update_course,
)
from workshop.participants import join
from workshop.votes import cast_vote, set_voting_state, vote_mark

pytestmark = pytest.mark.usefixtures("ctx")


def test_join_codes_use_only_unambiguous_characters(make):
    codes = {make.course().join_code for _ in range(20)}
    assert len(codes) == 20
    for code in codes:
        assert len(code) == JOIN_CODE_LENGTH
        assert set(code) <= set(JOIN_CODE_ALPHABET)
        assert not set(code) & set("0O1IL2Z5S8BUV")


def test_a_code_read_aloud_with_spaces_dashes_and_lower_case_finds_the_course(make):
    course = make.course()
    typed = " " + format_join_code(course.join_code).lower().replace(" ", " - ") + " "
    assert normalise_join_code(typed) == course.join_code
    assert find_course_by_code(typed) == course
    assert find_course_by_code("") is None
    assert find_course_by_code("X" * 500) is None


def test_a_new_course_gets_default_dialogue_questions_in_danish(make):
    course = make.course()
    assert len(course.questions) == 3
    assert "styring" in course.questions[0].lower()


def test_a_course_needs_a_title_and_a_municipality(make):
    with pytest.raises(WorkshopError):
        make.course(title="  ")
    with pytest.raises(WorkshopError):
        make.course(municipality="")
    with pytest.raises(WorkshopError):
        make.course(dot_budget=0)


def test_every_change_bumps_the_revision_or_the_activity(make):
    """What phones may see bumps the revision; joins and new cards (which only the projector
    and the control panel show) bump the activity, so 300 phones' polls stay 304."""
    course = make.course()
    seen = [(course.revision, course.activity)]

    def changed(revision: bool):
        before = seen[-1]
        seen.append((course.revision, course.activity))
        assert seen[-1][0 if revision else 1] > before[0 if revision else 1], seen
        assert seen[-1][1 if revision else 0] == before[1 if revision else 0], seen

    update_course(course, title="Nyt navn")
    changed(revision=True)
    person = join(course, "leder")
    changed(revision=False)
    go_to_step(course, 2)
    changed(revision=True)
    make.card(person)
    changed(revision=False)
    set_voting_state(course, "voting")
    changed(revision=True)
    # A dot changes no course row at all (300 phones vote at once): the screens see it in
    # vote_mark, what they show of a vote in progress.
    mark = vote_mark(course)
    cast_vote(person, course.cards[0], 1)
    assert (course.revision, course.activity) == seen[-1]
    assert vote_mark(course) != mark


def test_steps_move_forwards_and_back_within_one_to_six(make):
    course = make.course()
    advance_step(course, -1)
    assert course.current_step == 1
    for _ in range(8):
        advance_step(course)
    assert course.current_step == 6
    advance_step(course, -1)
    assert course.current_step == 5
    with pytest.raises(WorkshopError):
        go_to_step(course, 7)


def test_voting_round_follows_its_phases(make):
    course = make.course(step=2)
    with pytest.raises(WorkshopError):
        set_voting_state(course, "closed")  # cannot close what never opened
    set_voting_state(course, "voting")
    revision = course.revision
    set_voting_state(course, "voting")  # a double click changes nothing
    assert course.revision == revision
    set_voting_state(course, "closed")
    set_voting_state(course, "revealed")
    set_voting_state(course, "collect")
    with pytest.raises(WorkshopError):
        set_voting_state(course, "finished")


def test_participants_are_counted_by_role_in_the_methods_order(make):
    course = make.course()
    for role in ["leder", "medarbejder", "medarbejder", "anden"]:
        make.participant(course, role=role)
    counts = participant_counts(course)
    assert [(c.role, c.count) for c in counts] == [("medarbejder", 2), ("leder", 1), ("anden", 1)]
    assert counts[0].label == "Medarbejder"


def test_joining_a_closed_course_is_refused(make):
    from workshop.courses import set_joining_open

    course = make.course()
    set_joining_open(course, False)
    with pytest.raises(WorkshopError) as refused:
        join(course, "medarbejder")
    assert refused.value.code == "closed"


def test_joining_needs_a_known_role_and_short_texts(make):
    course = make.course()
    with pytest.raises(WorkshopError):
        join(course, "direktør")
    with pytest.raises(WorkshopError):
        join(course, "leder", unit="x" * 121)
    participant = join(course, "leder", unit="  Team Ledige ", name=" Susanne ")
    assert (participant.unit, participant.name) == ("Team Ledige", "Susanne")


def test_the_dots_cannot_change_once_dots_are_given(make):
    from workshop.votes import cast_vote, clear_votes

    course = make.course(step=2, dot_budget=5)
    person = make.participant(course)
    card = make.card(person)
    set_voting_state(course, "voting")
    cast_vote(person, card, 3)
    with pytest.raises(WorkshopError) as refused:
        update_course(course, dot_budget=2)
    assert refused.value.code == "votes"
    assert course.dot_budget == 5
    update_course(course, title="Ny titel", dot_budget=5)  # other changes are fine
    clear_votes(course)
    update_course(course, dot_budget=2)
    assert course.dot_budget == 2


def test_the_smallest_group_shown_can_be_raised_but_not_lowered_once_dots_are_given(make):
    """One manager voted with a minimum of 3: a minimum of 1 would show their dots."""
    from workshop.votes import SOLUTIONS, cast_vote, clear_votes, results

    course = make.course(step=2, min_group_size=3)
    staff = [make.participant(course) for _ in range(3)]
    boss = make.participant(course, role="leder")
    card = make.card(staff[0])
    set_voting_state(course, "voting")
    for person in (*staff, boss):
        cast_vote(person, card, 1)
    set_voting_state(course, "revealed")
    with pytest.raises(WorkshopError) as refused:
        update_course(course, min_group_size=1)
    assert refused.value.code == "anonymity"
    assert course.min_group_size == 3
    assert not any(group.shown for group in results(course).groups)
    update_course(course, min_group_size=4)  # tightening is always allowed
    assert course.min_group_size == 4
    update_course(course, title="Ny titel", min_group_size=4)  # so is saving it unchanged
    clear_votes(course)
    clear_votes(course, SOLUTIONS)
    update_course(course, min_group_size=1)  # no dots, nothing to expose
    assert course.min_group_size == 1


def test_dots_on_solutions_also_keep_the_smallest_group_from_being_lowered(make):
    from workshop.votes import SOLUTIONS, cast_vote

    course = make.course(step=2, min_group_size=3)
    boss = make.participant(course, role="leder")
    challenge = make.challenge(boss, "Udfordring")
    go_to_step(course, 3)
    solution = make.solution(boss, challenge, "Løsning")
    set_voting_state(course, "voting", SOLUTIONS)
    cast_vote(boss, solution, 1)
    with pytest.raises(WorkshopError):
        update_course(course, min_group_size=2)
    assert course.min_group_size == 3


def test_deleting_a_course_is_refused_unless_its_title_is_typed(make):
    course = make.course(title="Mindre  bøvl i Fjordby")
    for typed in ("", None, "Mindre bøvl", "mindre bøvl i fjordby"):
        with pytest.raises(WorkshopError) as refused:
            confirm_deletion(course, typed)
        assert refused.value.code == "confirm_title"
    confirm_deletion(course, " Mindre bøvl  i Fjordby ")  # spacing aside, it is the title
