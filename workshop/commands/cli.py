"""The `flask` commands: organisations, facilitators, demo, catalogue, courses, audit purge,
reminders (workshop/commands/reminders.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from workshop.audit import keep_days, purge, record
from workshop.catalogue import CATALOGUE_FILE, load_catalogue
from workshop.commands.demo import DEMO_EMAIL, DEMO_PASSWORD, seed_demo_courses
from workshop.commands.reminders import reminders_cli
from workshop.core.errors import WorkshopError
from workshop.core.extensions import db
from workshop.core.models import Course, Organisation
from workshop.courses import (
    courses_inactive_since,
    delete_course,
    format_join_code,
    last_activity,
)
from workshop.exchange import export_course_json, import_on_this_server
from workshop.facilitators import change_password, create_facilitator, find_facilitator
from workshop.manager_links import create_manager_link, open_links
from workshop.organisations import create_organisation, find_organisation
from workshop.votes import forget_expired_restarts

facilitator_cli = AppGroup("facilitator", help="Manage facilitator logins.")


@facilitator_cli.command("create")
@click.argument("email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--name", default="", help="Shown on the facilitator's pages.")
@click.option(
    "--organisation",
    "organisation_name",
    default=None,
    help="The organisation's name (default: the default organisation).",
)
@click.option("--admin", is_flag=True, help="Make the facilitator an admin of the organisation.")
def create_command(
    email: str, password: str, name: str, organisation_name: str | None, admin: bool
) -> None:
    """Create a facilitator who can log in with EMAIL.

    An organisation's first facilitator always becomes its admin."""
    organisation = None
    if organisation_name is not None:
        organisation = find_organisation(organisation_name)
        if organisation is None:
            raise click.ClickException(
                f"There is no organisation {organisation_name!r}. "
                "Create it with `flask --app app organisation create NAME`."
            )
    try:
        facilitator = create_facilitator(email, password, name, organisation, is_admin=admin)
    except WorkshopError as refused:
        raise click.ClickException(str(refused.message)) from None
    record(
        "facilitator_added",
        actor=None,
        target_kind="facilitator",
        target_id=facilitator.id,
        organisation_id=facilitator.organisation_id,
        detail={"via": "cli", "admin": bool(facilitator.is_admin)},
    )
    role = "admin" if facilitator.is_admin else "facilitator"
    click.echo(
        f"Created facilitator {facilitator.email} ({role} of {facilitator.organisation.name})."
    )


@facilitator_cli.command("password")
@click.argument("email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def password_command(email: str, password: str) -> None:
    """Give the facilitator with EMAIL a new password (a forgotten one, or one someone
    else may know). Every login they have, on every device, ends."""
    facilitator = find_facilitator(email)
    if facilitator is None:
        raise click.ClickException(f"There is no facilitator {email!r}.")
    try:
        change_password(facilitator, password)
    except WorkshopError as refused:
        raise click.ClickException(str(refused.message)) from None
    # That it happened, never the password.
    record(
        "password_changed",
        actor=None,
        target_kind="facilitator",
        target_id=facilitator.id,
        organisation_id=facilitator.organisation_id,
        detail={"via": "cli"},
    )
    click.echo(f"New password set for {facilitator.email}; every login they had has ended.")


organisation_cli = AppGroup("organisation", help="Organisations: who facilitates.")


@organisation_cli.command("create")
@click.argument("name")
@click.option(
    "--kind",
    type=click.Choice(["municipality", "consultancy", "partnership"]),
    default="municipality",
    show_default=True,
    help="A municipality, or a consultancy or partnership facilitating for several.",
)
def create_organisation_command(name: str, kind: str) -> None:
    """Create the organisation NAME; add facilitators with `facilitator create`."""
    try:
        organisation = create_organisation(name, kind)
    except WorkshopError as refused:
        raise click.ClickException(str(refused.message)) from None
    click.echo(f"Created organisation {organisation.name} ({organisation.kind}).")


@organisation_cli.command("list")
def list_organisations_command() -> None:
    """List the organisations: id, name, kind, facilitators, admins, courses."""
    organisations = db.session.scalars(select(Organisation).order_by(Organisation.id)).all()
    click.echo("id\tname\tkind\tfacilitators\tadmins\tcourses")
    for organisation in organisations:
        people = organisation.facilitators
        admins = ", ".join(f.email for f in people if f.is_admin and f.active)
        click.echo(
            f"{organisation.id}\t{organisation.name}\t{organisation.kind}\t"
            f"{len(people)}\t{admins}\t{len(organisation.courses)}"
        )


@click.command("demo")
@with_appcontext
@click.option("--base-url", default="http://127.0.0.1:5000", help="Printed in front of URLs.")
def demo_command(base_url: str) -> None:
    """Create or reset the two demo courses, part-way through, and print how to try them."""
    course, across = seed_demo_courses()
    # The demo's manager reads along without a login: one open link.
    links = open_links(course) or [create_manager_link(course, "Jobcenterchefen")]
    base = base_url.rstrip("/")
    click.echo(
        "\n".join(
            [
                "",
                f"Demo course: {course.title} ({course.municipality})",
                f"  Join code:          {course.join_code}",
                f"  Phones join at:     {base}/j/{course.join_code}"
                f"   (or type the code at {base}/)",
                f"  Facilitator login:  {base}/login  {DEMO_EMAIL} / {DEMO_PASSWORD}",
                f"  Control panel:      {base}/f/courses/{course.id}",
                f"  Projector:          {base}/f/courses/{course.id}/projector",
                f"  Action plan (PDF):  {base}/f/courses/{course.id}/action-plan.pdf",
                f"  To the state:       {base}/f/courses/{course.id}/state-feedback",
                f"  To the IT vendor:   {base}/f/courses/{course.id}/vendor-feedback",
                f"  Meetings:           {base}/f/courses/{course.id}/meetings",
                f"  Card box:           {base}/f/courses/{course.id}/card-box",
                "  Reminders:          flask --app app reminders send --dry-run",
                f"  Share with others:  {base}/f/courses/{course.id}/share",
                f"  Across courses:     {base}/f/overview",
                f"  Manager's link:     {base}/m/{links[0].token}   (no login)",
                "",
                f"Demo course across departments: {across.title} ({across.municipality})",
                f"  Join code:          {across.join_code}",
                f"  Phones join at:     {base}/j/{across.join_code}",
                f"  Control panel:      {base}/f/courses/{across.id}",
                f"  Projector:          {base}/f/courses/{across.id}/projector",
                "",
            ]
        )
    )


catalogue_cli = AppGroup("catalogue", help="The requirement catalogue (LAB and related acts).")


@catalogue_cli.command("load")
@click.option(
    "--file",
    "path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A catalogue data file (default: the one shipped in workshop/data/).",
)
def load_command(path: Path | None) -> None:
    """Load or reload the catalogue; changed entries get a new version, links survive."""
    try:
        report = load_catalogue(path or CATALOGUE_FILE)
    except WorkshopError as refused:
        raise click.ClickException(str(refused.message)) from None
    click.echo(
        f"Catalogue loaded: {report.added} added, {report.changed} changed, "
        f"{report.unchanged} unchanged, {report.kept} kept that the file no longer has."
    )


course_cli = AppGroup("course", help="List, back up, move, restore and delete courses (retention).")


@course_cli.command("export")
@click.argument("course_id", type=int)
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True), default="-")
def export_command(course_id: int, file: str) -> None:
    """Write course COURSE_ID as a JSON file to FILE (default: standard output)."""
    course = db.session.get(Course, course_id) if 0 < course_id < 2**63 else None
    if course is None:
        raise click.ClickException(f"There is no course {course_id}.")
    with click.open_file(file, "wb") as out:
        out.write(export_course_json(course))
    record("exported", actor=None, course=course, detail={"file": "course_json", "via": "cli"})
    if file != "-":
        click.echo(f"Exported course {course.id} ({course.title}) to {file}.", err=True)


@course_cli.command("import")
@click.argument("file", type=click.File("rb"))
@click.option("--facilitator", "email", required=True, help="The facilitator who gets the course.")
def import_command(file, email: str) -> None:
    """Import a course from a JSON FILE made by `course export` or the download button."""
    facilitator = find_facilitator(email)
    if facilitator is None:
        raise click.ClickException(f"There is no facilitator {email}.")
    try:
        result = import_on_this_server(file.read(), facilitator)
    except WorkshopError as refused:
        raise click.ClickException(str(refused.message)) from None
    course = result.course
    record("imported", actor=facilitator, course=course, detail={"via": "cli"})
    lines = [
        f"Imported as course {course.id} ({course.title}) for {facilitator.email}.",
        f"  Join code: {format_join_code(course.join_code)}",
        f"  Catalogue: {result.catalogue_added} entries and {result.versions_added} "
        "earlier versions added from the file.",
        *(f"  Local rule {old} is {new} here." for old, new in result.renamed),
        *(f"  {note}" for note in result.notes),
    ]
    click.echo("\n".join(lines))


@course_cli.command("list")
def list_command() -> None:
    """List every course: id, title, municipality, facilitator, created, last activity."""
    courses = db.session.scalars(select(Course).order_by(Course.id)).all()
    if not courses:
        click.echo("No courses.")
        return
    click.echo("id\ttitle\tmunicipality\tfacilitator\tcreated\tlast activity")
    for course in courses:
        created = course.created_at.date().isoformat()
        latest = last_activity(course).date().isoformat()
        click.echo(
            f"{course.id}\t{course.title}\t{course.municipality}\t"
            f"{course.facilitator.email}\t{created}\t{latest}"
        )


@course_cli.command("purge")
@click.option(
    "--older-than",
    "days",
    type=click.IntRange(min=1),
    default=None,
    help="Delete courses in which nothing has happened for more than this many days "
    "(default: SAMSKABT_RETENTION_DAYS, which the privacy notice states).",
)
@click.option("--yes", is_flag=True, help="Delete without asking.")
def purge_command(days: int | None, yes: bool) -> None:
    """Delete, with all their data, the courses whose last activity is older than DAYS."""
    days = days or current_app.config.get("RETENTION_DAYS")
    if not days:
        raise click.UsageError("Give --older-than DAYS, or set SAMSKABT_RETENTION_DAYS.")

    # Restarted votes kept for their one-minute undo, in courses where nothing moved since.
    forget_expired_restarts()
    db.session.commit()
    cutoff = datetime.now(UTC) - timedelta(days=days)
    found = courses_inactive_since(cutoff)
    if not found:
        click.echo(f"No course has been inactive for more than {days} days.")
        _purge_audit_lines()
        return
    click.echo(f"Courses inactive for more than {days} days:")
    for course, latest in found:
        click.echo(
            f"  {course.id}\t{course.title}\t{course.municipality}\t"
            f"last activity {latest.date().isoformat()}"
        )
    if not yes and not click.confirm(
        f"Delete these {len(found)} courses and everything in them?", default=False
    ):
        click.echo("Nothing deleted.")
        return
    # Ids and titles first: deleting one course clears the session of the others.
    doomed = [(course.id, course.title) for course, _latest in found]
    for course_id, title in doomed:
        course = db.session.get(Course, course_id)
        # The line keeps the id and title; no foreign key ties it to the course.
        record("course_purged", actor=None, course=course, detail={"via": "cli", "days": days})
        delete_course(course)
        click.echo(f"Deleted course {course_id} ({title}).")
    _purge_audit_lines()


def _purge_audit_lines(days: int | None = None) -> None:
    """The audit trail's retention, run by `course purge` too (one cron job does both)."""
    days = keep_days() if days is None else days
    removed = purge(days)
    click.echo(f"Removed {removed} audit lines older than {days} days.")


audit_cli = AppGroup("audit", help="The audit trail: who did what, when, to which course.")


@audit_cli.command("purge")
@click.option(
    "--older-than",
    "days",
    type=click.IntRange(min=1),
    default=None,
    help="Remove lines older than this many days (default: SAMSKABT_AUDIT_DAYS, else 730).",
)
def audit_purge_command(days: int | None) -> None:
    """Remove the audit lines older than the retention period (the only way one goes)."""
    _purge_audit_lines(days)


def register_cli(app: Flask) -> None:
    app.cli.add_command(audit_cli)
    app.cli.add_command(catalogue_cli)
    app.cli.add_command(course_cli)
    app.cli.add_command(facilitator_cli)
    app.cli.add_command(organisation_cli)
    app.cli.add_command(reminders_cli)
    app.cli.add_command(demo_command)
