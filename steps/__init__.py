"""The six steps of Samskabt Styring, in order."""

from __future__ import annotations

from steps.base import Step
from steps.challenges import ChallengesStep
from steps.evaluate import EvaluateStep
from steps.implement import ImplementStep
from steps.intro import IntroStep
from steps.learn import LearnStep
from steps.solutions import SolutionsStep

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
