"""The second demo course: employment, social services, health and youth guidance in one
room (an invented municipality, labelled as an example), in step 2 with examined cards
about the bøvl between departments and the vote open, half the room having voted.

The group has mapped one composite citizen's path across the departments
(workshop/commands/demo_path.py) before the vote opened.
"""

from __future__ import annotations

import json
from pathlib import Path

from workshop.cards import submit_card
from workshop.commands.demo_path import seed_demo_path
from workshop.commands.demo_support import examine_cards, spend_dots
from workshop.core.extensions import db
from workshop.core.models import Course, Department, Facilitator, Organisation
from workshop.courses import create_course, go_to_step
from workshop.departments import departments_of
from workshop.participants import join
from workshop.votes import set_voting_state

DATA_FILE = Path(__file__).with_name("demo_across.json")


def seed_demo_across(facilitator: Facilitator, codes: dict[str, str]) -> Course:
    """The course across departments, fresh; `codes` holds join codes by course title
    from before the reset (the demo's courses keep their codes)."""
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    departments = demo_departments(facilitator.organisation, data["departments"])
    course = create_course(facilitator, **data["course"])
    course.across_departments = True
    if codes.get(course.title):
        course.join_code = codes[course.title]
    db.session.commit()

    people = []
    for person in data["participants"]:
        fields = {key: value for key, value in person.items() if key != "department"}
        department = str(departments[person["department"]].id)
        people.append(join(course, department=department, **fields))
    db.session.commit()

    go_to_step(course, 2)
    cards = [
        submit_card(people[who], text, category, client_token=f"demo-across-card-{number}")
        for number, (who, category, text) in enumerate(data["cards"])
    ]
    # Before the vote the group examined some cards and linked the rules behind them.
    examine_cards(facilitator, cards, data)
    seed_demo_path(course, departments.values(), people)
    set_voting_state(course, "voting")
    spend_dots([people[index] for index in data["voters"]], cards, data["votes"])
    return course


def demo_departments(organisation: Organisation, wanted: list[list[str]]) -> dict[str, Department]:
    """The demo organisation's departments by name (its defaults, workshop.departments),
    made when missing and brought back when retired: a reset demo works whatever was tried
    in it."""
    existing = {department.name: department for department in departments_of(organisation)}
    for position, (name, sector) in enumerate(wanted):
        department = existing.get(name)
        if department is None:
            department = Department(
                organisation_id=organisation.id, name=name, sector=sector, position=position
            )
            db.session.add(department)
            existing[name] = department
        department.retired_at = None
    db.session.commit()
    return {name: existing[name] for name, _sector in wanted}
