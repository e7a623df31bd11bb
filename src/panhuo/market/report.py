"""The model report: every model and the regime study run on the reference data, written into docs/market.md.

The generated part sits between `<!-- report:start -->` and `<!-- report:end -->`, so the figures in the doc
always come from a run, never from typing. Input is the folder `panhuo market load-reference` writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from panhuo.market import data
from panhuo.market import regime as rg
from panhuo.market.backtest import BacktestConfig, run_backtest
from panhuo.market.facade import regime_series
from panhuo.market.metrics import compute_metrics
from panhuo.market.models import MODELS
from panhuo.market.panel import Panel, build_panel
from panhuo.market.signals import Signals
from panhuo.market.vocabulary import REGIME_ZH

START, END = "<!-- report:start -->", "<!-- report:end -->"
INDEXES = {"sh000001": "SSE Composite 上证指数", "sh000300": "CSI 300 沪深300", "sh000905": "CSI 500 中证500",
           "sh000852": "CSI 1000 中证1000", "sz399001": "SZSE Component 深证成指"}
REGIME_INDEX = "sh000300"


@dataclass
class _Noop:
    def add_task(self, *a, **k):
        return 0

    def update(self, *a, **k):
        pass

    def advance(self, *a, **k):
        pass


def _pct(x, digits=1) -> str:
    return "—" if x is None or (isinstance(x, float) and np.isnan(x)) else f"{x * 100:+.{digits}f}%"


def _num(x, digits=2) -> str:
    return "—" if x is None else f"{x:.{digits}f}"


def regime_section(data_dir: Path, panel: Panel | None) -> tuple[list[str], dict]:
    lines = ["### Forward 20-session outcomes by regime (index history, trend and volatility votes)", "",
             "| index | period | regime | days | mean fwd 20d return | median | share up | mean fwd 20d drawdown | "
             "non-overlapping samples | mean (non-overlapping) |", "|---|---|---|---|---|---|---|---|---|---|"]
    tests = {}
    for code, label in INDEXES.items():
        path = data_dir / "index" / f"{code}.parquet"
        if not path.exists():
            continue
        idx = data.read_bars(path)
        s = regime_series(idx, None, None)
        period = f"{idx['trade_date'].min()} .. {idx['trade_date'].max()}"
        for r in rg.outcome_table(s):
            lines.append(f"| {label} | {period} | {r['regime']} {REGIME_ZH[r['regime']]} | {r['days']} | "
                         f"{_pct(r['mean_fwd_return'], 2)} | {_pct(r['median_fwd_return'], 2)} | "
                         f"{r['share_positive']:.0%} | {r['mean_fwd_drawdown']:.2%} | {r['independent_samples']} | "
                         f"{_pct(r['mean_fwd_return_independent'], 2)} |")
        tests[label] = rg.regime_difference_test(s)
    lines += ["", "Kruskal–Wallis test on non-overlapping 20-session samples (H0: same distribution in every regime):", "",
              "| index | p (forward return) | p (forward drawdown) |", "|---|---|---|"]
    for label, t in tests.items():
        lines.append(f"| {label} | {_num(t['return_p_value'], 3)} | {_num(t['drawdown_p_value'], 3)} |")
    idx = data.read_bars(data_dir / "index" / "sh000001.parquet")
    s = regime_series(idx, None, None)
    lines += ["", "### By cycle phase (SSE Composite, full history)", "",
              "| phase | days | mean fwd 20d return | share up | mean fwd 20d drawdown |", "|---|---|---|---|---|"]
    for r in rg.outcome_table(s, by="phase"):
        lines.append(f"| {r['phase']} {rg.PHASE_NAMES[r['phase']]} | {r['days']} | {_pct(r['mean_fwd_return'], 2)} | "
                     f"{r['share_positive']:.0%} | {r['mean_fwd_drawdown']:.2%} |")
    if panel is not None:
        idx = data.read_bars(data_dir / "index" / f"{REGIME_INDEX}.parquet")
        s = regime_series(idx, panel, None)
        lo = np.searchsorted(s.dates, panel.dates[0] + 60)
        sub = rg.RegimeSeries(*(getattr(s, f)[lo:] for f in ("dates", "close", "regime", "phase", "score", "trend",
                                                                "breadth", "volatility", "position")))
        lines += ["", f"### With the breadth vote (CSI 300 index, breadth from the {panel.shape[1]}-stock panel, "
                  f"{sub.dates[0]} .. {sub.dates[-1]})", "",
                  "| regime | days | mean fwd 20d return | share up | mean fwd 20d drawdown |", "|---|---|---|---|---|"]
        for r in rg.outcome_table(sub):
            lines.append(f"| {r['regime']} {REGIME_ZH[r['regime']]} | {r['days']} | {_pct(r['mean_fwd_return'], 2)} | "
                         f"{r['share_positive']:.0%} | {r['mean_fwd_drawdown']:.2%} |")
    return lines, tests


def _own_regime(signals: Signals, regimes: np.ndarray, regime: str) -> Signals:
    """Entries only on days of the model's own regime (exits unchanged)."""
    return Signals(signals.entries & (regimes == regime)[:, None], signals.exits, signals.score, signals.max_hold)


def model_section(panels: dict[str, Panel], data_dir: Path, start, end, bar, task) -> tuple[list[str], list[dict]]:
    lines = ["### Model backtests under the A-share rules", "",
             f"Sessions {start} .. {end}; 1,000,000 CNY, at most 10 positions, equal slices; signals at the close, "
             "fills at the next open; commission 0.025 % (min 5 CNY), stamp duty 0.1 % / 0.05 % from 2023-08-28, "
             "transfer fee 0.001 %; T+1, no buys at limit-up, no sells at limit-down, none on suspended days. "
             "Position cap from the CSI 300 regime with breadth (75 / 50 / 25 %). "
             "*all days*: the model trades whatever the regime; *own regime*: it opens positions only on days of "
             "the regime it was designed for.", "",
             "| panel | model | variant | annual return | turnover / yr | win rate | max drawdown | Sharpe | trades |",
             "|---|---|---|---|---|---|---|---|---|"]
    rows = []
    by_regime_lines = ["", "#### By regime (all-days variant; a regime's days compounded on their own)", "",
                       "| panel | model | regime | days | annual return | turnover / yr | win rate | max drawdown | Sharpe |",
                       "|---|---|---|---|---|---|---|---|---|"]
    idx = data.read_bars(data_dir / "index" / f"{REGIME_INDEX}.parquet")
    for pname, panel in panels.items():
        regimes = regime_series(idx, panel, None).align(panel.dates)
        cap = np.where(np.isnan(regimes.position), 1.0, regimes.position)
        for m in MODELS.values():
            bar.update(task, description=f"{pname}: {m.name}")
            screen = m.build(panel)
            for variant, sig in (("all days", screen.signals),
                                 ("own regime", _own_regime(screen.signals, regimes.regime, m.regime))):
                r = run_backtest(panel, sig, start=start, end=end, position_cap=cap,
                                 config=BacktestConfig(capital=1_000_000, max_positions=10))
                met = compute_metrics(r, regimes.regime, panel.dates)
                o = met["overall"]
                rows.append({"panel": pname, "model": m.name, "variant": variant, **o.as_dict(),
                             "by_regime": {k: v.as_dict() for k, v in met["by_regime"].items()}})
                lines.append(f"| {pname} | {m.name} {m.zh} | {variant} | {_pct(o.annual_return)} | "
                             f"{o.turnover_per_year:.1f} | {_num(o.win_rate)} | {o.max_drawdown:.1%} | "
                             f"{_num(o.sharpe)} | {o.trades} |")
                if variant == "all days":
                    for k in rg.REGIMES:
                        v = met["by_regime"].get(k)
                        if v is None:
                            continue
                        by_regime_lines.append(
                            f"| {pname} | {m.name} | {k} | {v.days} | {_pct(v.annual_return)} | "
                            f"{v.turnover_per_year:.1f} | {_num(v.win_rate)} | {v.max_drawdown:.1%} | {_num(v.sharpe)} |")
            bar.advance(task)
    return lines + by_regime_lines, rows


def claims_section(rows: list[dict]) -> list[str]:
    def pick(panel, model, variant):
        return next((r for r in rows if r["panel"] == panel and r["model"] == model and r["variant"] == variant), None)

    lines = ["### The source material's claims beside what we find", "",
             "| claim (source material) | what we measured | verdict |", "|---|---|---|"]
    for panel in dict.fromkeys(r["panel"] for r in rows):
        own = pick(panel, "high_sell_low_buy", "own regime")
        allr = pick(panel, "high_sell_low_buy", "all days")
        weak = allr["by_regime"].get("weak") if allr else None
        if own and weak:
            ok = own["annual_return"] >= 0.15
            lines.append(
                f"| weak-market low-buy model earns 15 % a year at 13 turns a year (弱势低吸模型 年获利率15% 年周转率13次) | "
                f"{panel}: high_sell_low_buy trading only in weak regimes {_pct(own['annual_return'])} a year at "
                f"{own['turnover_per_year']:.1f} turns; on weak days alone {_pct(weak['annual_return'])} annualised, "
                f"win rate {_num(weak['win_rate'])} | {'consistent' if ok else 'not reproduced'} |")
    wins = [r["win_rate"] for r in rows if r["variant"] == "all days" and r["win_rate"] is not None]
    if wins:
        lines.append(f"| stock selection succeeds more than 70 % of the time (成功率大于70%) | win rates of closed trades "
                     f"range {min(wins):.0%} – {max(wins):.0%} across models and panels | "
                     f"{'consistent' if min(wins) > 0.7 else 'not reproduced'} |")
    return lines


def build_report(data_dir: Path | str, start, end, doc: Path | str, bar=None) -> dict:
    data_dir, doc = Path(data_dir), Path(doc)
    bar = bar or _Noop()
    task = bar.add_task("loading panels", total=2 + 2 * len(MODELS))
    panels = {}
    for name in ("csi300", "mainboard_qfq"):
        if (data_dir / name / "bars.parquet").exists():
            panels[name] = build_panel(data.read_bars(data_dir / name / "bars.parquet"),
                                       data.read_instruments(data_dir / name / "instruments.parquet"))
    if not panels:
        raise FileNotFoundError(f"no panels under {data_dir}; run `panhuo market load-reference` first")
    bar.advance(task)
    both = [data.read_bars(data_dir / n / "bars.parquet") for n in panels]
    combined = build_panel(pl.concat(both, how="diagonal_relaxed"),
                           pl.concat([data.read_instruments(data_dir / n / "instruments.parquet") for n in panels]))
    bar.update(task, description="regime study")
    regime_lines, tests = regime_section(data_dir, combined)
    bar.advance(task)
    model_lines, rows = model_section(panels, data_dir, start, end, bar, task)
    body = "\n".join([START, "", f"_Generated by `panhuo market report` on the reference data ({start} .. {end})._", "",
                      *regime_lines, "", *model_lines, "", *claims_section(rows), "", END])
    text = doc.read_text() if doc.exists() else f"# Market\n\n{START}\n{END}\n"
    if START not in text or END not in text:
        text = text.rstrip() + f"\n\n{START}\n{END}\n"
    head, rest = text.split(START, 1)
    tail = rest.split(END, 1)[1]
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(head + body + tail)
    return {"ok": True, "doc": str(doc), "models": rows, "regime_tests": tests}
