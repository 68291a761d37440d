"""`flask --app app reminders send`: the reminder mails due today, for cron (daily)."""

from __future__ import annotations

from datetime import date

import click
from flask import current_app
from flask.cli import AppGroup

from workshop.core.clock import local_today
from workshop.mail import Mailer, SmtpSettings, mail_problem
from workshop.reminders import send_reminders
from workshop.reports.reminder_mail import compose

reminders_cli = AppGroup("reminders", help="Reminders by email between the workshops.")


@reminders_cli.command("send")
@click.option("--dry-run", is_flag=True, help="Print who would get what; send and record nothing.")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Act as if today were this day (YYYY-MM-DD), e.g. to see what a day will send.",
)
def send_command(dry_run: bool, today) -> None:
    """Send the reminders due today, each once, and the weekly digest (the first run of
    each ISO week, from Monday). Safe to run again, also at the same time: nothing already
    sent goes out twice; a mail the server refused is tried again by the next run."""
    day: date = today.date() if today is not None else local_today()
    problem = mail_problem()
    if problem and not dry_run:
        raise click.ClickException(f"Reminders are off, nothing was sent: {problem}")
    # The mails' links must open on a phone: URLs are made against the public address.
    base_url = current_app.config.get("PUBLIC_URL") or "http://localhost"
    with current_app.test_request_context("/", base_url=base_url):
        if dry_run:
            report = send_reminders(day, compose=compose, dry_run=True)
        else:
            with Mailer(SmtpSettings.from_config()) as mailer:
                report = send_reminders(day, compose=compose, mailer=mailer)
    for line in report.lines:
        click.echo(line)
    if dry_run:
        click.echo(
            f"Dry run for {day.isoformat()}: {report.sent} would be sent, "
            f"{report.skipped} sent already."
        )
        if problem:
            click.echo(f"Note: reminders are off: {problem}")
        return
    click.echo(
        f"{day.isoformat()}: {report.sent} sent, {report.skipped} skipped (sent already), "
        f"{report.failed} failed (tried again next run)."
    )
    if report.failed:
        raise SystemExit(1)
