"""The market's daily figures from bars: regime gauge, index charts, pools, model report, switch drafts.

Pure Python over panhuo.market (no Django): the market pages' marketweb.services.market_daily feeds it the
warehouse's bars and the clients' holdings and stores what it returns. Everything is JSON-ready (dates as ISO strings).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from panhuo.market import facade
from panhuo.market.backtest import BacktestConfig, run_backtest
from panhuo.market.metrics import compute_metrics
from panhuo.market.models import MODELS
from panhuo.market.panel import Panel, build_panel
from panhuo.market.pool import PoolEntry, daily_pool
from panhuo.market.signals import Signals
from panhuo.market.switch import RISK_DISCLOSURE, Holding, holding_check, weak_holdings

INDEX_SYMBOLS = ("000001.SH", "000300.SH")   # the first present drives the gauge
HISTORY_DAYS = 800       # calendar days read: the volatility vote needs a year of history, dark horse 120 sessions
CHART_SESSIONS = 250     # about a year on the chart
REPORT_SESSIONS = 250    # backtest window of the model report
POOL_TOP = 10            # per model; a switch takes the first 5 the client does not hold (as switch.suggest_switch)
SWITCH_TOP = 5

# The source material's claims the report holds the models to (docs/market.md, "claims" table).
CLAIM_LOW_BUY = {"annual_return": 0.15, "turnover_per_year": 13.0}
CLAIM_WIN_RATE = 0.70


@dataclass
class MarketDayResult:
    date: date
    index_symbol: str
    gauge: dict
    charts: dict          # symbol -> {dates, close, bands: [[start, end, regime], ...]}
    pools: dict           # model -> {zh, regime, description, entries: [...]}
    report: dict          # {start, end, sessions, stocks, rows: [...], claims: [...]}
    switches: dict        # client_id -> {weak, candidates, models, notes}


def _iso(d) -> str:
    return d.isoformat() if hasattr(d, "isoformat") else str(np.datetime64(d, "D"))


def _entry(e: PoolEntry) -> dict:
    return {"date": _iso(e.date), "model": e.model, "model_zh": e.model_zh, "rank": e.rank, "symbol": e.symbol,
            "name": e.name, "industry": e.industry, "close": round(e.close, 2), "score": round(e.score, 4),
            "reason": e.reason.as_json()}


def _num(x) -> float | None:
    return None if x is None or (isinstance(x, float) and np.isnan(x)) else round(float(x), 4)


def split_bars(bars: pl.DataFrame, instruments: pl.DataFrame) -> tuple[dict[str, pl.DataFrame], Panel]:
    """Index bars by symbol and the stock panel (stocks = symbols listed in instruments, indices excluded)."""
    present = set(bars["symbol"].unique().to_list())
    indices = {s: bars.filter(pl.col("symbol") == s).sort("trade_date") for s in INDEX_SYMBOLS if s in present}
    if not indices:
        raise ValueError(f"no index bars ({', '.join(INDEX_SYMBOLS)}) in the warehouse")
    stock_symbols = [s for s in instruments["symbol"].to_list() if s not in indices]
    stocks = bars.filter(pl.col("symbol").is_in(stock_symbols))
    if stocks.is_empty():
        raise ValueError("no stock bars in the warehouse")
    return indices, build_panel(stocks, instruments.filter(pl.col("symbol").is_in(stock_symbols)))


def _gauge(g: facade.RegimeGauge) -> dict:
    return {"date": _iso(g.date), "regime": g.regime, "phase": g.phase, "position": g.position, "score": g.score,
            "trend": g.trend, "breadth": _num(g.breadth), "volatility": _num(g.volatility)}


def _chart(idx: pl.DataFrame, panel: Panel, as_of) -> dict:
    dates = idx.filter(pl.col("trade_date") <= as_of)["trade_date"]
    start = dates[max(0, dates.len() - CHART_SESSIONS)]
    ch = facade.index_chart(idx, start, as_of, panel=panel)
    return {"dates": [_iso(d) for d in ch.dates], "close": [round(c, 2) for c in ch.close],
            "bands": [[_iso(b.start), _iso(b.end), b.regime] for b in ch.bands]}


def model_report(panel: Panel, screens: dict, regimes, as_of) -> dict:
    """Each model backtested on the last REPORT_SESSIONS sessions, trading every day and only in its own
    regime, under the A-share rules; beside it the source material's claims and our verdict."""
    t = panel.index_of(as_of)
    lo = max(1, t - REPORT_SESSIONS + 1)
    start, end = panel.dates[lo].astype(object), panel.dates[t].astype(object)
    cap = np.where(np.isnan(regimes.position), 1.0, regimes.position)
    rows = []
    for name, screen in screens.items():
        m = MODELS[name]
        own = Signals(screen.signals.entries & (regimes.regime == m.regime)[:, None], screen.signals.exits,
                      screen.signals.score, screen.signals.max_hold)
        for variant, sig in (("all", screen.signals), ("own", own)):
            r = run_backtest(panel, sig, start=start, end=end, position_cap=cap,
                             config=BacktestConfig(capital=1_000_000, max_positions=10))
            o = compute_metrics(r)["overall"]
            rows.append({"model": name, "model_zh": m.zh, "regime": m.regime, "variant": variant,
                         "annual_return": _num(o.annual_return), "turnover_per_year": _num(o.turnover_per_year),
                         "win_rate": _num(o.win_rate), "max_drawdown": _num(o.max_drawdown), "sharpe": _num(o.sharpe),
                         "trades": o.trades})
    return {"start": _iso(start), "end": _iso(end), "sessions": t - lo + 1, "stocks": panel.shape[1],
            "rows": rows, "claims": claims(rows)}


def claims(rows: list[dict]) -> list[dict]:
    """The material's two checkable claims beside what the report measured."""
    out = []
    own = next((r for r in rows if r["model"] == "high_sell_low_buy" and r["variant"] == "own"), None)
    if own:
        ok = (own["annual_return"] or 0) >= CLAIM_LOW_BUY["annual_return"] \
            and (own["turnover_per_year"] or 0) >= CLAIM_LOW_BUY["turnover_per_year"]
        out.append({"claim": "low_buy", "annual_return": own["annual_return"],
                    "turnover_per_year": own["turnover_per_year"], "consistent": ok})
    wins = [r["win_rate"] for r in rows if r["variant"] == "all" and r["win_rate"] is not None]
    if wins:
        out.append({"claim": "win_rate", "low": min(wins), "high": max(wins), "consistent": min(wins) > CLAIM_WIN_RATE})
    return out


def switch_drafts(panel: Panel, pools: dict[str, list[PoolEntry]], regime: str, as_of,
                  portfolios: dict[str, list[Holding]]) -> dict[str, dict]:
    """Per client: weak holdings and candidates from the pools of the regime's models, as
    switch.suggest_switch builds them — drafts for an advisor's review, not advice sent."""
    check = holding_check(panel, as_of)
    names = [n for n, m in MODELS.items() if m.regime == regime]
    out = {}
    for cid, holdings in portfolios.items():
        weak = weak_holdings(panel, holdings, as_of, check=check)
        held = {h.symbol for h in holdings}
        cands = [e for n in names for e in [x for x in pools.get(n, []) if x.symbol not in held][:SWITCH_TOP]]
        notes = [] if weak else ["no_weak"]
        if weak and not cands:
            notes.append("empty_pool")
        out[cid] = {"weak": [{"symbol": w.symbol, "name": w.name, "close": round(w.close, 2), "reasons": [r.as_json() for r in w.reasons]}
                             for w in weak],
                    "candidates": [_entry(e) for e in cands] if weak else [], "models": names, "notes": notes,
                    "disclosure": RISK_DISCLOSURE}
    return out


def market_day(bars: pl.DataFrame, instruments: pl.DataFrame, as_of, *,
               portfolios: dict[str, list[Holding]] | None = None) -> MarketDayResult:
    indices, panel = split_bars(bars, instruments)
    main_symbol = next(iter(indices))
    gauge = facade.regime_gauge(indices[main_symbol], as_of, panel=panel)
    if not gauge.regime:
        raise ValueError(f"not enough history before {as_of} to classify the market")
    day = gauge.date
    regimes = facade.regime_series(indices[main_symbol], panel).align(panel.dates)
    screens = {name: m.build(panel) for name, m in MODELS.items()}
    pools = {name: daily_pool(panel, MODELS[name], day, top=POOL_TOP, screen=s) for name, s in screens.items()}
    return MarketDayResult(
        date=day, index_symbol=main_symbol, gauge=_gauge(gauge),
        charts={s: _chart(idx, panel, day) for s, idx in indices.items()},
        pools={n: {"zh": MODELS[n].zh, "regime": MODELS[n].regime, "description": MODELS[n].description,
                   "entries": [_entry(e) for e in p]} for n, p in pools.items()},
        report=model_report(panel, screens, regimes, day),
        switches=switch_drafts(panel, pools, gauge.regime, day, portfolios or {}))
