"""A phone's tap on a dot button, for both votes: the cards (step 2) and the solutions (step 3)."""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from workshop.core.db import writing
from workshop.core.errors import WorkshopError
from workshop.core.extensions import htmx
from workshop.core.models import Card, Course, Participant, Solution
from workshop.votes import (
    ballot_of,
    cast_vote,
    clear_votes,
    items_with_ids,
    my_dots_and_left,
    restore_votes,
    voting_progress,
)
from workshop.web import fragments
from workshop.web.common import (
    Confirmation,
    confirmed,
    etag_after_own_change,
    render_fragment,
)
from workshop.web.forms import ActionForm, DotsForm
from workshop.web.phone_forms import reply_if_moved_on
from workshop.web.refusals import form_refusal
from workshop.web.screens import control_context, render_phone_live, step_of


@dataclass(frozen=True)
class VoteItems:
    """How the phone draws one kind of item on its voting list."""

    template: str  # its vote_item macro: the list's loop and the reply to a tap both call it
    endpoint: str
    id_argument: str
    take_label: str
    give_label: str


_ITEMS = {
    Card: VoteItems(
        "steps/challenges/_vote_item.html",
        "challenges.vote",
        "card_id",
        _l("Take a dot back from this card"),
        _l("Give this card a dot"),
    ),
    Solution: VoteItems(
        "steps/solutions/_vote_item.html",
        "solutions.vote",
        "solution_id",
        _l("Take a dot back from this solution"),
        _l("Give this solution a dot"),
    ),
}

# Refusals that concern only the tapped item: its reply shows the reason beside it. Others
# (the item is gone, voting closed) bring the whole live region up to date.
_ITEM_REFUSALS = {"budget", "one_per_item", "negative"}


@dataclass(frozen=True)
class VoteList:
    """What every item on a phone's voting list shares: computed once per list, because
    url_for, csrf_token() and translations for each of 300 items would be most of the
    time it takes to draw the list (templates/steps/voting/_macros.html)."""

    base: str  # the vote URL up to the item's id
    csrf_token: str  # empty in htmx fragments
    stage: str
    take_label: str
    give_label: str
    one_per_item: bool
    dots_left: int
    participant: Participant
    item_template: str
    model: type  # Card or Solution
    # (course id, created, revision, language) when the list's items look the same on every
    # phone except for the phone's own dots, else None (step 3 marks "your proposal").
    shared_as: tuple | None

    def mine_label(self, mine: int) -> str:
        """ "N of your dots", translated once per N for the whole list."""
        return _mine_label(mine)

    def items_html(self, items, my_dots: dict[int, int]) -> Markup:
        """The list's items (a list, or a function that loads them). In a polled fragment
        the items without this phone's dots come from one drawing per worker and revision
        (workshop.web.fragments, which forgets a course's older revisions), without loading
        them again: when the vote opens, 300 phones ask for the same 300 cards at once, and
        after each tap the phone's next poll draws its list again. There the list is a
        placeholder for the kept bytes (fragments.placeholder), which the response gets.
        The full page (with a token in each form) is drawn whole.
        """
        vote_item = current_app.jinja_env.get_template(self.item_template).module.vote_item
        # Every part is Markup from the macro (autoescaped there): join() escapes nothing more.
        if self.csrf_token or self.shared_as is None:
            items = items() if callable(items) else items
            return Markup().join(vote_item(item, my_dots.get(item.id, 0), self) for item in items)
        spent = self.dots_left <= 0  # every + is grey then, the only difference without dots
        course_id, created, revision, language = self.shared_as
        kept = fragments.of(current_app)
        key = (language, self.stage, spent)
        blank = kept.get(course_id, (created, revision), key)
        if blank is None:
            items = items() if callable(items) else items
            drawn = dataclasses.replace(self, dots_left=0 if spent else 1)
            parts = [str(vote_item(item, 0, drawn)).encode() for item in items]
            spans, start = {}, 0  # item id -> where it lies in the whole list (bytes)
            for item, part in zip(items, parts, strict=True):
                spans[item.id] = (start, start + len(part))
                start += len(part)
            blank = (fragments.SharedText.of(b"".join(parts)), spans)
            kept.put(course_id, (created, revision), key, blank)
        # The whole list, with this phone's own items (a few) drawn anew in their places;
        # the response gets the bytes (fragments.splice_shared), the template a placeholder.
        whole, spans = blank
        own = [item_id for item_id, n in my_dots.items() if n and item_id in spans]
        # Loaded in one query (on PostgreSQL one that was deleted a moment ago may be gone:
        # it keeps its place undotted until the next poll brings the new revision).
        pieces, done = [], 0
        for item in sorted(items_with_ids(self.model, own), key=lambda item: spans[item.id]):
            start, end = spans[item.id]
            pieces += [(whole, done, start), str(vote_item(item, my_dots[item.id], self))]
            done = end
        pieces.append((whole, done, len(whole.data)))
        return fragments.placeholder(pieces)


@functools.cache
def _mine_label_in(locale: str, mine: int) -> str:
    return ngettext("%(num)s of your dots", "%(num)s of your dots", mine)


def _mine_label(mine: int) -> str:
    return _mine_label_in(str(get_locale()), mine)


@functools.cache
def _labels_in(locale: str, model: type) -> tuple[str, str]:
    """The item's − and + labels in `locale` (the request's): a lazy string looks its
    catalogue up each time it is read, and these are read on every tap and list drawn."""
    return str(_ITEMS[model].take_label), str(_ITEMS[model].give_label)


def voting_list_context(
    course: Course, model: type, participant: Participant, dots_left: int, stage: str
) -> dict:
    items = _ITEMS[model]
    locale = str(get_locale())
    take_label, give_label = _labels_in(locale, model)
    sample = url_for(items.endpoint, code=course.join_code, **{items.id_argument: 0})
    vote = VoteList(
        base=sample.removesuffix("0/dots"),
        # A full page (perhaps without JavaScript) needs it in each form; htmx requests send
        # it as a header (base.html), which keeps the items the same on every phone.
        csrf_token="" if htmx else generate_csrf(),
        stage=stage,
        take_label=take_label,
        give_label=give_label,
        one_per_item=not course.multiple_dots_per_card,
        dots_left=dots_left,
        participant=participant,
        item_template=items.template,
        model=model,
        shared_as=(course.id, course.created_at, course.revision, locale)
        if model is Card
        else None,
    )
    return {"vote": vote}


def answer_vote(
    course: Course,
    participant: Participant,
    item: Card | Solution | None,
    missing: str | LazyString = "",
):
    """Set how many of the participant's dots lie on the item (0 takes them back); `missing`
    is the refusal when there is no such item (anymore) in the course. The view must be
    wrapped in workshop.core.db.write_lock_only_when_writing.

    The reply is small: the item with its buttons, and the dots left (static/app.js greys
    out every + when the budget is spent). A refusal about the item is shown beside it;
    anything else brings the phone's whole live region. Others' phones see nothing of a
    vote until the reveal.
    """
    moved_on = reply_if_moved_on(course, participant)
    if moved_on is not None:
        return moved_on
    # Read straight from the form: a tap is the hottest post there is, and building the
    # form costs more than the vote's SQL. DotsForm only explains a number it can't read.
    dots = request.form.get("dots", type=int)
    try:
        if item is None:
            raise WorkshopError(str(missing))  # a lazy text: translated only when refused
        if dots is None:
            form = DotsForm()
            form.validate()
            raise form_refusal(form)
        with writing():
            outcome = cast_vote(participant, item, dots)
    except WorkshopError as refused:
        return _refused_vote(course, participant, item, refused)
    if not htmx:
        return redirect(url_for("participant.course_page", code=course.join_code))
    reply = _vote_reply(course, participant, item, {item.id: dots}, outcome.dots_left)
    # The phone's list with this tap is what the phone shows now: its next poll can be a 304.
    sent = request.headers.get("X-Live-ETag", "")
    following = etag_after_own_change(sent, participant.id, outcome.revision)
    if following is not None:
        reply.headers["X-Live-ETag"] = following
    return reply


def _refused_vote(course: Course, participant: Participant, item: Card | Solution | None, refused):
    """The refused tap: the item as it stands with the reason beside it, or (when the
    refusal is not about the item alone) the phone's whole live region."""
    if not htmx:
        if refused.message:
            flash(refused.message, "error")
        return redirect(url_for("participant.course_page", code=course.join_code))
    if item is None or refused.code not in _ITEM_REFUSALS:
        live = render_phone_live(course, participant, status=422, live_message=refused.message)
        live.headers["HX-Retarget"] = "#live"
        live.headers["HX-Reswap"] = "outerHTML"
        return live
    ballot = ballot_of(item)
    mine, left = my_dots_and_left(participant, ballot)
    return _vote_reply(course, participant, item, mine, left, error=refused.message)


def _vote_reply(course, participant, item, mine: dict[int, int], left: int, error=None):
    """The tapped item with its buttons and the dots left (an out-of-band swap)."""
    # reply_if_moved_on checked that the posted stage is the current one.
    stage = request.form.get("stage") or step_of(course).stage(course)
    return render_fragment(
        "steps/voting/_vote_reply.html",
        422 if error else 200,
        item_template=_ITEMS[type(item)].template,
        item=item,
        my_dots=mine,
        vote_error=error,
        **voting_list_context(course, type(item), participant, left, stage),
    )


def restart_vote_reply(course: Course, ballot, key: str, undo_url: str):
    """The facilitator's "give all dots back": first say how many dots from how many people
    (a confirmation in the button's place), then clear them once confirmed."""
    panel = url_for("facilitator.course", course_id=course.id)
    if not ActionForm().validate_on_submit():
        return redirect(panel)
    progress = voting_progress(course, ballot)
    dots = ngettext("%(num)s dot", "%(num)s dots", progress.dots_cast)
    voters = ngettext("%(num)s participant", "%(num)s participants", progress.voters)
    if progress.dots_cast and not confirmed():
        confirm = Confirmation(
            key=key,
            message=_("Gives %(dots)s from %(voters)s back.", dots=dots, voters=voters),
            detail=_("The vote starts over, and this cannot be undone."),
            action=request.path,
            yes_label=_("Yes, give all dots back"),
            cancel=panel,
        )
        return render_template(
            "facilitator/course.html", **control_context(course, confirm=confirm)
        )
    clear_votes(course, ballot)
    flash(
        _(
            "%(dots)s from %(voters)s have been given back. The vote can start over.",
            dots=dots,
            voters=voters,
        ),
        f"undo:{undo_url}" if progress.dots_cast else "info",
    )
    return redirect(panel)


def restore_vote_reply(course: Course, ballot):
    """The restart's undo, within a minute and while nobody has voted since."""
    if ActionForm().validate_on_submit():
        try:
            dots = restore_votes(course, ballot)
        except WorkshopError as refused:
            flash(refused.message, "error")
        else:
            flash(
                _(
                    "The vote is back as it was: %(dots)s.",
                    dots=ngettext("%(num)s dot", "%(num)s dots", dots),
                )
            )
    return redirect(url_for("facilitator.course", course_id=course.id))
