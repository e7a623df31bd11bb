"""Stylised facts of daily A-share bars, for the simulated market and for real data side by side.

Each panel is (symbol, date, pre_close, close, traded, limit, industry). Facts: the spread and tails of daily
returns, volatility clustering (autocorrelation of |r|), limit-hit frequency, suspensions, and co-movement
(mean pairwise correlation, within and across industries). `compare()` renders the tables in docs/simulator.md:
`python -m panhuo.simulate.stats ../shared/data`.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from panhuo.simulate.calendar import trading_days
from panhuo.simulate.market import Market, build_market

LIMIT_EPS = 0.001   # a close within 0.1 percentage points of the band counts as a limit hit (rounding to cents)


def _acf(x: np.ndarray, lag: int) -> float:
    x = x - x.mean()
    den = (x * x).sum()
    return float((x[lag:] * x[:-lag]).sum() / den) if den > 0 and len(x) > lag + 10 else float("nan")


def panel_facts(panel: pl.DataFrame) -> dict[str, float]:
    """Facts of a stock panel; returns are close/pre_close - 1 on traded days."""
    p = panel.sort("symbol", "date").with_columns((pl.col("close") / pl.col("pre_close") - 1).alias("r"))
    # moves beyond the band are listing days and data errors, not market behaviour: left out
    p = p.filter(~pl.col("traded") | (pl.col("r").abs() <= pl.col("limit") + 0.011))
    traded = p.filter(pl.col("traded"))
    r = traded["r"].to_numpy()
    z = (r - r.mean()) / r.std()
    hits_up = (traded["r"] >= traded["limit"] - LIMIT_EPS).to_numpy()
    hits_dn = (traded["r"] <= -traded["limit"] + LIMIT_EPS).to_numpy()
    acf1, acf5, acf20, racf1 = [], [], [], []
    for _, g in traded.group_by("symbol"):
        x = g["r"].to_numpy()
        if len(x) < 120:
            continue
        a = np.abs(x)
        acf1.append(_acf(a, 1))
        acf5.append(_acf(a, 5))
        acf20.append(_acf(a, 20))
        racf1.append(_acf(x, 1))
    wide = traded.pivot(on="symbol", index="date", values="r").drop("date").to_numpy()
    corr = _mean_corr(wide)
    within, across = _industry_corr(traded)
    return {
        "stock-days": float(len(p)),
        "daily return std (%)": 100 * float(r.std()),
        "excess kurtosis": float((z**4).mean() - 3),
        "0.1% quantile (%)": 100 * float(np.quantile(r, 0.001)),
        "99.9% quantile (%)": 100 * float(np.quantile(r, 0.999)),
        "share of |r| > 5% (%)": 100 * float((np.abs(r) > 0.05).mean()),
        "ACF(|r|) lag 1": float(np.nanmean(acf1)),
        "ACF(|r|) lag 5": float(np.nanmean(acf5)),
        "ACF(|r|) lag 20": float(np.nanmean(acf20)),
        "ACF(r) lag 1": float(np.nanmean(racf1)),
        "limit-up closes (% of days)": 100 * float(hits_up.mean()),
        "limit-down closes (% of days)": 100 * float(hits_dn.mean()),
        "suspended days (%)": 100 * float(1 - p["traded"].mean()),
        "mean pairwise correlation": corr,
        "same-industry correlation": within,
        "cross-industry correlation": across,
    }


def _mean_corr(wide: np.ndarray) -> float:
    ok = np.isfinite(wide).mean(axis=0) > 0.8
    w = wide[:, ok]
    w = np.where(np.isfinite(w), w, np.nanmean(w, axis=0))
    c = np.corrcoef(w.T)
    n = c.shape[0]
    return float((c.sum() - n) / (n * (n - 1))) if n > 1 else float("nan")


def _industry_corr(traded: pl.DataFrame) -> tuple[float, float]:
    if "industry" not in traded.columns or traded["industry"].null_count() == len(traded):
        return float("nan"), float("nan")
    wide = traded.pivot(on="symbol", index="date", values="r").drop("date")
    names = wide.columns
    ind = dict(traded.select("symbol", "industry").unique("symbol").iter_rows())
    w = wide.to_numpy()
    ok = np.isfinite(w).mean(axis=0) > 0.8
    w = w[:, ok]
    names = [n for n, k in zip(names, ok, strict=True) if k]
    w = np.where(np.isfinite(w), w, np.nanmean(w, axis=0))
    c = np.corrcoef(w.T)
    labels = np.array([ind.get(n) or "" for n in names])
    same = labels[:, None] == labels[None, :]
    off = ~np.eye(len(names), dtype=bool)
    return float(c[same & off].mean()), float(c[~same & off].mean())


def index_facts(close: np.ndarray) -> dict[str, float]:
    r = close[1:] / close[:-1] - 1
    z = (r - r.mean()) / r.std()
    return {"index daily std (%)": 100 * float(r.std()), "index excess kurtosis": float((z**4).mean() - 3),
            "index ACF(|r|) lag 1": _acf(np.abs(r), 1), "index ACF(|r|) lag 5": _acf(np.abs(r), 5)}


def market_panel(m: Market, boards: tuple[str, ...] = ("main",)) -> pl.DataFrame:
    """The written days of a simulated market as a panel."""
    keep = np.isin(m.board, boards)
    nw = m.n_written
    syms = m.symbols[keep]
    return pl.DataFrame({
        "symbol": np.repeat(syms, nw), "date": np.tile(m.days[:nw], len(syms)),
        "pre_close": m.pre_close[:nw, keep].T.reshape(-1), "close": m.close[:nw, keep].T.reshape(-1),
        "traded": ~m.suspended[:nw, keep].T.reshape(-1), "limit": np.repeat(m.limit[keep], nw),
        "industry": np.repeat(m.industry[keep], nw)})


def baostock_panel(data: Path) -> pl.DataFrame:
    """The CSI 300 panel, main board only (sh.60 / sz.00), with the ±5% band on ST days."""
    df = pl.read_csv(data / "ashare_csi300_daily_baostock" / "stocks_daily_2020_2023.csv.gz",
                     schema_overrides={"turn": pl.Float64, "pctChg": pl.Float64})
    df = df.filter(pl.col("code").str.contains(r"^(sh\.60|sz\.00)"))
    ind = _industries(data)
    return df.filter(pl.col("preclose") > 0).select(
        pl.col("code").str.slice(3).alias("symbol"), pl.col("date").str.to_date(), pl.col("preclose").alias("pre_close"),
        "close", (pl.col("tradestatus") == 1).alias("traded"),
        pl.when(pl.col("isST") == 1).then(0.05).otherwise(0.10).alias("limit"),
    ).join(ind, on="symbol", how="left")


def tushare_panel(data: Path) -> pl.DataFrame:
    """Smaller main-board names (forward-adjusted: returns are right, price levels are not)."""
    df = pl.read_csv(data / "ashare_mainboard_qfq_tushare" / "stocks_daily_qfq_2020_2023.csv.gz",
                     schema_overrides={"symbol": pl.String})
    ind = _industries(data)
    df = df.sort("symbol", "date").with_columns(pl.col("close").shift(1).over("symbol").alias("pre_close"))
    return df.filter(pl.col("pre_close").is_not_null()).select(
        "symbol", pl.col("date").str.to_date(), "pre_close", "close", pl.lit(True).alias("traded"),
        pl.lit(0.10).alias("limit"),
    ).join(ind, on="symbol", how="left")


def _industries(data: Path) -> pl.DataFrame:
    path = data / "ashare_mainboard_qfq_tushare" / "stocklist_industry.csv"
    return pl.read_csv(path, schema_overrides={"symbol": pl.String}).select("symbol", "industry")


def compare(data: Path, *, seed: int = 20261128, stocks: int = 300) -> str:
    """The markdown tables of docs/simulator.md: a simulated market over the same calendar as the real data
    (stocks 2020-2023, index 2014-2023) beside the real main-board panels and the real CSI 300."""
    days = trading_days(date(2020, 1, 2), date(2023, 12, 29))
    sim = build_market(seed, stocks, days, len(days))
    cols = {
        "simulated, main board": panel_facts(market_panel(sim)),
        "simulated, all boards": panel_facts(market_panel(sim, ("main", "chinext", "star", "bse"))),
        "real CSI 300 members (baostock)": panel_facts(baostock_panel(data)),
        "real smaller main-board stocks (Tushare qfq)": panel_facts(tushare_panel(data)),
    }
    long_days = trading_days(date(2014, 1, 2), date(2023, 12, 29))
    rows = {}
    for k in range(3):
        m = build_market(seed + k, stocks, long_days, len(long_days))
        rows[f"simulated seed {seed + k}"] = index_facts(m.indices["000300.SH"]["close"])
    real = pl.read_csv(data / "ashare_index_daily" / "sh000300.csv").filter(pl.col("date") >= "2014-01-01")
    rows["real CSI 300"] = index_facts(real["close"].to_numpy())
    lines = ["| fact (2020–2023) | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for key in next(iter(cols.values())):
        lines.append(f"| {key} | " + " | ".join(_fmt(v[key]) for v in cols.values()) + " |")
    lines += ["", "| index fact (2014–2023) | " + " | ".join(rows) + " |", "|---" * (len(rows) + 1) + "|"]
    for key in next(iter(rows.values())):
        lines.append(f"| {key} | " + " | ".join(_fmt(v[key]) for v in rows.values()) + " |")
    return "\n".join(lines)


def _fmt(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.3f}"


if __name__ == "__main__":
    import sys

    print(compare(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data")))
