"""Friendly Danish error pages, and for htmx a message in the page's message area."""

from contextlib import suppress

from flask import make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from workshop.core.errors import WorkshopError
from workshop.core.extensions import db, htmx


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

    # A refusal no view answered itself: the reason beside the form (htmx) or on a page.
    @app.errorhandler(WorkshopError)
    def refused(error: WorkshopError):
        return error_response(422, error.message)

    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        return error_response(
            400,
            _(
                "The page was open for a long time, so we could not accept it safely. "
                "Reload the page and send again; your text is kept."
            ),
        )

    # The database is locked for too long (SQLite), restarting or unreachable (PostgreSQL:
    # a cut connection is an OperationalError or InterfaceError), or every pooled connection
    # is taken: "try again", never a traceback. The pool's pre-ping replaces dead
    # connections, so the phone's next try normally succeeds; it keeps its typed text.
    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(PoolTimeoutError)
    def database_unavailable(error):
        with suppress(SQLAlchemyError):
            db.session.rollback()
        app.logger.warning("Database unavailable, answered 503: %s", error)
        response = make_response(error_response(503))
        response.headers["Retry-After"] = "2"
        return response

    @app.teardown_appcontext
    def release_a_dead_connection(_error):
        # Runs before Flask-SQLAlchemy's own teardown (registered earlier, run later). If
        # PostgreSQL cut the connection after the reply was made, the closing ROLLBACK
        # fails; without this the finished reply would turn into a 500 at the last moment.
        try:
            db.session.close()
        except SQLAlchemyError:
            with suppress(SQLAlchemyError):
                db.session().invalidate()  # drop the connection, no ROLLBACK

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
