"""The demo's citizen's path (issue 14): one composite, anonymised citizen with complex
problems, across employment, social services and psychiatry. Invented from the patterns
described in ../shared/domain/cross-sector.md, not from any real case: nobody's story.

Four plans, four meetings and three consents along one path: the duplicated touchpoints
the path is drawn to show. The rule behind a touchpoint is linked where the catalogue has
an entry for it (its key is looked up, and left out quietly when this catalogue has none).
"""

from __future__ import annotations

from collections.abc import Iterable

from workshop.catalogue import requirement_by_key
from workshop.core.models import Course, Department, Participant, Touchpoint
from workshop.touchpoints import place_touchpoint

DAY = 24 * 60
# Where a touchpoint lies in a course without departments (its free "where").
PLACES = {"employment": "Jobcentret", "social": "Socialafdelingen", "health": "Psykiatrien"}

# (sector, kind, text, the citizen's minutes, the staff's minutes, catalogue key)
DEMO_PATH = (
    ("health", "referral", "Egen læge henviser til udredning i psykiatrien", 30, 20, ""),
    ("health", "waiting", "Venter på udredning i psykiatrien", 70 * DAY, None, ""),
    ("employment", "meeting", "Første samtale om sygedagpenge i jobcentret", 60, 60, "R27"),
    ("employment", "consent", "Samtykke til at jobcentret indhenter lægeoplysninger", 15, 10, ""),
    ("employment", "plan", "Opfølgningsplan for sygedagpenge", 45, 60, "R27"),
    ("social", "meeting", "Samtale om bostøtte – borgeren fortæller sin historie igen", 90, 90, ""),
    ("social", "consent", "Samtykke til at socialafdelingen deler oplysninger", 15, 10, ""),
    ("social", "plan", "Handleplan i socialafdelingen", 60, 120, ""),
    ("health", "plan", "Behandlingsplan i psykiatrien", 60, 60, ""),
    ("employment", "form", "Lægeattest om helbred og arbejdsevne", 30, 20, ""),
    ("employment", "meeting", "Jobsamtale hver måned – samme spørgsmål igen", 60, 45, "R06"),
    ("health", "consent", "Samtykke til at psykiatrien taler med jobcentret", 10, 10, ""),
    (
        "employment",
        "plan",
        "Helhedsorienteret plan – skrevet oven i de andre planer",
        60,
        120,
        "R14",
    ),
    ("employment", "waiting", "Venter på et møde på tværs af afdelingerne", 42 * DAY, None, ""),
    ("employment", "meeting", "Møde på tværs: fem fagpersoner og borgeren", 90, 450, ""),
)


def _department_for(sector: str, departments: list[Department]) -> Department | None:
    return next((d for d in departments if d.sector == sector and d.retired_at is None), None)


def seed_demo_path(
    course: Course,
    departments: Iterable[Department],
    participants: Iterable[Participant] = (),
) -> list[Touchpoint]:
    """Put the demo's citizen's path on `course`: each touchpoint in the department of its
    sector among `departments` (Beskæftigelse, Social og handicap, Sundhed og psykiatri),
    written by a participant of that department where one is given."""
    departments = list(departments)
    people = list(participants)
    made = []
    for sector, kind, text, citizen, staff, key in DEMO_PATH:
        department = _department_for(sector, departments)
        author = next(
            (p for p in people if department is not None and p.department_id == department.id),
            None,
        )
        made.append(
            place_touchpoint(
                course,
                kind,
                text,
                participant=author,
                department_id=department.id if department is not None else None,
                place="" if department is not None else PLACES[sector],
                citizen_minutes=citizen,
                staff_minutes=staff,
                # Left out quietly where this catalogue has no such entry.
                requirement_key=key if key and requirement_by_key(key) else "",
            )
        )
    return made
