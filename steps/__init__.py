"""The six steps of Samskabt Styring, in order: what each shows, not its routes (those
live in workshop.web.steps)."""

from __future__ import annotations

from steps.base import Step
from steps.challenges import ChallengesStep
from steps.evaluate import EvaluateStep
from steps.implement import ImplementStep
from steps.intro import IntroStep
from steps.learn import LearnStep
from steps.solutions import SolutionsStep
from workshop.core.vocabulary import STEP_COUNT, StepNumber

STEPS: tuple[Step, ...] = (
    IntroStep(),
    ChallengesStep(),
    SolutionsStep(),
    ImplementStep(),
    EvaluateStep(),
    LearnStep(),
)
# One definition of the step numbers (core.vocabulary): the steps here follow it.
assert [s.number for s in STEPS] == list(StepNumber) and len(STEPS) == STEP_COUNT


def get_step(number: int) -> Step:
    return STEPS[number - 1]


__all__ = ["STEPS", "Step", "get_step"]
