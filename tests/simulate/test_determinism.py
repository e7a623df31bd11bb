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


def test_daily_and_monthly_assets_simulate_the_same_branch(tmp_path):
    simulate(SimConfig(seed=9, assets="daily", **TINY), tmp_path / "d")
    simulate(SimConfig(seed=9, assets="monthly", **TINY), tmp_path / "m")
    for name in ("trades", "transfers", "positions", "truth"):
        assert pq.read_table(tmp_path / "d" / f"{name}.parquet").equals(
            pq.read_table(tmp_path / "m" / f"{name}.parquet")), name
    daily = pq.read_table(tmp_path / "d" / "daily_assets.parquet").to_pandas()
    monthly = pq.read_table(tmp_path / "m" / "daily_assets.parquet").to_pandas()
    assert len(monthly) < len(daily) / 10
    merged = monthly.merge(daily, on=["client_id", "date"], suffixes=("", "_d"))
    assert len(merged) == len(monthly) and (merged.total_assets == merged.total_assets_d).all()


def test_worker_processes_write_the_same_tables(tmp_path):
    config = SimConfig(seed=4, clients=400, years=0.5, stocks=60, end=date(2026, 10, 30), chunk_clients=100)
    one = simulate(config, tmp_path / "one", workers=1)
    two = simulate(config, tmp_path / "two", workers=2)
    assert one.rows == two.rows and one.ceiling_auc == two.ceiling_auc
    for name in NAMES:
        assert pq.read_table(tmp_path / "one" / f"{name}.parquet").equals(
            pq.read_table(tmp_path / "two" / f"{name}.parquet")), name
