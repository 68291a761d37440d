"""The demo's truth: every card answered, links to the right entries, the law as it stands,
invented municipalities labelled as examples, and the second course across departments."""

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from workshop.commands.demo import DEMO_EMAIL, DEMO_PASSWORD, seed_demo, seed_demo_courses
from workshop.commands.demo_bank import SHARES, seed_demo_bank
from workshop.core.extensions import db
from workshop.core.models import (
    Card,
    CardFeedback,
    Course,
    Department,
    Participant,
    Share,
    SharedChallenge,
    StateFeedback,
    Vote,
)

DEMO_FILES = sorted(Path("workshop/commands").glob("demo*.json"))

# The 98 Danish municipalities (after the 2007 reform), as their names are written.
REAL_MUNICIPALITIES = [
    "Albertslund",
    "Allerød",
    "Assens",
    "Ballerup",
    "Billund",
    "Bornholm",
    "Brøndby",
    "Brønderslev",
    "Dragør",
    "Egedal",
    "Esbjerg",
    "Fanø",
    "Favrskov",
    "Faxe",
    "Fredensborg",
    "Fredericia",
    "Frederiksberg",
    "Frederikshavn",
    "Frederikssund",
    "Furesø",
    "Faaborg-Midtfyn",
    "Gentofte",
    "Gladsaxe",
    "Glostrup",
    "Greve",
    "Gribskov",
    "Guldborgsund",
    "Haderslev",
    "Halsnæs",
    "Hedensted",
    "Helsingør",
    "Herlev",
    "Herning",
    "Hillerød",
    "Hjørring",
    "Holbæk",
    "Holstebro",
    "Horsens",
    "Hvidovre",
    "Høje-Taastrup",
    "Hørsholm",
    "Ikast-Brande",
    "Ishøj",
    "Jammerbugt",
    "Kalundborg",
    "Kerteminde",
    "Kolding",
    "København",
    "Køge",
    "Langeland",
    "Lejre",
    "Lemvig",
    "Lolland",
    "Lyngby-Taarbæk",
    "Læsø",
    "Mariagerfjord",
    "Middelfart",
    "Morsø",
    "Norddjurs",
    "Nordfyns",
    "Nyborg",
    "Næstved",
    "Odder",
    "Odense",
    "Odsherred",
    "Randers",
    "Rebild",
    "Ringkøbing-Skjern",
    "Ringsted",
    "Roskilde",
    "Rudersdal",
    "Rødovre",
    "Samsø",
    "Silkeborg",
    "Skanderborg",
    "Skive",
    "Slagelse",
    "Solrød",
    "Sorø",
    "Stevns",
    "Struer",
    "Svendborg",
    "Syddjurs",
    "Sønderborg",
    "Thisted",
    "Tønder",
    "Tårnby",
    "Vallensbæk",
    "Varde",
    "Vejen",
    "Vejle",
    "Vesthimmerland",
    "Viborg",
    "Vordingborg",
    "Ærø",
    "Aabenraa",
    "Aalborg",
    "Aarhus",
]
INVENTED = ("Fjordby", "Bakkedal", "Sølund", "Strandvig", "Lyngholm", "Mosevang")


@pytest.fixture
def demo(ctx):
    """Both demo courses, seeded as `flask demo` seeds them."""
    return seed_demo_courses()


def _card(course: Course, start: str) -> Card:
    return next(card for card in course.cards if card.text.startswith(start))


def _keys(card: Card) -> set[str]:
    return {link.requirement.key for link in card.links if not link.requirement.is_local}


def test_the_list_of_real_municipalities_is_whole():
    assert len(set(REAL_MUNICIPALITIES)) == 98


# --- The job centre's course ----------------------------------------------------------------


def test_every_card_of_the_job_centre_with_dots_has_an_answer(demo):
    course = demo[0]
    dotted = db.session.scalars(
        select(Card)
        .join(Vote, Vote.card_id == Card.id)
        .where(Card.course_id == course.id)
        .group_by(Card.id)
        .having(func.sum(Vote.dots) > 0)
    ).all()
    assert len(dotted) >= 8
    unanswered = [card.text for card in dotted if card.priority == "open"]
    assert unanswered == []
    for card in dotted:
        if card.priority == "later":
            assert card.later_when  # later says when
        if card.priority == "out_of_scope":
            assert card.out_of_scope_reason  # outside the frame says why


def test_the_interview_card_rests_on_the_individually_agreed_contact_not_the_first_months(demo):
    card = _card(demo[0], "Vi holder stadig samtaler")
    assert "R08" in _keys(card) and "R06" not in _keys(card)


def test_the_rehabilitation_team_card_describes_the_law_after_the_2026_reform(demo):
    card = _card(demo[0], "Vi forelægger stadig")
    assert _keys(card) == {"R13"}
    assert card.origin == "local_practice"
    assert "LOV 1750/2025" in card.problem and "sundhedskoordinator" in card.problem
    # The pre-2026 account (the team merely optional in jobafklaringsforløb) is gone.
    assert "valgfrit" not in card.problem
    assert card.priority == "later" and card.later_when


def test_the_state_feedback_does_not_apply_under_the_unchecked_trial_order(demo):
    feedback = db.session.scalar(select(StateFeedback).where(StateFeedback.course_id == demo[0].id))
    assert feedback.trial == "unknown"
    assert "BEK 2498/2021" in feedback.trial_note and "ikke tjekket" in feedback.trial_note


def test_the_demo_has_feedback_to_the_it_vendor_and_to_the_committee(demo):
    """Issue 18 part 6: one IT-system card for the vendor, one decision for the committee,
    each on a card whose origin fits and with an estimate labelled as the group's."""
    flags = db.session.scalars(
        select(CardFeedback).where(CardFeedback.course_id == demo[0].id).order_by(CardFeedback.id)
    ).all()
    assert [(flag.route, flag.card.origin) for flag in flags] == [
        ("it_vendor", "it_system"),
        ("politics", "municipal_decision"),
    ]
    vendor, politics = flags
    assert vendor.subject == "Sagsbehandlingssystemet" and vendor.estimate_per == "case"
    assert "(eksempel)" in politics.decided_by and politics.ask == "change"


# --- The experience bank ----------------------------------------------------------------------


def _bank_challenge(unit_kind: str, start: str = "") -> SharedChallenge:
    share = db.session.scalar(select(Share).where(Share.unit_kind == unit_kind))
    return next(c for c in share.challenges if c.text.startswith(start))


def test_the_banks_sickness_benefit_challenge_rests_on_the_sickness_benefit_follow_up(demo):
    challenge = _bank_challenge("Jobcenter, sygedagpenge")  # its first, text left out
    assert [link.requirement_key for link in challenge.requirements] == ["R27"]


def test_the_banks_journal_template_is_a_local_rule_without_a_law_link(demo):
    share = db.session.scalar(select(Share).where(Share.unit_kind == "Jobcenter, unge under 30"))
    journal = next(
        c for c in share.challenges if any("journalnotater" in s.text for s in c.solutions)
    )
    assert journal.requirements == []


def test_the_banks_interview_challenge_names_both_interview_entries(demo):
    challenge = _bank_challenge("Jobcenter, team for jobparate", "Vi indkaldte")
    assert {link.requirement_key for link in challenge.requirements} == {"R06", "R08"}


def test_reseeding_the_bank_removes_shares_an_older_demo_made_under_real_names(ctx):
    old = Share(municipality="Odense Kommune", unit_kind="Jobcenter, sygedagpenge")
    # Not the demo's: another unit, or a share that still belongs to a course's facilitator.
    other = Share(municipality="Odense Kommune", unit_kind="Jobcenter, ydelse")
    db.session.add_all([old, other])
    db.session.commit()
    old_id, other_id = old.id, other.id
    seed_demo()
    assert db.session.get(Share, old_id) is None
    assert db.session.get(Share, other_id) is not None
    assert db.session.query(Share).count() == len(SHARES) + 1


# --- Invented municipalities, labelled as examples ----------------------------------------------


def _names_in(text: str) -> list[str]:
    return [
        name for name in REAL_MUNICIPALITIES if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text)
    ]


@pytest.mark.parametrize("path", DEMO_FILES, ids=lambda path: path.name)
def test_no_demo_data_file_names_a_real_municipality(path):
    assert _names_in(path.read_text(encoding="utf-8")) == []


def test_the_demo_bank_names_no_real_municipality():
    assert _names_in(json.dumps(SHARES, ensure_ascii=False)) == []


def test_every_municipality_the_demo_shows_is_invented_and_labelled_as_an_example(demo):
    seed_demo_bank()
    shown = [course.municipality for course in demo]
    shown += [share.municipality for share in db.session.scalars(select(Share))]
    assert len(shown) == 2 + len(SHARES)
    for name in shown:
        assert name.endswith(" Kommune (eksempel)"), name
        assert name.split()[0] in INVENTED, name


def test_both_control_panels_say_the_municipality_is_an_example(app, runner, client):
    runner.invoke(args=["demo"])
    client.post("/login", data={"email": "demo@samskabt.dk", "password": "demo-samskabt"})
    with app.app_context():
        ids = [course.id for course in db.session.scalars(select(Course).order_by(Course.id))]
    for course_id in ids:
        assert "Kommune (eksempel)" in client.get(f"/f/courses/{course_id}").text


# --- The course across departments ---------------------------------------------------------------


def test_the_second_course_is_across_departments_in_step_two_with_the_vote_open(demo):
    course = demo[1]
    assert course.across_departments and course.current_step == 2
    assert course.voting_state == "voting"
    assert course.municipality == "Lyngholm Kommune (eksempel)"
    voted = db.session.scalar(
        select(func.count(func.distinct(Vote.participant_id))).where(Vote.course_id == course.id)
    )
    assert 0 < voted < len(course.participants)  # some of the room still to vote
    assert all(card.priority == "open" for card in course.cards)  # the vote decides later


def test_the_second_courses_participants_come_from_the_organisations_departments(demo):
    course = demo[1]
    departments = {p.department.name for p in course.participants if p.department is not None}
    assert all(p.department_id is not None for p in course.participants)
    assert {"Beskæftigelse", "Social og handicap", "Sundhed og psykiatri"} <= departments
    assert "Unge og uddannelse (UU)" in departments
    owners = {p.department.organisation_id for p in course.participants}
    assert owners == {course.organisation_id}


def test_reseeding_keeps_one_set_of_demo_departments(demo):
    organisation_id = demo[1].organisation_id
    seed_demo_courses()
    names = db.session.scalars(
        select(Department.name).where(Department.organisation_id == organisation_id)
    ).all()
    assert len(names) == len(set(names)) >= 6


def test_the_second_courses_cards_are_about_the_bøvl_between_departments(demo):
    course = demo[1]
    texts = " ".join(card.text for card in course.cards)
    for theme in ("Min Plan", "handleplan", "samtykke", "møde"):
        assert theme in texts
    plans = _card(course, "Borgeren har en Min Plan")
    assert {"R12", "R14"} <= _keys(plans)
    assert any(link.requirement.is_local for link in plans.links)
    linked = set().union(*(_keys(card) for card in course.cards))
    assert linked == {"R12", "R13", "R14", "R23", "R24", "R29"}


def test_the_demo_command_prints_both_courses_with_their_codes(app, runner):
    output = runner.invoke(args=["demo"]).output
    assert "Demo course: Mindre bøvl i jobcentret (Fjordby Kommune (eksempel))" in output
    assert "Demo course across departments: Mindre bøvl mellem forvaltningerne" in output
    with app.app_context():
        across = db.session.scalar(select(Course).where(Course.across_departments.is_(True)))
        code, course_id = across.join_code, across.id
    assert f"/j/{code}" in output and f"/f/courses/{course_id}/projector" in output


def test_the_second_course_has_a_department_of_one_for_a_split_to_hold_back(demo):
    course = demo[1]
    rows = db.session.execute(
        select(Participant.department_id, func.count())
        .where(Participant.course_id == course.id)
        .group_by(Participant.department_id)
    ).all()
    assert sum(count for _department, count in rows) == len(course.participants)
    assert min(count for _department, count in rows) == 1  # the region's coordinator, alone


# --- Issue 18 point 5: the catalogue people can correct --------------------------------------


def _weekly_count_rule(course: Course):
    card = _card(course, next(c[2] for c in _demo_data()["cards"] if "opgørelse" in c[2])[:20])
    return next(link.requirement for link in card.links if link.requirement.is_local)


def _demo_data() -> dict:
    return json.loads(Path("workshop/commands/demo.json").read_text(encoding="utf-8"))


def test_the_demo_shows_a_local_rule_the_course_repealed_and_retired(demo):
    rule = _weekly_count_rule(demo[0])
    assert rule.name_da == "Ugentlig opgørelse af samtaler til ledelsen"
    assert rule.is_retired and rule.repealed_on is not None
    assert rule.repealed_by_course_id == demo[0].id
    assert rule.repealed_course_title == demo[0].title


def test_the_demo_admin_has_corrected_one_law_entry_with_a_local_note_and_a_source(demo):
    from workshop.corrections import corrections_for

    corrections = list(corrections_for(demo[0].organisation_id).values())
    assert [c.requirement.key for c in corrections] == ["R08"]
    assert "lokalt mål" in corrections[0].note and "Fjordby" in corrections[0].source
    assert corrections[0].made_by.is_admin and not corrections[0].may_be_outdated


def test_reseeding_repeals_the_rule_again_by_the_new_course(demo):
    again = seed_demo_courses()
    rule = _weekly_count_rule(again[0])
    assert rule.repealed_by_course_id == again[0].id and rule.is_retired


def test_every_page_the_demo_command_prints_opens_for_its_facilitator(app, runner):
    output = runner.invoke(args=["demo"]).output
    client = app.test_client()
    client.post("/login", data={"email": DEMO_EMAIL, "password": DEMO_PASSWORD})
    paths = re.findall(r"http://127\.0\.0\.1:5000(/[^\s)]*)", output)
    assert any(path.endswith("/card-box") for path in paths)
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
