"""What the web app's market page calls: plain dataclasses, no numpy or polars in the results.

The page shows a regime gauge, the index chart with regime bands, today's pools by model and the model
reports (docs/market.md). Every function takes its date explicitly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from panhuo.market import data
from panhuo.market import regime as rg
from panhuo.market.models import MODELS
from panhuo.market.panel import Panel, build_panel
from panhuo.market.pool import PoolEntry, daily_pool
from panhuo.market.vocabulary import regime_words


@dataclass(frozen=True)
class RegimeGauge:
    date: date
    regime: str
    regime_zh: str
    phase: str
    phase_name: str
    position: float
    score: int
    trend: int
    breadth: float | None
    volatility: float | None


@dataclass(frozen=True)
class RegimeBand:
    start: date
    end: date
    regime: str


@dataclass(frozen=True)
class IndexChart:
    symbol: str
    dates: list[date]
    close: list[float]
    bands: list[RegimeBand]


@dataclass(frozen=True)
class ModelInfo:
    name: str
    zh: str
    regime: str
    description: str


def load_panel(bars_path: Path | str, instruments_path: Path | str | None = None) -> Panel:
    bars = data.read_bars(bars_path)
    inst = data.read_instruments(instruments_path) if instruments_path else None
    return build_panel(bars, inst)


def regime_series(index_bars: pl.DataFrame, panel: Panel | None = None,
                  config: rg.RegimeConfig | None = None) -> rg.RegimeSeries:
    """The index's regime series; with a stock panel, breadth votes on the days the panel covers."""
    idx = index_bars.sort("trade_date")
    dates = idx["trade_date"].to_numpy().astype("datetime64[D]")
    b = None
    if panel is not None:
        raw = rg.breadth(panel)
        pos = np.searchsorted(panel.dates, dates)
        hit = (pos < panel.dates.size) & (panel.dates[np.minimum(pos, panel.dates.size - 1)] == dates)
        b = np.where(hit, raw[np.minimum(pos, panel.dates.size - 1)], np.nan)
    return rg.classify(dates, idx["close"].to_numpy(), breadth_series=b, config=config)


def regime_gauge(index_bars: pl.DataFrame, as_of, *, panel: Panel | None = None,
                 config: rg.RegimeConfig | None = None) -> RegimeGauge:
    s = regime_series(index_bars, panel, config)
    i = s.at(as_of)
    reg, ph = str(s.regime[i]), str(s.phase[i])
    return RegimeGauge(date=s.dates[i].astype(object), regime=reg, regime_zh=regime_words(reg, "zh"), phase=ph,
                       phase_name=rg.PHASE_NAMES.get(ph, ""), position=float(s.position[i]), score=int(s.score[i]),
                       trend=int(s.trend[i]), breadth=None if np.isnan(s.breadth[i]) else float(s.breadth[i]),
                       volatility=None if np.isnan(s.volatility[i]) else float(s.volatility[i]))


def index_chart(index_bars: pl.DataFrame, start, end, *, panel: Panel | None = None,
                config: rg.RegimeConfig | None = None) -> IndexChart:
    """Closes between start and end and the runs of equal regime as bands."""
    s = regime_series(index_bars, panel, config)
    lo = int(np.searchsorted(s.dates, np.datetime64(start, "D")))
    hi = int(np.searchsorted(s.dates, np.datetime64(end, "D"), side="right"))
    d, c, r = s.dates[lo:hi], s.close[lo:hi], s.regime[lo:hi]
    bands: list[RegimeBand] = []
    k = 0
    for i in range(1, d.size + 1):
        if i == d.size or r[i] != r[k]:
            if r[k]:
                bands.append(RegimeBand(d[k].astype(object), d[i - 1].astype(object), str(r[k])))
            k = i
    return IndexChart(symbol=str(index_bars["symbol"][0]), dates=[x.astype(object) for x in d],
                      close=[float(x) for x in c], bands=bands)


def pools_today(panel: Panel, as_of, *, top: int = 10, model_names: list[str] | None = None) -> dict[str, list[PoolEntry]]:
    return {n: daily_pool(panel, MODELS[n], as_of, top=top) for n in (model_names or list(MODELS))}


def models() -> list[ModelInfo]:
    return [ModelInfo(m.name, m.zh, m.regime, m.description) for m in MODELS.values()]
