"""Step 2 — Udpege, undersøge og prioritere: 'det der bøvler' cards and dot voting.

The step's routes, the card page and the forms are in workshop/web/steps/challenges.py."""

from __future__ import annotations

import functools

from flask_babel import lazy_gettext as _l

from steps.base import Step
from workshop.cards import cards_of, wall_cards
from workshop.examination import department_overview, origin_overview, prioritised_cards
from workshop.touchpoints import offered_departments, path_duplicates, path_of, touchpoints_of
from workshop.votes import (
    my_dots_and_left,
    results,
    role_groups_below_minimum,
    voting_progress,
)


class ChallengesStep(Step):
    number = 2
    slug = "challenges"
    title = _l("Identify, examine and prioritise the challenges")
    purpose = _l(
        "Everyone names what is cumbersome; together we examine what the real problem is "
        "and where the rule comes from, and prioritise a few challenges."
    )
    outcome = _l("A prioritised, well-understood list of challenges.")
    guidance = (
        _l("Ask: what gets in the way of the core task? One thing per card."),
        _l("Merge duplicates and hide what does not belong before voting opens."),
        _l("Open the vote; keep the result hidden until everyone has voted."),
        _l("Reveal, and compare how staff and managers voted."),
        _l("Say openly when the challenges that were not prioritised will be taken up."),
    )
    phone_template = "steps/challenges/phone.html"
    phone_live_template = "steps/challenges/phone_live.html"
    projector_template = "steps/challenges/projector.html"
    control_template = "steps/challenges/control.html"
    control_live_template = "steps/challenges/control_live.html"

    def stage(self, course):
        # A phone's forms change with the phase of the vote, not only with the step, and
        # with the citizen's path opening or closing while cards are collected.
        if course.voting_state == "collect" and course.path_open:
            return f"{self.number}-collect-path"
        return f"{self.number}-{course.voting_state}"

    def context(self, course, audience, participant=None):
        state = course.voting_state
        context = {
            "voting_state": state,
            "results": results(course),
        }
        if audience == "phone":
            # The card form and the voting list's buttons: web/steps/challenges.py.
            if state == "collect":  # the phone lists its own cards while they are collected
                context["my_cards"] = cards_of(participant)
            if state == "voting":
                # Loaded only if the phone's list is not drawn already (web.voting.VoteList).
                context["cards"] = functools.partial(wall_cards, course)
                context["my_dots"], context["dots_left"] = my_dots_and_left(participant)
        else:
            # Phones don't show the progress; on their hot path it would be two queries each.
            context["progress"] = voting_progress(course) if state in ("voting", "closed") else None
            control = audience == "control"
            context["cards"] = wall_cards(course, include_hidden=control, details=control)
            if control and state in ("collect", "voting"):
                context["small_groups"] = role_groups_below_minimum(course)
            # The origin overview: does the bøvl rest on law, or on our own decisions?
            # The projector shows it after the reveal; the control panel all along.
            if audience == "control" or state == "revealed":
                context["origins"] = origin_overview(course)
                # Whose rules: per department (None in a course without departments).
                context["origin_departments"] = department_overview(course)
                context["prioritised"] = prioritised_cards(course)
        context.update(self.path_context(course, audience, participant))
        return context

    def path_context(self, course, audience, participant=None):
        """The citizen's path (workshop.touchpoints): a phone's own touchpoints and the
        departments to pick while it is mapped; the path itself on the projector then, and
        on the control panel all along."""
        mapping = course.path_open and course.voting_state == "collect"
        if audience == "phone":
            if not mapping:
                return {"path_mapping": False}
            return {
                "path_mapping": True,
                "my_touchpoints": touchpoints_of(participant),
                "path_departments": offered_departments(course),
            }
        if audience == "projector" and not mapping:
            return {"path_mapping": False}
        path = path_of(course, include_hidden=audience == "control")
        context = {"path_mapping": mapping, "path": path, "path_flags": path_duplicates(path)}
        if audience == "control":
            context["path_departments"] = offered_departments(course)
        return context
