"""Step 4 — Teste og implementere: the action plan, its owners, dates and status."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from steps.base import Step, stage_with
from workshop.actions import action_board, actions_of
from workshop.cards import cards_of
from workshop.core.extensions import db
from workshop.core.models import Action
from workshop.core.vocabulary import StepNumber
from workshop.corrections import repeal_offers


class ImplementStep(Step):
    number = StepNumber.IMPLEMENT
    slug = "implement"
    title = _l("Test and implement solutions")
    purpose = _l(
        "Check the barriers (cultural, legal, technical, competence), test in one unit or "
        "for a limited time, and agree who does what differently from when."
    )
    outcome = _l("An action plan, a summary of the test, an adjusted solution.")
    guidance = (
        _l("For each solution: who does what differently, from when?"),
        _l("Which signs will show that it works, and who watches them?"),
        _l("How and when is it communicated to everyone affected?"),
    )
    phone_template = "steps/implement/phone.html"
    phone_live_template = "steps/implement/phone_live.html"
    projector_template = "steps/implement/projector.html"
    control_template = "steps/implement/control.html"
    control_live_template = "steps/implement/control_live.html"

    def stage(self, course):
        # A phone's forms are the status forms of the actions its person owns: they are
        # drawn again when an owner, a status or a title changes, so a form never offers
        # a status the facilitator has since changed.
        actions = db.session.execute(
            select(Action.id, Action.owner_id, Action.status, Action.title)
            .where(Action.course_id == course.id)
            .order_by(Action.id)
        ).all()
        return stage_with(self.number, "", actions)

    def context(self, course, audience, participant=None):
        context = {}
        if audience == "projector":
            context["board"] = action_board(course)
        else:
            context["plan"] = actions_of(course)
        if audience == "control":
            # Implemented actions that removed a local rule not yet marked repealed.
            context["repeal_due"] = {a.id for a in context["plan"] if repeal_offers(a)}
        if audience == "phone":
            # Nobody's card disappears: the person's own cards keep showing their status.
            context["my_cards"] = cards_of(participant)
            context["owned"] = [a for a in context["plan"] if a.owner_id == participant.id]
        return context
