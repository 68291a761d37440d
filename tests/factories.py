"""Test factories in the style of indico/CTFd: sensible defaults, override what matters."""

from __future__ import annotations

import itertools
from datetime import timedelta

from sqlalchemy import select

from workshop.actions import update_action
from workshop.cards import submit_card
from workshop.core.clock import local_today
from workshop.core.extensions import db
from workshop.core.models import Department, utcnow
from workshop.courses import create_course, go_to_step
from workshop.departments import CITIZEN_CHOICE, departments_of
from workshop.examination import prioritise
from workshop.facilitators import create_facilitator, find_facilitator
from workshop.measures import add_measure
from workshop.organisations import create_organisation, find_organisation
from workshop.participants import join
from workshop.solutions import choose_solution, propose_solution
from workshop.votes import set_voting_state

_tokens = itertools.count(1)


class Factories:
    def __init__(self, app):
        self.app = app

    def facilitator(
        self,
        email="facilitator@example.dk",
        password="correct horse",
        name="",
        organisation=None,
        is_admin=False,
    ):
        """A facilitator; a new one gets an organisation of its own unless one is given
        (facilitators of one organisation share their courses)."""
        found = find_facilitator(email)
        if found is not None:
            return found
        if organisation is None:
            organisation = self.organisation(f"Organisation {email}")
        return create_facilitator(email, password, name, organisation, is_admin=is_admin)

    def organisation(self, name="Jobcenter Fjordby", kind="municipality"):
        return find_organisation(name) or create_organisation(name, kind)

    def course(self, facilitator=None, *, step=1, voting_state="collect", **fields):
        fields = {"title": "Mindre bøvl", "municipality": "Fjordby Kommune", **fields}
        course = create_course(facilitator or self.facilitator(), **fields)
        if step != 1:
            go_to_step(course, step)
        if voting_state != "collect":
            set_voting_state(course, voting_state)
        return course

    def participant(self, course, role="medarbejder", unit="Team Ledige", name=""):
        """A participant; in a course across departments, from its first department (the
        join asks; `department_participant` picks another)."""
        department = None
        if course.across_departments:
            department = str(next(d.id for d in departments_of(course.organisation)))
        return join(course, role, unit, name, department)

    def card(self, participant, text=None, category=""):
        number = next(_tokens)
        return submit_card(
            participant,
            text or f"Kort nummer {number}",
            category,
            client_token=f"token-{number}",
        )

    def challenge(self, participant, text=None):
        """A card the group prioritised in step 2 (the course stays in its current step)."""
        card = self.card(participant, text)
        return prioritise(card, "prioritised")

    def solution(self, participant, card, text=None, kind="change", **assessment):
        """A solution proposed from a phone; moves the course to step 3 if it is earlier."""
        course = participant.course
        if course.current_step != 3:
            go_to_step(course, 3)
        number = next(_tokens)
        return propose_solution(
            participant,
            card,
            text or f"Løsning nummer {number}",
            kind,
            client_token=f"token-{number}",
            **assessment,
        )

    def action(self, solution, decided_by="Afdelingsleder", **fields):
        """A chosen solution's action, with any fields given filled in."""
        action = choose_solution(solution, decided_by)
        return update_action(action, **fields) if fields else action

    def measure(self, action, **fields):
        today = local_today()
        defaults = {
            "what": "Minutter brugt på dokumentation",
            "unit": "minutter pr. uge",
            "baseline_from": today - timedelta(days=40),
            "baseline_to": today - timedelta(days=27),
            "followup_from": today - timedelta(days=13),
            "followup_to": today + timedelta(days=7),
        }
        return add_measure(action, **{**defaults, **fields})

    # --- Departments (issue 14) -----------------------------------------------------------

    def department(self, organisation, name="Sundhed og psykiatri", sector="health", **fields):
        """One of the organisation's departments, by name: one of its defaults (made with
        the organisation) or a new one (`retired_at` to retire it)."""
        department = next((d for d in departments_of(organisation) if d.name == name), None)
        if department is None:
            department = Department(
                organisation_id=organisation.id,
                name=name,
                position=len(organisation.departments),
            )
            db.session.add(department)
        department.sector = sector
        for key, value in fields.items():
            setattr(department, key, value)
        db.session.commit()
        return department

    def department_in(self, course, name="Beskæftigelse", sector="employment", *, joins=()):
        """One of the course's organisation's departments (found by name, or added), with
        the participants in `joins` set in it; the course becomes one across departments
        (results by department, added by `split`)."""
        department = db.session.scalar(
            select(Department).where(
                Department.organisation_id == course.organisation_id, Department.name == name
            )
        )
        if department is None:
            department = self.department(course.organisation, name, sector)
        course.across_departments = True
        for participant in joins:
            participant.department_id = department.id
        db.session.commit()
        return department

    # --- Issue 14: departments (the `dept` helper's section) ------------------------------

    def department_participant(self, course, department: str, role="medarbejder", unit="", name=""):
        """A participant of a course across departments, from the organisation's
        department of that name ("citizen": a citizen or relative)."""
        if department == CITIZEN_CHOICE:
            return join(course, role, unit, name, CITIZEN_CHOICE)
        found = next(d for d in departments_of(course.organisation) if d.name == department)
        return join(course, role, unit, name, str(found.id))


def departments_exactly(organisation_id: int, wanted) -> list[Department]:
    """The organisation's active departments made exactly `wanted` ((name, sector), in that
    order): one of its defaults of the same name is reused, the other defaults retired, so
    a test sees the departments it names and no others."""
    existing = {
        department.name: department
        for department in db.session.scalars(
            select(Department).where(Department.organisation_id == organisation_id)
        )
    }
    made = []
    for position, (name, sector) in enumerate(wanted):
        department = existing.pop(name, None) or Department(
            organisation_id=organisation_id, name=name
        )
        department.sector, department.position, department.retired_at = sector, position, None
        db.session.add(department)
        made.append(department)
    for position, other in enumerate(existing.values(), start=len(made)):
        other.position = position
        other.retired_at = other.retired_at or utcnow()
    db.session.commit()
    return made
