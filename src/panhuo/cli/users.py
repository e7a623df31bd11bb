"""User management: create users, reset passwords, unlock log-ins, list them.

A password is never a command-line option (it would sit in the shell history and in `ps`): it is typed at a
hidden, confirmed prompt, or piped in with --password-stdin.
"""

from __future__ import annotations

import getpass
import sys

import typer
from rich.table import Table

from panhuo.cli.app import app
from panhuo.cli.output import fail, finish, out

users_app = typer.Typer(help="Manage staff users and their roles.", no_args_is_help=True)
app.add_typer(users_app, name="users")


PASSWORD_STDIN = typer.Option(False, "--password-stdin",
                              help="Read the password from the first line of standard input instead of a prompt.")


def _setup():
    from panhuo.django_setup import require_migrated

    require_migrated()      # sets Django up; stops with "run panhuo migrate first" on a new or old store


def _os_user() -> str:
    # Who ran the command, for the audit trail; a container may have no passwd entry for its user.
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return ""


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


@users_app.command("create")
def create(
    username: str,
    role: str = typer.Option(..., help="advisor, director, manager, compliance or admin"),
    password_stdin: bool = PASSWORD_STDIN,
    branch: str = typer.Option(None, help="Branch code (directors and managers)."),
    advisor: str = typer.Option(None, help="Advisor code this user is (advisors)."),
    name: str = typer.Option("", help="Full name."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Create a staff user with a role. The password is asked for (hidden, twice) or read with --password-stdin."""
    password = _read_password(password_stdin)
    _setup()
    from panhuo.accounts.services import UserError, user_create

    try:
        user = user_create(username=username, role=role, password=password, branch_id=branch, advisor_id=advisor,
                           full_name=name)
    except UserError as exc:
        fail(str(exc), as_json=as_json)
    finish({"ok": True, "username": user.username, "role": user.role}, as_json=as_json,
           summary=f"created {user.username} ({user.get_role_display()})")


@users_app.command("set-password")
def set_password(username: str, password_stdin: bool = PASSWORD_STDIN) -> None:
    """Reset a user's password (asked for, hidden, twice; or read with --password-stdin)."""
    password = _read_password(password_stdin)
    _setup()
    from panhuo.accounts.services import UserError, user_set_password

    try:
        user_set_password(username=username, password=password)
    except UserError as exc:
        fail(str(exc))
    out.print(f"password of {username} changed")


@users_app.command("register")
def register(
    username: str,
    kind: str = typer.Option(..., "--type", help="general (证券从业, general business) or advisor (证券投资顾问)."),
    number: str = typer.Option(..., help="The registration number."),
    start: str = typer.Option(..., "--from", help="Registered on (YYYY-MM-DD)."),
    until: str = typer.Option(..., help="Expires on (YYYY-MM-DD)."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Record a professional registration or its renewal. A current investment-advisor registration lets the user
    send specific advice (switch suggestions); when it lapses, they cannot until it is renewed."""
    import datetime as dt

    _setup()
    from panhuo.accounts.models import User
    from panhuo.accounts.services import UserError, registration_record

    user = User.objects.filter(username=username).first()
    if user is None:
        fail(f"no user {username!r}", as_json=as_json)
    try:
        reg = registration_record(by=None, user=user, kind=kind, number=number,
                                  registered_on=dt.date.fromisoformat(start), expires_on=dt.date.fromisoformat(until))
    except (UserError, ValueError) as exc:
        fail(str(exc), as_json=as_json)
    finish({"ok": True, "username": username, "type": reg.kind, "number": reg.number,
            "expires_on": reg.expires_on.isoformat()}, as_json=as_json,
           summary=f"{username}: {reg.get_kind_display()} {reg.number} until {reg.expires_on}")


@users_app.command("unlock")
def unlock(
    username: str,
    address: str = typer.Option(None, help="Also lift the lock on this network address (IP)."),
) -> None:
    """Lift a log-in lockout (too many failed attempts) now, instead of after the cool-off."""
    _setup()
    from panhuo.accounts.services import UserError, user_unlock

    try:
        cleared = user_unlock(username=username, address=address, by=_os_user())
    except UserError as exc:
        fail(str(exc))
    out.print(f"{username} may log in again ({cleared} failed-attempt records cleared)")


@users_app.command("token")
def token(
    username: str,
    name: str = typer.Option("api", help="Which system will use it (shown in the admin site)."),
    days: int = typer.Option(365, help="Valid for this many days."),
    revoke: bool = typer.Option(False, "--revoke", help="Revoke every token of the user instead."),
) -> None:
    """Issue a REST API token for a user (shown once, kept only as a digest), or revoke the user's tokens."""
    _setup()
    from panhuo.accounts.models import User
    from panhuo.api.services import api_token_issue, api_tokens_revoke

    user = User.objects.filter(username=username).first()
    if user is None:
        fail(f"no user {username!r}")
    if revoke:
        out.print(f"{api_tokens_revoke(user=user)} token(s) of {username} revoked")
        return
    try:
        record, key = api_token_issue(user=user, name=name, days=days)
    except ValueError as exc:
        fail(str(exc))
    out.print(f"token for {username} ({record.name}), valid until {record.expires_at:%Y-%m-%d}; "
              "it is shown only now, keep it safe:")
    print(key)


@users_app.command("deactivate")
def deactivate(username: str) -> None:
    """Disable a user's login (their history and audit trail stay)."""
    _setup()
    from panhuo.accounts.models import User

    if not User.objects.filter(username=username).update(is_active=False):
        fail(f"no user {username!r}")
    out.print(f"{username} can no longer log in")


@users_app.command("list")
def list_users(as_json: bool = typer.Option(False, "--json")) -> None:
    """List staff users with role, branch and advisor."""
    _setup()
    from panhuo.accounts.models import User

    rows = [
        {"username": u.username, "role": u.role, "branch": u.branch.branch_id if u.branch else None,
         "advisor": u.advisor.advisor_id if u.advisor else None, "active": u.is_active}
        for u in User.objects.select_related("branch", "advisor").order_by("username")
    ]
    if as_json:
        finish({"users": rows}, as_json=True, summary="")
        return
    table = Table("user", "role", "branch", "advisor", "active")
    for r in rows:
        table.add_row(r["username"], r["role"], r["branch"] or "", r["advisor"] or "", "yes" if r["active"] else "no")
    out.print(table)
    out.print(f"{len(rows)} users")
