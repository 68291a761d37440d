"""Results split by role or by department: one split at a time, held back where small.

A revealed result (step 2's and step 3's dots, the origin overview, the PDF, the cards CSV,
the overview across courses) can be shown as a total only ("none"), split by role (staff
and managers, as before), or — in a course across departments — split by department. The
course keeps the facilitator's choice (`Course.result_split`), so the projector, the phones,
the PDF and the CSV show the same split. Never role and department crossed: a table of
managers per department would single people out at once.

Who counts where: citizens and relatives (`vocabulary.CITIZEN_ROLE`, `role_group`) are a
group of their own in either split, never staff; a participant without a department counts
in the group "No department", treated like any department.

The rule that holds groups back (`hold_back`). Every figure shown is the sum of the dots of
some group's voters, and the total is shown beside them. A group with fewer voters than the
course's minimum could be worked out by subtraction if it were merely left out (total minus
the groups shown), so:

1. A group with at least the minimum of voters is shown on its own.
2. By department, the groups below the minimum are counted together, as one group ("A, B
   together"). If they are fewer than the minimum together, the smallest group shown on
   its own joins them, which makes them enough. By role (staff, managers, citizens: groups
   compared, not lumped together) a group below the minimum holds the split back, as
   before.
3. If nothing is left to show on its own beside that pooled group, the pooled group is
   everybody: the split is held back and only the total is shown (with two role groups this
   is exactly the rule from before: a manager or two hold back the whole split).

Each figure shown is then a sum over a partition of the voters into parts of at least the
minimum, and any sum or difference of such figures (the total included) is again a sum over
whole parts: nobody's dots can be isolated in a group smaller than the minimum, within one
split.

Across the two splits (`crossing_is_safe`). The facilitator may show a result by role and
then by department; the room then has both sets of figures. Where a department and a role
group nearly coincide (three managers and one staff member from one department), the
department's dots minus the managers' are one person's. So in a course across departments
each split is shown only if its figures together with the other split's figures (each as
`hold_back` would show them) single out nobody below the minimum; otherwise only the total
is shown, whichever split is chosen.
"""

from __future__ import annotations

import itertools

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from workshop.core.errors import WorkshopError
from workshop.core.extensions import db
from workshop.core.models import Course, Department
from workshop.core.vocabulary import RESULT_SPLITS, ROLE_GROUPS, VOTER_GROUPS, role_group
from workshop.courses import touch

CITIZENS = "citizens"
NO_DEPARTMENT = "department:none"
POOLED = "pooled"

NO_DEPARTMENT_LABEL = _l("No department")


def effective_split(course: Course) -> str:
    """The split the course's results are shown with: its choice, where it is possible (a
    department split only in a course across departments)."""
    split = course.result_split if course.result_split in RESULT_SPLITS else "role"
    if split == "department" and not offers_department_split(course):
        return "role"
    return split


def offers_department_split(course: Course) -> bool:
    """A course across departments, unless its dots were rebuilt from a course file's
    revealed results: those agree with the split by role only (Course.votes_rebuilt)."""
    return course.across_departments and not course.votes_rebuilt


def offered_splits(course: Course) -> dict[str, str]:
    """The splits the facilitator may choose between in this course."""
    return {
        key: str(label)
        for key, label in RESULT_SPLITS.items()
        if key != "department" or offers_department_split(course)
    }


def set_result_split(course: Course, split: str) -> Course:
    if split not in offered_splits(course):
        raise WorkshopError(_("That split is not offered in this course."), code="split")
    if course.result_split != split:
        course.result_split = split
        touch(course)
    db.session.commit()
    return course


def group_key(split: str, role: str, department_id: int | None) -> str | None:
    """Which group of the split a participant counts in (None: no split)."""
    if split == "none":
        return None
    group = role_group(role)  # staff, managers, or citizens and relatives
    if split == "role" or group == CITIZENS:
        return group
    return f"department:{department_id}" if department_id else NO_DEPARTMENT


def group_labels(course: Course, split: str) -> dict[str, str]:
    """Every group the split may have, in the order they are shown: the role groups, or the
    organisation's departments (retired ones too: participants keep theirs), then "no
    department"; citizens and relatives last."""
    if split == "none":
        return {}
    if split == "role":
        labels = {key: str(label) for key, label in ROLE_GROUPS.items()}
    else:
        departments = db.session.scalars(
            select(Department)
            .where(Department.organisation_id == course.organisation_id)
            .order_by(Department.position, Department.name, Department.id)
        )
        labels = {f"department:{d.id}": d.name for d in departments}
        labels[NO_DEPARTMENT] = str(NO_DEPARTMENT_LABEL)
    labels[CITIZENS] = str(VOTER_GROUPS[CITIZENS])
    return labels


def hold_back(
    voters: dict[str, int], minimum: int, *, pool: bool = True
) -> tuple[list[str], list[str]]:
    """Which groups are shown on their own, and which are counted together as one.

    `voters` is the number of voters per group. Returns (shown, pooled), each in the order
    given; both are empty when the split is held back and only the total can be shown. The
    rule and why it is enough: see the module's docstring. Without `pool` (the split by
    role: staff, managers and citizens are compared, not lumped together) any group under
    the minimum holds the whole split back, as it always has.
    """
    present = {key: n for key, n in voters.items() if n > 0}
    shown = [key for key, n in present.items() if n >= minimum]
    pooled = [key for key in present if key not in shown]
    if pooled and not pool:
        return [], []
    if pooled and sum(present[key] for key in pooled) < minimum and shown:
        smallest = min(shown, key=lambda key: present[key])
        shown.remove(smallest)
        pooled = [key for key in present if key not in shown]
    if not shown:  # the pool would be everyone: that is the total
        return [], []
    return shown, pooled


def _parts(voters: dict[int, str], minimum: int, pool: bool) -> dict[int, str] | None:
    """Each voter's part of a split as shown (their group, or POOLED); None if held back."""
    counts: dict[str, int] = {}
    for key in voters.values():
        counts[key] = counts.get(key, 0) + 1
    shown, pooled = hold_back(counts, minimum, pool=pool)
    if not shown:
        return None
    return {person: key if key in shown else POOLED for person, key in voters.items()}


def crossing_is_safe(voters: dict[int, tuple[str, str]], minimum: int) -> bool:
    """Whether a split by role and one by department, each as `hold_back` shows it, can be
    shown one after the other: no sum or difference of their figures and the total picks
    out fewer than `minimum` voters (other than everyone). `voters`: each voter's (role
    group, department group).

    Why the search is exact and small: a combination of figures gives each voter the sum
    a(role part) + b(department part), and singles out the voters where that is 1 when it
    is 0 or 1 everywhere. Within a connected set of parts the role parts' a differ by less
    than the number of role parts, and shifting all of a set's a and b by the same amount
    changes nothing, so a in 0..k-1 over the k role parts (at most four) covers every case;
    each department part then has at most two values of b, chosen independently.
    """
    roles = _parts({person: pair[0] for person, pair in voters.items()}, minimum, False)
    departments = _parts({person: pair[1] for person, pair in voters.items()}, minimum, True)
    if roles is None or departments is None:
        return True  # one of them shows only the total: nothing to set beside it
    cells: dict[str, dict[str, int]] = {}
    for person in voters:
        column = cells.setdefault(departments[person], {})
        column[roles[person]] = column.get(roles[person], 0) + 1
    role_parts = sorted(set(roles.values()))
    everyone = len(voters)
    for values in itertools.product(range(len(role_parts)), repeat=len(role_parts)):
        a = dict(zip(role_parts, values, strict=True))
        smallest = _smallest_singled_out(a, cells)
        if smallest is not None and smallest < minimum and smallest != everyone:
            return False
    return True


def _smallest_singled_out(a: dict[str, int], cells: dict[str, dict[str, int]]) -> int | None:
    """For the role parts' values `a`: the fewest voters (more than none) that a choice of
    b per department part singles out, or None if none can."""
    options = []
    for column in cells.values():
        candidates = {v - a[role] for role in column for v in (0, 1)}
        sizes = [
            sum(n for role, n in column.items() if a[role] + b == 1)
            for b in candidates
            if all(a[role] + b in (0, 1) for role in column)
        ]
        if not sizes:
            return None  # no b fits this department part: `a` singles out nothing
        options.append(sizes)
    least = sum(min(sizes) for sizes in options)
    if least:
        return least
    positive = [size for sizes in options for size in sizes if size]
    return min(positive) if positive else None
