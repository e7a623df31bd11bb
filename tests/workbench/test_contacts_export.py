"""The daily run's copy of the advisors' contacts into the analytical store (workbench.services.contacts_export):
what the operational store holds arrives, in Beijing time, once, and stays in step when rows go away."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from panhuo.analytics.engines import DuckDBEngine
from panhuo.analytics.pipeline import features_and_segments
from panhuo.clients.models import Contact
from panhuo.clients.selectors import client_get_for_user
from panhuo.workbench.services.contacts import contact_log
from panhuo.workbench.services.contacts_export import contacts_export

BJ = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _log(cast, user, cid, at, channel="phone", outcome="reached"):
    return contact_log(user=cast.users[user], client=client_get_for_user(user=cast.users[user], client_id=cid), channel=channel, outcome=outcome, at=at)


def _held(wh) -> list[tuple]:
    return wh.con.execute("SELECT contact_id, client_id, contact_time, channel, outcome, advisor_id, by_staff "
                          "FROM contacts ORDER BY contact_id").fetchall()


def _op_rows() -> list[tuple]:
    return [(c.pk, c.client.client_id, c.at.astimezone(BJ).replace(tzinfo=None), c.channel, c.outcome,
             c.advisor.advisor_id if c.advisor else None, c.by_id is not None)
            for c in Contact.objects.select_related("client", "advisor").order_by("pk")]


@pytest.fixture
def logged(cast):
    """Three advisor contacts around midnight of 2024-06-28 (Beijing) and a campaign's automatic send."""
    a = _log(cast, "alice", "CA001", datetime(2024, 6, 28, 23, 30, tzinfo=BJ), outcome="not_reached")
    b = _log(cast, "alice", "CA002", datetime(2024, 6, 29, 0, 30, tzinfo=BJ))      # 16:30 UTC on the 28th
    c = _log(cast, "bob", "CB001", datetime(2024, 6, 1, 10, 0, tzinfo=BJ), channel="visit", outcome="interested")
    d = Contact.objects.create(client=cast.clients["CB002"], advisor=cast.advisors["bob"], channel="sms",
                               outcome="reached", at=datetime(2024, 6, 20, 9, 0, tzinfo=BJ))   # no `by`: a send
    return [a, b, c, d]


def test_logged_contacts_arrive_in_beijing_time(cast, logged, warehouse):
    assert contacts_export(wh=warehouse) == {"written": 4, "refreshed": False, "rows": 4}
    held = _held(warehouse)
    assert held == _op_rows()
    by_client = {r[1]: r for r in held}
    assert by_client["CA001"][2:] == (datetime(2024, 6, 28, 23, 30), "phone", "not_reached", "A01", True)
    assert by_client["CA002"][2] == datetime(2024, 6, 29, 0, 30)      # the branch's date, not UTC's
    assert by_client["CB002"][6] is False                            # the campaign's send, not the advisor


def test_running_it_again_writes_nothing_and_new_contacts_are_added(cast, logged, warehouse):
    contacts_export(wh=warehouse)
    assert contacts_export(wh=warehouse) == {"written": 0, "refreshed": False, "rows": 4}
    _log(cast, "charlie", "CC001", datetime(2024, 7, 1, 9, 0, tzinfo=BJ))
    assert contacts_export(wh=warehouse) == {"written": 1, "refreshed": False, "rows": 5}
    assert _held(warehouse) == _op_rows()


def test_rows_gone_from_either_side_are_settled_by_a_full_copy(cast, logged, warehouse):
    contacts_export(wh=warehouse)
    # a client deleted with their contacts (CASCADE): the warehouse must not keep them
    cast.clients["CB001"].delete()
    assert contacts_export(wh=warehouse) == {"written": 3, "refreshed": True, "rows": 3}
    assert _held(warehouse) == _op_rows()
    # a row that committed after a later id was copied (PostgreSQL sequences): found by the id sum, copied
    warehouse.con.execute("DELETE FROM contacts WHERE contact_id = ?", [logged[0].pk])
    assert contacts_export(wh=warehouse)["refreshed"] is True
    assert _held(warehouse) == _op_rows()


def test_a_read_only_store_is_left_alone_and_says_so(cast, logged, tmp_path):
    from panhuo.warehouse import open_warehouse

    open_warehouse(tmp_path / "w.duckdb").close()
    with open_warehouse(tmp_path / "w.duckdb", read_only=True) as wh:
        assert "read-only" in contacts_export(wh=wh)["skipped"]


def test_copied_contacts_fill_the_recency_feature(cast, logged, warehouse):
    warehouse.con.executemany("INSERT INTO clients (client_id, branch_id, open_date) VALUES (?, 'B001', "
                              "DATE '2020-01-01')", [(c,) for c in cast.clients])
    contacts_export(wh=warehouse)
    rows = {r["client_id"]: r for r in features_and_segments(DuckDBEngine(warehouse),
                                                              datetime(2024, 6, 28).date()).to_pylist()}
    got = {c: (r["days_since_last_contact"], r["contacts_90d"], r["reached_90d"]) for c, r in rows.items()}
    assert got["CA001"] == (0, 1, 0)          # late on the day, not reached
    assert got["CB001"] == (27, 1, 1)
    assert got["CA002"] == (None, 0, 0)       # half past midnight on the 29th: after the as-of date
    assert got["CB002"] == (None, 0, 0)       # only a campaign's send
    assert got["CC002"] == (None, 0, 0)
