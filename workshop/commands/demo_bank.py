"""The demo's experience bank: three other job centres' shared results, so the demo course
shows "other courses worked on this" at once. Linked to the same law entries as the demo
course's cards (R06 interviews, R28 documentation, R12 Min Plan); one of them on an older
law version, so the bank's "different law versions" note is visible too.

Written as shares only (no course, no facilitator): anonymised snapshots are all the bank
holds of another municipality's course. Reseeding replaces them (idempotent).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import delete, select

from workshop.core.clock import local_today
from workshop.core.extensions import db
from workshop.core.models import (
    Requirement,
    Share,
    SharedChallenge,
    SharedRequirement,
    SharedSolution,
)

OLD_LAW_VERSION = "LBK nr. 701 af 2022 (før reformen)"


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
        "municipality": "Bakkedal Kommune",
        "unit_kind": "Jobcenter, team for jobparate",
        "participants": 18,
        "days_ago": 45,
        "challenges": [
            {
                "key": "R06",
                "origin": "local_practice",
                "text": "Vi indkaldte alle jobparate til samtale hver 4. uge efter en gammel "
                "lokal retningslinje – også når borgeren var i gang med noget, der virkede.",
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
                "key": "R28",
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
        "municipality": "Sølund Kommune",
        "unit_kind": "Jobcenter, sygedagpenge",
        "participants": 11,
        "days_ago": 120,
        "challenges": [
            {
                "key": "R06",
                "law_version": OLD_LAW_VERSION,
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
                "key": "R12",
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
        "municipality": "Strandvig Kommune",
        "unit_kind": "Jobcenter, unge under 30",
        "participants": 14,
        "days_ago": 20,
        "challenges": [
            {
                "key": "R06",
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
                "key": "R28",
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
    db.session.execute(
        delete(Share).where(
            Share.course_id.is_(None),
            Share.facilitator_id.is_(None),
            Share.municipality.in_(DEMO_MUNICIPALITIES),
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
            requirement = requirements[entry["key"]]
            dots, staff, managers = entry["dots"]
            challenge = SharedChallenge(
                text=entry["text"],
                origin=entry["origin"],
                dots=dots,
                dots_staff=staff,
                dots_managers=managers,
                requirements=[
                    SharedRequirement(
                        requirement_key=requirement.key,
                        requirement_version=requirement.version,
                        law_version=entry.get("law_version", requirement.law_version),
                        name=requirement.name_da,
                    )
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
