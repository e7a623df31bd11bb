"""`panhuo report …`: the monthly KPI snapshot, the KPI report (JSON, Excel, PDF) and its mailing."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import typer

from panhuo.cli.app import app
from panhuo.cli.output import fail, finish, out

report_app = typer.Typer(help="The branch's monthly figures and reports (经营指标、月报).", no_args_is_help=True)
app.add_typer(report_app, name="report")

MONTH = typer.Option(..., "--month", help="The month, YYYY-MM.")


def _month(value: str, as_json: bool = False) -> str:
    from panhuo.analytics.kpis import Month

    try:
        return Month.parse(value).label
    except ValueError:
        fail(f"--month must be YYYY-MM, got {value!r}", as_json=as_json, code=2)


def _django(as_json: bool) -> None:
    from panhuo.django_setup import require_migrated

    require_migrated(as_json=as_json)


@report_app.command("snapshot")
def snapshot_cmd(month: str = MONTH, as_json: bool = typer.Option(False, "--json", help="Print machine-readable JSON.")
                 ) -> None:
    """Compute the month's branch and advisor figures and keep them; running it again replaces that month."""
    import time

    from panhuo.ingest.lock import StoreBusy, store_guard
    from panhuo.warehouse import open_warehouse

    label = _month(month, as_json)
    _django(as_json)
    from panhuo.kpis.services import kpi_snapshot

    t0 = time.perf_counter()
    try:
        with store_guard(), open_warehouse(read_only=True) as wh:
            result = kpi_snapshot(wh=wh, month=label)
    except StoreBusy as exc:
        fail(f"{exc}", as_json=as_json, code=3)
    result["seconds"] = round(time.perf_counter() - t0, 2)
    finish(result, summary=f"{label}: figures kept for {result['branches']} branches, {result['teams']} teams and "
                           f"{result['advisors']} advisors ({result['seconds']} s)", as_json=as_json)


@report_app.command("kpis")
def kpis_cmd(
    month: str = MONTH,
    branch: str = typer.Option(None, "--branch", help="One branch's code; default every branch."),
    fmt: str = typer.Option("json", "--format", help="json, xlsx or pdf."),
    lang: str = typer.Option("zh", "--lang", help="zh or en labels (Excel, PDF)."),
    dest: Path = typer.Option(None, "--out", help="Write here (default: stdout for JSON, kpis-MONTH.xlsx/.pdf)."),
) -> None:
    """The month's kept figures (`panhuo report snapshot` first) as JSON {"month", "branch": {...}, "advisors",
    "teams"}."""
    label = _month(month)
    if fmt not in ("json", "xlsx", "pdf"):
        fail(f"unknown format {fmt!r}: use json, xlsx or pdf", code=2)
    _django(False)
    from panhuo.audit.services import audit_record
    from panhuo.kpis.services import kpi_report

    reports = kpi_report(month=label, branch=branch)
    if not reports:
        fail(f"no figures kept for {label}{' in ' + branch if branch else ''}: run `panhuo report snapshot "
             f"--month {label}` first", code=1)
    audit_record(user=None, action="report.kpis", object_type="branch",
                 object_ids=[r["branch_code"] for r in reports], detail={"month": label, "format": fmt})
    if fmt == "json":
        data = [{"month": r["month"], "branch_code": r["branch_code"], "branch_name": r["branch_name"],
                 "branch": r["branch"], "advisors": r["advisors"], "teams": r["teams"]} for r in reports]
        text = json.dumps(data[0] if len(data) == 1 else {"month": label, "branches": data}, ensure_ascii=False,
                          indent=2)
        if dest:
            dest.write_text(text + "\n", encoding="utf-8")
            out.print(f"{dest}")
        else:
            print(text)
        return
    from panhuo.kpis.export import report_pdf, report_xlsx

    body = report_xlsx(reports, lang=lang) if fmt == "xlsx" else report_pdf(reports, lang=lang)
    dest = dest or Path(f"kpis-{label}{'-' + branch if branch else ''}.{fmt}")
    dest.write_bytes(body)
    out.print(f"{dest} ({len(body):,} bytes)")


@report_app.command("send")
def send_cmd(
    period: str = typer.Option(..., "--period", help="week (this month to date) or month (the last complete one)."),
    today: str = typer.Option(None, "--today", help="The day of sending, YYYY-MM-DD (default today)."),
    as_json: bool = typer.Option(False, "--json", help="Print machine-readable JSON."),
) -> None:
    """Mail the report (Excel and PDF) to each branch's manager and director (their account's email)."""
    from panhuo.ingest.lock import StoreBusy, store_guard
    from panhuo.warehouse import open_warehouse

    if period not in ("week", "month"):
        fail("--period is week or month", as_json=as_json, code=2)
    day = date.fromisoformat(today) if today else date.today()
    _django(as_json)
    from panhuo.kpis.services import kpi_report_send

    try:
        with store_guard(), open_warehouse(read_only=True) as wh:
            sent = kpi_report_send(wh=wh, period=period, today=day)
    except StoreBusy as exc:
        fail(f"{exc}", as_json=as_json, code=3)
    n = sum(len(s["to"]) for s in sent)
    finish({"period": period, "sent": sent}, summary=f"{period} report: {n} mails to {len(sent)} branches",
           as_json=as_json)
