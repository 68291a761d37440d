"""Rendered documents kept between requests, in the database, so every worker agrees.

A rendered PDF costs seconds of WeasyPrint; a second download of an unchanged document
comes from the `rendered_pdf` table instead. Kept in the database rather than in a worker's
memory: a redaction or a deletion removes a course's rows in its own transaction
(`forget_rendered`), and then no worker or machine holds the old words any more. The domain
calls `forget_rendered`; the reports (workshop.reports.pdf) call `kept_pdf` and `keep_pdf`. This
module knows nothing of either: it sits at the bottom with the models.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from workshop.core.db import writing
from workshop.core.extensions import db
from workshop.core.models import Course, RenderedPdf

# Rows kept at most, over all courses: the newest stay. Each is one PDF (~0.1–1 MB); only
# the current revision of a course is ever served, older ones go when a new one is kept.
KEPT_PDFS = 64


def course_revision(course_id: int) -> str:
    """The course's revision and activity, as read now: every change bumps one of them."""
    revision, activity = db.session.execute(
        select(Course.revision, Course.activity).where(Course.id == course_id)
    ).one()
    return f"{revision}.{activity}"


def pdf_key(*parts) -> str:
    """A short key for what a document depends on besides the course's revision."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def kept_pdf(course_id: int, key: str, revision: str, *, fresh: bool = False) -> bytes | None:
    """The PDF kept for this document at this revision, or None.

    `fresh` reads on a connection of its own, outside the session's transaction: on SQLite
    a transaction sees the database as it was when it began, so a request that waited for
    another one's rendering would not see the PDF it kept meanwhile."""
    query = select(RenderedPdf.pdf).where(
        RenderedPdf.course_id == course_id,
        RenderedPdf.key == key,
        RenderedPdf.revision == revision,
    )
    if not fresh:
        return db.session.scalar(query)
    # samskabt_read_only: no SQLite write lock for a read (workshop.core.db).
    with db.engine.connect().execution_options(samskabt_read_only=True) as connection:
        return connection.scalar(query)


def keep_pdf(course_id: int, key: str, revision: str, pdf: bytes) -> None:
    """Keep a PDF rendered at `revision`, unless the course changed while it was rendered.

    The check and the insert run under a lock on the course's row, in a transaction of
    their own: a redaction committed meanwhile has bumped the revision (then nothing is kept),
    and one that commits afterwards deletes this row in its own transaction. Either way no
    row with the old words outlives the redaction."""
    with writing():
        # FOR SHARE on PostgreSQL: a redaction's update of the course row waits for this
        # transaction (and its DELETE then sees the row kept here), or this one waits for
        # the redaction and reads the new revision; votes, which share the lock, don't wait.
        current = db.session.execute(
            select(Course.revision, Course.activity)
            .where(Course.id == course_id)
            .with_for_update(read=True)
        ).one_or_none()
        if current is None or f"{current[0]}.{current[1]}" != revision:
            db.session.rollback()  # deleted, or changed while it was rendered
            return
        db.session.execute(
            delete(RenderedPdf).where(
                RenderedPdf.course_id == course_id,
                (RenderedPdf.revision != revision) | (RenderedPdf.key == key),
            )
        )
        db.session.add(RenderedPdf(course_id=course_id, key=key, revision=revision, pdf=pdf))
        newest = select(RenderedPdf.id).order_by(RenderedPdf.id.desc()).limit(KEPT_PDFS)
        try:
            db.session.flush()
            db.session.execute(delete(RenderedPdf).where(RenderedPdf.id.not_in(newest)))
            db.session.commit()
        except IntegrityError:
            db.session.rollback()  # another worker kept the same document first: as good


def forget_rendered(course_ids: Iterable[int]) -> None:
    """Delete the rendered PDFs of these courses, in the caller's transaction (a redaction's
    or a deletion's): committed together, so no worker can serve or keep them after."""
    course_ids = list(set(course_ids))
    if course_ids:
        db.session.execute(
            delete(RenderedPdf).where(RenderedPdf.course_id.in_(course_ids)),
            execution_options={"synchronize_session": False},
        )
