"""Copy the advisors' contacts into the analytical store, so the churn model can use contact recency.

Called by the daily run before the analytics (panhuo.daily). Only what is new since the last copy is read,
in keyset pages of the primary key; when the warehouse's copy no longer matches the older rows (a client
deleted with their contacts, a row that committed late with a lower id) everything is copied again. Either
way the warehouse ends up holding exactly the contacts the operational store held when the run read them,
so running it twice writes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa
from django.conf import settings
from django.db.models import Count, Max, Sum

from panhuo.analytics.contacts import CopyState, contacts_batch, contacts_state, contacts_write
from panhuo.clients.models import Contact

CHUNK = 50_000
COLUMNS = ("pk", "client__client_id", "at", "channel", "outcome", "advisor__advisor_id", "by_id")


def _state(qs) -> CopyState:
    agg = qs.aggregate(rows=Count("pk"), id_sum=Sum("pk"), max_id=Max("pk"))
    return CopyState(int(agg["rows"]), int(agg["id_sum"] or 0), int(agg["max_id"] or 0))


def _batches(*, after: int, chunk: int) -> Iterator[pa.Table]:
    # Keyset pages: each is one index range scan, on SQLite and PostgreSQL alike, with no open cursor.
    while True:
        rows = list(Contact.objects.filter(pk__gt=after).order_by("pk").values_list(*COLUMNS)[:chunk])
        if not rows:
            return
        ids, clients, at, channel, outcome, advisor, by = zip(*rows, strict=True)
        yield contacts_batch(contact_id=ids, client_id=clients, at_utc=at, channel=channel, outcome=outcome,
                             advisor_id=advisor, by_staff=[b is not None for b in by],
                             time_zone=settings.TIME_ZONE)
        after = ids[-1]


def contacts_export(*, wh, chunk: int = CHUNK) -> dict:
    """Bring the warehouse's `contacts` up to the operational store's; returns what was done."""
    if wh.read_only:    # the run then scores with the contacts of the last copy, if any, and says so
        return {"written": 0, "refreshed": False, "skipped": "the warehouse is open read-only"}
    held = contacts_state(wh)
    if _state(Contact.objects.all()) == held:
        return {"written": 0, "refreshed": False, "rows": held.rows}
    # New rows have larger ids; the older ones must be exactly those already held, else copy everything.
    refresh = _state(Contact.objects.filter(pk__lte=held.max_id)) != held
    written = contacts_write(wh, _batches(after=0 if refresh else held.max_id, chunk=chunk), replace=refresh)
    return {"written": written, "refreshed": refresh, "rows": contacts_state(wh).rows}
