"""A refused request, answered the same way everywhere: 422 with the reason, nothing lost.

Views parse, call a domain function and render. When the form does not validate or the
domain refuses (`WorkshopError`), the view hands the refusal to one of these:

- `form_refusal(form)`: the form's first error as a `WorkshopError` (field code = the
  field's name), or a general "check the form" when the error has no text;
- `refusal_reply(refusal, fragment=..., page=..., redirect_to=..., **context)`: the 422 reply —
  the fragment re-rendered with `refusal` for htmx, the full page for a plain post, or
  (for a button with nothing typed) a flashed message and a redirect to `redirect_to`;
- `back_to_panel(course, anchor)`: the facilitator's control panel, where most buttons live
  (`panel_url` is its address, for `refusal_reply(..., redirect_to=panel_url(course))`);
- `admins_only(message)`: a view for the organisation's admins; anyone else gets 403.

A `WorkshopError` no view catches is answered by the app's error handler (web.errors)
with the same 422: the message beside the form for htmx, a friendly page otherwise.
"""

from __future__ import annotations

from functools import wraps

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from workshop.core.errors import WorkshopError
from workshop.core.extensions import htmx
from workshop.core.models import Course
from workshop.web.common import render_fragment
from workshop.web.errors import error_response


def form_refusal(form) -> WorkshopError:
    """Why the form was refused, as the domain would say it: message and field code."""
    for field, errors in form.errors.items():
        if errors:
            return WorkshopError(str(errors[0]), code=str(field))
    return WorkshopError(_("Check the form and try again."))


def refusal_reply(
    refusal: WorkshopError,
    *,
    fragment: str | None = None,
    page: str | None = None,
    redirect_to: str | None = None,
    **context,
):
    """The 422 reply to a refusal: the fragment (htmx) or page, re-rendered with the
    person's input and `refusal`; else a flashed message and a redirect to `redirect_to`;
    else the message area (htmx) or error page. Every other keyword goes to the template
    (the keywords of this function are named so that no template's own, such as `back`,
    is taken for them)."""
    if context and fragment is None and page is None:
        # Template values with no template to take them: a mistyped keyword (`back=` for
        # `redirect_to=`) would otherwise turn a flash-and-redirect into the error page.
        raise TypeError(f"refusal_reply: {sorted(context)} given, but no fragment or page")
    if fragment is not None and (htmx or page is None and redirect_to is None):
        return render_fragment(fragment, 422, refusal=refusal, **context)
    if page is not None:
        return render_template(page, refusal=refusal, **context), 422
    if redirect_to is not None:
        flash(refusal.message, "error")
        return redirect(redirect_to)
    return error_response(422, refusal.message)


def panel_url(course: Course, anchor: str | None = None) -> str:
    """The address of the facilitator's control panel, at `anchor` if given: where a
    refused button there returns to (`redirect_to`)."""
    return url_for("facilitator.course", course_id=course.id, _anchor=anchor)


def back_to_panel(course: Course, anchor: str | None = None):
    """The facilitator's control panel for the course, at `anchor` if given."""
    return redirect(panel_url(course, anchor))


def admins_only(message):
    """For a view only an admin of the facilitator's organisation may use: anyone else
    gets 403 with `message` (a lazy string, said in the person's language)."""

    def decorate(view):
        @wraps(view)
        def checked(*args, **kwargs):
            if not current_user.is_admin:
                return error_response(403, str(message))
            return view(*args, **kwargs)

        return checked

    return decorate
