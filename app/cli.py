"""flask commands: users, tokens, demo data, the scheduler and reminders."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from app.db import utcnow, write_transaction
from app.extensions import db
from app.models import ApiToken, User

users_cli = AppGroup("users", help="Manage accounts.")
tokens_cli = AppGroup("tokens", help="Manage personal API tokens.")
reminders_cli = AppGroup("reminders", help="Reminder jobs and mail delivery.")


def parse_at(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise click.BadParameter(f"not an ISO-8601 time: {value}") from error
    if moment.tzinfo is None:
        from zoneinfo import ZoneInfo

        from flask import current_app

        moment = moment.replace(tzinfo=ZoneInfo(current_app.config["TIMEZONE"]))
    return moment.astimezone(UTC)


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--name", default=None, help="Display name (default: the part before @).")
@click.option("--admin", is_flag=True, help="Make the account an administrator.")
@click.option("--locale", type=click.Choice(["de", "en"]), default=None)
def users_create(email: str, password: str, name: str | None, admin: bool, locale: str | None):
    """Create an account that is already confirmed."""
    from app.auth.service import AccountError, create_user

    try:
        with write_transaction():
            user = create_user(
                email, password, name or email.split("@")[0], locale=locale, confirmed=True
            )
            user.is_admin = admin
    except AccountError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"created user {user.id} <{user.email}>{' (admin)' if admin else ''}")


@tokens_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", default="cli", help="A name to recognise the token by.")
def tokens_create(email: str, name: str):
    """Print a new personal API token (its last line is the token)."""
    with write_transaction():
        user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None:
            raise click.ClickException(f"no account with email {email}")
        _, plain = ApiToken.issue(user, name)
    click.echo(f"token for {user.email} ({name}); keep it secret:")
    click.echo(plain)


@reminders_cli.command("run-once")
@click.option("--at", "at", default=None, help="Run as of this time (ISO 8601).")
def reminders_run_once(at: str | None):
    """Run every due job as of a time, then deliver every queued message that is due."""
    from app.notifications.jobs import run_once

    report = run_once(parse_at(at) or utcnow())
    for line in report:
        click.echo(line)


def register(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(tokens_cli)
    app.cli.add_command(reminders_cli)

    @app.cli.command("seed-demo")
    def seed_demo():
        """Load the demo data of a small town (idempotent)."""
        from app.seed import seed

        for line in seed():
            click.echo(line)

    @app.cli.command("scheduler")
    def scheduler():
        """Run the reminder scheduler in the foreground."""
        from app.notifications.jobs import run_scheduler

        run_scheduler()
