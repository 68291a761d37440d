"""The six steps of Samskabt Styring, in order."""

from __future__ import annotations

from .base import Step
from .challenges import ChallengesStep
from .evaluate import EvaluateStep
from .implement import ImplementStep
from .intro import IntroStep
from .learn import LearnStep
from .solutions import SolutionsStep

STEPS: tuple[Step, ...] = (
    IntroStep(),
    ChallengesStep(),
    SolutionsStep(),
    ImplementStep(),
    EvaluateStep(),
    LearnStep(),
)
assert [s.number for s in STEPS] == list(range(1, len(STEPS) + 1))


def get_step(number: int) -> Step:
    return STEPS[number - 1]


__all__ = ["STEPS", "Step", "get_step"]
