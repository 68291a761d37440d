"""A phone's tap on a dot button, for both votes: the cards (step 2) and the solutions (step 3)."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _

from ..db import only_reads_from_here
from ..errors import WorkshopError
from ..extensions import htmx
from ..forms import DotsForm
from ..models import Card, Course, Participant, Solution
from ..votes import cast_vote
from .common import render_fragment
from .phone_forms import first_form_error, reply_if_moved_on
from .screens import render_phone_live, step_of

# The partial that draws one item of each vote on the phone, and its name in it.
_ITEM_TEMPLATES = {
    Card: ("steps/challenges/_vote_item.html", "card"),
    Solution: ("steps/solutions/_vote_item.html", "solution"),
}


def answer_vote(
    course: Course, participant: Participant, item: Card | Solution | None, missing: str = ""
):
    """Set how many of the participant's dots lie on the item (0 takes them back); `missing`
    is the refusal when there is no such item (anymore) in the course.

    The reply is small: the item with its buttons, and the dots left. Only when the budget
    runs out or comes back (every + button changes) or the tap is refused does the phone
    get its whole live region. Others' phones see nothing of a vote until the reveal.
    """
    moved_on = reply_if_moved_on(course, participant)
    if moved_on is not None:
        return moved_on
    form = DotsForm()
    error = outcome = None
    if item is None:
        error = missing
    elif not form.validate_on_submit():
        error = first_form_error(form) or _("Check the form and try again.")
    else:
        try:
            outcome = cast_vote(participant, item, form.dots.data)
        except WorkshopError as refused:
            error = refused.message
    only_reads_from_here()
    if not htmx:
        if error:
            flash(error, "error")
        return redirect(url_for("participant.course_page", code=course.join_code))
    if outcome is None or outcome.budget_turned:
        response = render_phone_live(
            course, participant, status=422 if error else 200, live_message=error
        )
        response.headers["HX-Retarget"] = "#live"
        response.headers["HX-Reswap"] = "outerHTML"
        return response
    template, name = _ITEM_TEMPLATES[type(item)]
    return render_fragment(
        "steps/voting/_vote_reply.html",
        item_template=template,
        **{name: item},
        course=course,
        participant=participant,
        # reply_if_moved_on checked that the posted stage is the current one.
        stage=request.form.get("stage") or step_of(course).stage(course),
        my_dots={item.id: form.dots.data},
        dots_left=outcome.dots_left,
    )
