"""Steps 3–6 as plain functions: solutions and their vote, actions, measures, lessons."""

from datetime import date, timedelta

import pytest
from flask_babel import gettext
from flask_wtf import FlaskForm

from steps import get_step
from workshop.actions import (
    action_board,
    set_action_status,
    started_before_recorded,
    stuck_actions,
    update_action,
)
from workshop.cards import merge_cards, set_card_hidden
from workshop.core.clock import local_today
from workshop.core.errors import WorkshopError
from workshop.core.extensions import db
from workshop.core.models import Action, ActionUpdate, Card, Vote
from workshop.core.vocabulary import STEP_COUNT, StepNumber
from workshop.courses import copy_course, go_to_step, start_timer, stop_timer
from workshop.dialogue import answer_question, answers_by_question
from workshop.examination import prioritise
from workshop.learning import add_lesson, course_status, lessons_by_kind
from workshop.measures import log_entry, measure_stats, parse_value, set_period_closed
from workshop.solutions import (
    challenges_with_solutions,
    choose_solution,
    edit_solution,
    propose_solution,
    set_solution_hidden,
    unchoose_solution,
)
from workshop.votes import (
    CARDS,
    SOLUTIONS,
    cast_vote,
    clear_votes,
    dots_left,
    my_dots,
    results,
    set_voting_state,
)

pytestmark = pytest.mark.usefixtures("ctx")
TODAY = local_today()


@pytest.fixture
def group(make):
    """A course at step 3 with one prioritised challenge and one that was not."""
    course = make.course(step=2, dot_budget=3)
    anne = make.participant(course, name="Anne")
    leader = make.participant(course, role="leder", name="Lis")
    challenge = make.challenge(anne, "Samtaleskemaet kræver flere samtaler end loven")
    other = make.card(anne, "Kaffen er dårlig")
    go_to_step(course, 3)
    return course, anne, leader, challenge, other


# --- Step 3: solutions ---------------------------------------------------------------


def test_a_solution_is_proposed_for_a_prioritised_challenge_with_its_assessment(group):
    course, anne, _leader, challenge, _other = group
    solution = propose_solution(
        anne,
        challenge,
        "  Ret skabelonen til lovens minimum  ",
        "remove",
        client_token="s1",
        effect_citizens="1",
        effect_efficiency=2,
        effect_work_environment="",
        likelihood="likely",
        evidence="Færre samtaler i kalenderen",
        effort="small",
    )
    assert solution.text == "Ret skabelonen til lovens minimum"
    assert (solution.effect_citizens, solution.effect_efficiency) == (1, 2)
    assert solution.effect_work_environment is None
    again = propose_solution(anne, challenge, "Noget andet", "remove", client_token="s1")
    assert again.id == solution.id  # a double submit makes one solution
    [(card, solutions)] = challenges_with_solutions(course)
    assert card.id == challenge.id and [s.id for s in solutions] == [solution.id]


@pytest.mark.parametrize(
    ("kind", "extra", "code"),
    [
        ("fjern", {}, "kind"),
        ("remove", {"effect_citizens": 3}, "effect"),
        ("remove", {"effect_citizens": "meget"}, "effect"),
        ("remove", {"likelihood": "sure"}, "likelihood"),
        ("remove", {"evidence": "x" * 1001}, "too_long"),
    ],
)
def test_a_solution_with_a_bad_kind_or_assessment_is_refused(group, kind, extra, code):
    _course, anne, _leader, challenge, _other = group
    with pytest.raises(WorkshopError) as refused:
        propose_solution(anne, challenge, "Forslag", kind, client_token="t", **extra)
    assert refused.value.code == code


def test_solutions_are_only_for_prioritised_challenges_in_step_3(group, make):
    course, anne, _leader, challenge, other = group
    with pytest.raises(WorkshopError) as refused:
        propose_solution(anne, other, "Ny kaffemaskine", "change", client_token="t1")
    assert refused.value.code == "priority"
    stranger_course = make.course(title="Et andet forløb")
    stranger = make.participant(stranger_course)
    go_to_step(stranger_course, 3)
    with pytest.raises(WorkshopError) as refused:
        propose_solution(stranger, challenge, "Forslag", "change", client_token="t2")
    assert refused.value.code == "card"
    go_to_step(course, 4)
    with pytest.raises(WorkshopError) as refused:
        propose_solution(anne, challenge, "For sent", "change", client_token="t3")
    assert refused.value.code == "closed"


def test_the_same_person_cannot_propose_the_same_solution_twice(group):
    _course, anne, _leader, challenge, _other = group
    propose_solution(anne, challenge, "Fælles skabelon", "change", client_token="a")
    with pytest.raises(WorkshopError) as refused:
        propose_solution(anne, challenge, "FÆLLES SKABELON", "change", client_token="b")
    assert refused.value.code == "duplicate"


def test_solutions_are_voted_on_with_the_same_mechanism_and_their_own_budget(group, make):
    course, anne, leader, challenge, _other = group
    first = make.solution(anne, challenge, "Fjern kravet om ugentlig opfølgning")
    second = make.solution(leader, challenge, "Én indgang til sagen")
    set_voting_state(course, "voting", SOLUTIONS)
    assert cast_vote(anne, first, 2).dots_left == 1
    assert cast_vote(anne, second, 1).dots_left == 0
    with pytest.raises(WorkshopError) as refused:
        cast_vote(anne, second, 2)
    assert refused.value.code == "budget"
    assert my_dots(anne, SOLUTIONS) == {first.id: 2, second.id: 1}
    # The card vote is a separate ballot: its budget is untouched and it is not open.
    assert dots_left(anne, CARDS) == 3 and my_dots(anne, CARDS) == {}
    assert results(course, SOLUTIONS) is None  # hidden until revealed
    set_voting_state(course, "revealed", SOLUTIONS)
    ranked = results(course, SOLUTIONS)
    assert [(row.item.id, row.total) for row in ranked.rows] == [(first.id, 2), (second.id, 1)]
    assert ranked.rows[0].card.id == challenge.id
    assert results(course, CARDS) is None  # the card vote was never revealed


def test_votes_on_solutions_and_cards_do_not_mix(group, make):
    course, anne, _leader, challenge, _other = group
    solution = make.solution(anne, challenge)
    set_voting_state(course, "voting", SOLUTIONS)
    cast_vote(anne, solution, 1)
    with pytest.raises(WorkshopError) as refused:
        cast_vote(anne, challenge, 1)  # the card vote belongs to step 2 and is not open
    assert refused.value.code == "closed"
    clear_votes(course, CARDS)  # clears nothing of the solution vote
    assert my_dots(anne, SOLUTIONS) == {solution.id: 1}
    clear_votes(course, SOLUTIONS)
    assert my_dots(anne, SOLUTIONS) == {}


def test_hiding_a_solution_gives_its_dots_back_and_a_hidden_one_cannot_be_voted(group, make):
    course, anne, _leader, challenge, _other = group
    solution = make.solution(anne, challenge)
    set_voting_state(course, "voting", SOLUTIONS)
    cast_vote(anne, solution, 2)
    set_solution_hidden(solution, True)
    assert dots_left(anne, SOLUTIONS) == 3
    with pytest.raises(WorkshopError) as refused:
        cast_vote(anne, solution, 1)
    assert refused.value.code == "item"


def test_the_facilitator_edits_the_assessment_and_the_authors_words_stay(group, make):
    _course, anne, _leader, challenge, _other = group
    solution = make.solution(anne, challenge, "Min formulering")
    edit_solution(solution, "Gruppens formulering", "embed", effect_work_environment=-1)
    assert solution.original_text == "Min formulering"
    assert (solution.kind, solution.effect_work_environment) == ("embed", -1)
    with pytest.raises(WorkshopError):
        edit_solution(solution, "", "embed")
    assert solution.text == "Gruppens formulering"


def test_choosing_a_solution_makes_one_action_and_undoing_removes_it_until_it_started(group, make):
    course, anne, _leader, challenge, _other = group
    solution = make.solution(anne, challenge, "Ret skabelonen")
    action = choose_solution(solution, "Jobcenterchef Lis")
    assert solution.chosen and solution.decided_by == "Jobcenterchef Lis"
    assert action.title == "Ret skabelonen" and action.status == "not_started"
    assert choose_solution(solution).id == action.id  # a double click: still one action
    unchoose_solution(solution)
    assert db.session.scalar(db.select(db.func.count()).select_from(Action)) == 0
    action = choose_solution(solution)
    set_action_status(action, "in_test")
    with pytest.raises(WorkshopError) as refused:
        unchoose_solution(solution)
    assert refused.value.code == "started"
    with pytest.raises(WorkshopError):
        set_solution_hidden(solution, True)  # a chosen solution stays in view


# --- Step 4: actions -------------------------------------------------------------------


@pytest.fixture
def action(group, make):
    _course, anne, _leader, challenge, _other = group
    return make.action(make.solution(anne, challenge, "Færre samtaler, mere tid til borgeren"))


def test_an_action_without_owner_or_date_is_a_draft(action, group):
    course, anne, *_ = group
    assert action.is_draft
    update_action(action, owner_id=anne.id, start_date=TODAY + timedelta(days=7))
    assert not action.is_draft and action.owner_label == "Anne"
    assert [stuck.action.id for stuck in stuck_actions(course)] == []


def test_an_action_recorded_after_the_fact_keeps_its_start_date_in_the_past(action, group):
    _course, anne, *_ = group
    last_week = TODAY - timedelta(days=7)
    update_action(action, owner_id=anne.id, start_date=last_week, today=TODAY)
    assert action.start_date == last_week
    assert started_before_recorded(action, today=TODAY)
    set_action_status(action, "in_test", note="Startede i sidste uge")
    assert not started_before_recorded(action, today=TODAY)


def test_an_action_is_edited_in_full_and_a_refused_edit_changes_nothing(action, group):
    _course, anne, *_ = group
    update_action(
        action,
        title="Skabelonen følger lovens minimum",
        owner_name="Teamleder Per",
        who_does_what="Jobkonsulenterne holder samtaler efter behov",
        start_date=TODAY,
        first_step="Ret skabelonen i fagsystemet",
        pilot_unit="Team Ledige",
        pilot_from=TODAY,
        pilot_to=TODAY + timedelta(days=60),
        barriers={"legal": {"checked": True, "note": "LAB § 31 kræver kun fire samtaler"}},
        communication="Personalemøde og intranet",
        success_signs="Færre aflyste samtaler",
        watched_by="Teamlederen",
    )
    assert action.barriers == {
        "legal": {"checked": True, "note": "LAB § 31 kræver kun fire samtaler"}
    }
    with pytest.raises(WorkshopError) as refused:
        update_action(
            action, title="Noget nyt", pilot_from=TODAY, pilot_to=TODAY - timedelta(days=1)
        )
    assert refused.value.code == "period"
    assert action.title == "Skabelonen følger lovens minimum"
    with pytest.raises(WorkshopError):
        update_action(action, barriers={"economic": {"note": "x"}})


def test_a_start_date_that_has_since_passed_may_be_kept(action):
    action.start_date = TODAY - timedelta(days=30)  # saved a month ago
    db.session.commit()
    update_action(action, start_date=action.start_date, first_step="Nyt første skridt")
    assert action.first_step == "Nyt første skridt"


def test_the_owner_must_be_a_participant_of_the_course(action, make):
    stranger = make.participant(make.course(title="Andet forløb"))
    with pytest.raises(WorkshopError):
        update_action(action, owner_id=stranger.id)
    assert action.owner_id is None


def test_status_changes_are_logged_and_only_the_owner_may_change_from_a_phone(action, group, make):
    course, anne, leader, *_ = group
    update_action(action, owner_id=anne.id, start_date=TODAY)
    with pytest.raises(WorkshopError) as refused:
        set_action_status(action, "in_test", by=leader)
    assert refused.value.code == "owner"
    stranger = make.participant(make.course(title="Andet forløb"))
    with pytest.raises(WorkshopError) as refused:
        set_action_status(action, "in_test", by=stranger)
    assert refused.value.code == "course"
    set_action_status(action, "in_test", note="Vi tester i Team Ledige", by=anne)
    set_action_status(action, "in_test", by=anne)  # a double tap logs nothing new
    with pytest.raises(WorkshopError) as refused:
        set_action_status(action, "dropped")
    assert refused.value.code == "reason"
    set_action_status(action, "adjusted", note="Kun for nye borgere")
    updates = db.session.scalars(db.select(ActionUpdate).order_by(ActionUpdate.id)).all()
    assert [(u.status, u.participant_id) for u in updates] == [
        ("in_test", anne.id),
        ("adjusted", None),
    ]
    board = dict(action_board(course))
    assert [a.id for a in board["adjusted"]] == [action.id] and board["not_started"] == []


def test_a_status_left_unchosen_is_refused_as_not_chosen(action):
    with pytest.raises(WorkshopError) as refused:
        set_action_status(action, "")
    assert (refused.value.code, refused.value.message) == ("status", gettext("Choose a status."))
    assert action.status == "not_started" and action.updates == []


def test_stuck_actions_are_found_with_their_reason(action, group, make):
    course, anne, _leader, challenge, _other = group
    late = make.action(make.solution(anne, challenge, "Fælles indgang"))
    late.owner_name = "Per"
    late.start_date = TODAY - timedelta(days=3)
    test_over = make.action(make.solution(anne, challenge, "Selvbooking med hjælp"))
    test_over.owner_name = "Lis"
    test_over.start_date = TODAY - timedelta(days=40)
    test_over.pilot_to = TODAY - timedelta(days=1)
    test_over.status = "in_test"
    db.session.commit()
    stuck = {s.action.id: s.reason for s in stuck_actions(course)}
    assert set(stuck) == {action.id, late.id, test_over.id}
    assert stuck[action.id] == gettext("No owner or start date yet.")
    assert stuck[late.id].startswith(gettext("Should have started on %(date)s.", date="")[:10])


# --- Step 5: measures ------------------------------------------------------------------


def test_statistics_never_invent_a_number(action, group, make):
    _course, anne, *_ = group
    measure = make.measure(action)
    stats = measure_stats(measure)
    assert (stats.baseline.count, stats.baseline.mean) == (0, None)
    assert stats.change is None and stats.change_percent is None and stats.improved is None

    log_entry(anne, measure, measure.baseline_from, "120", client_token="b1")
    stats = measure_stats(measure)
    assert (stats.baseline.count, stats.baseline.mean) == (1, 120)
    assert stats.followup.mean is None and stats.change is None

    log_entry(anne, measure, measure.baseline_to, "100", client_token="b2")
    log_entry(anne, measure, measure.followup_from, "82,5", client_token="f1")
    stats = measure_stats(measure)
    assert stats.baseline.mean == 110 and stats.followup.mean == 82.5
    assert stats.change == -27.5 and stats.change_percent == pytest.approx(-25.0)
    assert stats.improved is True  # fewer minutes of documentation is better


def test_a_baseline_of_zero_gives_a_change_but_no_percentage(action, group, make):
    _course, anne, *_ = group
    measure = make.measure(action, what="Klager", unit="antal", higher_is_better=False)
    log_entry(anne, measure, measure.baseline_from, 0, client_token="b")
    log_entry(anne, measure, measure.followup_from, 2, client_token="f")
    stats = measure_stats(measure)
    assert stats.change == 2 and stats.change_percent is None and stats.improved is False


@pytest.mark.parametrize(
    ("raw", "value"), [("45", 45.0), ("12,5", 12.5), (" 7 ", 7.0), ("-3", -3.0), (".5", 0.5)]
)
def test_values_are_read_as_typed_on_a_danish_phone(raw, value):
    assert parse_value(raw) == value


@pytest.mark.parametrize("raw", ["", "abc", "1.200,5", "12 minutter", "nan", "1e9", "inf"])
def test_what_is_not_a_number_is_refused(raw):
    with pytest.raises(WorkshopError) as refused:
        parse_value(raw)
    assert refused.value.code == "value"


def test_entries_outside_the_periods_in_the_future_or_in_a_closed_period_are_refused(
    action, group, make
):
    _course, anne, _leader, *_ = group
    measure = make.measure(action)
    between = measure.baseline_to + timedelta(days=1)
    for day, code in [
        (TODAY + timedelta(days=1), "future"),
        (between, "period"),
        (None, "date"),
    ]:
        with pytest.raises(WorkshopError) as refused:
            log_entry(anne, measure, day, "10", client_token=f"x{code}")
        assert refused.value.code == code
    with pytest.raises(WorkshopError) as refused:
        log_entry(anne, measure, measure.baseline_from, "ti", client_token="word")
    assert refused.value.code == "value"
    set_period_closed(measure, "baseline", True)
    with pytest.raises(WorkshopError) as refused:
        log_entry(anne, measure, measure.baseline_from, "10", client_token="late")
    assert refused.value.code == "closed"
    stranger = make.participant(make.course(title="Andet forløb"))
    with pytest.raises(WorkshopError) as refused:
        log_entry(stranger, measure, measure.followup_from, "10", client_token="s")
    assert refused.value.code == "course"
    assert measure.entries == []


def test_a_double_submitted_entry_is_logged_once(action, group, make):
    _course, anne, *_ = group
    measure = make.measure(action)
    first = log_entry(anne, measure, measure.followup_from, "30", client_token="same")
    second = log_entry(anne, measure, measure.followup_from, "30", client_token="same")
    assert first.id == second.id and len(measure.entries) == 1


def test_a_value_logged_without_a_measure_is_refused_before_anything_is_saved(group):
    _course, anne, *_ = group
    with pytest.raises(WorkshopError) as refused:
        log_entry(anne, None, TODAY, "10", client_token="none")
    assert refused.value.code == "measure"


def test_a_measure_for_no_action_is_refused(make):
    with pytest.raises(WorkshopError) as refused:
        make.measure(None)
    assert refused.value.code == "action"


# --- Step 6: reflections, lessons, status ----------------------------------------------


def test_reflection_answers_belong_to_step_6(group):
    course, anne, *_ = group
    with pytest.raises(WorkshopError) as refused:
        answer_question(anne, course.reflections[0], "Ja", client_token="r0")
    assert refused.value.code == "closed"  # step 3 asks no questions
    go_to_step(course, 6)
    answer_question(anne, course.reflections[0], "Vi manglede HR", client_token="r1")
    with pytest.raises(WorkshopError):
        answer_question(anne, course.questions[0], "Et trin 1-svar", client_token="r2")
    [(question, answers), *_rest] = answers_by_question(course, step=6)
    assert question == course.reflections[0] and [a.text for a in answers] == ["Vi manglede HR"]
    assert all(not answers for _q, answers in answers_by_question(course, step=1))


def test_lessons_and_decisions_are_recorded(group, make):
    course, _anne, _leader, _challenge, other = group
    add_lesson(course, "lesson", "Ledere og medarbejdere så bøvlet forskelligt")
    add_lesson(
        course,
        "decision",
        "Tag kaffen op i næste forløb",
        next_step_kind="next_challenge",
        responsible="MED-udvalget",
        due=TODAY + timedelta(days=90),
        card_id=other.id,
    )
    with pytest.raises(WorkshopError) as refused:
        add_lesson(course, "decision", "Uden retning")
    assert refused.value.code == "next_step"
    foreign = make.card(make.participant(make.course(title="Andet", step=2)), "Fremmed kort")
    with pytest.raises(WorkshopError) as refused:
        add_lesson(
            course, "decision", "Fremmed", next_step_kind="next_challenge", card_id=foreign.id
        )
    assert refused.value.code == "card"
    grouped = dict(lessons_by_kind(course))
    assert [lesson.text for lesson in grouped["lesson"]] == [
        "Ledere og medarbejdere så bøvlet forskelligt"
    ]
    assert grouped["decision"][0].card.id == other.id


@pytest.mark.parametrize(
    "decision_field",
    [
        {"next_step_kind": "next_challenge"},
        {"responsible": "MED-udvalget"},
        {"due": TODAY},
        {"card_id": 1},
    ],
)
def test_decision_details_on_a_lesson_are_refused_rather_than_dropped(group, decision_field):
    course, *_ = group
    with pytest.raises(WorkshopError) as refused:
        add_lesson(course, "lesson", "En læring med en ansvarlig", **decision_field)
    assert refused.value.code == "kind"
    assert all(not lessons for _kind, lessons in lessons_by_kind(course))


def test_the_steps_are_numbered_by_the_one_definition_of_the_method(group):
    assert [get_step(number).number for number in StepNumber] == list(StepNumber)
    assert len(StepNumber) == STEP_COUNT == 6
    assert get_step(StepNumber.EVALUATE).slug == "evaluate"


def test_the_status_lists_every_challenge_with_its_solutions_and_actions(group, make):
    course, anne, _leader, challenge, other = group
    solution = make.solution(anne, challenge)
    action = make.action(solution)
    status = course_status(course)
    assert [row.card.id for row in status.challenges] == [challenge.id, other.id]
    assert status.challenges[0].actions == [action] and status.challenges[1].solutions == []
    assert dict(status.action_counts)["not_started"] == 1 and status.action_total == 1


# --- Timer and course copies -----------------------------------------------------------


def test_the_timer_starts_and_stops(group):
    course, *_ = group
    revision = course.revision
    start_timer(course, 5, "Skriv kort")
    assert (course.timer_ends_at - course.timer_started_at) == timedelta(minutes=5)
    assert course.timer_label == "Skriv kort" and course.revision > revision
    for minutes in (0, 181, "5"):
        with pytest.raises(WorkshopError):
            start_timer(course, minutes)
    stop_timer(course)
    assert course.timer_ends_at is None


def test_a_copied_course_keeps_the_frame_and_questions_but_no_people_or_cards(group, make):
    course, *_ = group
    course.frame_cannot_change = "Lovens krav om fire samtaler"
    db.session.commit()
    copy = copy_course(course, course.facilitator)
    assert copy.id != course.id and copy.join_code != course.join_code
    assert copy.title.endswith(course.title)
    assert copy.frame_cannot_change == "Lovens krav om fire samtaler"
    assert copy.questions == course.questions and copy.reflections == course.reflections
    assert copy.current_step == 1 and copy.voting_state == "collect"
    assert copy.participants == [] and copy.cards == []
    assert (
        db.session.scalar(
            db.select(db.func.count()).select_from(Vote).where(Vote.course_id == copy.id)
        )
        == 0
    )
    assert (
        db.session.scalar(
            db.select(db.func.count()).select_from(Card).where(Card.course_id == copy.id)
        )
        == 0
    )


def test_a_nameless_owner_is_named_by_role_and_unit(action, make, group):
    course, *_ = group
    nameless = make.participant(course, role="leder", unit="Team Ydelse")
    update_action(action, owner_id=nameless.id, start_date=TODAY)
    assert action.owner_label == "Leder, Team Ydelse" and not action.is_draft


# --- What the review found -------------------------------------------------------------


def test_undoing_a_choice_never_loses_a_plan_or_measurements(group, make):
    _course, anne, _leader, challenge, _other = group
    planned = make.solution(anne, challenge, "Planlagt")
    make.action(planned, who_does_what="Alle jobkonsulenter")
    measured = make.solution(anne, challenge, "Målt")
    make.measure(make.action(measured))
    for solution in (planned, measured):
        with pytest.raises(WorkshopError) as refused:
            unchoose_solution(solution)
        assert refused.value.code == "started"
        assert solution.chosen and solution.action is not None


def test_a_solution_to_a_challenge_no_longer_prioritised_cannot_be_chosen(group, make):
    _course, anne, _leader, challenge, _other = group
    solution = make.solution(anne, challenge)
    prioritise(challenge, "later", later_when="Til foråret")
    with pytest.raises(WorkshopError) as refused:
        choose_solution(solution)
    assert refused.value.code == "priority" and not solution.chosen


def test_a_challenge_with_solutions_is_neither_hidden_nor_merged(group, make):
    course, anne, _leader, challenge, other = group
    make.solution(anne, challenge)
    with pytest.raises(WorkshopError) as refused:
        set_card_hidden(challenge, True)
    assert refused.value.code == "solutions" and not challenge.hidden
    with pytest.raises(WorkshopError) as refused:
        merge_cards(other, [challenge])
    assert refused.value.code == "solutions" and challenge.merged_into_id is None


def test_measure_periods_stay_within_ten_years(action, make):
    with pytest.raises(WorkshopError) as refused:
        make.measure(action, followup_to=date(9999, 12, 31))
    assert refused.value.code == "dates"


def test_an_owners_phone_form_is_drawn_again_when_the_status_changes(action, group):
    course, anne, *_ = group
    update_action(action, owner_id=anne.id, start_date=TODAY)
    implement = get_step(4)
    before = implement.stage(course)
    set_action_status(action, "in_test")
    assert implement.stage(course) != before
    assert len(implement.stage(course)) <= 20  # it travels in every poll's URL


# --- The step definitions: data from the domain, no web --------------------------------


@pytest.mark.parametrize("audience", ["phone", "projector", "control"])
@pytest.mark.parametrize(
    ("step", "state"),
    [(1, "collect"), (2, "collect"), (2, "voting"), (3, "collect"), (3, "voting")],
)
def test_steps_1_to_3_draw_their_screens_from_the_domain_without_a_request(
    make, step, state, audience
):
    """Forms, dot buttons and URLs are added by the web layer (web/steps/)."""
    course = make.course(step=2)
    anne = make.participant(course)
    challenge = make.challenge(anne, "Samtaleskemaet kræver flere samtaler end loven")
    if step == 3:
        make.solution(anne, challenge, "Én samtale i stedet for to")
        set_voting_state(course, state, SOLUTIONS)
    else:
        go_to_step(course, step)
        set_voting_state(course, state)

    # No request context here: url_for, csrf and htmx would raise outside one.
    context = get_step(step).context(course, audience, anne if audience == "phone" else None)

    assert context
    assert not [name for name, value in context.items() if isinstance(value, FlaskForm)]
    assert "vote" not in context
