"""Writing the 360 page's per-client series (computed by analytics.client_series) into the operational store."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from panhuo.analytics.client_series import client_series
from panhuo.clients.models import Client, ClientSeries

BATCH = 2000


def series_write(*, rows: dict[str, dict], as_of: date) -> int:
    """Replace the series of the clients in `rows` (keyed by client code); unknown codes are skipped."""
    pks = dict(Client.objects.filter(client_id__in=list(rows)).values_list("client_id", "pk")) if len(rows) < 50_000 \
        else dict(Client.objects.values_list("client_id", "pk"))
    objs = [ClientSeries(client_id=pks[cid], as_of=as_of, weeks=r["weeks"], transfers=r["transfers"],
                         trade_days=r["trade_days"], positions=r["positions"])
            for cid, r in rows.items() if cid in pks]
    with transaction.atomic():
        ClientSeries.objects.bulk_create(objs, batch_size=BATCH, update_conflicts=True, unique_fields=["client"],
                                         update_fields=["as_of", "weeks", "transfers", "trade_days", "positions"])
    return len(objs)


def series_refresh(*, wh, as_of: date) -> int:
    """The daily pipeline's call: compute every client's series from the Warehouse `wh` and store them."""
    return series_write(rows=client_series(wh, as_of=as_of), as_of=as_of)
