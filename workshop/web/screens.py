"""The template context of the three screens: a phone, the projector, the control panel.

A step's own values come from its definition (`Step.context`, domain only); what only the
web layer can make (a step's forms, a phone's dot buttons with their URLs and CSRF token)
comes from a function its blueprint module registers with `@screen_context(slug)`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, render_template

from workshop.core.clock import local_today
from workshop.core.extensions import htmx
from workshop.core.models import Course, Participant
from workshop.core.vocabulary import StepNumber
from workshop.courses import format_join_code, participant_counts
from workshop.departments import departments_in_room
from workshop.examination import due_later_cards
from workshop.mail import mail_problem
from workshop.manager_links import open_links
from workshop.meetings import next_meeting
from workshop.web.common import render_fragment

ScreenContext = Callable[[Course, str, "Participant | None", dict[str, Any]], dict[str, Any]]
_SCREEN_CONTEXTS: dict[str, ScreenContext] = {}


def screen_context(slug: str) -> Callable[[ScreenContext], ScreenContext]:
    """Register the web side of a step's screens: `function(course, audience,
    participant, context)` returns the template values its definition in steps/ must not
    make. `context` is what the screen holds so far (the stage, the step's own values such
    as the dots left), so the web side reads nothing from the database twice."""

    def register(function: ScreenContext) -> ScreenContext:
        _SCREEN_CONTEXTS[slug] = function
        return function

    return register


def step_of(course: Course):
    """The course's current step from the registry the app factory installed."""
    return current_app.extensions["samskabt_steps"][course.current_step - 1]


def all_steps():
    return current_app.extensions["samskabt_steps"]


def _screen(
    course: Course, audience: str, participant: Participant | None, extra: dict
) -> dict[str, Any]:
    step = step_of(course)
    context = {
        "course": course,
        "step": step,
        "steps": all_steps(),
        "stage": step.stage(course),
        "join_code_display": format_join_code(course.join_code),
    }
    context.update(step.context(course, audience, participant))
    web_side = _SCREEN_CONTEXTS.get(step.slug)
    if web_side is not None:
        context.update(web_side(course, audience, participant, context))
    context.update(extra)
    return context


def phone_context(course: Course, participant: Participant, **extra) -> dict[str, Any]:
    return _screen(course, "phone", participant, {"participant": participant, **extra})


def projector_context(course: Course, *, join_forced: bool = False, **extra) -> dict[str, Any]:
    context = _screen(
        course,
        "projector",
        None,
        {
            "role_counts": participant_counts(course),
            "department_counts": departments_in_room(course),
            "join_forced": join_forced,
            **extra,
        },
    )
    context["join_screen"] = join_screen(course, context, join_forced)
    return context


def join_screen(course: Course, context: dict[str, Any], forced: bool) -> str:
    """How big the projector shows how to join: the whole screen ("big") while the course
    begins (step 1 until the first answer arrives) or when the facilitator asks for it
    (the panel's button, or ?join=1), a large box for the rest of step 1, then a small one
    in the corner. The facilitator can also put the big screen away to present the frame."""
    if forced or course.projector_join == "big":
        return "big"
    if course.current_step != StepNumber.INTRO:
        return "small"
    if course.projector_join == "small":
        return "medium"
    # The control panel's context holds hidden answers too; the projector shows none.
    answered = any(
        not answer.hidden for _question, items in context.get("answers", ()) for answer in items
    )
    return "medium" if answered else "big"


def panel_fragment_wanted() -> bool:
    """The control panel's own #panel asked (an action inside it, followed by its redirect):
    answer with the panel alone. A history restore always gets the whole page."""
    return bool(htmx) and htmx.target == "panel" and not htmx.history_restore_request


def control_context(course: Course, **extra) -> dict[str, Any]:
    extra = {
        "role_counts": participant_counts(course),
        "department_counts": departments_in_room(course),
        "manager_links": open_links(course),
        # Between the workshops (issue 18): the next meeting, and "later" that is due.
        "next_meeting": next_meeting(course),
        "due_later": due_later_cards(course, local_today()),
        "panel_only": panel_fragment_wanted(),
        "confirm": None,
        "mail_problem": mail_problem(),  # why reminders by email are off, if they are
        **extra,
    }
    context = _screen(course, "control", None, extra)
    context["projector_join_big"] = join_screen(course, context, False) == "big"
    return context


def render_phone_live(course: Course, participant: Participant, *, status: int = 200, **extra):
    """The phone's polled region, e.g. as the reply to a vote (with an error if refused)."""
    return render_fragment(
        "participant/_live.html", status, **phone_context(course, participant, **extra)
    )


def render_phone_live_html(course: Course, participant: Participant, **extra) -> str:
    return render_template("participant/_live.html", **phone_context(course, participant, **extra))
