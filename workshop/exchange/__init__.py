"""Courses leaving the app and coming back: CSV for Excel, and a full JSON export/import.

csv.py writes the CSV files, schema.py describes every record of the JSON course file,
export.py writes a course as that file and load.py checks and imports one.

CSV files are made for Danish Excel (UTF-8 with a BOM, semicolons, decimal commas,
ISO dates; text Excel could run as a formula gets a leading apostrophe).

The JSON file is a faithful copy of one course — everything but the timer and the manager
links (their tokens are secrets) — with the catalogue entries its cards link to and every
version of them. Votes are the exception: they are anonymous towards everyone, the
facilitator who downloads the file included, so the file holds each vote's result as the
screen shows it once revealed (format 2), never whose dots they were. Records refer to
each other by numbers local to the file, so an import gives them new ids. An import is
checked completely before anything is written (its texts tidied as a form's are), and is
written in one transaction: a refused file writes nothing.
"""

from workshop.exchange.csv import (
    actions_csv,
    ascii_filename,
    audit_csv,
    cards_csv,
    csv_bytes,
    danish_number,
    entries_csv,
    feedback_csv,
    local_feedback_csv,
    safe_cell,
)
from workshop.exchange.export import export_course, export_course_json
from workshop.exchange.load import import_course, import_on_this_server
from workshop.exchange.schema import FORMAT_VERSION, IMPORT_MAX_BYTES, ImportRefused

__all__ = [
    "FORMAT_VERSION",
    "IMPORT_MAX_BYTES",
    "ImportRefused",
    "actions_csv",
    "ascii_filename",
    "audit_csv",
    "cards_csv",
    "csv_bytes",
    "danish_number",
    "entries_csv",
    "export_course",
    "export_course_json",
    "feedback_csv",
    "import_course",
    "import_on_this_server",
    "local_feedback_csv",
    "safe_cell",
]
