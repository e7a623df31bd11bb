"""The facade the market page calls returns plain dataclasses."""

from __future__ import annotations

import dataclasses

from panhuo.market import data, facade
from tests.conftest import shared_data


def test_pools_and_models_are_plain_data(tmp_path):
    bars, inst = data.load_baostock(shared_data("ashare_csi300_daily_baostock", "stocks_daily_2020_2023.csv.gz"),
                                    shared_data("ashare_mainboard_qfq_tushare", "stocklist_industry.csv"))
    data.write_parquet(bars, tmp_path / "bars.parquet")
    data.write_parquet(inst, tmp_path / "instruments.parquet")
    panel = facade.load_panel(tmp_path / "bars.parquet", tmp_path / "instruments.parquet")
    pools = facade.pools_today(panel, "2023-12-29", top=3)
    assert set(pools) == {m.name for m in facade.models()}
    entries = [e for es in pools.values() for e in es]
    assert entries and all(dataclasses.is_dataclass(e) and isinstance(e.close, float) for e in entries)
    assert all(len(es) <= 3 for es in pools.values())
    assert {m.regime for m in facade.models()} == {"strong", "consolidating", "weak"}
    idx = data.load_index_csv(shared_data("ashare_index_daily", "sh000300.csv"), "sh000300")
    g = facade.regime_gauge(idx, "2023-06-30", panel=panel)
    assert g.breadth is not None and 0 <= g.breadth <= 1          # the breadth vote uses the stock panel
