"""bulk_update_rows: one UPDATE from arrays on PostgreSQL, bulk_update elsewhere; the same rows either way."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from panhuo.bulk import bulk_update_rows
from panhuo.clients.models import ClientSnapshot

FIELDS = ["total_assets", "p_alive", "churn_risk", "is_dormant", "tier", "last_trade_date", "trades_90d"]


def test_each_row_gets_its_own_values_of_every_type_and_the_others_are_left(cast):
    snaps = [ClientSnapshot.objects.create(client=c, as_of=date(2026, 11, 30), total_assets=Decimal("100.00"),
                                           p_alive=0.5, churn_risk=0.1, tier="mass", trades_90d=1)
             for c in cast.clients.values()]
    assert len(snaps) >= 3
    changed, untouched = snaps[:-1], snaps[-1]
    for k, s in enumerate(changed):
        s.total_assets = Decimal(f"{12345.67 * (k + 1):.2f}")
        s.p_alive = None if k == 0 else 0.25 * k          # NULL in a float column too
        s.churn_risk = 1 / 3 + k
        s.is_dormant = k % 2 == 0
        s.tier = ["vip", "core", "", "mass"][k % 4]
        s.last_trade_date = None if k == 1 else date(2026, 1, 1 + k)
        s.trades_90d = 7 * k
    untouched.tier = "vip"                                 # changed in memory, not passed: must stay as stored
    bulk_update_rows(changed, FIELDS)
    for s in changed:
        got = ClientSnapshot.objects.get(pk=s.pk)
        assert [getattr(got, f) for f in FIELDS] == [getattr(s, f) for f in FIELDS]
    assert ClientSnapshot.objects.get(pk=untouched.pk).tier == "mass"
    bulk_update_rows([], FIELDS)                           # nothing to write: no statement


def test_json_and_relation_fields_are_refused_on_either_store(cast):
    snap = ClientSnapshot.objects.create(client=next(iter(cast.clients.values())), as_of=date(2026, 11, 30))
    for fields in (["features"], ["client"]):
        with pytest.raises(ValueError):
            bulk_update_rows([snap], fields)
