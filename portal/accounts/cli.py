"""`flask users ...` commands: the first admin, and staff accounts when the web is not at hand."""

import sys
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import click
from flask.cli import AppGroup
from flask_babel import force_locale

from portal import db as database
from portal.accounts import operations, queries
from portal.accounts.models import Role, User
from portal.accounts.twofactor import operations as twofactor_operations

P = ParamSpec("P")
T = TypeVar("T")

cli = AppGroup("users", help="Staff accounts.")


def _read_password(from_stdin: bool) -> str:
    """The new password: one line of stdin, or typed twice at a hidden prompt."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def _user(email: str) -> User:
    """The user with this email, or a usage error."""
    user = queries.get_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No user with the email address {email}.")
    return user


def _apply(action: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run an operation as one unit of work, turning a refusal into a clean CLI error."""
    try:
        with database.unit_of_work(), force_locale("en"):  # no request: no visitor's language
            result = action(*args, **kwargs)
    except operations.AccountError as err:
        raise click.ClickException(str(err)) from None
    return result


@cli.command("create")
@click.argument("email")
@click.option("--name", required=True, help="The name shown to colleagues.")
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    default=Role.OFFICER.value,
    show_default=True,
)
@click.option("--team", "team_slug", help="Team short name (required unless --role admin).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create(email: str, name: str, role: str, team_slug: str | None, password_stdin: bool) -> None:
    """Create a staff account (the first admin, for instance)."""
    team = None
    if team_slug:
        team = queries.get_team_by_slug(team_slug)
        if team is None:
            raise click.ClickException(f"No team with the short name {team_slug}.")
    password = _read_password(password_stdin)
    user = _apply(
        operations.create_user, email=email, name=name, role=role, team=team, password=password
    )
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")


@cli.command("set-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def set_password(email: str, password_stdin: bool) -> None:
    """Set a new password; the user's sessions end and any lock is lifted."""
    user = _user(email)
    _apply(operations.set_password, user, password=_read_password(password_stdin))
    click.echo(f"Password of {user.email} set.")


@cli.command("deactivate")
@click.argument("email")
def deactivate(email: str) -> None:
    """Stop a user from logging in; their open sessions end."""
    user = _user(email)
    _apply(operations.deactivate_user, user)
    click.echo(f"{user.email} deactivated.")


@cli.command("unlock")
@click.argument("email")
def unlock(email: str) -> None:
    """Lift a lock left by failed logins."""
    user = _user(email)
    _apply(operations.unlock_user, user)
    click.echo(f"{user.email} unlocked.")


@cli.command("list")
def list_() -> None:
    """Every staff account with role, team and status."""
    for user in queries.list_users():
        state = "active" if user.is_active else "inactive"
        team = user.team.slug if user.team else "-"
        click.echo(f"{user.id}\t{user.email}\t{user.role}\t{team}\t{state}")


@cli.command("reset-two-factor")
@click.argument("email")
def reset_two_factor(email: str) -> None:
    """Remove a user's two-step sign-in (a lost phone); their sessions end."""
    user = _user(email)
    _apply(twofactor_operations.reset_two_factor, user)
    click.echo(f"Two-step sign-in of {user.email} reset; they log in with the password alone.")
