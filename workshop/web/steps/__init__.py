"""The web side of the six steps: each step's routes (a blueprint) and the forms they use.

The step definitions in `steps/` say what each screen shows; the routes that act on a step
live here, in the web layer, one module per step.
"""

from __future__ import annotations

from flask import Blueprint

from steps.evaluate import bp as evaluate
from steps.implement import bp as implement
from steps.learn import bp as learn
from workshop.web.steps.challenges import bp as challenges
from workshop.web.steps.intro import bp as intro
from workshop.web.steps.solutions import bp as solutions

BLUEPRINTS: tuple[Blueprint, ...] = (intro, challenges, solutions, implement, evaluate, learn)
