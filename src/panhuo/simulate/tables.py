"""Arrow tables from the simulator's arrays: the canonical schemas, ids as a back office numbers them."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from panhuo.simulate.config import CHANNELS
from panhuo.simulate.market import Market
from panhuo.simulate.people import BANKS
from panhuo.simulate.trading import ChunkResult
from panhuo.simulate.truth import churn_probability, true_uplift
from panhuo.warehouse.schema import TABLES

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


def _dates(days: np.ndarray, idx: np.ndarray) -> pa.Array:
    return pa.array(days[idx], pa.date32())


def _ids(day_values: np.ndarray, days: np.ndarray, chunk: int) -> pa.Array:
    """Sequence numbers like a back office's: YYYYMMDD, then chunk, then the rank within the day."""
    if len(day_values) == 0:
        return pa.array([], pa.string())
    start = np.searchsorted(day_values, day_values, side="left")
    seq = np.arange(len(day_values)) - start
    if seq.max() >= 10**7:
        raise ValueError("over ten million records in one chunk and day: lower chunk_clients")
    ymd = np.char.replace(np.datetime_as_string(days, unit="D"), "-", "").astype(np.int64)
    num = ymd[day_values] * 10**10 + chunk * 10**7 + seq
    return pc.cast(pa.array(num, pa.int64()), pa.string())


def fact_tables(res: ChunkResult, mkt: Market, ids: pa.Array, chunk: int) -> list[tuple[str, pa.Table]]:
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


def truth_table(rng, res: ChunkResult, lat, ids: pa.Array, dnc: np.ndarray, days: np.ndarray, n_written: int):
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


def instruments_table(m: Market) -> pa.Table:
    """The canonical columns plus share count and CSI 300 membership, so index levels can be checked."""
    schema = table_schema("instruments").append(pa.field("total_shares", pa.float64()))
    schema = schema.append(pa.field("in_csi300", pa.bool_()))
    return pa.table({"symbol": m.symbols, "name": m.names, "exchange": m.exchange, "board": m.board,
                     "industry": m.industry, "list_date": pa.array(m.list_date, pa.date32()), "is_st": m.is_st,
                     "total_shares": m.shares, "in_csi300": m.index_members["000300.SH"]}, schema=schema)


def regimes_table(m: Market) -> pa.Table:
    """The market's true phase per written day: ground truth for a regime classifier."""
    names = np.array(["bull", "bear", "range"])
    return pa.table({"trade_date": pa.array(m.days[:m.n_written], pa.date32()),
                     "regime": names[m.regime[:m.n_written]]})


def bars_table(m: Market) -> pa.Table:
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
