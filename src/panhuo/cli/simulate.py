"""`panhuo simulate`: write a simulated branch (canonical Parquet tables, truth, optional back-office export)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from panhuo.cli.app import app
from panhuo.cli.output import fail, finish, progress, stage_reporter

STAGES = {"market": "行情 market", "clients": "客户 clients", "export": "导出 export"}


@app.command("simulate")
def simulate_command(
    out: Annotated[Path, typer.Option("--out", help="Output folder.")],
    clients: int = typer.Option(20_000, "--clients", min=1, help="Number of clients."),
    years: float = typer.Option(2.0, "--years", help="Years of history up to --end."),
    seed: int = typer.Option(20261128, "--seed", help="Random seed; same arguments and seed, same tables."),
    fmt: str = typer.Option("parquet", "--format", help="parquet, or export (Parquet plus GB18030 CSV files)."),
    assets: str = typer.Option("daily", "--assets", help="daily or monthly rows in daily_assets."),
    stocks: int = typer.Option(300, "--stocks", help="Number of stocks (50 to 5,000)."),
    end: str = typer.Option("2026-10-30", "--end", help="Last written date (YYYY-MM-DD)."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable result on stdout."),
) -> None:
    """Simulate a branch with ground truth: market, clients, trades, assets, transfers, positions."""
    from panhuo.simulate import SimConfig, simulate

    if fmt not in ("parquet", "export"):
        fail("--format must be parquet or export", as_json=as_json, code=2)
    try:
        config = SimConfig(clients=clients, years=years, seed=seed, stocks=stocks, assets=assets,
                           end=date.fromisoformat(end))
    except ValueError as exc:
        fail(str(exc), as_json=as_json, code=2)
    with progress(quiet=as_json) as bar:
        tick = stage_reporter(bar, STAGES)
        summary = simulate(config, out, export=fmt == "export", progress=tick)
    result = {"ok": True, **{k: getattr(summary, k) for k in summary.__dataclass_fields__}}
    line = (f"模拟完成 simulated {clients:,} clients, {summary.start} .. {summary.end}: "
            f"{summary.rows.get('trades', 0):,} trades, {summary.rows.get('daily_assets', 0):,} asset rows · "
            f"churn 90d {summary.churn_rate_90d:.1%}, ceiling AUC {summary.ceiling_auc:.3f} · "
            f"{summary.seconds:.1f} s → {out}" + (f" (export: {summary.export_dir})" if summary.export_dir else ""))
    finish(result, summary=line, as_json=as_json)
