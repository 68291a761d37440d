"""The demo's experience bank: three other job centres' shared results, so the demo course
shows "other courses worked on this" at once. Linked to the law entries the demo course's
cards use (R08 contact after 6 months, R06 interviews in the first 6 months, R28
documentation, R12 Min Plan) and R27 sickness-benefit follow-up; one link on an older law
version, so the bank's "different law versions" note is visible too. A challenge resting on
a local rule has no law link, as in a real share (local rules are not shared). Every
municipality is invented and labelled as an example.

Written as shares only (no course, no facilitator): anonymised snapshots are all the bank
holds of another municipality's course. Reseeding replaces them (idempotent).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import delete, select, tuple_

from workshop.core.clock import local_today
from workshop.core.extensions import db
from workshop.core.models import (
    Requirement,
    Share,
    SharedChallenge,
    SharedRequirement,
    SharedSolution,
)

# R06 as it read before LOV 1750/2025 changed it on 1 July 2026: Bakkedal linked its card
# then, and a link keeps the version it was made under.
OLD_LAW_VERSION = "LBK 280/2024 (før LOV 1750/2025)"
# Names earlier versions of the demo gave these shares (real municipalities until Dec 2026,
# then invented ones without the example label), by unit: a reseed removes them too, so an
# old demo database keeps no real municipality's name beside invented results.
REPLACED_SHARES = (
    ("Aarhus Kommune", "Jobcenter, team for jobparate"),
    ("Odense Kommune", "Jobcenter, sygedagpenge"),
    ("Aalborg Kommune", "Jobcenter, unge under 30"),
    ("Bakkedal Kommune", "Jobcenter, team for jobparate"),
    ("Sølund Kommune", "Jobcenter, sygedagpenge"),
    ("Strandvig Kommune", "Jobcenter, unge under 30"),
)


def _solution(kind, text, status, *, chosen=True, measure=None, effects=(None, None, None)):
    return {
        "kind": kind,
        "text": text,
        "status": status,
        "chosen": chosen,
        "measure": measure,
        "effects": effects,
    }


# (what, unit, higher_is_better, before, after, entries)
SHARES = [
    {
        "municipality": "Bakkedal Kommune (eksempel)",
        "unit_kind": "Jobcenter, team for jobparate",
        "participants": 18,
        "days_ago": 45,
        "challenges": [
            {
                # Every 4 weeks, in the first 6 months (R06, linked before the 2026
                # change) and after them, where the contact is agreed individually (R08).
                "keys": ("R06", "R08"),
                "law_version": {"R06": OLD_LAW_VERSION},
                "origin": "local_practice",
                "text": "Vi indkaldte alle jobparate til samtale hver 4. uge efter en gammel "
                "lokal retningslinje – også efter de første 6 måneder, og også når borgeren "
                "var i gang med noget, der virkede.",
                "dots": (21, 14, 7),
                "solutions": [
                    _solution(
                        "remove",
                        "Afskaf den lokale retningslinje om samtale hver 4. uge. Jobkonsulenten "
                        "aftaler hyppigheden med borgeren inden for lovens minimum.",
                        "implemented",
                        measure=(
                            "Tid brugt på samtaler, der ikke flyttede borgeren",
                            "timer pr. konsulent pr. uge",
                            False,
                            6.5,
                            4.0,
                            24,
                        ),
                        effects=(1, 2, 1),
                    ),
                    _solution(
                        "change",
                        "Opfølgning ved korte telefon- eller videosamtaler i stedet for fremmøde, "
                        "når borgeren ønsker det.",
                        "in_test",
                        effects=(1, 1, 0),
                    ),
                ],
            },
            {
                "keys": ("R28",),
                "origin": "it_system",
                "text": "Praktikaftaler blev registreret både i fagsystemet og i et regneark "
                "til ledelsen.",
                "dots": (12, None, None),
                "solutions": [
                    _solution(
                        "remove",
                        "Regnearket er nedlagt. Ledelsen bruger fagsystemets standardrapport.",
                        "implemented",
                        measure=(
                            "Minutter brugt på dobbeltregistrering",
                            "minutter pr. uge",
                            False,
                            75.0,
                            20.0,
                            16,
                        ),
                        effects=(0, 2, 1),
                    ),
                ],
            },
        ],
    },
    {
        "municipality": "Sølund Kommune (eksempel)",
        "unit_kind": "Jobcenter, sygedagpenge",
        "participants": 11,
        "days_ago": 120,
        "challenges": [
            {
                # Sickness-benefit follow-up: R27, not the job interviews of R06.
                "keys": ("R27",),
                "origin": "national_law",
                "text": "",
                "dots": (9, None, None),
                "solutions": [
                    _solution(
                        "embed",
                        "En fælles tjekliste, der forklarer hvilke samtaler loven kræver, og "
                        "hvilke vi selv kan tilrettelægge.",
                        "implemented",
                        effects=(1, 1, 1),
                    ),
                    _solution(
                        "change",
                        "Gruppesamtaler for nysygemeldte i stedet for enkeltsamtaler i den "
                        "første måned.",
                        "",
                        chosen=False,
                    ),
                ],
            },
            {
                "keys": ("R12",),
                "origin": "local_practice",
                "text": "Min Plan blev opdateret efter hver samtale, også når intet var ændret.",
                "dots": (7, None, None),
                "solutions": [
                    _solution(
                        "remove",
                        "Min Plan opdateres kun, når der er sket en ændring i planen.",
                        "adjusted",
                        measure=(
                            "Tid brugt på at opdatere Min Plan",
                            "minutter pr. borger",
                            False,
                            12.0,
                            5.0,
                            30,
                        ),
                        effects=(0, 2, 1),
                    ),
                ],
            },
        ],
    },
    {
        "municipality": "Strandvig Kommune (eksempel)",
        "unit_kind": "Jobcenter, unge under 30",
        "participants": 14,
        "days_ago": 20,
        "challenges": [
            {
                "keys": ("R06",),
                "origin": "management_decision",
                "text": "Ledelsen havde sat et fast antal samtaler pr. måned som mål for teamet.",
                "dots": (15, 9, 6),
                "solutions": [
                    _solution(
                        "change",
                        "Målet om antal samtaler er erstattet af et mål om, hvor mange der "
                        "kommer i job eller uddannelse.",
                        "in_test",
                        measure=(
                            "Unge der kommer i job eller uddannelse",
                            "antal pr. måned",
                            True,
                            11.0,
                            14.0,
                            8,
                        ),
                        effects=(2, 1, 1),
                    ),
                    _solution(
                        "keep",
                        "Behold de ugentlige samtaler for unge uden uddannelse – dér virker de.",
                        "not_started",
                        effects=(2, 0, 0),
                    ),
                ],
            },
            {
                # A local template (a rule of their own), not the law: no law link.
                "keys": (),
                "origin": "management_decision",
                "text": "",
                "dots": (6, None, None),
                "solutions": [
                    _solution(
                        "change",
                        "Én fast skabelon for journalnotater med 4 overskrifter i stedet for 12.",
                        "implemented",
                        measure=(
                            "Minutter pr. journalnotat",
                            "minutter",
                            False,
                            14.0,
                            8.0,
                            40,
                        ),
                        effects=(0, 2, 1),
                    ),
                ],
            },
        ],
    },
]

DEMO_MUNICIPALITIES = tuple(share["municipality"] for share in SHARES)


def seed_demo_bank() -> list[Share]:
    """Replace the demo's shared courses from other municipalities (needs the catalogue)."""
    seeded = [(share["municipality"], share["unit_kind"]) for share in SHARES]
    db.session.execute(
        delete(Share).where(
            Share.course_id.is_(None),
            Share.facilitator_id.is_(None),
            tuple_(Share.municipality, Share.unit_kind).in_([*seeded, *REPLACED_SHARES]),
        )
    )
    requirements = {r.key: r for r in db.session.scalars(select(Requirement))}
    shares = []
    for data in SHARES:
        day = local_today() - timedelta(days=data["days_ago"])
        share = Share(
            municipality=data["municipality"],
            unit_kind=data["unit_kind"],
            participants=data["participants"],
            course_revision=0,
            shared_at=datetime.combine(day, time(14), tzinfo=UTC),
        )
        for entry in data["challenges"]:
            dots, staff, managers = entry["dots"]
            versions = entry.get("law_version", {})
            challenge = SharedChallenge(
                text=entry["text"],
                origin=entry["origin"],
                dots=dots,
                dots_staff=staff,
                dots_managers=managers,
                requirements=[
                    SharedRequirement(
                        requirement_key=requirements[key].key,
                        requirement_version=requirements[key].version,
                        law_version=versions.get(key, requirements[key].law_version),
                        name=requirements[key].name_da,
                    )
                    for key in entry["keys"]
                ],
            )
            for item in entry["solutions"]:
                measure = item["measure"]
                citizens, efficiency, environment = item["effects"]
                solution = SharedSolution(
                    kind=item["kind"],
                    text=item["text"],
                    effect_citizens=citizens,
                    effect_efficiency=efficiency,
                    effect_work_environment=environment,
                    chosen=item["chosen"],
                    action_status=item["status"],
                )
                if measure is not None:
                    what, unit, higher, before, after, entries = measure
                    solution.measure_what, solution.measure_unit = what, unit
                    solution.higher_is_better = higher
                    solution.baseline_mean, solution.followup_mean = before, after
                    solution.change = round(after - before, 2)
                    solution.entries = entries
                challenge.solutions.append(solution)
            share.challenges.append(challenge)
        db.session.add(share)
        shares.append(share)
    db.session.commit()
    return shares
