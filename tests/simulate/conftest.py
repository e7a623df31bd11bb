"""One small simulated branch shared by the simulator tests (a couple of seconds to build)."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from panhuo.simulate import SimConfig, simulate

TABLES = ("clients", "advisors", "trades", "daily_assets", "transfers", "positions", "instruments", "bars",
          "truth", "market_regimes")
# two years ending here hold bull, bear and range phases for this seed (checked in test_market)
SMALL = SimConfig(clients=4000, years=2.0, seed=20261128, stocks=120, end=date(2026, 10, 30), chunk_clients=1500)


@pytest.fixture(scope="session")
def sim(tmp_path_factory):
    out = tmp_path_factory.mktemp("sim")
    summary = simulate(SMALL, out, export=True)
    return out, summary


@pytest.fixture(scope="session")
def sdb(sim):
    """DuckDB over the simulated Parquet files, one view per table."""
    out, _ = sim
    con = duckdb.connect()
    for t in TABLES:
        con.execute(f"CREATE VIEW {t} AS SELECT * FROM read_parquet('{out / (t + '.parquet')}')")
    yield con
    con.close()


def scalar(con, sql: str, params=None):
    return con.execute(sql, params or []).fetchone()[0]
