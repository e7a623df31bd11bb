"""market_daily refuses what it cannot classify, and writes nothing then."""

from __future__ import annotations

from datetime import timedelta

import pytest

from panhuo.clients.models import MarketDay
from panhuo.market import data
from panhuo.marketweb.models import SwitchDraft
from panhuo.marketweb.services import market_daily


def test_without_index_bars_nothing_is_written(db, warehouse, sim_market, market_wh):
    stocks = market_wh.con.cursor().sql("SELECT * FROM bars WHERE symbol NOT IN ('000001.SH', '000300.SH')").pl()
    inst = market_wh.con.cursor().sql("SELECT * FROM instruments").pl()
    data.store(warehouse, bars=stocks, instruments=inst)
    with pytest.raises(ValueError, match="no index bars"):
        market_daily(wh=warehouse, as_of=sim_market.end)
    assert not MarketDay.objects.exists() and not SwitchDraft.objects.exists()


def test_too_little_history_is_refused(db, market_wh, sim_market):
    first = market_wh.con.sql("SELECT min(trade_date) FROM bars").fetchall()[0][0]
    with pytest.raises(ValueError, match="not enough history"):
        market_daily(wh=market_wh, as_of=first + timedelta(days=20))
    assert not MarketDay.objects.exists()
