"""`panhuo complaints …` and `panhuo callbacks …`: the overdue escalation and the monthly call-back sample
(docs/complaints.md)."""

from __future__ import annotations

from datetime import date

import typer

from panhuo.cli.app import app
from panhuo.cli.output import fail, finish

complaints_app = typer.Typer(help="Complaints (投诉): escalate the ones past their deadline.", no_args_is_help=True)
callbacks_app = typer.Typer(help="Call-backs (回访): draw the month's sample.", no_args_is_help=True)
app.add_typer(complaints_app, name="complaints")
app.add_typer(callbacks_app, name="callbacks")

JSON = typer.Option(False, "--json", help="Print machine-readable JSON.")


def _django(as_json: bool) -> None:
    from panhuo.django_setup import require_migrated

    require_migrated(as_json=as_json)


@complaints_app.command("escalate-due")
def escalate_due_cmd(
    as_of: str = typer.Option("", "--as-of", help="The day to judge deadlines by, YYYY-MM-DD (default: today)."),
    as_json: bool = JSON,
) -> None:
    """Escalate every complaint still open after its deadline to the director and compliance (the daily run does
    this too); running it again changes nothing."""
    try:
        day = date.fromisoformat(as_of) if as_of else None
    except ValueError:
        fail(f"--as-of must be YYYY-MM-DD, got {as_of!r}", as_json=as_json, code=2)
    _django(as_json)
    from panhuo.complaints.services import complaints_escalate_due

    result = complaints_escalate_due(as_of=day)
    finish(result, summary=f"{len(result['escalated'])} complaints escalated past their deadline "
                           f"(as of {result['as_of']})", as_json=as_json)


@callbacks_app.command("sample")
def sample_cmd(
    month: str = typer.Option(..., "--month", help="The month, YYYY-MM."),
    branch: str = typer.Option("", "--branch", help="One branch's code (default: every branch)."),
    as_json: bool = JSON,
) -> None:
    """Draw each branch's call-back sample for the month (new accounts and advised clients, the shares of
    complaints/callbacks.toml) with a fresh server seed kept on the sample. A month already drawn is left as it is."""
    from panhuo.analytics.kpis import Month

    try:
        label = Month.parse(month).label
    except ValueError:
        fail(f"--month must be YYYY-MM, got {month!r}", as_json=as_json, code=2)
    _django(as_json)
    from panhuo.clients.models import Branch
    from panhuo.complaints.models import Callback
    from panhuo.complaints.services import callbacks_sample

    branches = Branch.objects.order_by("branch_id")
    if branch:
        branches = branches.filter(branch_id=branch)
        if not branches.exists():
            fail(f"no branch {branch!r}", as_json=as_json, code=2)
    rows = []
    for b in branches:
        sample, created = callbacks_sample(branch_id=b.pk, month=label)
        rows.append({"branch": b.branch_id, "month": label, "drawn_now": created, "seed": sample.seed,
                     "new_accounts": sample.new_population, "advised": sample.advised_population,
                     "sampled": Callback.objects.filter(sample=sample).count()})
    finish({"month": label, "branches": rows},
           summary="; ".join(f"{r['branch']} {label}: {r['sampled']} to call back "
                             f"({'drawn now' if r['drawn_now'] else 'already drawn'})" for r in rows) or "no branch",
           as_json=as_json)
