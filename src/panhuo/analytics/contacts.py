"""The analytical store's copy of the advisors' contacts, which the contact features read.

The operational store owns contacts (panhuo records them; no import writes them). The daily run copies them
here before the analytics: `workbench.services.contacts_export` reads them from Django and hands over Arrow
tables; this side, free of Django, compares what the warehouse holds and writes. Contacts are only ever
added there (never edited), so the copy's state is its row count, id sum and largest id: rows above the
largest id are new; any other difference (a client deleted with their contacts, a row committed late with
a lower id) is settled by copying everything again, in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from panhuo.warehouse import Warehouse
from panhuo.warehouse.schema import COPIES

TABLE = COPIES["contacts"]
ARROW_SCHEMA = pa.schema([("contact_id", pa.int64()), ("client_id", pa.string()),
                          ("contact_time", pa.timestamp("us")), ("channel", pa.string()),
                          ("outcome", pa.string()), ("advisor_id", pa.string()), ("by_staff", pa.bool_())])
assert ARROW_SCHEMA.names == TABLE.column_names


@dataclass(frozen=True)
class CopyState:
    """What a set of contacts holds, compared between the two stores: equal states, nothing to copy."""

    rows: int = 0
    id_sum: int = 0
    max_id: int = 0


def contacts_state(wh: Warehouse) -> CopyState:
    n, s, m = wh.con.execute("SELECT count(*), coalesce(sum(contact_id), 0), coalesce(max(contact_id), 0) "
                             "FROM contacts").fetchall()[0]
    return CopyState(int(n), int(s), int(m))


def contacts_batch(*, contact_id, client_id, at_utc, channel, outcome, advisor_id, by_staff,
                   time_zone: str) -> pa.Table:
    """One Arrow batch in the warehouse's layout, from columns (lists) of the operational store's rows.
    `at_utc` holds aware datetimes; the warehouse keeps local (`time_zone`) wall-clock time, as it does for
    transfer times, so a contact's date is the branch's date."""
    at = pa.array(at_utc, pa.timestamp("us", tz="UTC")).cast(pa.timestamp("us", tz=time_zone))
    return pa.table([pa.array(contact_id, pa.int64()), pa.array(client_id, pa.string()), pc.local_timestamp(at),
                     pa.array(channel, pa.string()), pa.array(outcome, pa.string()),
                     pa.array(advisor_id, pa.string()), pa.array(by_staff, pa.bool_())], schema=ARROW_SCHEMA)


def contacts_write(wh: Warehouse, batches: Iterable[pa.Table], *, replace: bool) -> int:
    """Append the batches (replace: instead of everything held) in one transaction; returns rows written."""
    cols = ", ".join(TABLE.column_names)
    written = 0
    with wh.transaction() as con:
        if replace:
            con.execute("DELETE FROM contacts")
        for batch in batches:
            if batch.num_rows == 0:
                continue
            con.register("contacts_batch", batch.cast(ARROW_SCHEMA))
            try:
                con.execute(f"INSERT INTO contacts ({cols}) SELECT {cols} FROM contacts_batch")
            finally:
                con.unregister("contacts_batch")
            written += batch.num_rows
    return written
