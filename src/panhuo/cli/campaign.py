"""`panhuo campaign …`: compliance lint of scripts (and, with the campaigns issue, calibration)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from panhuo.cli.app import app
from panhuo.cli.output import fail, finish, out

campaign_app = typer.Typer(help="Reactivation campaigns: script compliance, measurement.", no_args_is_help=True)
app.add_typer(campaign_app, name="campaign")


@campaign_app.command("lint")
def lint(
    file: Path = typer.Argument(..., help="Text file, one script per line (UTF-8 or GB18030)."),
    channel: str = typer.Option(None, help="sms: also require the sender's name and an opt-out line."),
    as_json: bool = typer.Option(False, "--json", help="Print machine-readable results."),
) -> None:
    """Check scripts for promises of returns or principal; exit 1 when any line is blocked."""
    from panhuo.campaigns.lint import lint_script

    if not file.exists():
        fail(f"{file}: no such file / 文件不存在", as_json=as_json, code=2)
    raw = file.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gb18030")
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        r = lint_script(line, channel=channel)
        rows.append({"line": number, "text": line, "blocked": r.blocked, "ok": r.ok,
                     "findings": [{"category": f.category, "label_zh": f.label_zh, "label_en": f.label_en,
                                   "matched": f.matched} for f in r.findings],
                     "missing": r.missing, "reason_zh": r.reason("zh"), "reason_en": r.reason("en")})
    bad = [r for r in rows if not r["ok"]]
    if as_json:
        finish({"file": str(file), "lines": len(rows), "blocked": len(bad), "results": rows}, as_json=True, summary="")
    else:
        table = Table("行 line", "结果 result", "原因 reason", "话术 script")
        for r in rows:
            table.add_row(str(r["line"]), "[red]拦截 blocked[/]" if not r["ok"] else "[green]通过 ok[/]",
                          f"{r['reason_zh']}\n{r['reason_en']}" if not r["ok"] else "", r["text"])
        out.print(table)
        out.print(f"{len(rows)} scripts checked, {len(bad)} blocked / 共检查 {len(rows)} 条，拦截 {len(bad)} 条")
    if bad:
        raise typer.Exit(1)
