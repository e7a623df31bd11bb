"""Market data in the canonical `bars` / `instruments` tables (DESIGN.md), from CSV or Parquet.

Three loaders convert the reference data sets as they come (no hand-editing):
baostock daily CSV (`sh.600000` codes, unadjusted, with preclose / tradestatus / isST), Tushare
forward-adjusted CSV (6-digit codes, volume in lots, close before high) and baostock-format index CSV.
`bars` may carry extra columns the rules need: `is_st` (per day), `suspended` and `no_limit`. Without a per-day
`is_st`, the panel takes each instrument's `is_st` (panel.build_panel), so ST price limits still apply.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from panhuo.market import rules
from panhuo.warehouse.schema import TABLES

BAR_COLUMNS = TABLES["bars"].column_names
INSTRUMENT_COLUMNS = TABLES["instruments"].column_names
BAR_EXTRA = ["is_st", "suspended", "no_limit"]

RELIST_AFTER = 120  # suspended trading days after which a resumption counts as a relisting

_BAR_TYPES = {"symbol": pl.Utf8, "trade_date": pl.Date, **{c: pl.Float64 for c in BAR_COLUMNS[2:]},
              "is_st": pl.Boolean, "suspended": pl.Boolean, "no_limit": pl.Boolean}
_INSTRUMENT_TYPES = {"symbol": pl.Utf8, "name": pl.Utf8, "exchange": pl.Utf8, "board": pl.Utf8,
                     "industry": pl.Utf8, "list_date": pl.Date, "is_st": pl.Boolean}


def _conform(df: pl.DataFrame, types: dict[str, pl.DataType], required: list[str]) -> pl.DataFrame:
    """Canonical column order and types; missing optional columns become null."""
    missing = [c for c in ("symbol",) + (("trade_date",) if "trade_date" in required else ()) if c not in df.columns]
    if missing:
        raise ValueError(f"missing required columns {missing}")
    cols = [c for c in types if c in required or c in df.columns]
    return df.select([(pl.col(c) if c in df.columns else pl.lit(None)).cast(types[c]).alias(c) for c in cols])


def conform_bars(df: pl.DataFrame) -> pl.DataFrame:
    return _conform(df, _BAR_TYPES, BAR_COLUMNS).sort("symbol", "trade_date")


def conform_instruments(df: pl.DataFrame) -> pl.DataFrame:
    return _conform(df, _INSTRUMENT_TYPES, INSTRUMENT_COLUMNS).sort("symbol")


def _read(path: Path | str) -> pl.DataFrame:
    p = Path(path)
    if p.suffix == ".parquet":
        return pl.read_parquet(p)
    return pl.read_csv(p, try_parse_dates=True, infer_schema_length=10000,
                       schema_overrides={"symbol": pl.Utf8})


def read_bars(path: Path | str) -> pl.DataFrame:
    """Canonical bars from a CSV or Parquet file that already uses the canonical column names."""
    df = _read(path)
    if df.schema.get("trade_date") == pl.Utf8:
        df = df.with_columns(pl.col("trade_date").str.to_date())
    return conform_bars(df)


def read_instruments(path: Path | str) -> pl.DataFrame:
    df = _read(path)
    if df.schema.get("list_date") == pl.Utf8:
        df = df.with_columns(pl.col("list_date").str.to_date(strict=False))
    return conform_instruments(df)


def _symbols(codes: pl.Series) -> pl.Series:
    return codes.map_elements(rules.canonical_symbol, return_dtype=pl.Utf8)


def name_is_st(name: str | None) -> bool:
    """A risk-warning name: the exchanges prefix it with ST or *ST (also SST, S*ST), e.g. "*ST国华"."""
    return bool(name) and "ST" in name.upper()


def instruments_for(symbols: list[str], industry_csv: Path | str | None = None,
                    first_dates: dict[str, object] | None = None, panel_start=None,
                    st_now: dict[str, bool] | None = None) -> pl.DataFrame:
    """Instrument rows for symbols: exchange and board from the code, name / industry from a Tushare
    `stock_basic` list, list_date = first bar when that falls after the data set's first day (a listing
    inside the data), else unknown. is_st from `st_now` (the data's own flag on its last day) where given,
    else from the list's name (`name_is_st`): the status on the date the list was taken."""
    meta: dict[str, dict] = {}
    if industry_csv is not None:
        ind = pl.read_csv(industry_csv, schema_overrides={"symbol": pl.Utf8})
        meta = {r["ts_code"]: r for r in ind.iter_rows(named=True)}
    rows = []
    for s in symbols:
        m = meta.get(s, {})
        first = (first_dates or {}).get(s)
        rows.append({"symbol": s, "name": m.get("name"), "exchange": s.split(".")[1], "board": rules.board_of(s),
                     "industry": m.get("industry"),
                     "list_date": first if (first is not None and panel_start is not None and first > panel_start) else None,
                     "is_st": (st_now or {}).get(s, name_is_st(m.get("name")))})
    return conform_instruments(pl.DataFrame(rows, schema=_INSTRUMENT_TYPES))


def load_baostock(path: Path | str, industry_csv: Path | str | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(bars, instruments) from a baostock `query_history_k_data_plus` daily CSV (gz allowed).

    Suspended rows (tradestatus 0) keep their flat price and get volume 0 and `suspended`; `turn` is in
    percent as in the canonical table; prices stay unadjusted and adj_factor is derived from preclose.
    """
    raw = pl.read_csv(path, infer_schema_length=20000, schema_overrides={"code": pl.Utf8, "date": pl.Utf8})
    bars = raw.select(
        _symbols(raw["code"]).alias("symbol"),
        pl.col("date").str.to_date().alias("trade_date"),
        "open", "high", "low", "close", pl.col("preclose").alias("pre_close"),
        pl.col("volume").fill_null(0.0), pl.col("amount").fill_null(0.0), pl.col("turn").alias("turnover_rate"),
        (pl.col("isST") == 1).alias("is_st"), (pl.col("tradestatus") == 0).alias("suspended"),
    ).sort("symbol", "trade_date")
    # Backward adjustment factor from the exchange's own reference price: on an ex-rights day preclose is
    # below the previous close, and prev_close / preclose is that day's adjustment; the running product
    # makes close × adj_factor a total-return price series (1.0 on each symbol's first row).
    bars = bars.with_columns(
        (pl.col("close").shift(1).over("symbol") / pl.col("pre_close")).fill_null(1.0)
        .cum_prod().over("symbol").alias("adj_factor"))
    # A relisting (恢复上市) day has no price limit. baostock shows both trading halts and a listing
    # suspension as suspended rows; since 2018 halts are capped at a few months, so a session after more
    # than RELIST_AFTER suspended days (or after market days with no row at all) is taken as a relisting.
    market_day = bars.select(pl.col("trade_date").unique().sort()).with_row_index("k")
    bars = (bars.join(market_day, on="trade_date").sort("symbol", "trade_date")
            .with_columns(
                (pl.col("k") - pl.col("k").shift(1).over("symbol") > 1).fill_null(False).alias("_gap"),
                pl.when(pl.col("suspended")).then(None).otherwise(pl.col("k")).alias("_trade_k"))
            .with_columns(pl.col("_trade_k").forward_fill().shift(1).over("symbol").alias("_last_trade"))
            .with_columns((pl.col("_gap") | (~pl.col("suspended") & (pl.col("k") - pl.col("_last_trade") > RELIST_AFTER))
                           ).fill_null(False).alias("no_limit"))
            .drop("k", "_gap", "_trade_k", "_last_trade"))
    bars = conform_bars(bars)
    first = bars.group_by("symbol").agg(pl.col("trade_date").min().alias("first"),
                                        pl.col("is_st").last().alias("st"))
    inst = instruments_for(first["symbol"].to_list(), industry_csv,
                           dict(zip(first["symbol"], first["first"], strict=True)), bars["trade_date"].min(),
                           dict(zip(first["symbol"], first["st"], strict=True)))
    return bars, inst


def load_tushare_qfq(path: Path | str, industry_csv: Path | str | None = None,
                     namechange_csv: Path | str | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(bars, instruments) from Tushare forward-adjusted daily bars (`symbol,date,open,close,high,low,volume`).

    Volume comes in lots of 100 shares; there is no pre_close, amount or turnover: pre_close is the previous
    adjusted close (exact for qfq within the data), amount is estimated as volume × (O+H+L+C)/4 and
    turnover stays unknown. Prices are already adjusted, so adj_factor is 1.

    ST: the bars carry no flag. With Tushare's `namechange` table (`ts_code,name,start_date,end_date`, dates
    YYYYMMDD) each day is flagged by the name in force (`is_st`), and the instrument by its last day; without
    it the instrument's `is_st` comes from its name in the `stock_basic` list, the status when the list was taken.
    """
    raw = pl.read_csv(path, schema_overrides={"symbol": pl.Utf8, "date": pl.Utf8})
    bars = raw.select(
        _symbols(raw["symbol"].str.zfill(6)).alias("symbol"),
        pl.col("date").str.to_date().alias("trade_date"),
        "open", "high", "low", "close",
        (pl.col("volume") * 100).alias("volume"),
    ).sort("symbol", "trade_date").with_columns(
        pl.col("close").shift(1).over("symbol").alias("pre_close"),
        (pl.col("volume") * (pl.col("open") + pl.col("high") + pl.col("low") + pl.col("close")) / 4).alias("amount"),
        pl.lit(1.0).alias("adj_factor"), pl.lit(False).alias("suspended"),
    )
    if namechange_csv is not None:
        bars = bars.with_columns(st_days(bars, namechange_csv).alias("is_st"))
    bars = conform_bars(bars)
    first = bars.group_by("symbol").agg(pl.col("trade_date").min().alias("first"),
                                        pl.col("is_st").last().alias("st") if "is_st" in bars.columns
                                        else pl.lit(None, pl.Boolean).alias("st"))
    st_now = {s: st for s, st in zip(first["symbol"], first["st"], strict=True) if st is not None}
    inst = instruments_for(first["symbol"].to_list(), industry_csv,
                           dict(zip(first["symbol"], first["first"], strict=True)), bars["trade_date"].min(), st_now)
    return bars, inst


def st_days(bars: pl.DataFrame, namechange_csv: Path | str) -> pl.Series:
    """Per bar (in `bars`' order): whether the name in force that day, by Tushare's `namechange` table, is a
    risk-warning (ST) name. A name whose end_date is empty is still in force."""
    nc = pl.read_csv(namechange_csv, infer_schema_length=0)
    spans = (nc.filter(pl.col("name").map_elements(name_is_st, return_dtype=pl.Boolean))
             .select(pl.col("ts_code").map_elements(rules.canonical_symbol, return_dtype=pl.Utf8).alias("symbol"),
                     pl.col("start_date").str.to_date("%Y%m%d").alias("_from"),
                     pl.col("end_date").str.to_date("%Y%m%d", strict=False).alias("_to")))
    keyed = bars.select("symbol", "trade_date").with_row_index("_i")
    hits = (keyed.join(spans, on="symbol")
            .filter((pl.col("trade_date") >= pl.col("_from"))
                    & (pl.col("_to").is_null() | (pl.col("trade_date") <= pl.col("_to"))))
            .select("_i").unique())
    return keyed["_i"].is_in(hits["_i"].implode()).alias("is_st")


def load_index_csv(path: Path | str, symbol: str) -> pl.DataFrame:
    """Canonical bars of one index from a baostock-format CSV (`date,open,close,high,low,volume,amount,turn,pctChg`).

    Empty rows (e.g. SZSE Component, Feb 1995) are dropped; pre_close is the previous close.
    """
    raw = pl.read_csv(path, schema_overrides={"date": pl.Utf8}, infer_schema_length=20000)
    bars = (raw.filter(pl.col("close").is_not_null())
            .select(pl.lit(rules.canonical_symbol(symbol)).alias("symbol"),
                    pl.col("date").str.to_date().alias("trade_date"),
                    "open", "high", "low", "close", "volume", "amount",
                    pl.col("turn").alias("turnover_rate"), pl.lit(1.0).alias("adj_factor"))
            .sort("trade_date")
            .with_columns(pl.col("close").shift(1).alias("pre_close")))
    return conform_bars(bars)


def write_parquet(df: pl.DataFrame, path: Path | str) -> Path:
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    df.write_parquet(p)
    return p


def store(warehouse, bars: pl.DataFrame | None = None, instruments: pl.DataFrame | None = None) -> dict[str, int]:
    """Upsert canonical columns into the warehouse tables `bars` / `instruments` (idempotent by key)."""
    counts = {}
    with warehouse.transaction() as con:
        for name, df, cols, key in (("bars", bars, BAR_COLUMNS, "symbol, trade_date"),
                                    ("instruments", instruments, INSTRUMENT_COLUMNS, "symbol")):
            if df is None:
                continue
            view = df.select(cols).to_arrow()
            con.register("_incoming", view)
            # DuckDB keeps a statement's result open until fetched; fetch so the next statement may run.
            con.execute(f"DELETE FROM {name} WHERE ({key}) IN (SELECT {key} FROM _incoming)").fetchall()
            con.execute(f"INSERT INTO {name} SELECT {', '.join(cols)} FROM _incoming").fetchall()
            con.unregister("_incoming")
            counts[name] = df.height
    return counts


def fetch(warehouse, symbols: list[str] | None = None, start=None, end=None) -> pl.DataFrame:
    """Bars back from the warehouse, optionally limited to symbols and a date range."""
    where, params = [], []
    if symbols:
        where.append(f"symbol IN ({', '.join('?' for _ in symbols)})")
        params += symbols
    if start is not None:
        where.append("trade_date >= ?")
        params.append(start)
    if end is not None:
        where.append("trade_date <= ?")
        params.append(end)
    sql = "SELECT * FROM bars" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY symbol, trade_date"
    # A cursor of its own: another caller may have left a result open on the shared connection.
    return warehouse.con.cursor().sql(sql, params=params).pl()
