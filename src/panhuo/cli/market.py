"""`panhuo market …`: reference data, models, stock pools, regime and backtests."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import typer

from panhuo.cli.app import app
from panhuo.cli.output import fail, finish, progress

market_app = typer.Typer(help="Market data, regime, trading models and backtests (行情、市道、交易模型、回测).",
                         no_args_is_help=True)
app.add_typer(market_app, name="market")

JSON = typer.Option(False, "--json", help="Print machine-readable JSON.")


def _day(value: str, name: str):
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise typer.BadParameter(f"{name} must be YYYY-MM-DD, got {value!r}") from None


@market_app.command("models")
def models_cmd(as_json: bool = JSON) -> None:
    """List the trading models by name."""
    from panhuo.market.facade import models

    rows = models()
    if not as_json:
        from panhuo.cli.output import out
        for m in rows:
            out.print(f"{m.name:20} {m.zh:6} {m.regime:14} {m.description}")
    finish({"models": rows}, summary=f"{len(rows)} models", as_json=as_json)


@market_app.command("load-reference")
def load_reference(src: Path = typer.Argument(..., help="shared/data root or one of its market folders"),
                   out: Path = typer.Option(..., "--out", help="folder for the canonical Parquet files"),
                   as_json: bool = JSON) -> None:
    """Convert the reference market data (baostock, Tushare qfq, index CSVs) to canonical Parquet."""
    from panhuo.market.reference_data import jobs, write

    if not src.exists():
        fail(f"no such folder: {src}", as_json=as_json)
    todo = list(jobs(src))
    if not todo:
        fail(f"no market data sets found under {src}", as_json=as_json)
    written = []
    with progress(quiet=as_json) as bar:
        task = bar.add_task("converting", total=len(todo))
        for job in todo:
            bar.update(task, description=job.name)
            written.append(write(job, out))
            bar.advance(task)
    rows = sum(w["rows"] for w in written)
    finish({"ok": True, "written": written}, summary=f"wrote {len(written)} data sets, {rows:,} bars, to {out}",
           as_json=as_json)


def _load(bars: Path, instruments: Path | None):
    from panhuo.market.facade import load_panel

    return load_panel(bars, instruments)


def _regimes(index: Path | None, panel):
    if index is None:
        return None
    from panhuo.market.facade import regime_series
    from panhuo.market.reference_data import read_index

    return regime_series(read_index(index), panel, None).align(panel.dates) if panel is not None else None


@market_app.command("backtest")
def backtest_cmd(model: str = typer.Option(..., "--model", help="model name (see `panhuo market models`)"),
                 bars: Path = typer.Option(..., "--bars", help="canonical bars (Parquet or CSV)"),
                 instruments: Path = typer.Option(..., "--instruments", help="canonical instruments"),
                 index: Path | None = typer.Option(None, "--index", help="index bars: regime sets the position cap"),
                 start: str = typer.Option(..., "--start", help="first session, YYYY-MM-DD"),
                 end: str = typer.Option(..., "--end", help="last session, YYYY-MM-DD"),
                 trades_out: Path | None = typer.Option(None, "--trades-out", help="write every fill to this CSV"),
                 max_positions: int = typer.Option(10, "--max-positions"),
                 capital: float = typer.Option(1_000_000.0, "--capital"),
                 as_json: bool = JSON) -> None:
    """Backtest a model under the A-share rules and print its metrics (overall and by regime)."""
    from panhuo.market.backtest import BacktestConfig, run_backtest
    from panhuo.market.metrics import compute_metrics
    from panhuo.market.models import MODELS

    d0, d1 = _day(start, "--start"), _day(end, "--end")
    if model not in MODELS:
        fail(f"unknown model {model!r}; known: {', '.join(MODELS)}", as_json=as_json)
    for p in (bars, instruments, index):
        if p is not None and not p.exists():
            fail(f"no such file: {p}", as_json=as_json)
    with progress(quiet=as_json) as bar:
        task = bar.add_task("loading", total=4)
        panel = _load(bars, instruments)
        bar.advance(task)
        bar.update(task, description="regime")
        regimes = _regimes(index, panel)
        bar.advance(task)
        bar.update(task, description=f"model {model}")
        screen = MODELS[model].build(panel)
        bar.advance(task)
        bar.update(task, description="backtest")
        try:
            result = run_backtest(panel, screen.signals, start=d0, end=d1,
                                  position_cap=1.0 if regimes is None else _fill_cap(regimes.position),
                                  config=BacktestConfig(capital=capital, max_positions=max_positions))
        except ValueError as e:
            fail(str(e), as_json=as_json)
        bar.advance(task)
    metrics = compute_metrics(result, None if regimes is None else regimes.regime, panel.dates)
    if trades_out is not None:
        trades_out.parent.mkdir(parents=True, exist_ok=True)
        result.fills.write_csv(trades_out)
    o = metrics["overall"]
    payload = {"model": model, "start": d0, "end": d1, "fills": result.fills.height,
               "final_equity": float(result.equity[-1]), "overall": o.as_dict(),
               "by_regime": {k: v.as_dict() for k, v in metrics["by_regime"].items()},
               "trades_out": str(trades_out) if trades_out else None}
    if not as_json:
        from panhuo.cli.output import out
        for k, v in metrics["by_regime"].items():
            out.print(f"  {k:14} days {v.days:5}  annual {v.annual_return:+.1%}  sharpe "
                      f"{v.sharpe if v.sharpe is None else round(v.sharpe, 2)}  max DD {v.max_drawdown:.1%}  "
                      f"win {v.win_rate if v.win_rate is None else round(v.win_rate, 3)}  trades {v.trades}")
    win = "n/a" if o.win_rate is None else f"{o.win_rate:.1%}"
    sharpe = "n/a" if o.sharpe is None else f"{o.sharpe:.2f}"
    finish(payload, as_json=as_json,
           summary=f"{model} {d0}..{d1}: annual {o.annual_return:+.1%}, turnover {o.turnover_per_year:.1f}/yr, "
                   f"win {win}, max DD {o.max_drawdown:.1%}, Sharpe {sharpe}, {result.fills.height} fills")


def _fill_cap(position):
    import numpy as np

    return np.where(np.isnan(position), 1.0, position)   # before the regime is known: no cap


@market_app.command("pool")
def pool_cmd(model: str = typer.Option(..., "--model"), bars: Path = typer.Option(..., "--bars"),
             instruments: Path = typer.Option(..., "--instruments"), date: str = typer.Option(..., "--date"),
             top: int = typer.Option(20, "--top"),
             lang: str = typer.Option("zh", "--lang", help="language of the printed reasons: zh or en"),
             as_json: bool = JSON) -> None:
    """A model's stock pool on a date, ranked, with reasons (JSON: code, figures and both texts)."""
    from dataclasses import asdict

    from panhuo.market.models import MODELS
    from panhuo.market.pool import daily_pool
    from panhuo.market.reasons import lang_of

    if model not in MODELS:
        fail(f"unknown model {model!r}; known: {', '.join(MODELS)}", as_json=as_json)
    panel = _load(bars, instruments)
    entries = daily_pool(panel, MODELS[model], _day(date, "--date"), top=top)
    if not as_json:
        from panhuo.cli.output import out
        for e in entries:
            out.print(f"{e.rank:3} {e.symbol} {e.name} {e.industry} {e.close:.2f}  {e.reason.text(lang_of(lang))}")
    pool = [{**asdict(e), "reason": {**e.reason.as_json(), "zh": e.reason.text("zh"), "en": e.reason.text("en")}}
            for e in entries]
    finish({"model": model, "pool": pool}, summary=f"{len(entries)} candidates ({model}, {date})", as_json=as_json)


@market_app.command("regime")
def regime_cmd(index: Path = typer.Option(..., "--index", help="index bars (canonical or baostock CSV)"),
               date: str = typer.Option(..., "--date"),
               bars: Path | None = typer.Option(None, "--bars", help="stock bars for the breadth vote"),
               instruments: Path | None = typer.Option(None, "--instruments"),
               horizon: int = typer.Option(20, "--horizon"), as_json: bool = JSON) -> None:
    """Today's regime and the forward-return table by regime over the index history up to --date."""
    from panhuo.market import regime as rg
    from panhuo.market.facade import regime_gauge, regime_series
    from panhuo.market.reference_data import read_index

    day = _day(date, "--date")
    idx = read_index(index)
    import polars as pl
    idx = idx.filter(pl.col("trade_date") <= day)
    panel = _load(bars, instruments) if bars else None
    gauge = regime_gauge(idx, day, panel=panel)
    s = regime_series(idx, panel, None)
    table = rg.outcome_table(s, horizon)
    if not as_json:
        from panhuo.cli.output import out
        for r in table:
            out.print(f"  {r['regime']:14} days {r['days']:5}  fwd{horizon} mean {r['mean_fwd_return']:+.2%}  "
                      f"share up {r['share_positive']:.0%}  fwd drawdown {r['mean_fwd_drawdown']:.2%}")
    finish({"gauge": gauge, "table": table, "test": rg.regime_difference_test(s, horizon)}, as_json=as_json,
           summary=f"{gauge.date}: {gauge.regime} {gauge.regime_zh}, phase {gauge.phase} ({gauge.phase_name}), "
                   f"position {gauge.position:.0%}")


@market_app.command("report")
def report_cmd(data_dir: Path = typer.Argument(..., help="folder written by `panhuo market load-reference`"),
               start: str = typer.Option("2020-07-01", "--start"), end: str = typer.Option("2023-12-29", "--end"),
               doc: Path = typer.Option(Path("docs/market.md"), "--doc", help="Markdown file with report markers"),
               as_json: bool = JSON) -> None:
    """Run every model and the regime study on the reference data; rewrite the generated part of the doc."""
    from panhuo.market.report import build_report

    with progress(quiet=as_json) as bar:
        result = build_report(data_dir, _day(start, "--start"), _day(end, "--end"), doc, bar)
    finish(result, summary=f"report written to {doc} ({len(result['models'])} model runs)", as_json=as_json)
