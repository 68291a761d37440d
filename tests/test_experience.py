"""The experience bank's domain: sharing, anonymisation, withdrawal, cross-course queries."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from workshop.cards import edit_card
from workshop.catalogue import add_local_rule, load_catalogue
from workshop.core.errors import WorkshopError
from workshop.core.extensions import db
from workshop.core.models import (
    Card,
    CardRequirement,
    Course,
    Share,
    SharedChallenge,
    SharedRequirement,
    SharedSolution,
    Solution,
)
from workshop.courses import delete_course, go_to_step
from workshop.examination import link_requirement, prioritise
from workshop.experience import (
    active_share,
    copy_shared_solution,
    experience_for,
    experience_for_keys,
    plan_share,
    review_share,
    share_course,
    withdraw_share,
)
from workshop.votes import SOLUTIONS, set_voting_state

from .bank_support import shareable_course


@pytest.fixture
def ctx_catalogue(ctx):
    load_catalogue()
    return ctx


def _course(course_id):
    return db.session.get(Course, course_id)


def _share(course_id, **options):
    course = _course(course_id)
    return share_course(course, course.facilitator, **options)


def _strings(share: Share) -> list[str]:
    """Every text value the share holds, in every row."""
    rows = [share]
    for challenge in share.challenges:
        rows += [challenge, *challenge.requirements, *challenge.solutions]
    return [
        str(getattr(row, column.key))
        for row in rows
        for column in row.__table__.columns
        if getattr(row, column.key) is not None
    ]


def test_a_share_holds_requirements_origin_figures_and_no_names_or_words(ctx_catalogue, make):
    a = shareable_course(make, "a@bakkedal.dk", "Bakkedal Kommune", label="A")
    share, replaced = _share(a.course)
    assert not replaced
    assert share.municipality == "Bakkedal Kommune" and share.participants == 6
    [challenge] = share.challenges
    assert challenge.text == "" and challenge.origin == "local_practice"
    assert challenge.dots == 12 and (challenge.dots_staff, challenge.dots_managers) == (6, 6)
    [link] = challenge.requirements
    assert link.requirement_key == "R05" and link.requirement_version == 1
    assert link.law_version and link.name
    chosen, other = challenge.solutions
    assert (chosen.kind, chosen.chosen, chosen.action_status) == ("remove", True, "implemented")
    assert (chosen.baseline_mean, chosen.followup_mean, chosen.change) == (60, 40, -20)
    assert chosen.entries == 6 and chosen.improved is True and chosen.measure_unit
    assert chosen.text == "" and chosen.measure_what == ""  # words only when reviewed
    assert (other.kind, other.chosen, other.action_status, other.change) == (
        "embed",
        False,
        "",
        None,
    )
    held = " ".join(_strings(share))
    for name in a.names:
        assert name not in held
    assert "loven kræver" not in held and "skabelon" not in held.casefold()


def test_a_link_to_a_local_rule_is_counted_in_the_plan_but_never_shared(ctx_catalogue, make):
    a = shareable_course(make, "a@bakkedal.dk", "Bakkedal Kommune", label="A")
    course = _course(a.course)
    rule = add_local_rule(course.facilitator, name="Vores egen skabelon", kind="template")
    link_requirement(db.session.get(Card, a.card), rule.key)
    [planned] = plan_share(_course(a.course)).challenges
    assert [r.key for r in planned.requirements] == ["R05"] and planned.local_rules == 1
    share, _ = _share(a.course)
    assert [r.requirement_key for r in share.challenges[0].requirements] == ["R05"]
    assert "Vores egen skabelon" not in " ".join(_strings(share))


def test_reviewed_words_are_shared_as_edited_and_other_courses_keys_are_ignored(
    ctx_catalogue, make
):
    a = shareable_course(make, "a@bakkedal.dk", "Bakkedal Kommune", label="A")
    b = shareable_course(make, "b@solund.dk", "Sølund Kommune", label="B")
    share, _ = _share(
        a.course,
        texts={
            f"card-{a.card}": "  Flere samtaler end LAB kræver  ",
            f"solution-{a.solution}": "Skabelonen fjernet",
            f"solution-{b.solution}": "Sølunds ord må ikke komme med",
            f"card-{a.card}x": "ukendt nøgle",
        },
        unit_kind="Jobcenter, team A-dagpenge",
    )
    [challenge] = share.challenges
    assert challenge.text == "Flere samtaler end LAB kræver"
    assert challenge.solutions[0].text == "Skabelonen fjernet"
    assert challenge.solutions[0].measure_what == "Minutter brugt på dokumentation"
    assert challenge.solutions[1].text == ""
    assert share.unit_kind == "Jobcenter, team A-dagpenge"
    assert "Sølunds" not in " ".join(_strings(share))


def test_a_cpr_like_number_in_reviewed_words_is_refused_unless_confirmed(ctx_catalogue, make):
    a = shareable_course(make, "a@bakkedal.dk", "Bakkedal Kommune", label="A")
    texts = {f"card-{a.card}": "Borgeren 010190-1234 fik tre samtaler"}
    with pytest.raises(WorkshopError) as refused:
        _share(a.course, texts=texts)
    assert refused.value.code == "cpr"
    assert db.session.scalar(select(Share.id)) is None
    share, _ = _share(a.course, texts=texts, allow_cpr_like=True)
    assert share.challenges[0].text.startswith("Borgeren")


def test_sharing_twice_replaces_the_snapshot_and_later_edits_do_not_leak(ctx_catalogue, make):
    a = shareable_course(make, "a@bakkedal.dk", "Bakkedal Kommune", label="A")
    first, _ = _share(a.course, texts={f"card-{a.card}": "Første ordlyd"})
    first_id = first.id
    edit_card(db.session.get(Card, a.card), "Ny ordlyd med navnet Jens", "")
    assert active_share(_course(a.course)).challenges[0].text == "Første ordlyd"
    second, replaced = _share(a.course)
    assert replaced
    shares = db.session.scalars(select(Share).order_by(Share.id)).all()
    assert [s.id for s in shares] == [first_id, second.id]
    assert shares[0].withdrawn_at is not None and shares[0].challenges == []
    assert active_share(_course(a.course)).id == second.id
    assert db.session.query(SharedChallenge).count() == 1


def test_a_share_made_from_an_outdated_review_is_refused(ctx_catalogue, make):
    a = shareable_course(make, "a@bakkedal.dk", "Bakkedal Kommune", label="A")
    reviewed = plan_share(_course(a.course)).revision
    prioritise(db.session.get(Card, a.card), "prioritised")  # any change bumps the revision
    with pytest.raises(WorkshopError) as refused:
        _share(a.course, revision=reviewed)
    assert refused.value.code == "changed"
    reviewed = plan_share(_course(a.course)).revision
    make.participant(_course(a.course), name="Kom for sent")  # a join bumps the activity
    with pytest.raises(WorkshopError) as joined:
        _share(a.course, revision=reviewed)
    assert joined.value.code == "changed"
    assert db.session.scalar(select(Share.id)) is None


def test_a_course_without_prioritised_challenges_has_nothing_to_share(ctx_catalogue, make):
    course = make.course(step=2)
    make.card(make.participant(course), "Et kort")
    with pytest.raises(WorkshopError) as refused:
        share_course(course, course.facilitator)
    assert refused.value.code == "empty"


def test_the_review_says_there_is_nothing_to_share_before_anyone_confirms(ctx_catalogue, make):
    course = make.course(step=2)
    make.card(make.participant(course), "Et kort")
    with pytest.raises(WorkshopError) as refused:
        review_share(plan_share(course), {})
    assert refused.value.code == "empty"


def test_a_tiny_course_holds_back_role_splits_and_figures_of_one_or_two_people(ctx_catalogue, make):
    tiny = shareable_course(make, "t@fano.dk", "Fanø Kommune", managers=1, loggers=2, label="T")
    share, _ = _share(tiny.course)
    [challenge] = share.challenges
    assert challenge.dots == 8
    assert challenge.dots_staff is None and challenge.dots_managers is None
    chosen = challenge.solutions[0]
    assert chosen.change is None and chosen.baseline_mean is None and chosen.entries == 0
    assert chosen.action_status == "implemented"  # the status is no one's figure
    plan = plan_share(_course(tiny.course))
    assert plan.split_held_back and plan.challenges[0].solutions[0].effect_held_back


def test_others_find_it_by_requirement_sorted_by_evidence_but_not_their_own(ctx_catalogue, make):
    a = shareable_course(make, "a@bakkedal.dk", "Bakkedal Kommune", label="A")
    b = shareable_course(make, "b@solund.dk", "Sølund Kommune", label="B", measured=False)
    c = shareable_course(make, "c@strandvig.dk", "Strandvig Kommune", label="C", key="R06")
    _share(a.course, texts={f"solution-{a.solution}": "Skabelonen fjernet"})
    _share(b.course)
    _share(c.course)
    seen_by_c = experience_for("R05", exclude_course_id=c.course)
    assert seen_by_c.courses == 2 and not seen_by_c.mixed_versions
    findings = seen_by_c.findings
    assert [f.share.municipality for f in findings][:2] == ["Bakkedal Kommune", "Sølund Kommune"]
    assert findings[0].solution.is_measured and findings[0].solution.text == "Skabelonen fjernet"
    assert findings[1].solution.action_status == "implemented"
    assert [f.solution.chosen for f in findings] == [True, True, False, False]
    seen_by_a = experience_for("R05", exclude_course_id=a.course)
    assert seen_by_a.courses == 1
    assert {f.share.municipality for f in seen_by_a.findings} == {"Sølund Kommune"}
    both = experience_for_keys(["R05", "R06", "R99"], exclude_course_id=a.course)
    assert (both["R05"].courses, both["R06"].courses, both["R99"].courses) == (1, 1, 0)


def test_two_law_versions_of_one_requirement_are_shown_apart(ctx_catalogue, make):
    a = shareable_course(make, "a@bakkedal.dk", "Bakkedal Kommune", label="A")
    b = shareable_course(make, "b@solund.dk", "Sølund Kommune", label="B")
    link = db.session.scalar(select(CardRequirement).where(CardRequirement.card_id == b.card))
    link.law_version, link.version = "LBK nr. 701 af 2022", 1
    db.session.commit()
    _share(a.course)
    _share(b.course)
    experience = experience_for("R05")
    assert experience.courses == 2 and experience.mixed_versions
    versions = {group.law_version: group.findings for group in experience.groups}
    assert set(versions) == {"LBK nr. 701 af 2022", link.requirement.law_version}
    assert {f.share.municipality for f in versions["LBK nr. 701 af 2022"]} == {"Sølund Kommune"}


def test_withdrawing_hides_everything_but_a_copy_stays_in_the_course_that_made_it(
    ctx_catalogue, make
):
    a = shareable_course(make, "a@bakkedal.dk", "Bakkedal Kommune", label="A")
    c = shareable_course(make, "c@strandvig.dk", "Strandvig Kommune", label="C")
    _share(a.course, texts={f"solution-{a.solution}": "Skabelonen fjernet"})
    [finding] = [
        f for f in experience_for("R05", exclude_course_id=c.course).findings if f.solution.text
    ]
    course_c, card_c = _course(c.course), db.session.get(Card, c.card)
    copy = copy_shared_solution(course_c, card_c, finding.solution.id)
    assert copy.text == "Skabelonen fjernet" and copy.kind == "remove"
    assert copy.participant_id is None and not copy.chosen
    assert "Bakkedal Kommune" in copy.source and str(finding.share.shared_at.year) in copy.source
    with pytest.raises(WorkshopError) as twice:
        copy_shared_solution(course_c, card_c, finding.solution.id)
    assert twice.value.code == "duplicate"
    shared_id = finding.solution.id
    withdraw_share(_course(a.course))
    assert experience_for("R05", exclude_course_id=c.course).courses == 0
    assert db.session.get(SharedSolution, shared_id) is None
    assert db.session.query(SharedRequirement).count() == 0
    kept = db.session.get(Solution, copy.id)
    assert kept.text == "Skabelonen fjernet" and "Bakkedal Kommune" in kept.source
    with pytest.raises(WorkshopError) as gone:
        copy_shared_solution(course_c, card_c, shared_id)
    assert gone.value.code == "gone"
    with pytest.raises(WorkshopError) as again:
        withdraw_share(_course(a.course))
    assert again.value.code == "not_shared"


def test_copying_needs_words_a_prioritised_challenge_and_another_course(ctx_catalogue, make):
    a = shareable_course(make, "a@bakkedal.dk", "Bakkedal Kommune", label="A")
    c = shareable_course(make, "c@strandvig.dk", "Strandvig Kommune", label="C")
    share, _ = _share(a.course, texts={f"solution-{a.solution}": "Skabelonen fjernet"})
    with_words, without_words = share.challenges[0].solutions
    course_c = _course(c.course)
    with pytest.raises(WorkshopError) as no_text:
        copy_shared_solution(course_c, db.session.get(Card, c.card), without_words.id)
    assert no_text.value.code == "no_text"
    open_card = db.session.get(Card, c.card)
    prioritise(open_card, "later", later_when="Til foråret")
    with pytest.raises(WorkshopError) as not_prioritised:
        copy_shared_solution(course_c, open_card, with_words.id)
    assert not_prioritised.value.code == "priority"
    with pytest.raises(WorkshopError) as own:
        copy_shared_solution(_course(a.course), db.session.get(Card, a.card), with_words.id)
    assert own.value.code == "own"
    with pytest.raises(WorkshopError) as unknown:
        copy_shared_solution(course_c, open_card, 10**9)
    assert unknown.value.code == "gone"


def test_a_copy_can_be_made_in_step_2_before_solutions_are_collected(ctx_catalogue, make):
    a = shareable_course(make, "a@bakkedal.dk", "Bakkedal Kommune", label="A")
    share, _ = _share(a.course, texts={f"solution-{a.solution}": "Skabelonen fjernet"})
    course = make.course(make.facilitator(email="d@vejle.dk"), municipality="Vejle Kommune")
    go_to_step(course, 2)
    card = make.challenge(make.participant(course), "For mange samtaler")
    shared_id = share.challenges[0].solutions[0].id
    go_to_step(course, 3)
    set_voting_state(course, "voting", SOLUTIONS)  # a proposal mid-vote would be unfair
    with pytest.raises(WorkshopError) as voting:
        copy_shared_solution(course, card, shared_id)
    assert voting.value.code == "closed"
    set_voting_state(course, "collect", SOLUTIONS)
    go_to_step(course, 2)
    copy = copy_shared_solution(course, card, shared_id)
    assert copy.course_id == course.id and course.current_step == 2


def test_deleting_a_course_takes_its_share_out_of_the_bank(ctx_catalogue, make):
    """Nobody could withdraw it once the course is gone, so deleting means deleting."""
    a = shareable_course(make, "a@bakkedal.dk", "Bakkedal Kommune", label="A")
    share, _ = _share(a.course)
    share_id = share.id
    assert experience_for("R05").courses == 1
    delete_course(_course(a.course))
    assert db.session.get(Share, share_id) is None
    assert experience_for("R05").courses == 0


def test_the_demo_has_three_shared_courses_that_its_cards_find_and_reseeding_keeps_three(ctx):
    from workshop.commands.demo import seed_demo

    seed_demo()
    course = seed_demo()  # idempotent: the demo's shares are replaced, not doubled
    assert db.session.query(Share).count() == 3
    keys = ["R08", "R06", "R27", "R28", "R12"]
    found = experience_for_keys(keys, exclude_course_id=course.id)
    assert [found[key].courses for key in keys] == [1, 2, 1, 1, 1]
    assert found["R06"].mixed_versions  # Bakkedal linked R06 before its 2026 change
    # The interview card rests on the individually agreed contact (R08), as Bakkedal's does.
    best = found["R08"].findings[0].solution
    assert best.is_measured and best.improved
    interviews = next(card for card in course.cards if card.text.startswith("Vi holder stadig"))
    copy = copy_shared_solution(course, interviews, best.id)
    assert (
        copy.source.startswith("Kopieret fra erfaringsbanken") or "experience bank" in copy.source
    )
