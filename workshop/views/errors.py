"""Friendly Danish error pages, and for htmx a message in the page's message area."""

from flask import render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError

from ..extensions import db, htmx


def _messages():
    return {
        400: _("The request could not be understood. Reload the page and try again."),
        403: _("You do not have access to this. If you are a participant, join with the code."),
        404: _("We cannot find that page. Check the address or the code."),
        405: _("That cannot be done here."),
        413: _("That was too much text. Shorten it and try again."),
        429: _("Too many attempts. Wait a minute and try again."),
        500: _(
            "Something went wrong on our side. Try again in a moment; nothing you wrote is lost."
        ),
        503: _("The service is busy right now. Try again in a moment; your text is still there."),
    }


def error_response(status: int, message: str | None = None):
    message = message or _messages().get(status, _messages()[500])
    if htmx:
        # Keep whatever the person typed: show the message beside the form, swap nothing else.
        body = render_template("_message.html", message=message, kind="error")
        return body, status, {"HX-Retarget": "#messages", "HX-Reswap": "innerHTML"}
    return render_template("error.html", status=status, message=message), status


def register_error_handlers(app):
    for status in (400, 403, 404, 405, 413, 429):
        app.register_error_handler(status, lambda e, status=status: error_response(status))

    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        return error_response(
            400,
            _(
                "The page was open for a long time, so we could not accept it safely. "
                "Reload the page and send again; your text is kept."
            ),
        )

    @app.errorhandler(OperationalError)
    def database_busy(_error):
        db.session.rollback()
        return error_response(503)

    @app.errorhandler(500)
    def server_error(_error):
        db.session.rollback()
        return error_response(500)

    @app.after_request
    def vary_on_htmx(response):
        # One URL can answer with a page or a fragment: caches must keep them apart.
        if request.method == "GET":
            response.vary.add("HX-Request")
        return response
