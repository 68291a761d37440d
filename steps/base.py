"""The one small interface every step of the method implements."""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING, Any, ClassVar

from workshop.core.vocabulary import StepNumber

if TYPE_CHECKING:
    from flask_babel.speaklater import LazyString

    from workshop.core.models import Course, Participant


class Step:
    """A step of Samskabt Styring: what phones, the projector and the facilitator see.

    Each template is rendered with `course`, `step`, whatever `context()` adds from the
    domain, and what the web layer adds for the step (its forms; workshop.web.screens).
    `phone_template` holds the forms (re-rendered only when the stage changes, so typed
    text survives); `phone_live_template` and `projector_template` are polled every 2 s.
    """

    number: ClassVar[StepNumber]
    slug: ClassVar[str]
    title: ClassVar[LazyString]  # the method's own name for the step
    purpose: ClassVar[LazyString]  # one line: what the group does
    outcome: ClassVar[LazyString]  # what comes out of the step
    guidance: ClassVar[tuple[LazyString, ...]]  # the facilitator's checklist

    phone_template: ClassVar[str]
    phone_live_template: ClassVar[str]
    projector_template: ClassVar[str]
    control_template: ClassVar[str]
    control_live_template: ClassVar[str]

    def stage(self, course: Course) -> str:
        """Changes when a phone's forms must change (the step, or a phase within it)."""
        return str(self.number)

    def context(
        self, course: Course, audience: str, participant: Participant | None = None
    ) -> dict[str, Any]:
        """Extra template values for an audience ("phone" with `participant`, "projector"
        or "control"), read from the domain: no forms, URLs or request values."""
        return {}


def stage_with(number: int, phase: str, rows) -> str:
    """A stage that changes whenever `rows` change: the data a phone's forms are drawn
    from (which challenges, which actions it owns, which measures). Kept short: it travels
    in every poll's URL."""
    if not rows:
        return f"{number}-{phase}" if phase else str(number)
    digest = zlib.crc32(repr([tuple(row) for row in rows]).encode())
    return f"{number}-{phase[:1]}{digest:08x}"
