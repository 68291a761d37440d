"""Downloads for the facilitator (CSV for Excel, the full JSON backup) and importing a backup."""

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from werkzeug.exceptions import RequestEntityTooLarge

from workshop.audit import record
from workshop.core.errors import WorkshopError
from workshop.core.extensions import csrf
from workshop.courses import format_join_code
from workshop.exchange import (
    IMPORT_MAX_BYTES,
    actions_csv,
    ascii_filename,
    cards_csv,
    entries_csv,
    export_course_json,
    import_on_this_server,
)
from workshop.web.common import facilitator_course

bp = Blueprint("exports", __name__, url_prefix="/f")

CSV_TYPE = "text/csv; charset=utf-8"
# Room for the form's other fields and the multipart boundaries around the file.
UPLOAD_OVERHEAD = 64 * 1024


class ImportForm(FlaskForm):
    file = FileField(
        _l("Course file (.json)"),
        validators=[FileRequired(_l("Choose the course file to import."))],
    )


@bp.before_request
@login_required
def require_login():
    """Every export and the import need a login."""


def file_download(body: bytes, filename: str, mimetype: str):
    """A file to save (CSV, JSON), under an ASCII name."""
    response = make_response(body)
    response.headers["Content-Type"] = mimetype
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    # The files hold what participants wrote: no shared cache keeps a copy.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/courses/<int:course_id>/export/cards.csv")
def cards(course_id: int):
    course = facilitator_course(course_id)
    body = cards_csv(course)
    record("exported", course=course, detail={"file": "cards_csv"})
    return file_download(body, ascii_filename(course, _("cards"), "csv"), CSV_TYPE)


@bp.route("/courses/<int:course_id>/export/actions.csv")
def actions(course_id: int):
    course = facilitator_course(course_id)
    body = actions_csv(course)
    record("exported", course=course, detail={"file": "actions_csv"})
    return file_download(body, ascii_filename(course, _("actions"), "csv"), CSV_TYPE)


@bp.route("/courses/<int:course_id>/export/entries.csv")
def entries(course_id: int):
    course = facilitator_course(course_id)
    body = entries_csv(course)
    record("exported", course=course, detail={"file": "entries_csv"})
    return file_download(body, ascii_filename(course, _("measurements"), "csv"), CSV_TYPE)


@bp.route("/courses/<int:course_id>/export/course.json")
def course_json(course_id: int):
    """The whole course as one file: a backup, or a move to another server."""
    course = facilitator_course(course_id)
    body = export_course_json(course)
    record("exported", course=course, detail={"file": "course_json"})
    return file_download(
        body,
        ascii_filename(course, _("backup"), "json"),
        "application/json; charset=utf-8",
    )


# The upload may be far larger than the app's usual request limit. Flask-WTF's global
# check would read the form (and hit that limit) before this view could raise it, so the
# view raises the limit first and then checks the token itself.
@bp.route("/courses/import", methods=["GET", "POST"])
@csrf.exempt
def import_page():
    """Upload a course file: it becomes a new course of yours, with a new join code."""
    if request.method == "GET":
        return _import_page(ImportForm())
    request.max_content_length = IMPORT_MAX_BYTES + UPLOAD_OVERHEAD
    try:
        if current_app.config.get("WTF_CSRF_ENABLED", True):
            csrf.protect()
        form = ImportForm()
    except RequestEntityTooLarge:
        too_large = _("The file is larger than %(mb)s MB.", mb=IMPORT_MAX_BYTES // (1024 * 1024))
        return _import_page(ImportForm(formdata=None), WorkshopError(too_large, code="file"), 413)
    if not form.validate_on_submit():
        return _import_page(form, status=422)
    try:
        result = import_on_this_server(form.file.data.read(IMPORT_MAX_BYTES + 1), current_user)
    except WorkshopError as refused:  # ImportRefused: nothing was written
        return _import_page(form, refused, 422)
    record("imported", course=result.course, detail={"via": "upload"})
    _flash_result(result)
    return redirect(url_for("facilitator.course", course_id=result.course.id))


def _import_page(form: ImportForm, refusal: WorkshopError | None = None, status: int = 200):
    page = render_template(
        "exports/import.html",
        form=form,
        refusal=refusal,
        max_mb=IMPORT_MAX_BYTES // (1024 * 1024),
    )
    return page, status


def _flash_result(result) -> None:
    flash(
        _(
            "The course has been imported. Its new join code is %(code)s.",
            code=format_join_code(result.course.join_code),
        )
    )
    if result.catalogue_added:
        flash(
            ngettext(
                "The catalogue got %(num)s entry from the file.",
                "The catalogue got %(num)s entries from the file.",
                result.catalogue_added,
            )
        )
    if result.versions_added:
        flash(
            ngettext(
                "The catalogue got %(num)s earlier version of an entry from the file.",
                "The catalogue got %(num)s earlier versions of entries from the file.",
                result.versions_added,
            )
        )
    for old, new in result.renamed:
        flash(_("The local rule %(old)s is called %(new)s here.", old=old, new=new))
    for note in result.notes:
        flash(note)
