"""Courses with results worth sharing, for the experience bank's tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from workshop.actions import set_action_status
from workshop.core.clock import local_today
from workshop.courses import go_to_step
from workshop.examination import examine_card, link_requirement
from workshop.measures import log_entry
from workshop.votes import cast_vote, set_voting_state


@dataclass
class Shareable:
    course: int
    card: int
    solution: int
    other_solution: int
    names: tuple[str, ...]  # the participants' names and units: never in a share


def shareable_course(
    make,
    email: str,
    municipality: str,
    *,
    key: str = "R05",
    loggers: int = 3,
    managers: int = 3,
    measured: bool = True,
    label: str = "",
) -> Shareable:
    """A course in step 5: one prioritised challenge linked to `key`, voted on by staff and
    managers, with a chosen, implemented solution whose effect was measured by `loggers`
    people (fewer than three: the figures are held back), and a second solution."""
    facilitator = make.facilitator(email=email)
    course = make.course(facilitator, title=f"Forløb {municipality}", municipality=municipality)
    staff = [
        make.participant(course, unit=f"Team Ydelse {label}", name=f"Medarbejder {label}{n}")
        for n in range(3)
    ]
    bosses = [
        make.participant(course, role="leder", unit="Ledelsen", name=f"Leder {label}{n}")
        for n in range(managers)
    ]
    go_to_step(course, 2)
    card = make.challenge(staff[0], f"Vi holder flere samtaler end loven kræver {label}")
    examine_card(card, origin="local_practice", problem="Skabelonen er fra 2019")
    link_requirement(card, key)
    set_voting_state(course, "voting")
    for person in staff + bosses:
        cast_vote(person, card, 2)
    set_voting_state(course, "revealed")
    solution = make.solution(staff[0], card, f"Drop den lokale samtaleskabelon {label}", "remove")
    other = make.solution(bosses[0], card, f"Forklar reglerne på et personalemøde {label}", "embed")
    action = make.action(solution, owner_id=staff[0].id, start_date=local_today())
    set_action_status(action, "implemented", note="Skabelonen er væk", by=staff[0])
    if measured:
        measure = make.measure(action)
        today = local_today()
        for number, person in enumerate((staff + bosses)[:loggers]):
            for day, value in ((today - timedelta(days=35), 60), (today - timedelta(days=10), 40)):
                log_entry(person, measure, day, value, client_token=f"{label}-{number}-{day}")
    go_to_step(course, 5)
    names = tuple(p.name for p in staff + bosses) + (f"Team Ydelse {label}",)
    return Shareable(course.id, card.id, solution.id, other.id, names)
