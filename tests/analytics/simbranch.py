"""A small simulated branch loaded straight into a warehouse (the importer's checks are not under test here)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

TABLES = ("clients", "trades", "daily_assets", "transfers", "positions", "bars")   # what the pipeline reads


def simulated_branch(out: Path, wh, *, clients: int = 3000, years: float = 2.0, seed: int = 7) -> date:
    """Simulate, load into `wh`, rebuild the aggregates; returns the last simulated date (the as-of)."""
    from panhuo.analytics.aggregates import refresh_aggregates
    from panhuo.simulate import SimConfig, simulate

    config = SimConfig(clients=clients, years=years, stocks=60, seed=seed)
    simulate(config, out)
    for name in TABLES:
        wh.con.execute(f"INSERT INTO {name} BY NAME SELECT * FROM read_parquet('{out / name}.parquet')")
    refresh_aggregates(wh)
    return config.end


def load_branch(out: Path, wh) -> None:
    """Load a branch `simulated_branch` already wrote to `out` into another warehouse (same input, no new draw)."""
    from panhuo.analytics.aggregates import refresh_aggregates

    for name in TABLES:
        wh.con.execute(f"INSERT INTO {name} BY NAME SELECT * FROM read_parquet('{out / name}.parquet')")
    refresh_aggregates(wh)
