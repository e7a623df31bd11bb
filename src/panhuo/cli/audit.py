"""`panhuo audit …`: check the audit trail's hash chain, and list its events for compliance and scripts.

Listing is itself recorded in the trail, as the operator logged in to the server (`os:<login>`).
"""

from __future__ import annotations

import getpass
from datetime import datetime

import typer
from rich.table import Table

from panhuo.cli.app import app
from panhuo.cli.output import fail, finish, out

audit_app = typer.Typer(help="The audit trail: verify its hash chain, list its events.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


def _setup() -> None:
    from panhuo.django_setup import require_migrated

    require_migrated()      # sets Django up; stops with "run panhuo migrate first" on a new or old store


def _day(value: str | None, option: str, *, as_json: bool):
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        fail(f"日期格式应为 YYYY-MM-DD / {option} takes a date as YYYY-MM-DD: {value}", as_json=as_json)


@audit_app.command("verify")
def verify(as_json: bool = typer.Option(False, "--json", help="Machine-readable result on stdout.")) -> None:
    """Recompute the hash chain; exit 1 and name the first event that was edited, deleted, inserted or moved."""
    _setup()
    from panhuo.audit.verify import audit_verify

    report = audit_verify()
    result = report.as_dict()
    if report.ok:
        finish(result, as_json=as_json, summary=f"审计链完整 / audit chain intact: {report.checked:,} events, "
                                                f"last seq {report.last_seq}, head hash {report.head_hash}")
        return
    first = report.problems[0]
    where = f"seq {first.seq} (id {first.id})" if first.seq is not None else "the chain head"
    lines = [f"审计链被改动 / audit chain broken at {where}: {first.message}"]
    lines += [f"  also seq {p.seq} (id {p.id}): {p.message}" for p in report.problems[1:10]]
    if len(report.problems) > 10 or report.more_problems:
        lines.append(f"  … {len(report.problems) - 10}{'+' if report.more_problems else ''} more")
    finish(result, as_json=as_json, summary="\n".join(lines))
    raise typer.Exit(1)


@audit_app.command("list")
def list_events(
    since: str = typer.Option(None, "--since", help="From this date (YYYY-MM-DD, local time), inclusive."),
    until: str = typer.Option(None, "--until", help="Up to this date (YYYY-MM-DD), inclusive."),
    user: str = typer.Option(None, "--user", help="Only this username."),
    action: str = typer.Option(None, "--action", help="An action code (client.unmask) or a family (client)."),
    client: str = typer.Option(None, "--client", help="Only events about this client code."),
    limit: int = typer.Option(100, "--limit", min=1, max=100_000, help="At most this many events, newest first."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable result on stdout."),
) -> None:
    """The audit trail's events, newest first, filtered by date, user, action and client."""
    _setup()
    from django.utils import timezone

    from panhuo.audit.labels import action_label, outcome_label
    from panhuo.audit.selectors import AuditFilters, audit_events
    from panhuo.audit.services import audit_record
    from panhuo.clients.decisions import Actor

    filters = AuditFilters(user=user or "", client=client or "", action=action or "",
                           since=_day(since, "--since", as_json=as_json), until=_day(until, "--until", as_json=as_json))
    events = list(audit_events(filters=filters)[:limit])
    try:
        login = getpass.getuser()
    except (OSError, KeyError):       # a container may have no passwd entry for its user
        login = "unknown"
    audit_record(user=Actor(username=f"os:{login}", role="operator"), action="audit.view", object_type="audit",
                 detail={"source": "cli", "filters": filters.as_dict(), "rows": len(events)})
    rows = [{"seq": e.seq, "id": e.pk, "at": timezone.localtime(e.at), "username": e.username, "role": e.role, "action": e.action,
             "action_label": action_label(e.action), "object_type": e.object_type, "object_ids": e.object_ids,
             "outcome": e.outcome, "detail": e.detail, "ip": e.ip, "hash": e.hash} for e in events]
    if as_json:
        finish({"ok": True, "filters": filters.as_dict(), "count": len(rows), "events": rows}, as_json=True,
               summary="")
        return
    table = Table("seq", "time", "user", "action", "objects", "outcome")
    for r in rows:
        ids = ", ".join(map(str, r["object_ids"][:5])) + (" …" if len(r["object_ids"]) > 5 else "")
        table.add_row(str(r["seq"]), f"{r['at']:%Y-%m-%d %H:%M:%S}", r["username"],
                      f"{r['action_label']} ({r['action']})", ids, outcome_label(r["outcome"]))
    out.print(table)
    out.print(f"{len(rows)} events")
