"""The demo courses: a job centre part-way through, with realistic data in every step so far,
and a course across departments in step 2 (demo_across.py). Every municipality is invented
and labelled as an example."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import select

from workshop.actions import set_action_status, update_action
from workshop.card_box import add_paper_card, set_card_box_window, submit_box_card
from workshop.cards import merge_cards, set_card_hidden, submit_card
from workshop.catalogue import local_rules
from workshop.commands.demo_across import seed_demo_across
from workshop.commands.demo_bank import seed_demo_bank
from workshop.commands.demo_support import examine_cards, spend_dots
from workshop.core.clock import local_date, local_today
from workshop.core.extensions import db
from workshop.core.models import Course, utcnow
from workshop.core.vocabulary import EFFECT_DIMENSIONS
from workshop.corrections import (
    law_entry,
    mark_rule_repealed,
    repeal_offers,
    retire_local_rule,
    save_correction,
)
from workshop.courses import create_course, go_to_step
from workshop.dialogue import answer_question
from workshop.examination import prioritise
from workshop.facilitators import create_facilitator, find_facilitator
from workshop.learning import add_lesson
from workshop.local_feedback import ROUTES, flag_for
from workshop.measures import add_measure, log_entry
from workshop.meetings import plan_meeting
from workshop.organisations import create_organisation, find_organisation
from workshop.participants import join
from workshop.reminders import set_email
from workshop.solutions import choose_solution, propose_solution
from workshop.state_feedback import flag_card
from workshop.votes import SOLUTIONS, set_voting_state

DEMO_EMAIL = "demo@samskabt.dk"
DEMO_PASSWORD = "demo-samskabt"  # noqa: S105 - the demo login is printed on purpose
DEMO_ORGANISATION = "Demo-konsulenthuset"
DATA_FILE = Path(__file__).with_name("demo.json")


def seed_demo() -> Course:
    """Create or reset the job centre's demo course (and the experience bank); it keeps its
    join code across resets. The demo login's other courses are removed."""
    facilitator = _demo_facilitator()
    return _seed_job_centre(facilitator, _clear_demo_courses(facilitator))


def seed_demo_courses() -> tuple[Course, Course]:
    """Both demo courses, reset: the job centre's in step 5 and the one across departments
    in step 2; each keeps its join code across resets."""
    facilitator = _demo_facilitator()
    codes = _clear_demo_courses(facilitator)
    return _seed_job_centre(facilitator, codes), seed_demo_across(facilitator, codes)


def _clear_demo_courses(facilitator) -> dict[str, str]:
    """Delete every course of the demo login (a reset undoes whatever was tried in it) and
    say which join code each title had, so a reset course keeps its code."""
    codes: dict[str, str] = {}
    for old in db.session.scalars(select(Course).where(Course.facilitator_id == facilitator.id)):
        codes.setdefault(old.title, old.join_code)
        db.session.delete(old)
    db.session.commit()
    return codes


def _seed_job_centre(facilitator, codes: dict[str, str]) -> Course:
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    course = create_course(facilitator, **data["course"])
    old_code = codes.get(course.title)
    if old_code:
        course.join_code = old_code
        db.session.commit()
    people = [join(course, **person) for person in data["participants"]]
    # Invented work emails at an example domain for a few owners and loggers, so
    # `reminders send --dry-run` shows whom reminders would reach (issue 18 item 3).
    for who, address in data["work_emails"].items():
        set_email(people[int(who)], address)

    for number, (who, question, text) in enumerate(data["answers"]):
        answer_question(
            people[who], course.questions[question], text, client_token=f"demo-answer-{number}"
        )

    go_to_step(course, 2)
    cards = [
        submit_card(people[who], text, category, client_token=f"demo-card-{number}")
        for number, (who, category, text) in enumerate(data["cards"])
    ]
    _cards_from_outside_the_room(course, data)
    for source, target in data["merge"]:
        merge_cards(cards[target], [cards[source]])
    for index in data["hide"]:
        set_card_hidden(cards[index], True)

    set_voting_state(course, "voting")
    spend_dots(people, cards, data["votes"])
    set_voting_state(course, "revealed")
    _examine_and_prioritise(facilitator, cards, data)

    go_to_step(course, 3)
    solutions = _develop_solutions(people, cards, data)
    set_voting_state(course, "voting", SOLUTIONS)
    spend_dots(people, solutions, data["solution_votes"], SOLUTIONS)
    set_voting_state(course, "revealed", SOLUTIONS)

    go_to_step(course, 4)
    actions = _plan_actions(people, solutions, data)
    _correct_the_catalogue(facilitator, actions[0])
    go_to_step(course, 5)
    _measure(people, actions, data)
    # Feedback to the state (issue 9 part 5): self-booking rests on national law, so the
    # group sends it on with what it costs, what it proposes and how a trial could go.
    flag_card(
        cards[2],
        cost=(
            "Vi booker selv samtalen for omkring hver fjerde borger i målgruppen, fordi de "
            "ikke kan bruge Jobnet. Det tager 10–15 minutter pr. samtale, og fritagelserne i "
            "bekendtgørelsen kræver en vurdering og en registrering for hver enkelt borger."
        ),
        proposal=(
            "Lad jobcentret fritage borgere med svage it- eller danskkundskaber fra "
            "selvbooking efter en samlet faglig vurdering, uden fornyet vurdering ved hver "
            "samtale."
        ),
        # Not "yes, the trial provision": the LAB paragraph the trial order rests on is
        # unchecked (catalogue R31's note), so the demo says so instead of applying under it.
        trial="unknown",
        trial_note=(
            "Måske. Der findes en forsøgsbekendtgørelse på beskæftigelsesområdet (BEK "
            "2498/2021), men hvilken paragraf i LAB den bygger på, er ikke tjekket. Vi tjekker "
            "bekendtgørelsens »I medfør af«-linje på retsinformation.dk, før vi henviser til den."
        ),
    )
    _feedback_beyond_the_state(cards)
    for kind, text in data["lessons"]:
        add_lesson(course, kind, text)
    _plan_meetings(course, data)
    seed_demo_bank()  # other municipalities' shared results, for the experience bank
    return course


def _feedback_beyond_the_state(cards) -> None:
    """Issue 18 part 6: the double entry is the case system's doing (the IT vendor's
    document), and the budget model's form a decision of the municipality's own (the
    committee's). A generic system name: the demo claims nothing about a real vendor."""
    flag_for(
        ROUTES["it_vendor"],
        cards[1],
        subject="Sagsbehandlingssystemet",
        cost=(
            "Oplysninger om borgeren og om virksomhedspraktik tastes både i systemet og i et "
            "regneark, fordi systemet ikke kan trække de lister, økonomi og teamlederne "
            "bruger. Det rammer hver ny sag og hver praktik."
        ),
        estimate_minutes=10,
        estimate_per="case",
        proposal=(
            "En udtræksmulighed (rapport eller eksport til Excel) med borgerens forløb og "
            "praktikperioder, så regnearket kan nedlægges og alt kun tastes ét sted."
        ),
    )
    flag_for(
        ROUTES["politics"],
        cards[7],
        subject="Budgetmodellen for tilbud: et skema pr. borger før hvert tilbud",
        decided_by="Beskæftigelsesudvalget, Fjordby Kommune (eksempel)",
        cost=(
            "Skemaet udfyldes før hvert tilbud og sendes til økonomi, men bruges ikke til at "
            "styre budgettet: økonomi trækker tallene fra fagsystemet."
        ),
        estimate_minutes=20,
        estimate_per="case",
        ask="change",
        proposal=(
            "Afskaf skemaet pr. borger og lad budgetopfølgningen bygge på de tal, der "
            "allerede registreres. Vi tager det op med økonomiafdelingen i budgetprocessen "
            "for 2027."
        ),
    )


def _cards_from_outside_the_room(course: Course, data: dict) -> None:
    """Issue 18: the card box was open for a week before the first workshop (closed since),
    and the facilitator typed in a card someone handed in on paper."""
    now = utcnow()
    opened = now - timedelta(days=21)
    box = set_card_box_window(course, opened, opened + timedelta(days=7), now=opened)
    for number, (role, category, text) in enumerate(data["box_cards"]):
        sent = opened + timedelta(days=2 + number, hours=3)
        submit_box_card(box, text, category, role=role, client_token=f"demo-box-{number}", now=sent)
    for number, (role, category, text) in enumerate(data["paper_cards"]):
        add_paper_card(course, text, category, role=role, client_token=f"demo-paper-{number}")


def _demo_facilitator():
    """The demo login: admin of a consultancy that facilitates for several municipalities."""
    organisation = find_organisation(DEMO_ORGANISATION) or create_organisation(
        DEMO_ORGANISATION, "consultancy"
    )
    facilitator = find_facilitator(DEMO_EMAIL) or create_facilitator(
        DEMO_EMAIL, DEMO_PASSWORD, "Demo-facilitator", organisation, is_admin=True
    )
    if facilitator.organisation_id != organisation.id or not facilitator.is_admin:
        # A demo login made before organisations existed (in the default organisation).
        facilitator.organisation = organisation
        facilitator.is_admin = True
        facilitator.active = True
        for course in facilitator.courses:
            course.organisation = organisation
        db.session.commit()
    return facilitator


# The demo organisation's admin corrects a law entry for the organisation (issue 18): a local
# note beside the shipped entry, with its source, clearly the municipality's, not the law's.
DEMO_CORRECTION = {
    "key": "R08",
    "note": (
        "Fjordby Kommunes beskæftigelsesplan har et lokalt mål om en samtale hver 3. måned "
        "for borgere, der har været ledige i mere end 6 måneder. Det er et lokalt mål, ikke "
        "et lovkrav: loven kræver kun et individuelt aftalt kontaktforløb."
    ),
    "source": "Beskæftigelsesplan 2026, Fjordby Kommune (eksempel), vedtaget 14.11.2025",
    "confidence": "verified",
}


def _correct_the_catalogue(facilitator, implemented) -> None:
    """Between the workshops (issue 18): the implemented action removed the weekly count to
    the management, so the course marks that local rule repealed on the day it was
    implemented and retires it; and the admin notes the local goal beside R08."""
    removed = repeal_offers(implemented)
    done_on = local_date(implemented.updates[-1].created_at)
    for rule in removed:
        mark_rule_repealed(implemented, rule, today=done_on)
        retire_local_rule(rule)
    fields = {name: value for name, value in DEMO_CORRECTION.items() if name != "key"}
    save_correction(facilitator, law_entry(DEMO_CORRECTION["key"]), **fields)


def _day(offset: int | None) -> date | None:
    return None if offset is None else local_today() + timedelta(days=offset)


def _develop_solutions(people, cards, data) -> list:
    solutions = []
    for number, entry in enumerate(data["solutions"]):
        who, card, kind, text, effects, likelihood, evidence, effort = entry
        solutions.append(
            propose_solution(
                people[who],
                cards[card],
                text,
                kind,
                client_token=f"demo-solution-{number}",
                likelihood=likelihood,
                evidence=evidence,
                effort=effort,
                **dict(zip(EFFECT_DIMENSIONS, effects, strict=True)),
            )
        )
    return solutions


def _plan_actions(people, solutions, data) -> list:
    """The step-4 workshop seven weeks ago: chosen solutions become actions with owners."""
    planned_on = _day(data["plan_day"])
    for index, decided_by in data["chosen"]:
        choose_solution(solutions[index], decided_by)
    actions = []
    for plan in data["actions"]:
        action = solutions[plan["solution"]].action
        owner = plan["owner"]
        update_action(
            action,
            today=planned_on,
            owner_id=people[owner].id if owner is not None else None,
            who_does_what=plan["who_does_what"],
            start_date=_day(plan["start"]),
            first_step=plan["first_step"],
            pilot_unit=plan["pilot_unit"],
            pilot_from=_day(plan["pilot_from"]),
            pilot_to=_day(plan["pilot_to"]),
            barriers={kind: {"note": note} for kind, note in plan["barriers"].items()},
            communication=plan["communication"],
            success_signs=plan["success_signs"],
            watched_by=plan["watched_by"],
        )
        for status, note in plan["updates"]:
            set_action_status(action, status, note=note, by=action.owner)
        actions.append(action)
    _spread_over_the_weeks(actions, planned_on)
    return actions


def _spread_over_the_weeks(actions, planned_on: date) -> None:
    """The status log reads as weeks of work, not one second of seeding."""
    for action in actions:
        for number, update in enumerate(action.updates):
            day = planned_on + timedelta(days=7 + 21 * number)
            update.created_at = datetime.combine(day, time(10), tzinfo=UTC)
            action.updated_at = update.created_at
    db.session.commit()


def _measure(people, actions, data) -> None:
    for number, plan in enumerate(data["measures"]):
        measure = add_measure(
            actions[plan["action"]],
            what=plan["what"],
            unit=plan["unit"],
            higher_is_better=plan["higher_is_better"],
            baseline_from=_day(plan["baseline"][0]),
            baseline_to=_day(plan["baseline"][1]),
            followup_from=_day(plan["followup"][0]),
            followup_to=_day(plan["followup"][1]),
        )
        for line, (who, day, value, note) in enumerate(plan["entries"]):
            log_entry(
                people[who],
                measure,
                _day(day),
                value,
                note,
                client_token=f"demo-entry-{number}-{line}",
            )


def _examine_and_prioritise(facilitator, cards, data) -> None:
    """After the reveal: the group examines the cards, links the rules and prioritises."""
    names = {rule["name"] for rule in data["local_rules"]}
    for rule in local_rules(facilitator.id):
        if rule.name_da in names:
            _as_before_the_course(rule)
    examine_cards(facilitator, cards, data)
    for index, status, note in data["priorities"]:
        prioritise(
            cards[index],
            status,
            later_when=note if status == "later" else "",
            reason=note if status == "out_of_scope" else "",
        )
    # "Later" with a day (issue 18), decided at the step 2 workshop weeks ago: one day has
    # come (it shows on the control panel and in step 6), one is still to come.
    decided = _day(-42)
    for index, offset in data["later_due"]:
        card = cards[index]
        prioritise(card, "later", later_when=card.later_when, later_due=_day(offset), today=decided)


def _plan_meetings(course, data) -> None:
    """The coming workshops (issue 18), on a Tuesday some weeks ahead: weeks, time, place."""
    today = local_today()
    first_tuesday = today + timedelta(days=7 + (1 - today.weekday()) % 7)
    for weeks, start, end, place, steps, note in data["meetings"]:
        plan_meeting(
            course,
            day=first_tuesday + timedelta(weeks=weeks),
            start=time.fromisoformat(start),
            end=time.fromisoformat(end),
            place=place,
            steps=steps,
            note=note,
        )


def _as_before_the_course(rule) -> None:
    """A reset demo starts before its course repealed and retired a rule (issue 18): the
    rule the last run marked is in force again, so the new run can link and repeal it."""
    if rule.repealed_on is not None or rule.retired_at is not None:
        rule.repealed_on, rule.repealed_by_course_id, rule.repealed_course_title = None, None, ""
        rule.retired_at = None
        rule.status = "in_force"
        db.session.commit()
