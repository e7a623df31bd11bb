"""`simulate()`: the market, then clients chunk by chunk, each chunk's tables appended to Parquet files.

Chunks are independent given the market (each has its own random stream, seeded by the run seed and the
chunk number), so memory stays bounded by the chunk size and the output is identical for identical arguments.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from panhuo.simulate.calendar import month_end_mask, trading_days
from panhuo.simulate.clients import client_master, draw_latent
from panhuo.simulate.config import CHANNELS, HORIZON_DAYS, SimConfig, SimSummary
from panhuo.simulate.market import Market, build_market
from panhuo.simulate.people import BANKS, advisors_table
from panhuo.simulate.trading import ChunkResult, run_chunk
from panhuo.simulate.truth import churn_probability, roc_auc, true_uplift
from panhuo.warehouse.schema import TABLES

Progress = Callable[[str, int, int], None]
FIRST_CLIENT_NUMBER = 8_000_000_001
TRUTH_SCHEMA = pa.schema([
    ("client_id", pa.string()), ("dropout_date", pa.date32()), ("churns_in_next_90d", pa.bool_()),
    ("churn_probability_90d", pa.float64()), ("base_response", pa.float64()),
    *[(f"response_{c}", pa.float64()) for c in CHANNELS], ("true_uplift", pa.float64()),
    ("alive_at_end", pa.bool_()), ("latent_state_end", pa.string()), ("drainer", pa.bool_()),
    ("hazard_end", pa.float64()), ("engagement_end", pa.float64()),
])
ARROW_TYPES = {"VARCHAR": pa.string(), "DATE": pa.date32(), "DOUBLE": pa.float64(), "BIGINT": pa.int64(),
               "INTEGER": pa.int32(), "BOOLEAN": pa.bool_(), "TIMESTAMP": pa.timestamp("s")}


def table_schema(name: str) -> pa.Schema:
    return pa.schema([(c.name, ARROW_TYPES[c.sql_type]) for c in TABLES[name].columns])


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


def simulate(config: SimConfig, out_dir: Path, *, export: bool = False,
             progress: Progress | None = None) -> SimSummary:
    t0 = time.perf_counter()
    report = progress or (lambda stage, done, total: None)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    days = trading_days(config.start, config.end + timedelta(days=HORIZON_DAYS))
    n_written = int((days <= np.datetime64(config.end, "D")).sum())
    if n_written < 20:
        raise ValueError("the simulated span holds fewer than 20 trading days")
    report("market", 0, 1)
    mkt = build_market(config.seed, config.stocks, days, n_written)
    report("market", 1, 1)

    written = np.zeros(len(days), dtype=bool)
    written[:n_written] = True
    month_ends = np.zeros(len(days), dtype=bool)
    month_ends[:n_written] = month_end_mask(days[:n_written])
    asset_days = written if config.assets == "daily" else month_ends

    writers = Writers(out_dir)
    writers.write("instruments", _instruments(mkt))
    writers.write("bars", _bars(mkt))
    writers.write("market_regimes", _regimes(mkt))
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
    probs, labels = [], []
    end = np.datetime64(config.end, "D")
    steps = n_chunks * len(days)
    for c in range(n_chunks):
        report("clients", c * len(days), steps)
        base = c * config.chunk_clients
        n = min(config.chunk_clients, config.clients - base)
        crng = np.random.default_rng([config.seed, 100, c])
        lat = draw_latent(crng, n, len(days), n_written, mkt.regime)
        master = client_master(crng, lat, FIRST_CLIENT_NUMBER + base, days, end, adv["advisor_id"], weights)
        res = run_chunk(crng, lat, mkt, asset_days, month_ends,
                        on_day=lambda t, c=c: report("clients", c * len(days) + t, steps))
        ids = pa.array(master["client_id"], pa.string())
        truth, p, label = _truth(crng, res, lat, ids, np.array(master["do_not_contact"]), days, n_written)
        writers.write_later([("clients", pa.table(master, schema=table_schema("clients"))),
                             *_facts(res, mkt, ids, c), ("truth", truth)])
        alive = (res.state_end == 1) | (res.state_end == 2)
        del res
        probs.append(p[alive])
        labels.append(label[alive])
    report("clients", steps, steps)
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


def _dates(days: np.ndarray, idx: np.ndarray) -> pa.Array:
    return pa.array(days[idx], pa.date32())


def _ids(day_values: np.ndarray, days: np.ndarray, chunk: int) -> pa.Array:
    """Sequence numbers like a back office's: YYYYMMDD, then chunk, then the rank within the day."""
    if len(day_values) == 0:
        return pa.array([], pa.string())
    start = np.searchsorted(day_values, day_values, side="left")
    seq = np.arange(len(day_values)) - start
    ymd = np.char.replace(np.datetime_as_string(days, unit="D"), "-", "").astype(np.int64)
    num = ymd[day_values] * 10**10 + chunk * 10**7 + seq
    return pc.cast(pa.array(num, pa.int64()), pa.string())


def _facts(res: ChunkResult, mkt: Market, ids: pa.Array, chunk: int) -> list[tuple[str, pa.Table]]:
    out = []
    days, symbols = mkt.days, pa.array(mkt.symbols, pa.string())
    tr = res.trades
    out.append(("trades", pa.table({
        "trade_id": _ids(tr["day"], days, chunk), "client_id": ids.take(tr["idx"]),
        "trade_date": _dates(days, tr["day"]), "symbol": symbols.take(tr["sym"]),
        "side": pa.array(["B", "S"]).take(tr["side"]), "quantity": pa.array(tr["qty"], pa.int64()),
        "price": tr["price"], "amount": tr["amount"], "commission": tr["commission"],
        "stamp_duty": tr["stamp_duty"], "transfer_fee": tr["transfer_fee"],
        "channel": pa.array(["online", "counter", "phone"]).take(tr["channel"]),
    }, schema=table_schema("trades"))))
    tf = res.transfers
    order = np.lexsort((tf["second"], tf["day"]))
    tf = {k: v[order] for k, v in tf.items()}
    when = days[tf["day"]].astype("datetime64[s]") + tf["second"].astype("timedelta64[s]")
    out.append(("transfers", pa.table({
        "transfer_id": _ids(tf["day"], days, chunk), "client_id": ids.take(tf["idx"]),
        "transfer_time": pa.array(when, pa.timestamp("s")),
        "direction": pa.array(["in", "out"]).take(tf["direction"]), "amount": tf["amount"],
        "bank": pa.array(BANKS).take(tf["bank"]),
    }, schema=table_schema("transfers"))))
    a = res.assets
    out.append(("daily_assets", pa.table({
        "client_id": ids.take(a["idx"]), "date": _dates(days, a["day"]), "cash": a["cash"],
        "market_value": a["market_value"], "total_assets": a["total_assets"], "net_transfer": a["net_transfer"],
    }, schema=table_schema("daily_assets"))))
    po = res.positions
    out.append(("positions", pa.table({
        "as_of_date": _dates(days, po["day"]), "client_id": ids.take(po["idx"]), "symbol": symbols.take(po["sym"]),
        "quantity": pa.array(po["qty"], pa.int64()), "cost_price": po["cost_price"],
        "close_price": po["close_price"], "market_value": po["market_value"],
    }, schema=table_schema("positions"))))
    return out


def _truth(rng, res: ChunkResult, lat, ids: pa.Array, dnc: np.ndarray, days: np.ndarray, n_written: int):
    horizon = len(days) - n_written
    p = churn_probability(res.state_end, res.draining_end, res.hazard_end, lat.exit_rate, lat.drain_rate,
                          lat.drainer, res.total_end, horizon)
    alive = (res.state_end == 1) | (res.state_end == 2)
    dropped_later = res.dropout_day >= n_written
    outflow = (res.total_end >= 1.0) & (res.horizon_net_out >= 0.5 * res.total_end)
    label = alive & (dropped_later | outflow)
    dropout = res.dropout_day >= 0
    cols = {
        "client_id": ids,
        "dropout_date": pa.array(np.where(dropout, days[np.maximum(res.dropout_day, 0)], np.datetime64("NaT")),
                                 pa.date32()),
        "churns_in_next_90d": label, "churn_probability_90d": np.round(p, 6),
        "base_response": np.round(lat.base_response, 5),
        **{f"response_{c}": np.round(lat.channel_response[c], 5) for c in CHANNELS},
        "true_uplift": true_uplift(rng, lat.base_response, res.rate_end, dnc),
        "alive_at_end": alive,
        "latent_state_end": pa.array(np.array(["opening", "active", "leaving", "gone"])[res.state_end]),
        "drainer": lat.drainer, "hazard_end": np.round(res.hazard_end, 7), "engagement_end": np.round(res.z_end, 4),
    }
    return pa.table(cols, schema=TRUTH_SCHEMA), p, label


def _instruments(m: Market) -> pa.Table:
    """The canonical columns plus share count and CSI 300 membership, so index levels can be checked."""
    schema = table_schema("instruments").append(pa.field("total_shares", pa.float64()))
    schema = schema.append(pa.field("in_csi300", pa.bool_()))
    return pa.table({"symbol": m.symbols, "name": m.names, "exchange": m.exchange, "board": m.board,
                     "industry": m.industry, "list_date": pa.array(m.list_date, pa.date32()), "is_st": m.is_st,
                     "total_shares": m.shares, "in_csi300": m.index_members["000300.SH"]}, schema=schema)


def _regimes(m: Market) -> pa.Table:
    """The market's true phase per written day: ground truth for a regime classifier."""
    names = np.array(["bull", "bear", "range"])
    return pa.table({"trade_date": pa.array(m.days[:m.n_written], pa.date32()),
                     "regime": names[m.regime[:m.n_written]]})


def _bars(m: Market) -> pa.Table:
    nw, M = m.n_written, len(m.symbols)
    def flat(a):
        return a[:nw].T.reshape(-1)
    parts = {"symbol": np.repeat(m.symbols, nw), "trade_date": np.tile(m.days[:nw], M),
             "open": flat(m.open), "high": flat(m.high), "low": flat(m.low), "close": flat(m.close),
             "pre_close": flat(m.pre_close), "volume": flat(m.volume), "amount": flat(m.amount),
             "turnover_rate": flat(m.turnover), "adj_factor": np.ones(nw * M)}
    for sym, ix in m.indices.items():
        extra = {"symbol": np.repeat(sym, nw), "trade_date": m.days[:nw], "open": ix["open"][:nw],
                 "high": ix["high"][:nw], "low": ix["low"][:nw], "close": ix["close"][:nw],
                 "pre_close": ix["pre_close"][:nw], "volume": ix["volume"][:nw], "amount": ix["amount"][:nw],
                 "turnover_rate": ix["turnover"][:nw], "adj_factor": np.ones(nw)}
        parts = {k: np.concatenate([parts[k], extra[k]]) for k in parts}
    parts["trade_date"] = pa.array(parts["trade_date"], pa.date32())
    return pa.table(parts, schema=table_schema("bars"))
