"""Step 2 — Udpege, undersøge og prioritere: 'det der bøvler' cards and dot voting."""

from __future__ import annotations

import functools
from textwrap import shorten

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField

from steps.base import Step
from workshop.audit import record
from workshop.cards import (
    card_in_course,
    cards_of,
    edit_card,
    merge_cards,
    redact_card,
    set_card_hidden,
    submit_card,
    unmerge_card,
    wall_cards,
)
from workshop.catalogue import requirement_title, search_requirements
from workshop.core.db import write_lock_only_when_writing
from workshop.core.errors import WorkshopError
from workshop.core.extensions import db, htmx
from workshop.core.models import Card
from workshop.examination import (
    examine_card,
    link_requirement,
    origin_overview,
    prioritise,
    prioritised_cards,
    unlink_requirement,
)
from workshop.experience import experience_for_keys
from workshop.votes import (
    CARDS,
    dots_left,
    my_dots,
    results,
    role_groups_below_minimum,
    set_voting_state,
    voting_progress,
)
from workshop.web.common import (
    course_by_code,
    facilitator_course,
    new_client_token,
    require_participant,
)
from workshop.web.forms import (
    ActionForm,
    CardEditForm,
    CardForm,
    ExamineForm,
    LinkForm,
    MergeForm,
    PriorityForm,
    VotingForm,
)
from workshop.web.phone_forms import submit_phone_form
from workshop.web.refusals import first_form_error
from workshop.web.voting import (
    answer_vote,
    restart_vote_reply,
    restore_vote_reply,
    voting_list_context,
)

bp = Blueprint("challenges", __name__)


class RedactForm(FlaskForm):
    """Redacting removes words for good: the box must be ticked (checked by the view)."""

    confirm = BooleanField(_l("I understand that the text is gone for good"))


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
        # A phone's forms change with the phase of the vote, not only with the step.
        return f"{self.number}-{course.voting_state}"

    def context(self, course, audience, participant=None):
        state = course.voting_state
        context = {
            "voting_state": state,
            "results": results(course),
        }
        if audience == "phone":
            if state == "collect":  # the phone lists its own cards while they are collected
                context["my_cards"] = cards_of(participant)
                form = CardForm(formdata=None)
                form.client_token.data = new_client_token()
                context["card_form"] = form
            if state == "voting":
                # Loaded only if the phone's list is not drawn already (see VoteList).
                context["cards"] = functools.partial(wall_cards, course)
                context["my_dots"] = my_dots(participant)
                left = dots_left(participant)
                context["dots_left"] = left
                context.update(
                    voting_list_context(course, Card, participant, left, self.stage(course))
                )
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
                context["prioritised"] = prioritised_cards(course)
        return context


@bp.post("/c/<code>/cards")
def submit(code: str):
    """A participant adds a card from their phone."""
    course = course_by_code(code)
    participant = require_participant(course)
    return submit_phone_form(
        course,
        participant,
        CardForm(),
        save=lambda form: submit_card(
            participant,
            form.text.data,
            form.category.data,
            client_token=form.client_token.data,
            allow_cpr_like=form.not_cpr.data,
        ),
        form_name="card_form",
        form_template="steps/challenges/_card_form.html",
        done_message=_("Thank you. Your card is on the wall."),
    )


@bp.post("/c/<code>/cards/<int:card_id>/dots")
@write_lock_only_when_writing
def vote(code: str, card_id: int):
    """Set how many of the participant's dots lie on a card (0 takes them back)."""
    course = course_by_code(code)
    participant = require_participant(course)
    card = card_in_course(course, card_id)
    return answer_vote(course, participant, card, _("That card cannot be voted on."))


def _back_to_panel(course):
    return redirect(url_for("facilitator.course", course_id=course.id))


@bp.post("/f/courses/<int:course_id>/voting")
def voting(course_id: int):
    """Open, close or reveal the vote, or go back to collecting cards."""
    course = facilitator_course(course_id)
    form = VotingForm()
    if form.validate_on_submit():
        try:
            set_voting_state(course, form.state.data)
        except WorkshopError as refused:
            flash(refused.message, "error")
    return _back_to_panel(course)


@bp.post("/f/courses/<int:course_id>/votes/clear")
def restart_vote(course_id: int):
    """Give every dot back, after a confirmation that says how many."""
    course = facilitator_course(course_id)
    undo = url_for(".restore_vote", course_id=course.id)
    return restart_vote_reply(course, CARDS, "restart-cards", undo)


@bp.post("/f/courses/<int:course_id>/votes/restore")
def restore_vote(course_id: int):
    """Take a restart back within a minute: every dot where it lay."""
    return restore_vote_reply(facilitator_course(course_id), CARDS)


def _card_page(course, card, *, status: int = 200, **overrides):
    """The facilitator's card page, with any refused form shown as it was filled in."""
    query = request.args.get("q", "")
    # Search results only on request: the whole catalogue under every card was metres long.
    found = search_requirements(query, course.facilitator_id) if query.strip() else []
    # The experience bank: what other courses did about the card's requirements (and
    # about each entry the search finds), in one query.
    law_keys = [link.requirement.key for link in card.links if not link.requirement.is_local]
    bank = experience_for_keys(
        law_keys + [r.key for r in found if not r.is_local], exclude_course_id=course.id
    )
    context = {
        "course": course,
        "card": card,
        "form": CardEditForm(obj=card),
        "examine_form": ExamineForm(obj=card),
        "priority_form": PriorityForm(
            priority=card.priority, later_when=card.later_when, reason=card.out_of_scope_reason
        ),
        "merge_form": MergeForm(formdata=None),
        # Merging picks from the wall itself, with nothing chosen until the facilitator does.
        "merge_targets": [other for other in wall_cards(course) if other.id != card.id],
        "action_form": ActionForm(),
        "redact_form": RedactForm(formdata=None),
        "query": query,
        "results": found,
        "bank": bank,
        "bank_copy_card": card if card.priority == "prioritised" else None,
        "link_url": url_for("challenges.link", course_id=course.id, card_id=card.id),
        "linked_keys": {link.requirement.key for link in card.links},
        "search_url": url_for("challenges.card", course_id=course.id, card_id=card.id),
        "error": None,
        "error_at": "card",  # which section shows the error: card, links, merge, redact
    }
    # The "Send to the state" panel (workshop/web/state_feedback.py).
    from workshop.web.state_feedback import card_panel_context

    context.update(card_panel_context(course, card))
    context.update(overrides)
    if htmx and htmx.trigger_name == "q":
        return render_template("steps/challenges/_card_results.html", **context)
    return render_template("steps/challenges/card.html", **context), status


def _card_or_panel(course_id: int, card_id: int):
    course = facilitator_course(course_id)
    return course, card_in_course(course, card_id)


@bp.route("/f/courses/<int:course_id>/cards/<int:card_id>", methods=["GET", "POST"])
def card(course_id: int, card_id: int):
    """The facilitator's card page: reword, examine, link, prioritise, merge, hide."""
    course, card = _card_or_panel(course_id, card_id)
    if card is None:
        return _back_to_panel(course)
    if request.method == "GET":
        return _card_page(course, card)
    form = CardEditForm()
    if not form.validate_on_submit():
        return _back_to_card(course, card)
    return _save_card(course, card, form)


def _save_card(course, card, form: CardEditForm):
    """One save for everything typed on the card page: the wording, the examination and the
    status, each part as far as the form carries it. A refusal shows the page again with
    every field as it was typed, and says what is wrong."""
    examine_form, priority_form = ExamineForm(), PriorityForm()
    posted = request.form
    try:
        if "priority" in posted:  # checked first: its rules (say when, say why) refuse most
            prioritise(
                card,
                priority_form.priority.data or "",
                later_when=priority_form.later_when.data or "",
                reason=priority_form.reason.data or "",
            )
        if "origin" in posted:
            examine_card(
                card,
                origin=examine_form.origin.data or "",
                problem=examine_form.problem.data or "",
                stakeholders=examine_form.stakeholders.data or "",
            )
        if "text" in posted:
            edit_card(card, form.text.data, form.category.data)
    except WorkshopError as refused:
        db.session.rollback()
        return _card_page(
            course,
            card,
            status=422,
            form=form,
            examine_form=examine_form,
            priority_form=priority_form,
            error=refused.message,
        )
    flash(_("The card has been saved."))
    return _back_to_card(course, card)


def _back_to_card(course, card, query: str = ""):
    # Keep the facilitator's catalogue search, so linking a second entry is one click.
    query = query[:200] or None
    return redirect(url_for(".card", course_id=course.id, card_id=card.id, q=query))


@bp.post("/f/courses/<int:course_id>/cards/<int:card_id>/examine")
def examine(course_id: int, card_id: int):
    """Where the rule comes from, the real problem, and who else has a stake."""
    course, card = _card_or_panel(course_id, card_id)
    if card is None:
        return _back_to_panel(course)
    form = ExamineForm()
    if form.validate_on_submit():
        try:
            examine_card(
                card,
                origin=form.origin.data,
                problem=form.problem.data,
                stakeholders=form.stakeholders.data,
            )
        except WorkshopError as refused:
            return _card_page(course, card, status=422, examine_form=form, error=refused.message)
        flash(_("The examination has been saved."))
    return _back_to_card(course, card)


@bp.post("/f/courses/<int:course_id>/cards/<int:card_id>/priority")
def priority(course_id: int, card_id: int):
    """Prioritised, later (with when) or outside the frame (with why)."""
    course, card = _card_or_panel(course_id, card_id)
    if card is None:
        return _back_to_panel(course)
    form = PriorityForm()
    if not form.validate_on_submit():
        message = first_form_error(form) or _("Check the form and try again.")
        return _card_page(course, card, status=422, priority_form=form, error=message)
    try:
        prioritise(
            card, form.priority.data, later_when=form.later_when.data, reason=form.reason.data
        )
    except WorkshopError as refused:
        return _card_page(course, card, status=422, priority_form=form, error=refused.message)
    flash(_("The status of the challenge has been saved."))
    return _back_to_card(course, card)


@bp.post("/f/courses/<int:course_id>/cards/<int:card_id>/links")
def link(course_id: int, card_id: int):
    """Link the card to a catalogue entry (the entry's version is recorded)."""
    course, card = _card_or_panel(course_id, card_id)
    if card is None:
        return _back_to_panel(course)
    form = LinkForm()
    if form.validate_on_submit():
        try:
            linked = link_requirement(card, form.key.data)
        except WorkshopError as refused:
            return _card_page(course, card, status=422, error=refused.message, error_at="links")
        flash(
            _(
                "The card is linked to %(requirement)s.",
                requirement=requirement_title(linked.requirement),
            )
        )
    return _back_to_card(course, card, request.form.get("q", ""))


@bp.post("/f/courses/<int:course_id>/cards/<int:card_id>/links/<int:link_id>/delete")
def unlink(course_id: int, card_id: int, link_id: int):
    course, card = _card_or_panel(course_id, card_id)
    if card is None:
        return _back_to_panel(course)
    if ActionForm().validate_on_submit():
        unlink_requirement(card, link_id)
    return _back_to_card(course, card)


@bp.post("/f/courses/<int:course_id>/cards/<int:card_id>/hidden")
def toggle_hidden(course_id: int, card_id: int):
    course = facilitator_course(course_id)
    card = card_in_course(course, card_id)
    if card is not None and ActionForm().validate_on_submit():
        try:
            set_card_hidden(card, not card.hidden)
        except WorkshopError as refused:
            flash(refused.message, "error")
        else:
            if card.hidden:  # one click hides: the same click's undo sits in the message
                flash(
                    _(
                        "“%(text)s” is hidden from the phones and the projector.",
                        text=shorten(card.text, 60, placeholder=" …"),
                    ),
                    f"undo:{request.path}",
                )
    return _back_to_panel(course)


@bp.post("/f/courses/<int:course_id>/cards/<int:card_id>/merge")
def merge(course_id: int, card_id: int):
    """Merge this card into another one (the target keeps both texts and authors)."""
    course, card = _card_or_panel(course_id, card_id)
    if card is None:
        return _back_to_panel(course)
    form = MergeForm()
    if not form.validate_on_submit():
        return _back_to_card(course, card)
    target = card_in_course(course, form.target.data) if form.target.data else None
    if target is None or target.id == card.id:
        # No silent default: the facilitator picks the card on the wall.
        message = _("Choose the card to merge into.")
        return _card_page(
            course, card, status=422, merge_form=form, error=message, error_at="merge"
        )
    try:
        merge_cards(target, [card])
    except WorkshopError as refused:
        return _card_page(
            course, card, status=422, merge_form=form, error=refused.message, error_at="merge"
        )
    undo = url_for(".unmerge", course_id=course.id, card_id=card.id)
    flash(
        _(
            "The card has been placed under “%(target)s”.",
            target=shorten(target.text, 60, placeholder=" …"),
        ),
        f"undo:{undo}",
    )
    return _back_to_panel(course)


@bp.post("/f/courses/<int:course_id>/cards/<int:card_id>/unmerge")
def unmerge(course_id: int, card_id: int):
    course = facilitator_course(course_id)
    card = card_in_course(course, card_id)
    if card is not None and ActionForm().validate_on_submit():
        try:
            unmerge_card(card)
        except WorkshopError as refused:
            flash(refused.message, "error")
    return _back_to_panel(course)


@bp.post("/f/courses/<int:course_id>/cards/<int:card_id>/redact")
def redact(course_id: int, card_id: int):
    """Remove a citizen's name or CPR number for good: the text and the author's original
    are replaced by a marker; the card keeps its place, dots and links."""
    course, card = _card_or_panel(course_id, card_id)
    if card is None:
        return _back_to_panel(course)
    form = RedactForm()
    if not form.validate_on_submit():
        return _back_to_card(course, card)
    if not form.confirm.data:
        message = _("Tick the box to confirm that the text should be removed for good.")
        return _card_page(
            course, card, status=422, redact_form=form, error=message, error_at="redact"
        )
    redact_card(card)
    # Which card, never its words.
    record("redacted", course=course, target_kind="card", target_id=card.id)
    flash(_("The card's text has been removed."))
    return _back_to_card(course, card)
