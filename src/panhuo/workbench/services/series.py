"""Writing the 360 page's per-client series (computed by analytics.client_series) into the operational store."""

from __future__ import annotations

import json
import queue
import threading
from contextlib import closing
from datetime import date

from django.db import connection, transaction

from panhuo.analytics.client_series import client_series, client_series_json
from panhuo.clients.models import Client, ClientSeries

BATCH = 2000
# Slices of the clients whose series DuckDB computes one after another while the previous one is COPY'd. Each
# slice rescans the facts (+12% CPU at 4 slices, 200k clients); what the overlap gains depends on free cores, and
# on a loaded 2-core machine it did not show, so one slice until a quiet run at a million says otherwise.
SLICES = 1
FIELDS = ("client_id", "as_of", "weeks", "transfers", "trade_days", "positions")


def series_write(*, rows: dict[str, dict], as_of: date) -> int:
    """Replace the series of the clients in `rows` (keyed by client code); unknown codes are skipped."""
    pks = dict(Client.objects.filter(client_id__in=list(rows)).values_list("client_id", "pk")) if len(rows) < 50_000 \
        else dict(Client.objects.values_list("client_id", "pk"))
    return (write_by_copy if connection.vendor == "postgresql" else write_by_orm)(rows, pks, as_of)


def write_by_orm(rows: dict[str, dict], pks: dict[str, int], as_of: date) -> int:
    """Any store: the ORM's batched upsert (bulk_create … update_conflicts)."""
    objs = [ClientSeries(client_id=pks[cid], as_of=as_of, weeks=r["weeks"], transfers=r["transfers"],
                         trade_days=r["trade_days"], positions=r["positions"])
            for cid, r in rows.items() if cid in pks]
    with transaction.atomic():
        ClientSeries.objects.bulk_create(objs, batch_size=BATCH, update_conflicts=True, unique_fields=["client"],
                                         update_fields=list(FIELDS[1:]))
    return len(objs)


def write_by_copy(rows: dict[str, dict], pks: dict[str, int], as_of: date) -> int:
    """PostgreSQL: COPY into a temporary table, then one INSERT … ON CONFLICT. The ORM's batched upsert sends
    every JSON value as a bound parameter of a 2,000-row statement; COPY streams them: 13 s against 72 s to
    replace 100,000 clients' rows (docs/benchmarks.md, web.series_replace)."""
    table = ClientSeries._meta.db_table
    cols = ", ".join(FIELDS)
    updates = ", ".join(f"{f} = EXCLUDED.{f}" for f in FIELDS[1:])
    n = 0
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS series_in")   # inside an outer transaction ON COMMIT has not come yet
        cur.execute(f"CREATE TEMPORARY TABLE series_in (LIKE {table}) ON COMMIT DROP")
        with cur.cursor.copy(f"COPY series_in ({cols}) FROM STDIN") as copy:
            for cid, r in rows.items():
                if cid in pks:
                    copy.write_row((pks[cid], as_of, json.dumps(r["weeks"]), json.dumps(r["transfers"]),
                                    json.dumps(r["trade_days"]), json.dumps(r["positions"])))
                    n += 1
        cur.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM series_in "
                    f"ON CONFLICT (client_id) DO UPDATE SET {updates}")
        cur.execute("DROP TABLE series_in")
    return n


def write_json_by_copy(batches, as_of: date) -> int:
    """PostgreSQL: the series as JSON text (analytics.client_series_json), COPY'd batch by batch as CSV into a
    temporary table and upserted in one statement joined to the clients; unknown codes are skipped."""
    import polars as pl

    table, client = ClientSeries._meta.db_table, Client._meta.db_table
    cols = ", ".join(FIELDS)
    updates = ", ".join(f"{f} = EXCLUDED.{f}" for f in FIELDS[1:])
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS series_json_in")
        cur.execute("CREATE TEMPORARY TABLE series_json_in (code varchar, weeks jsonb, transfers jsonb, "
                    "trade_days jsonb, positions jsonb) ON COMMIT DROP")
        chunks = _ahead(pl.from_arrow(b).write_csv(include_header=False).encode() for b in batches)
        with closing(chunks), cur.cursor.copy("COPY series_json_in FROM STDIN (FORMAT csv)") as copy:
            for chunk in chunks:
                copy.write(chunk)
        cur.execute(f"INSERT INTO {table} ({cols}) SELECT c.id, %s, s.weeks, s.transfers, s.trade_days, s.positions "
                    f"FROM series_json_in s JOIN {client} c ON c.client_id = s.code "
                    f"ON CONFLICT (client_id) DO UPDATE SET {updates}", [as_of])
        n = cur.rowcount
        cur.execute("DROP TABLE series_json_in")
    return n


def _ahead(items, depth: int = 2):
    """The items of an iterator, made in a thread of their own `depth` ahead of the reader: DuckDB computes the
    next slice of series while PostgreSQL parses the last one (both let the GIL go). An error in the thread is
    raised in the reader; a reader that stops early stops the thread."""
    q: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def put(x) -> bool:
        while not stop.is_set():
            try:
                q.put(x, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def run():
        try:
            for x in items:
                if not put(x):
                    break
            put(done)
        except BaseException as exc:   # noqa: BLE001 - handed to the reader, which raises it
            put(exc)
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()                 # in this thread, which made the generator run

    t = threading.Thread(target=run, name="series-ahead", daemon=True)
    t.start()
    try:
        while (x := q.get()) is not done:
            if isinstance(x, BaseException):
                raise x
            yield x
    finally:
        stop.set()
        t.join()


def series_refresh(*, wh, as_of: date) -> int:
    """The daily pipeline's call: compute every client's series from the Warehouse `wh` and store them.
    PostgreSQL takes them as JSON text made by DuckDB; at a million clients the Python objects of
    `client_series` (52 weeks each) and their json.dumps were most of the step's time."""
    if connection.vendor == "postgresql":
        return write_json_by_copy(client_series_json(wh, as_of=as_of, parts=SLICES), as_of)
    return series_write(rows=client_series(wh, as_of=as_of), as_of=as_of)
