"""`panhuo training …`: staff whose professional registration is due (lapsed or expiring soon) or whose training
hours are short, and the course material's course."""

from __future__ import annotations

import typer
from rich.table import Table

from panhuo.cli.app import app
from panhuo.cli.output import fail, finish, out

training_app = typer.Typer(help="Staff training, exams and professional registrations (培训、考试、执业注册).",
                           no_args_is_help=True)
app.add_typer(training_app, name="training")


def _django(as_json: bool) -> None:
    from panhuo.django_setup import require_migrated

    require_migrated(as_json=as_json)


@training_app.command("due")
def due_cmd(
    branch: str = typer.Option(None, help="Only this branch's staff (its code)."),
    hours: bool = typer.Option(True, "--hours/--no-hours", help="Also list staff short of the year's hours."),
    as_json: bool = typer.Option(False, "--json", help="Print machine-readable JSON."),
) -> None:
    """List registrations lapsed or expiring within the due window (training/requirements.toml, 60 days), and
    staff short of the year's training hours. Meant for the daily run; each person also sees it on Today."""
    _django(as_json)
    from panhuo.accounts.models import User
    from panhuo.training.selectors import due_rows

    users = User.objects.filter(is_active=True).select_related("branch").order_by("username")
    if branch:
        users = users.filter(branch__branch_id=branch)
        if not users.exists():
            fail(f"no staff in branch {branch!r}", as_json=as_json)
    rows = []
    for r in due_rows(users=users):
        reasons = [d for d in r["due"] if hours or d != "hours"]
        if not reasons:
            continue
        regs = {k: ({"number": g.number, "expires_on": g.expires_on.isoformat(), "state": r["states"][k]}
                    if (g := r["registrations"][k]) else None) for k in r["registrations"]}
        rows.append({"username": r["user"].username, "name": r["user"].get_full_name(), "due": reasons,
                     "registrations": regs, "hours": float(r["hours"]), "required": float(r["required"]),
                     "advice_blocked": r["advice_blocked"]})
    if not as_json:
        table = Table("user", "name", "due", "registrations", "hours")
        for r in rows:
            regs = "; ".join(f"{k} {v['number']} {v['state']} {v['expires_on']}"
                             for k, v in r["registrations"].items() if v and v["state"] in ("lapsed", "expiring"))
            table.add_row(r["username"], r["name"], ", ".join(r["due"]), regs, f"{r['hours']:.1f}/{r['required']:.1f}")
        out.print(table)
    finish({"ok": True, "due": rows}, as_json=as_json, summary=f"{len(rows)} staff due")


@training_app.command("seed-course")
def seed_course_cmd(as_json: bool = typer.Option(False, "--json", help="Print machine-readable JSON.")) -> None:
    """Add (or bring in step) the course material's course, its modules, materials and exam; a re-run changes
    nothing."""
    _django(as_json)
    from panhuo.training.services import course_from_file

    course = course_from_file()
    finish({"ok": True, "course": course.key, "modules": course.modules.count()}, as_json=as_json,
           summary=f"course {course.key}: {course.modules.count()} modules")
