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
        if connection.vendor == "postgresql":
            return _copy(rows)
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


def _copy(rows: Iterator[dict]) -> int:
    """PostgreSQL COPY ... FROM STDIN through psycopg 3: one round trip for the whole run."""
    fields = {f.attname: f.column for f in ClientSnapshot._meta.concrete_fields if not f.primary_key}
    names = list(fields)
    sql = (f'COPY {connection.ops.quote_name(ClientSnapshot._meta.db_table)} '
           f'({", ".join(connection.ops.quote_name(fields[n]) for n in names)}) FROM STDIN')
    n = 0
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            row = {**row, "churn_reasons": json.dumps(row["churn_reasons"], ensure_ascii=False),
                   "features": json.dumps(row["features"], ensure_ascii=False)}
            copy.write_row([row.get(name, _field_default(name)) for name in names])
            n += 1
    return n


def _field_default(attname: str):
    field = next(f for f in ClientSnapshot._meta.concrete_fields if f.attname == attname)
    return field.get_default()
