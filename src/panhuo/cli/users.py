"""User management: create users, reset passwords, list them."""

from __future__ import annotations

import typer
from rich.table import Table

from panhuo.cli.app import app
from panhuo.cli.output import fail, finish, out

users_app = typer.Typer(help="Manage staff users and their roles.", no_args_is_help=True)
app.add_typer(users_app, name="users")


def _setup():
    from panhuo.django_setup import setup

    setup()


@users_app.command("create")
def create(
    username: str,
    role: str = typer.Option(..., help="advisor, director, manager, compliance or admin"),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
    branch: str = typer.Option(None, help="Branch code (directors and managers)."),
    advisor: str = typer.Option(None, help="Advisor code this user is (advisors)."),
    name: str = typer.Option("", help="Full name."),
    registered: bool = typer.Option(False, help="Registered investment advisor (may send specific advice)."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Create a staff user with a role."""
    _setup()
    from panhuo.accounts.services import UserError, user_create

    try:
        user = user_create(username=username, role=role, password=password, branch_id=branch, advisor_id=advisor,
                           full_name=name, is_registered_advisor=registered)
    except UserError as exc:
        fail(str(exc), as_json=as_json)
    finish({"ok": True, "username": user.username, "role": user.role}, as_json=as_json,
           summary=f"created {user.username} ({user.get_role_display()})")


@users_app.command("set-password")
def set_password(
    username: str,
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
) -> None:
    """Reset a user's password."""
    _setup()
    from panhuo.accounts.models import User

    user = User.objects.filter(username=username).first()
    if user is None:
        fail(f"no user {username!r}")
    user.set_password(password)
    user.save(update_fields=["password"])
    out.print(f"password of {username} changed")


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
