"""The shared flow for everything a phone writes: save it, or refuse and keep the text."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ..errors import WorkshopError
from ..extensions import htmx
from ..forms import ParticipantTextForm
from ..models import Course, Participant
from .common import new_client_token, render_fragment
from .screens import phone_context


def first_form_error(form) -> str | None:
    for errors in form.errors.values():
        if errors:
            return str(errors[0])
    return None


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
    refusal: WorkshopError | None = None
    if form.validate_on_submit():
        try:
            save(form)
        except WorkshopError as refused:
            refusal = refused
    else:
        refusal = WorkshopError(first_form_error(form) or _("Check the form and try again."))

    if refusal is None:
        if not htmx:
            flash(done_message)
            return redirect(url_for("participant.course_page", code=course.join_code))
        fresh = type(form)(formdata=None)
        for name in keep_after_save:  # e.g. the chosen question: people answer it again
            getattr(fresh, name).data = getattr(form, name).data
        fresh.client_token.data = new_client_token()
        context = phone_context(course, participant, **{form_name: fresh})
        return render_fragment(
            form_template, 200, sent=True, message=done_message, live_oob=True, **context
        )

    if not form.client_token.data:
        form.client_token.data = new_client_token()
    context = phone_context(course, participant, **{form_name: form}, refusal=refusal)
    if htmx:
        return render_fragment(form_template, 422, **context)
    return render_template("participant/course.html", **context), 422
