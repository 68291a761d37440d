"""The web side of the six steps: each step's routes (a blueprint) and the forms they use.

The step definitions in `steps/` say what each screen shows; the routes that act on a step
live here, in the web layer, one module per step.
"""

from __future__ import annotations

from flask import Blueprint

from steps.challenges import bp as challenges
from steps.intro import bp as intro
from steps.solutions import bp as solutions
from workshop.web.steps.evaluate import bp as evaluate
from workshop.web.steps.implement import bp as implement
from workshop.web.steps.learn import bp as learn

BLUEPRINTS: tuple[Blueprint, ...] = (intro, challenges, solutions, implement, evaluate, learn)
