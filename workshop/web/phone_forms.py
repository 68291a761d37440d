"""The shared flow for everything a phone writes: save it, or refuse and keep the text."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from workshop.core.errors import WorkshopError
from workshop.core.extensions import htmx
from workshop.core.models import Course, Participant
from workshop.web.common import new_client_token, render_fragment
from workshop.web.forms import ParticipantTextForm
from workshop.web.refusals import form_refusal
from workshop.web.screens import phone_context, render_phone_live, step_of


def reply_if_moved_on(course: Course, participant: Participant):
    """If the facilitator moved on since this phone's form was drawn, bring the new forms.

    A post from an old stage would be refused anyway (cards, answers and dots each belong
    to one stage); this reply also swaps in the current stage, so the phone catches up
    instead of keeping an old form whose live region already polls for the new stage.
    The typed text stays in the browser's draft.
    """
    posted = request.form.get("stage", "")
    # Without htmx there is no draft in the browser: the normal path re-renders the whole
    # page, current stage and the person's text included, with the reason it was refused.
    if not htmx or not posted or posted == step_of(course).stage(course):
        return None
    notice = _("The facilitator has moved on. What you typed is kept on this phone.")
    response = render_phone_live(course, participant, shown_stage=posted, live_message=notice)
    response.headers["HX-Retarget"] = "#live"
    response.headers["HX-Reswap"] = "outerHTML"
    return response


def submit_phone_form(
    course: Course,
    participant: Participant,
    form: ParticipantTextForm,
    *,
    save: Callable[[ParticipantTextForm], object],
    form_name: str,
    form_template: str,
    done_message: str,
    keep_after_save: tuple[str, ...] = (),
):
    """Run `save`; reply with a fresh form (and the live region), or the refusal beside
    the person's own text. Works with htmx (fragments) and without (full page)."""
    moved_on = reply_if_moved_on(course, participant)
    if moved_on is not None:
        return moved_on
    if not form.validate_on_submit():
        return _refused(course, participant, form, form_refusal(form), form_name, form_template)
    try:
        save(form)
    except WorkshopError as refused:
        return _refused(course, participant, form, refused, form_name, form_template)
    if not htmx:
        flash(done_message)
        return redirect(url_for("participant.course_page", code=course.join_code))
    fresh = _fresh_form(form, keep_after_save)
    context = phone_context(course, participant, **{form_name: fresh})
    return render_fragment(
        form_template, 200, sent=True, message=done_message, live_oob=True, **context
    )


def _fresh_form(form: ParticipantTextForm, keep: tuple[str, ...]) -> ParticipantTextForm:
    """An empty form for the next text, with a new nonce and the fields in `keep`."""
    fresh = type(form)(formdata=None)
    for name in keep:  # e.g. the chosen question: people answer it again
        getattr(fresh, name).data = getattr(form, name).data
    fresh.client_token.data = new_client_token()
    return fresh


def _refused(
    course: Course,
    participant: Participant,
    form: ParticipantTextForm,
    refusal: WorkshopError,
    form_name: str,
    form_template: str,
):
    """The refusal beside the person's own text: the form's fragment (htmx) or the page."""
    if not form.client_token.data or form.client_token.errors:
        form.client_token.data = new_client_token()  # a fresh nonce: the next send can save
    context = phone_context(course, participant, **{form_name: form}, refusal=refusal)
    if htmx:
        return render_fragment(form_template, 422, **context)
    if request.form.get("stage", "") != context["stage"]:
        # The page now shows another stage, without this form: say why, with their words.
        flash(_("%(reason)s Your text: “%(text)s”", reason=refusal.message, text=form.text.data))
    return render_template("participant/course.html", **context), 422
