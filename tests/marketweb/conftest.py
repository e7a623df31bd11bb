"""A small simulated market (60 stocks, the two indices, two years) in a warehouse, and the cast's holdings.

The market is simulated once per session; each test writes the operational store with market_daily.
Alice (registered investment advisor) holds CA001's account; the client owns one weak stock — the
day's worst 20-session laggard bought at twice today's price — and one other stock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pytest

from tests.accounts.helpers import register_advisor


@dataclass
class SimMarket:
    path: object
    end: date           # the day the tests run the step for
    weak_symbol: str
    other_symbol: str
    weak_close: float
    other_close: float


def _load(wh, out) -> None:
    for name in ("instruments", "bars"):
        cols = ", ".join(wh.con.sql(f"SELECT * FROM {name} LIMIT 0").columns)
        wh.con.execute(f"INSERT INTO {name} ({cols}) SELECT {cols} FROM read_parquet('{out / name}.parquet')")


@pytest.fixture(scope="session")
def sim_market(tmp_path_factory):
    from panhuo.market import data
    from panhuo.market.daily import split_bars
    from panhuo.market.facade import regime_series
    from panhuo.market.models import models_for
    from panhuo.simulate import SimConfig, simulate
    from panhuo.warehouse import open_warehouse

    out = tmp_path_factory.mktemp("market")
    simulate(SimConfig(clients=20, years=2.0, stocks=60, seed=7), out)
    path = out / "warehouse.duckdb"
    with open_warehouse(path) as wh:
        _load(wh, out)
        bars = data.fetch(wh)
        inst = wh.con.cursor().sql("SELECT * FROM instruments").pl()
    indices, panel = split_bars(bars, inst)
    regimes = regime_series(indices["000001.SH"], panel).align(panel.dates)
    # The last session whose regime's models have candidates, so a switch can be suggested and sent.
    screens = {}
    for t in range(panel.dates.size - 1, panel.dates.size - 60, -1):
        ms = models_for(str(regimes.regime[t]))
        if any(screens.setdefault(m.name, m.build(panel)).signals.entries[t].any() for m in ms):
            break
    else:
        pytest.fail("no session with candidates in the simulated market")
    c = panel.close * panel.adj_factor
    ret20 = c[t] / c[t - 20] - 1
    order = np.argsort(ret20)
    weak, other = order[0], order[len(order) // 2]
    return SimMarket(path=path, end=panel.dates[t].astype(object), weak_symbol=str(panel.symbols[weak]),
                     other_symbol=str(panel.symbols[other]), weak_close=float(panel.close[t, weak]),
                     other_close=float(panel.close[t, other]))


@pytest.fixture
def market_wh(sim_market):
    from panhuo.warehouse import open_warehouse

    with open_warehouse(sim_market.path) as wh:
        yield wh


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def holdings(cast, sim_market):
    """CA001 (Alice's) holds the weak stock at a loss and another stock; Alice is a registered advisor."""
    from panhuo.clients.models import ClientSeries

    m = sim_market
    def position(symbol, quantity, cost, close):
        value = quantity * close
        return {"symbol": symbol, "name": "", "quantity": quantity, "cost_price": cost, "close_price": close,
                "market_value": value, "pnl": value - quantity * cost, "pnl_pct": close / cost - 1}

    positions = [position(m.weak_symbol, 1000, round(2 * m.weak_close, 2), m.weak_close),
                 position(m.other_symbol, 500, m.other_close, m.other_close)]
    ClientSeries.objects.create(client=cast.clients["CA001"], as_of=m.end, positions=positions)
    ClientSeries.objects.create(client=cast.clients["CB001"], as_of=m.end, positions=[])
    register_advisor(cast.users["alice"])
    # A client assessed lately at the top level, so every candidate suits them (tests/surveys check the others).
    client = cast.clients["CA001"]
    client.risk_level, client.risk_assessed_on = "C5", date.today() - timedelta(days=30)
    client.save()
    return positions


@pytest.fixture
def market_ran(holdings, market_wh, sim_market):
    from panhuo.marketweb.services import market_daily

    return market_daily(wh=market_wh, as_of=sim_market.end)
