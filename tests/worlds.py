"""Two complete courses side by side, for the authorisation matrix, retention and the
property-based tests: every kind of record exists in both, so every URL can be filled
with one course's ids, or with the other's.

Course A belongs to organisation A (a municipality): its admin, facilitator A (who made the
course, not an admin) and a colleague. Course B belongs to another organisation, whose only
facilitator, B, is therefore its admin."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import time, timedelta

from sqlalchemy import func, select

from workshop.actions import set_action_status
from workshop.card_box import add_paper_card, set_card_box_window, submit_box_card
from workshop.catalogue import add_local_rule, load_catalogue
from workshop.core.clock import local_today
from workshop.core.extensions import db
from workshop.core.models import Course, utcnow
from workshop.courses import go_to_step
from workshop.departments import departments_of
from workshop.dialogue import answer_question
from workshop.examination import link_requirement
from workshop.learning import add_lesson
from workshop.manager_links import create_manager_link, revoke_manager_link
from workshop.measures import log_entry
from workshop.meetings import plan_meeting
from workshop.touchpoints import add_touchpoint, open_path
from workshop.votes import SOLUTIONS, cast_vote, set_voting_state


@dataclass
class Ids:
    """One course's ids and keys, readable outside the app context."""

    course: int
    code: str
    facilitator_email: str
    owner: int  # the participant who owns the action (and whose phone the tests use)
    other: int  # a second participant, a manager
    answer: int
    card: int  # prioritised, with a solution: the challenge
    card2: int  # open, with a dot
    card3: int  # open, no dots: can be merged
    link: int  # card2's link to a catalogue entry
    solution: int  # chosen: it has the action
    solution2: int  # not chosen, with a dot
    action: int
    measure: int
    entry: int
    lesson: int
    manager_link: int
    token: str
    revoked_link: int
    revoked_token: str
    local_rule: str
    extra: dict = field(default_factory=dict)
    organisation: int = 0
    facilitator: int = 0  # the id of the facilitator who made the course
    admin_email: str = ""  # the organisation's admin (course A: not the course's maker)
    colleague_email: str = ""  # another facilitator of the organisation (course A only)
    owner_token: str = ""  # what the owner's phone cookie holds (Participant.token)
    colleague: int = 0  # their id (course B: B's own facilitator, its only one)
    # The citizen's path (issue 14): two touchpoints, the path closed again after them.
    touchpoint: int = 0
    touchpoint2: int = 0
    department: int = 0  # one of the organisation's departments (issue 14)
    meeting: int = 0  # a coming meeting of the course (issue 18)
    box_token: str = ""  # the course's card box's link (issue 18), open for a week


def build_course(make, email: str, label: str, *, rule_name: str, organisation=None) -> Ids:
    """A course that has been through all six steps, left in step 2 collecting cards."""
    facilitator = make.facilitator(email=email, organisation=organisation)
    course = make.course(facilitator, title=f"Kursus {label}", municipality=f"Kommune {label}")
    owner = make.participant(course, name=f"Ejer {label}")
    other = make.participant(course, role="leder", unit=f"Ledelse {label}")
    answer = answer_question(
        owner, course.questions[0], f"Svar fra {label}", client_token=f"answer-{label}"
    )
    go_to_step(course, 2)
    card = make.challenge(owner, f"Udfordring {label}")
    card2 = make.card(other, f"Andet kort {label}")
    card3 = make.card(owner, f"Tredje kort {label}")
    rule = add_local_rule(facilitator, name=rule_name, kind="local_practice")
    link = link_requirement(card2, rule.key)
    set_voting_state(course, "voting")
    cast_vote(other, card2, 1)
    set_voting_state(course, "revealed")
    solution = make.solution(owner, card, f"Løsning {label}")
    solution2 = make.solution(other, card, f"Anden løsning {label}")
    set_voting_state(course, "voting", SOLUTIONS)
    cast_vote(owner, solution2, 1)
    set_voting_state(course, "revealed", SOLUTIONS)
    action = make.action(solution, owner_id=owner.id, start_date=local_today())
    set_action_status(action, "in_test", note=f"I gang {label}", by=owner)
    measure = make.measure(action)
    entry = log_entry(
        owner,
        measure,
        local_today() - timedelta(days=30),
        "45",
        f"Note {label}",
        client_token=f"entry-{label}",
    )
    lesson = add_lesson(course, "lesson", f"Læring {label}")
    manager_link = create_manager_link(course, f"Direktion {label}")
    revoked = revoke_manager_link(create_manager_link(course, "Gammel"))
    # Back to collecting cards in step 2: most participant forms can then be tried.
    set_voting_state(course, "collect")
    go_to_step(course, 2)
    open_path(course, True)
    touchpoint = add_touchpoint(owner, "plan", f"Plan {label}", client_token=f"tp-{label}")
    touchpoint2 = add_touchpoint(other, "plan", f"Anden plan {label}", client_token=f"tp2-{label}")
    open_path(course, False)
    meeting = plan_meeting(
        course,
        day=local_today() + timedelta(days=30),
        start=time(9),
        end=time(12),
        place=f"Mødelokale {label}",
        steps=[5, 6],
    )
    # Issue 18: a card box, open, with a card in it, and a paper card.
    now = utcnow()
    box = set_card_box_window(course, now - timedelta(hours=1), now + timedelta(days=7))
    submit_box_card(box, f"Kort fra kassen {label}", role="leder", client_token=f"box-{label}")
    add_paper_card(course, f"Papirkort {label}", role="medarbejder", client_token=f"p-{label}")
    return Ids(
        meeting=meeting.id,
        box_token=box.token,
        touchpoint=touchpoint.id,
        touchpoint2=touchpoint2.id,
        course=course.id,
        code=course.join_code,
        facilitator_email=email,
        owner=owner.id,
        owner_token=owner.token,
        other=other.id,
        answer=answer.id,
        card=card.id,
        card2=card2.id,
        card3=card3.id,
        link=link.id,
        solution=solution.id,
        solution2=solution2.id,
        action=action.id,
        measure=measure.id,
        entry=entry.id,
        lesson=lesson.id,
        manager_link=manager_link.id,
        token=manager_link.token,
        revoked_link=revoked.id,
        revoked_token=revoked.token,
        local_rule=rule.key,
        organisation=facilitator.organisation_id,
        facilitator=facilitator.id,
        admin_email=email,
        colleague=facilitator.id,
    )


def build_world(app, make, *, catalogue: bool = False) -> tuple[Ids, Ids]:
    """Courses A and B, of two organisations (and the law catalogue, if asked for)."""
    with app.app_context():
        if catalogue:
            load_catalogue()
        organisation = make.organisation("Jobcenter A", "municipality")
        admin = make.facilitator(email="admin-a@example.dk", organisation=organisation)
        assert admin.is_admin  # the organisation's first facilitator
        a = build_course(
            make, "a@example.dk", "A", rule_name="Lokal regel A", organisation=organisation
        )
        colleague = make.facilitator(email="colleague-a@example.dk", organisation=organisation)
        a.admin_email = admin.email
        a.colleague_email = colleague.email
        a.colleague = colleague.id
        b = build_course(make, "b@example.dk", "B", rule_name="Lokal regel B")
        # The organisations' departments made now, not by the first page that lists them:
        # a refused request must change nothing.
        a.department = departments_of(organisation)[1].id
        b.department = departments_of(db.session.get(Course, b.course).organisation)[1].id
    return a, b


# Bookkeeping that is no course's data: rate-limit counters move with every login.
NOT_COURSE_DATA = {"rate_limit_counter"}


def tables():
    return [table for table in db.metadata.sorted_tables if table.name not in NOT_COURSE_DATA]


def row_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table)) for table in tables()
    }


def checksum() -> str:
    """Every row of every table, in key order: any change anywhere changes it."""
    digest = hashlib.sha256()
    for table in tables():
        digest.update(table.name.encode())
        for row in db.session.execute(select(table).order_by(*table.primary_key.columns)):
            digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def course_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Course))
