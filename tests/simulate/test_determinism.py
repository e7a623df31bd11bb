"""Same arguments and seed, same tables; another seed, other tables. A span across the stamp-duty cut."""

from __future__ import annotations

from datetime import date

import pyarrow.parquet as pq

from panhuo.simulate import SimConfig, simulate

TINY = dict(clients=400, years=0.5, stocks=60, end=date(2026, 10, 30), chunk_clients=150)
NAMES = ("clients", "advisors", "trades", "daily_assets", "transfers", "positions", "instruments", "bars", "truth")


def test_same_seed_same_tables_other_seed_other_tables(tmp_path):
    a = simulate(SimConfig(seed=5, **TINY), tmp_path / "a")
    b = simulate(SimConfig(seed=5, **TINY), tmp_path / "b")
    simulate(SimConfig(seed=6, **TINY), tmp_path / "c")
    assert a.rows == b.rows and a.ceiling_auc == b.ceiling_auc
    for name in NAMES:
        assert pq.read_table(tmp_path / "a" / f"{name}.parquet").equals(
            pq.read_table(tmp_path / "b" / f"{name}.parquet")), name
    assert not pq.read_table(tmp_path / "a" / "trades.parquet").equals(pq.read_table(tmp_path / "c" / "trades.parquet"))


def test_stamp_duty_halves_on_2023_08_28(tmp_path):
    simulate(SimConfig(clients=300, years=1.0, stocks=60, end=date(2024, 3, 29), chunk_clients=300), tmp_path)
    t = pq.read_table(tmp_path / "trades.parquet").to_pandas()
    sells = t[t.side == "S"]
    rate = sells.stamp_duty / sells.amount
    before = rate[sells.trade_date < date(2023, 8, 28)]
    after = rate[sells.trade_date >= date(2023, 8, 28)]
    assert len(before) > 50 and len(after) > 50
    assert abs(before.median() - 0.001) < 1e-5 and abs(after.median() - 0.0005) < 1e-5
