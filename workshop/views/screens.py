"""The template context of the three screens: a phone, the projector, the control panel."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from flask import current_app, render_template
from flask_babel import get_locale

from ..courses import format_join_code, participant_counts
from ..manager_links import open_links
from ..models import Course, Participant
from .common import render_fragment


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
    context.update(extra)
    return context


def phone_context(course: Course, participant: Participant, **extra) -> dict[str, Any]:
    return _screen(course, "phone", participant, {"participant": participant, **extra})


def projector_context(course: Course, **extra) -> dict[str, Any]:
    return _screen(course, "projector", None, {"role_counts": participant_counts(course), **extra})


def control_context(course: Course, **extra) -> dict[str, Any]:
    extra = {
        "role_counts": participant_counts(course),
        "manager_links": open_links(course),
        **extra,
    }
    return _screen(course, "control", None, extra)


def render_phone_live(course: Course, participant: Participant, *, status: int = 200, **extra):
    """The phone's polled region, e.g. as the reply to a vote (with an error if refused)."""
    return render_fragment(
        "participant/_live.html", status, **phone_context(course, participant, **extra)
    )


# Polled regions that are the same on every phone (Step.phone_view_is_shared), per worker:
# (course, its revision, stage, language) -> HTML. A new revision makes a new key; the
# oldest entries go.
_shared_regions: OrderedDict[tuple, str] = OrderedDict()
_shared_lock = threading.Lock()
_SHARED_REGIONS_KEPT = 32


def render_phone_live_html(course: Course, participant: Participant, **extra) -> str:
    """The phone's polled region (the reply to a poll), drawn once for all phones where the
    step says it is the same for them."""
    step = step_of(course)
    key = None
    if set(extra) == {"shown_stage"} and step.phone_view_is_shared(course, participant):
        stage = step.stage(course)
        if extra["shown_stage"] == stage:  # else it carries the new stage's forms too
            key = (course.id, course.created_at, course.revision, stage, str(get_locale()))
            with _shared_lock:
                html = _shared_regions.get(key)
            if html is not None:
                return html
    html = render_template("participant/_live.html", **phone_context(course, participant, **extra))
    if key is not None:
        with _shared_lock:
            _shared_regions[key] = html
            while len(_shared_regions) > _SHARED_REGIONS_KEPT:
                _shared_regions.popitem(last=False)
    return html
