"""Writes of client-scoped data. The daily pipeline's results enter the operational store here."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pyarrow as pa
from django.db import connection, transaction

from panhuo.clients.models import Client, ClientSnapshot

CHUNK = 5000   # ids per IN (...) list: well under SQLite's variable limit

# Snapshot columns taken straight from the pipeline's result (result column -> model field).
DIRECT = {
    "cash_now": "cash", "market_value_now": "market_value", "last_trade_date": "last_trade_date",
    "days_since_last_trade": "days_since_last_trade", "trades_90d": "trades_90d",
    "commission_365d": "commission_365d", "tier": "tier", "value_tier": "value_tier", "lifecycle": "lifecycle",
    "is_dormant": "is_dormant", "is_chinaclear_dormant": "is_chinaclear_dormant",
    "position_band": "position_band", "profit_state": "profit_state", "trading_style": "trading_style",
    "personality": "personality", "personality_inferred": "personality_inferred", "p_alive": "p_alive",
    "expected_trading_days_90d": "expected_trading_days_90d", "churn_risk": "churn_risk",
}
MONEY = {"total_assets", "cash", "market_value", "commission_365d"}
# Kept out of the `features` JSON: identifiers, and what already has its own column.
NOT_FEATURES = {"client_id", "branch_id", "advisor_id", "churn_reasons", "churn_reasons_en", "assets_now",
                *DIRECT}


def _clean(v):
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, date):
        return v.isoformat()
    return v


def _chunks(items: list, n: int = CHUNK) -> Iterator[list]:
    for i in range(0, len(items), n):
        yield items[i:i + n]


def _rows(table: pa.Table, as_of: date, pk_by_code: dict[str, int], newer: set[int]) -> Iterator[dict]:
    cols = {name: table.column(name).to_pylist() for name in table.column_names}
    feature_names = [c for c in table.column_names if c not in NOT_FEATURES]
    zh = cols.get("churn_reasons") or [[]] * table.num_rows
    en = cols.get("churn_reasons_en") or [[]] * table.num_rows
    for i, code in enumerate(cols["client_id"]):
        pk = pk_by_code.get(code)
        if pk is None:
            continue
        row = {"client_id": pk, "as_of": as_of, "is_latest": pk not in newer,
               "total_assets": _clean(cols["assets_now"][i]) or 0.0}
        for src, dst in DIRECT.items():
            if src in cols:
                v = _clean(cols[src][i])
                if v is None:
                    field = ClientSnapshot._meta.get_field(dst)
                    v = None if field.null else field.get_default()
                row[dst] = v
        for m in MONEY:
            if m in row:
                row[m] = Decimal(f"{(row[m] or 0):.2f}")
        row["churn_reasons"] = [{"zh": a, "en": b} for a, b in zip(zh[i] or [], en[i] or [], strict=False)]
        row["features"] = {f: _clean(cols[f][i]) for f in feature_names}
        yield row


def snapshots_write(*, table: pa.Table, as_of: date) -> int:
    """Store one snapshot per client as of `as_of`; history is kept and the newest one is marked latest.

    Re-running a date replaces that date's rows. Clients unknown to the operational store are skipped.
    Bulk: COPY on PostgreSQL, batched INSERTs elsewhere. Returns the number of snapshots written.
    """
    if connection.vendor == "postgresql":
        return _write_set_based(table, as_of)
    codes = table.column("client_id").to_pylist()
    pk_by_code = {}
    for chunk in _chunks(codes):
        pk_by_code.update(Client.objects.filter(client_id__in=chunk).values_list("client_id", "pk"))
    pks = list(pk_by_code.values())
    with transaction.atomic():
        newer: set[int] = set()
        for chunk in _chunks(pks):
            ClientSnapshot.objects.filter(client_id__in=chunk, as_of=as_of).delete()
            # Unmark older latest rows first: the one-latest-per-client constraint holds at every statement.
            ClientSnapshot.objects.filter(client_id__in=chunk, is_latest=True, as_of__lt=as_of).update(is_latest=False)
            newer.update(ClientSnapshot.objects.filter(client_id__in=chunk, as_of__gt=as_of)
                         .values_list("client_id", flat=True))
        rows = _rows(table, as_of, pk_by_code, newer)
        n = 0
        batch: list[ClientSnapshot] = []
        for row in rows:
            batch.append(ClientSnapshot(**row))
            if len(batch) >= 2000:
                ClientSnapshot.objects.bulk_create(batch)
                n += len(batch)
                batch = []
        ClientSnapshot.objects.bulk_create(batch)
        return n + len(batch)


COPY_ROWS = 50_000   # snapshot rows built and sent at a time (about 100 MB of CSV)


def _write_set_based(table: pa.Table, as_of: date) -> int:
    """PostgreSQL: the rows built column by column (polars), a slice at a time, and streamed by COPY as CSV,
    after the day's delete and the unmarking of older latest rows as two set-based statements. The row by row
    build of `_rows` and the chunked ORM statements around it were most of the daily run's time at a million
    clients (bench_day, day.snapshots); slices keep the JSON text of a million clients (2 GB) out of memory."""
    import polars as pl
    from psycopg.copy import QueuedLibpqWriter

    snap, client = (connection.ops.quote_name(m._meta.db_table) for m in (ClientSnapshot, Client))
    n = 0
    with transaction.atomic(), connection.cursor() as cur:
        # The commit need not wait for its WAL flush: the transaction stays atomic, so a crash loses the whole
        # write or none of it (the daily run is rerun then), never part of it; other transactions are unaffected.
        cur.execute("SET LOCAL synchronous_commit = off")
        cur.execute(f"SELECT client_id, id FROM {client}")
        pks = pl.DataFrame(cur.fetchall(), schema={"code": pl.String, "client_id": pl.Int64}, orient="row")
        codes = pl.from_arrow(table.select(["client_id"])).rename({"client_id": "code"})
        ids = codes.join(pks, on="code", how="inner")["client_id"].to_list()     # clients unknown here: skipped
        cur.execute(f"DELETE FROM {snap} WHERE as_of = %s AND client_id = ANY(%s)", [as_of, ids])
        # older latest rows unmarked first: the one-latest-per-client constraint holds at every statement
        cur.execute(f"UPDATE {snap} SET is_latest = false WHERE is_latest AND as_of < %s AND client_id = ANY(%s)",
                    [as_of, ids])
        cur.execute(f"SELECT DISTINCT client_id FROM {snap} WHERE as_of > %s AND client_id = ANY(%s)", [as_of, ids])
        newer = [r[0] for r in cur.fetchall()]

        def rows(part: pa.Table):
            frame = _snapshot_frame(part).join(pks, on="code", how="inner")
            return frame.select(pl.col("client_id"), pl.lit(as_of).alias("as_of"),
                                (~pl.col("client_id").is_in(newer)).alias("is_latest"), pl.exclude("client_id", "code"))

        cols = ", ".join(connection.ops.quote_name(c) for c in rows(table.slice(0, 0)).columns)
        # A worker thread sends while the next slice is built: the server's COPY (jsonb parse, compression,
        # indexes) and polars' CSV then overlap instead of taking turns. Its queue is bounded (psycopg's).
        with cur.cursor.copy(f"COPY {snap} ({cols}) FROM STDIN (FORMAT csv)",
                             writer=QueuedLibpqWriter(cur.cursor)) as copy:
            for start in range(0, table.num_rows, COPY_ROWS):
                frame = rows(table.slice(start, COPY_ROWS))
                copy.write(frame.write_csv(include_header=False).encode())
                n += frame.height
    return n


def _snapshot_frame(table: pa.Table):
    """The snapshot rows `_rows` builds, as columns: client code first, then every column of ClientSnapshot but
    the key, the client, the date and the latest mark. NaN reads as missing; money is left to the column's
    rounding; `features` and `churn_reasons` are JSON text."""
    import polars as pl

    df = pl.from_arrow(table)
    names = set(df.columns)
    fixed = {"id", "client_id", "as_of", "is_latest"}
    nan_free = {c: (pl.col(c).fill_nan(None) if df.schema[c].is_float() else pl.col(c)) for c in df.columns}
    out = [pl.col("client_id").alias("code")]
    for f in ClientSnapshot._meta.concrete_fields:
        if f.attname in fixed:
            continue
        if f.attname == "total_assets":
            expr = nan_free["assets_now"].fill_null(0.0) if "assets_now" in names else pl.lit(0.0)
        elif f.attname == "features":
            feats = [c for c in df.columns if c not in NOT_FEATURES]
            expr = pl.struct([nan_free[c] for c in feats]).struct.json_encode() if feats else pl.lit("{}")
        elif f.attname == "churn_reasons":
            zh = df["churn_reasons"].to_list() if "churn_reasons" in names else [None] * df.height
            en = df["churn_reasons_en"].to_list() if "churn_reasons_en" in names else [None] * df.height
            expr = pl.Series([json.dumps([{"zh": a, "en": b} for a, b in zip(z or [], e or [], strict=False)],
                                         ensure_ascii=False) for z, e in zip(zh, en, strict=True)], dtype=pl.String)
            expr = pl.lit(expr)
        else:
            src = next((k for k, v in DIRECT.items() if v == f.attname), None)
            if src in names:
                expr = nan_free[src]
                if f.attname in MONEY:
                    expr = expr.fill_null(0.0)
                elif not f.null:
                    expr = expr.fill_null(f.get_default())
                if f.get_internal_type() == "IntegerField" and df.schema[src].is_float():
                    expr = expr.cast(pl.Int64)
            else:
                expr = pl.lit(None if f.null else f.get_default())
        out.append(expr.alias(f.column))
    return df.select(out)
