"""`simulate()`: the market, then clients chunk by chunk, each chunk's tables appended to Parquet files.

Chunks are independent given the market (each has its own random stream, seeded by the run seed and the
chunk number), so memory stays bounded by the chunk size and the output is identical for identical arguments,
whether the chunks run in this process or, for large runs, in worker processes that rebuild the same market
from the seed.
"""

from __future__ import annotations

import multiprocessing
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from panhuo.simulate.calendar import month_end_mask, trading_days
from panhuo.simulate.clients import client_master, draw_latent
from panhuo.simulate.config import HORIZON_DAYS, SimConfig, SimSummary
from panhuo.simulate.market import Market, build_market
from panhuo.simulate.people import advisors_table
from panhuo.simulate.tables import (
    bars_table,
    fact_tables,
    instruments_table,
    regimes_table,
    table_schema,
    truth_table,
)
from panhuo.simulate.trading import ChunkResult, run_chunk
from panhuo.simulate.truth import roc_auc

Progress = Callable[[str, int, int], None]
FIRST_CLIENT_NUMBER = 8_000_000_001


# dictionary encoding pays only for repetitive columns; unique ids and prices would just waste the attempt
DICTIONARY_COLUMNS = {"client_id", "branch_id", "symbol", "side", "channel", "direction", "bank", "trade_date",
                      "date", "as_of_date", "region", "advisor_id", "industry", "board", "exchange"}


class Writers:
    """One ParquetWriter per table, opened on first use; row counts kept for the summary.

    A chunk's tables are written on a background thread while the next chunk is simulated (pyarrow releases
    the GIL), and at most one chunk waits, so memory stays bounded by two chunks.
    """

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.writers: dict[str, pq.ParquetWriter] = {}
        self.rows: dict[str, int] = {}
        self.pool = ThreadPoolExecutor(max_workers=1)
        self.pending: Future | None = None

    def write(self, name: str, table: pa.Table) -> None:
        if name not in self.writers:
            dictionary = [c for c in table.schema.names if c in DICTIONARY_COLUMNS]
            self.writers[name] = pq.ParquetWriter(self.out_dir / f"{name}.parquet", table.schema,
                                                  use_dictionary=dictionary)
            self.rows[name] = 0
        self.writers[name].write_table(table, row_group_size=2_000_000)
        self.rows[name] += table.num_rows

    def write_later(self, tables: list[tuple[str, pa.Table]]) -> None:
        self.wait()
        self.pending = self.pool.submit(lambda: [self.write(n, t) for n, t in tables])

    def wait(self) -> None:
        if self.pending is not None:
            self.pending.result()
            self.pending = None

    def close(self) -> None:
        self.wait()
        self.pool.shutdown()
        for w in self.writers.values():
            w.close()


@dataclass(frozen=True)
class ChunkJob:
    config: SimConfig
    chunk: int
    advisor_ids: tuple[str, ...]
    advisor_weights: tuple[float, ...]


@dataclass
class ChunkOutput:
    master: dict
    result: ChunkResult
    truth: pa.Table
    probability: np.ndarray     # of the clients alive on the last written day
    label: np.ndarray


_MARKETS: dict[tuple, Market] = {}


def span(config: SimConfig) -> tuple[np.ndarray, int]:
    """Trading days through the churn horizon, and how many of them are written."""
    days = trading_days(config.start, config.end + timedelta(days=HORIZON_DAYS))
    return days, int((days <= np.datetime64(config.end, "D")).sum())


def market_for(config: SimConfig) -> Market:
    """The run's market, built once per process (workers rebuild the identical market from the seed)."""
    key = (config.seed, config.stocks, config.start, config.end)
    if key not in _MARKETS:
        _MARKETS.clear()
        days, n_written = span(config)
        _MARKETS[key] = build_market(config.seed, config.stocks, days, n_written)
    return _MARKETS[key]


def simulate_chunk(job: ChunkJob, on_day: Callable[[int], None] | None = None) -> ChunkOutput:
    config, c = job.config, job.chunk
    mkt = market_for(config)
    days, n_written = mkt.days, mkt.n_written
    month_ends = np.zeros(len(days), dtype=bool)
    month_ends[:n_written] = month_end_mask(days[:n_written])
    written = np.arange(len(days)) < n_written
    asset_days = written if config.assets == "daily" else month_ends
    base = c * config.chunk_clients
    n = min(config.chunk_clients, config.clients - base)
    crng = np.random.default_rng([config.seed, 100, c])
    lat = draw_latent(crng, n, len(days), n_written, mkt.regime)
    master = client_master(crng, lat, FIRST_CLIENT_NUMBER + base, days, np.datetime64(config.end, "D"),
                           list(job.advisor_ids), np.array(job.advisor_weights))
    res = run_chunk(crng, lat, mkt, asset_days, month_ends, on_day=on_day)
    ids = pa.array(master["client_id"], pa.string())
    truth, p, label = truth_table(crng, res, lat, ids, np.array(master["do_not_contact"]), days, n_written)
    alive = (res.state_end == 1) | (res.state_end == 2)
    return ChunkOutput(master, res, truth, p[alive], label[alive])


def simulate(config: SimConfig, out_dir: Path, *, export: bool = False, progress: Progress | None = None,
             workers: int | None = None) -> SimSummary:
    """Write the branch to `out_dir`. `workers` > 1 runs chunks in that many processes (default: 2 when
    there are at least four chunks); the tables do not depend on it."""
    t0 = time.perf_counter()
    report = progress or (lambda stage, done, total: None)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    days, n_written = span(config)
    if n_written < 20:
        raise ValueError("the simulated span holds fewer than 20 trading days")
    report("market", 0, 1)
    mkt = market_for(config)
    report("market", 1, 1)

    writers = Writers(out_dir)
    writers.write("instruments", instruments_table(mkt))
    writers.write("bars", bars_table(mkt))
    writers.write("market_regimes", regimes_table(mkt))
    rng = np.random.default_rng([config.seed, 2])
    adv = advisors_table(rng, config.clients, days[0])
    writers.write("advisors", pa.table(adv, schema=table_schema("advisors")))
    level_w = {"junior": 0.6, "senior": 1.0, "principal": 1.5}
    weights = rng.lognormal(0, 0.7, len(adv["advisor_id"])) * np.array([level_w[x] for x in adv["level"]])
    weights *= np.where(adv["active"], 1.0, 0.3)
    weights /= weights.sum()

    n_chunks = -(-config.clients // config.chunk_clients)
    if n_chunks > 999:
        raise ValueError("more than 999 chunks: raise chunk_clients")
    jobs = [ChunkJob(config, c, tuple(adv["advisor_id"]), tuple(weights.tolist())) for c in range(n_chunks)]
    workers = (2 if n_chunks >= 4 else 1) if workers is None else max(1, workers)
    probs, labels = [], []
    steps = n_chunks * len(days)
    report("clients", 0, steps)
    for c, out in enumerate(_outputs(jobs, workers, lambda c, t: report("clients", c * len(days) + t, steps))):
        ids = pa.array(out.master["client_id"], pa.string())
        writers.write_later([("clients", pa.table(out.master, schema=table_schema("clients"))),
                             *fact_tables(out.result, mkt, ids, c), ("truth", out.truth)])
        probs.append(out.probability)
        labels.append(out.label)
        report("clients", (c + 1) * len(days), steps)
    writers.close()
    p, y = np.concatenate(probs), np.concatenate(labels)
    summary = SimSummary(out_dir=str(out_dir), start=days[0].astype(object), end=config.end, rows=dict(writers.rows),
                         churn_rate_90d=float(y.mean()) if len(y) else 0.0,
                         mean_churn_probability=float(p.mean()) if len(p) else 0.0,
                         ceiling_auc=roc_auc(p, y))
    if export:
        from panhuo.simulate.export import write_export

        summary.export_dir = str(write_export(out_dir, progress=report))
    summary.seconds = round(time.perf_counter() - t0, 2)
    return summary


def _outputs(jobs: list[ChunkJob], workers: int, on_day: Callable[[int, int], None]):
    """Chunk outputs in chunk order; with workers, at most workers + 1 chunks are in flight (bounded memory)."""
    if workers == 1:
        for job in jobs:
            yield simulate_chunk(job, on_day=lambda t, c=job.chunk: on_day(c, t))
        return
    # spawn, not fork: this process already runs pyarrow and writer threads
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        pending: deque[Future] = deque()
        queue = iter(jobs)
        for job in queue:
            pending.append(pool.submit(simulate_chunk, job))
            if len(pending) > workers:
                break
        while pending:
            out = pending.popleft().result()
            nxt = next(queue, None)
            if nxt is not None:
                pending.append(pool.submit(simulate_chunk, nxt))
            yield out
