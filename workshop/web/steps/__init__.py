"""The web side of the six steps: each step's routes (a blueprint) and the forms they use.

The step definitions in `steps/` say what each screen shows; the routes that act on a step
live here, in the web layer, one module per step, and each adds what only the web can make
(forms, dot buttons) to its step's screens through `workshop.web.screens.screen_context`.
"""

from __future__ import annotations

from flask import Blueprint

from workshop.web.steps import challenges, evaluate, implement, intro, learn, solutions

BLUEPRINTS: tuple[Blueprint, ...] = tuple(
    module.bp for module in (intro, challenges, solutions, implement, evaluate, learn)
)
