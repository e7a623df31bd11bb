"""A partial file never deletes what it does not contain (issue #13, part 2).

Fact files add and correct rows by key; replacing whole days is asked for (`--replace-dates`, or a profile's
`full_day` files) and then touches only the files' own branches; what a batch removes or overwrites is kept in
its recoverable record, and `restore` puts it back. The store starts as the `store` fixture: the simulator
export (clients C0001-C0004 of branch B001, trades T0001-T0003 of 2024-01-31, positions of 2024-01-30).
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest
from exports import CLIENTS_H, TRADES_H, clients_rows, simulator_export, write_csv

from panhuo.analytics.aggregates import refresh_aggregates
from panhuo.ingest import store as store_mod
from panhuo.ingest.batch import restore_batch as restore
from panhuo.ingest.batch import run_batch
from panhuo.ingest.profile import ProfileError, load_profile, parse_profile
from panhuo.warehouse import open_warehouse

TRADES = ["trade_id", "client_id", "trade_date", "symbol", "side", "quantity", "price", "amount", "commission",
          "stamp_duty", "transfer_fee", "channel"]
CLIENTS = ["client_id", "branch_id", "name", "open_date", "client_type", "advisor_id"]


def rows(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def state(path: Path) -> tuple:
    """Every fact the tests touch, sorted: trades and the three aggregates."""
    return tuple(rows(path, f"SELECT * FROM {t} ORDER BY ALL") for t in ("trades", "client_days", "client_symbols", "client_life"))


def assert_aggregates_are_a_full_recomputation(path: Path) -> None:
    """client_days, client_symbols and client_life equal what analytics.aggregates.refresh_aggregates rebuilds
    from trades."""
    copy = path.with_name("recomputed.duckdb")
    shutil.copy(path, copy)
    with open_warehouse(copy) as wh:
        refresh_aggregates(wh)
    for t in ("client_days", "client_symbols", "client_life"):
        assert rows(path, f"SELECT * FROM {t} ORDER BY ALL") == rows(copy, f"SELECT * FROM {t} ORDER BY ALL"), t
    copy.unlink()


def trade(trade_id: str, client: str, day: str, symbol: str = "600000.SH", side: str = "B", qty: int = 100,
          price: str = "7.00") -> list:
    amount = f"{qty * float(price):.2f}"
    return [trade_id, client, day, symbol, side, str(qty), price, amount, "5.00", "0.00", "0.01", "online"]


def generic(folder: Path, trades: list[list] | None = None, clients: list[list] | None = None) -> Path:
    """A batch in the generic profile: canonical file names and headers, UTF-8."""
    if trades is not None:
        write_csv(folder / "trades.csv", TRADES, trades, encoding="utf-8")
    if clients is not None:
        write_csv(folder / "clients.csv", CLIENTS, clients, encoding="utf-8")
    return folder


# Twelve trades of four clients of branch B001 on two days (buys: no holding limits them).
EARLIER = [trade(f"T1{i:03d}", f"C000{1 + i % 4}", "20240201" if i < 6 else "20240202",
                 ("600000.SH", "000001.SZ", "300750.SZ")[i % 3], qty=100 * (1 + i)) for i in range(12)]


def test_a_partial_file_for_the_same_days_keeps_every_earlier_trade(store, tmp_path):
    """The issue's case: one new client's four trades on two days already loaded, through --profile generic."""
    run_batch(store_path=store, paths=[generic(tmp_path / "first", EARLIER)], profile="generic", batch_key="first")
    earlier = rows(store, "SELECT * FROM trades ORDER BY ALL")
    assert len(earlier) == 15
    new_client = [["C0105", "B001", "新客户", "20240105", "individual", "A01"]]
    partial = [trade(f"T2{i:03d}", "C0105", ("20240201", "20240202")[i % 2]) for i in range(4)]
    result = run_batch(store_path=store, paths=[generic(tmp_path / "partial", partial, new_client)],
                       profile="generic", batch_key="partial")
    now = rows(store, "SELECT * FROM trades ORDER BY ALL")
    assert set(earlier) <= set(now) and len(now) == 19             # every earlier trade, and the four new ones
    assert [c for c in result.changes if c["table"] == "trades"] == [
        {"table": "trades", "mode": "upsert", "rows_added": 4, "rows_corrected": 0, "rows_unchanged": 0,
         "rows_removed": 0}]
    assert "4 added, 0 corrected, 0 unchanged, 0 removed" in result.message
    assert rows(store, "SELECT count(*) FROM removed_trades") == [(0,)]
    assert_aggregates_are_a_full_recomputation(store)


def test_corrections_by_trade_id_replace_only_those_rows_and_the_aggregates_follow(store, tmp_path):
    """Amounts, sides, symbols and days of stored trade ids change; the aggregates stay a full recomputation,
    including a client's symbol whose first or last trade moved away."""
    run_batch(store_path=store, paths=[generic(tmp_path / "first", EARLIER)], profile="generic", batch_key="first")
    before = {r[0]: r for r in rows(store, "SELECT * FROM trades")}
    fixes = [
        trade("T1002", "C0003", "20240201", "300750.SZ", qty=300, price="7.50"),    # amount
        trade("T1003", "C0004", "20240201", "600000.SH", side="S", qty=400),        # side (no holding is known)
        trade("T1006", "C0003", "20240202", "000001.SZ", qty=700),                  # symbol: its pair loses a day
        trade("T1011", "C0004", "20240205", "300750.SZ", qty=1200),                 # a later, new day
        trade("T1004", "C0001", "20240131", "000001.SZ", qty=500),                  # an earlier, stored day
        trade("T1008", "C0001", "20240202", "300750.SZ", qty=900),                  # the same, in new bytes
    ]
    result = run_batch(store_path=store, paths=[generic(tmp_path / "fix", fixes)], profile="generic", batch_key="fix")
    assert [c for c in result.changes if "mode" in c] == [
        {"table": "trades", "mode": "upsert", "rows_added": 0, "rows_corrected": 5, "rows_unchanged": 1,
         "rows_removed": 0}]
    after = {r[0]: r for r in rows(store, "SELECT * FROM trades")}
    assert after.keys() == before.keys()
    changed = {k for k in after if after[k] != before[k]}
    assert changed == {"T1002", "T1003", "T1006", "T1011", "T1004"}
    assert (after["T1003"][4], after["T1006"][3], str(after["T1011"][2]), after["T1002"][7]) == (
        "S", "000001.SZ", "2024-02-05", 2250.0)
    # the rows they replaced are on the batch's record as they were
    assert {r[0]: r for r in rows(store, f"SELECT {', '.join(TRADES)} FROM removed_trades WHERE batch_key = 'fix' "
                                         "AND reason = 'corrected'")} == {k: before[k] for k in changed}
    assert_aggregates_are_a_full_recomputation(store)
    assert rows(store, "SELECT first_trade_date::VARCHAR FROM client_symbols WHERE client_id = 'C0003' "
                       "AND symbol = '600000.SH'") == []      # T1006 was its only trade


def test_the_same_rows_again_change_nothing(store, tmp_path):
    """The ledger skips the same bytes; the same rows in other bytes are found unchanged, row by row."""
    first = generic(tmp_path / "first", EARLIER)
    run_batch(store_path=store, paths=[first], profile="generic", batch_key="first")
    before = state(store)
    assert run_batch(store_path=store, paths=[first], profile="generic", batch_key="again").status == "unchanged"
    (first / "trades.csv").write_bytes((first / "trades.csv").read_bytes() + b"\r\n")
    result = run_batch(store_path=store, paths=[first], profile="generic", batch_key="bytes")
    assert [c for c in result.changes if "mode" in c] == [
        {"table": "trades", "mode": "upsert", "rows_added": 0, "rows_corrected": 0, "rows_unchanged": 12,
         "rows_removed": 0}]
    assert state(store) == before
    assert rows(store, "SELECT count(*) FROM removed_trades") == [(0,)]


def two_branches(store: Path, tmp_path: Path) -> Path:
    """Branch B002 (C0201, C0202) beside B001, and trades of both branches on 2024-02-01 and 2024-02-02."""
    b002 = [["C0201", "B002", "二部客户甲", "20200101", "individual", "A02"],
            ["C0202", "B002", "二部客户乙", "20200101", "individual", ""]]
    trades = [
        trade("T3001", "C0003", "20240201"), trade("T3002", "C0004", "20240201", "000001.SZ"),
        trade("T3003", "C0001", "20240201", "300750.SZ", price="160.00"),
        trade("T3004", "C0003", "20240202"), trade("T3005", "C0004", "20240202"), trade("T3006", "C0001", "20240202"),
        trade("T3101", "C0201", "20240201"), trade("T3102", "C0202", "20240201", "000001.SZ"),
        trade("T3103", "C0201", "20240202", "300750.SZ", price="160.00"), trade("T3104", "C0202", "20240202"),
    ]
    run_batch(store_path=store, paths=[generic(tmp_path / "both", trades, b002)], profile="generic", batch_key="both")
    # B001's file for the two days, as far as it goes: one row kept, one corrected, one kept; four missing
    return generic(tmp_path / "b001", [trade("T3001", "C0003", "20240201"),
                                       trade("T3002", "C0004", "20240201", "000001.SZ", qty=200),
                                       trade("T3004", "C0003", "20240202")])


B001_DAYS = [{"table": "trades", "branch": "B001", "date": "2024-02-01", "rows_corrected": 1, "rows_removed": 1},
             {"table": "trades", "branch": "B001", "date": "2024-02-02", "rows_corrected": 0, "rows_removed": 2}]
SUMMARY = {"table": "trades", "mode": "replace_dates", "rows_added": 0, "rows_corrected": 1, "rows_unchanged": 2,
           "rows_removed": 3}


def test_replace_dates_removes_only_the_files_branch_says_so_first_and_restore_brings_it_all_back(store, tmp_path):
    b001 = two_branches(store, tmp_path)
    before, before_sha = state(store), sha(store)
    plan = run_batch(store_path=store, paths=[b001], profile="generic", batch_key="plan", replace_dates=True,
                     dry_run=True)
    assert plan.status == "validated" and sha(store) == before_sha          # the plan writes nothing
    assert [(f.status, f.rows_loaded) for f in plan.files] == [("validated", 3)]   # would load 3, loaded none
    assert plan.changes == [SUMMARY, *({**d, "rows_added": 0} for d in B001_DAYS)]
    assert "0 added, 1 corrected, 2 unchanged, 3 removed" in plan.message

    result = run_batch(store_path=store, paths=[b001], profile="generic", batch_key="replace", replace_dates=True)
    assert [c for c in result.changes if c["table"] == "trades"] == [SUMMARY, *B001_DAYS]     # as stated
    assert rows(store, "SELECT trade_id FROM trades WHERE trade_date >= '2024-02-01' ORDER BY 1") == [
        ("T3001",), ("T3002",), ("T3004",), ("T3101",), ("T3102",), ("T3103",), ("T3104",)]   # B002 untouched
    assert rows(store, "SELECT reason, count(*) FROM removed_trades WHERE batch_key = 'replace' GROUP BY 1 "
                       "ORDER BY 1") == [("corrected", 1), ("removed", 3)]
    assert_aggregates_are_a_full_recomputation(store)

    restored = restore(store_path=store, batch_key="replace")
    assert restored == [{"table": "trades", "branch": "B001", "date": "2024-02-01", "rows_restored": 2},
                        {"table": "trades", "branch": "B001", "date": "2024-02-02", "rows_restored": 2}]
    assert state(store) == before                     # trades and both aggregates, row for row, value for value
    with pytest.raises(store_mod.RestoreError, match="restored already"):
        restore(store_path=store, batch_key="replace")
    with pytest.raises(store_mod.RestoreError, match="no recoverable record"):
        restore(store_path=store, batch_key="both")    # it only added rows: nothing to put back
    # the corrected row a restore overwrote is kept in turn
    assert rows(store, "SELECT trade_id, quantity FROM removed_trades WHERE batch_key = 'restore:replace'") == [
        ("T3002", 200)]


def test_restore_refuses_when_a_later_batch_changed_those_rows_and_changes_nothing(store, tmp_path):
    b001 = two_branches(store, tmp_path)
    run_batch(store_path=store, paths=[b001], profile="generic", batch_key="replace", replace_dates=True)
    # a later batch brings one removed trade back, under its id, with another quantity
    run_batch(store_path=store, paths=[generic(tmp_path / "later", [trade("T3005", "C0004", "20240202", qty=300)])],
              profile="generic", batch_key="later")
    before = sha(store)
    with pytest.raises(store_mod.RestoreError, match="changed again by a later batch"):
        restore(store_path=store, batch_key="replace")
    assert sha(store) == before


def test_a_full_day_profile_replaces_its_own_branchs_day_only(store, tmp_path):
    """The simulator's files are full days (full_day = true): a B001 re-export of 2024-01-31 replaces B001's day
    and leaves a B002 client's trade of that day alone."""
    assert {s.table for s in load_profile("simulator").files if s.full_day} == {
        "trades", "transfers", "daily_assets", "positions"}
    assert not any(s.full_day for s in load_profile("generic").files)
    b002 = clients_rows()[0]
    b002 = ["C0201", "B002", *b002[2:]]
    write_csv(tmp_path / "b002" / "客户资料.csv", CLIENTS_H, [b002])
    write_csv(tmp_path / "b002" / "成交明细.csv", TRADES_H, [
        ["T0201", "C0201", "20240131", "600000", "1", "1", "100", "7.00", "700.00", "5.00", "0.00", "0.01", "网上"]])
    run_batch(store_path=store, paths=[tmp_path / "b002"], profile="simulator", batch_key="b002")
    write_csv(tmp_path / "b001" / "成交明细.csv", TRADES_H, [
        ["T0001", "C0001", "20240131", "600000", "1", "2", "500", "7.10", "3550.00", "5.00", "1.78", "0.04", "网上"]])
    result = run_batch(store_path=store, paths=[tmp_path / "b001"], profile="simulator", batch_key="b001")
    assert rows(store, "SELECT trade_id FROM trades ORDER BY 1") == [("T0001",), ("T0201",)]
    assert [c for c in result.changes if "branch" in c] == [
        {"table": "trades", "branch": "B001", "date": "2024-01-31", "rows_corrected": 0, "rows_removed": 2}]


def test_full_day_is_only_for_dated_facts():
    base = {"name": "x", "file": [{"table": "clients", "names": ["c.csv"], "full_day": True,
                                   "columns": {"client_id": "客户号", "branch_id": "营业部"}}]}
    with pytest.raises(ProfileError, match="full_day"):
        parse_profile(base)
    base["file"][0].update(table="daily_assets", columns={"client_id": "客户号", "date": "日期"}, full_day="yes")
    with pytest.raises(ProfileError, match="full_day"):
        parse_profile(base)


def test_the_demo_export_imported_again_in_new_bytes_changes_nothing(store, tmp_path):
    """The simulator profile replaces full days, and the same rows again still change nothing."""
    before = state(store)
    export = simulator_export(tmp_path)
    for f in export.iterdir():
        f.write_bytes(f.read_bytes() + b"\r\n")
    result = run_batch(store_path=store, paths=[export], profile="simulator", batch_key="again")
    assert result.status == "loaded"
    assert {c["table"]: (c["rows_added"], c["rows_corrected"], c["rows_removed"]) for c in result.changes
            if "mode" in c} == {t: (0, 0, 0) for t in ("positions", "trades", "transfers", "daily_assets")}
    assert state(store) == before
    for t in ("trades", "transfers", "daily_assets", "positions"):
        assert rows(store, f"SELECT count(*) FROM removed_{t}") == [(0,)]


def test_recoverable_records_are_kept_30_days_then_purged_by_a_later_import(store, tmp_path):
    b001 = two_branches(store, tmp_path)
    run_batch(store_path=store, paths=[b001], profile="generic", batch_key="replace", replace_dates=True)
    with duckdb.connect(str(store)) as con:     # one record 29 days old, a copy of it 31 days old
        con.execute("UPDATE removed_trades SET removed_at = removed_at - INTERVAL 29 DAY")
        con.execute("INSERT INTO removed_trades SELECT * REPLACE ('old' AS batch_key, removed_at - INTERVAL 2 DAY "
                    "AS removed_at) FROM removed_trades")
    run_batch(store_path=store, paths=[generic(tmp_path / "next", [trade("T4001", "C0001", "20240203")])],
              profile="generic", batch_key="next")
    assert rows(store, "SELECT batch_key, count(*) FROM removed_trades GROUP BY 1") == [("replace", 4)]


def test_transfers_assets_and_positions_follow_the_same_rules(store, tmp_path):
    """Composite keys (client and day; day, client and symbol) and a key without the day (transfer_id, whose
    day is the date of transfer_time): a full-day re-export of branch B001 replaces B001's rows of its days
    only, and restore puts them back; a generic partial file only adds and corrects."""
    from exports import ASSETS_H, POSITIONS_H, TRANSFERS_H

    facts = ("daily_assets", "transfers", "positions")

    def facts_state():
        return tuple(rows(store, f"SELECT * FROM {t} ORDER BY ALL") for t in facts)

    b002 = ["C0201", "B002", *clients_rows()[0][2:]]
    other = tmp_path / "b002"
    write_csv(other / "客户资料.csv", CLIENTS_H, [b002])
    write_csv(other / "日终资产.csv", ASSETS_H, [["C0201", "20240131", "1.00", "0.00", "1.00", "0.00"]])
    write_csv(other / "银证转账.csv", TRANSFERS_H, [["Z0201", "C0201", "20240131 10:00:00", "银行转证券", "1.00", "工商银行"]])
    write_csv(other / "持仓.csv", POSITIONS_H, [["20240130", "C0201", "600000", "1", "100", "7.00", "7.05", "705.00"]])
    run_batch(store_path=store, paths=[other], profile="simulator", batch_key="b002")
    before = facts_state()
    b001 = tmp_path / "b001"
    write_csv(b001 / "日终资产.csv", ASSETS_H, [["C0001", "20240131", "20001.00", "5460.00", "25461.00", "10000.00"]])
    write_csv(b001 / "银证转账.csv", TRANSFERS_H, [["Z0001", "C0001", "20240131 09:15:00", "银行转证券", "10000.00",
                                                 "工商银行"]])
    write_csv(b001 / "持仓.csv", POSITIONS_H, [["20240130", "C0001", "600000", "1", "1000", "6.80", "7.05", "7050.00"]])
    result = run_batch(store_path=store, paths=[b001], profile="simulator", batch_key="b001")
    assert {c["table"]: (c["rows_corrected"], c["rows_unchanged"], c["rows_removed"]) for c in result.changes
            if "mode" in c} == {"daily_assets": (1, 0, 2), "transfers": (0, 1, 1), "positions": (0, 1, 1)}
    assert [(c["table"], c["branch"], c["date"]) for c in result.changes if "branch" in c] == [
        ("positions", "B001", "2024-01-30"), ("transfers", "B001", "2024-01-31"), ("daily_assets", "B001", "2024-01-31")]
    assert rows(store, "SELECT client_id FROM daily_assets ORDER BY 1") == [("C0001",), ("C0201",)]
    assert rows(store, "SELECT transfer_id FROM transfers ORDER BY 1") == [("Z0001",), ("Z0201",)]
    assert rows(store, "SELECT client_id FROM positions ORDER BY 1") == [("C0001",), ("C0201",)]
    assert restore(store_path=store, batch_key="b001")
    assert facts_state() == before

    partial = tmp_path / "partial"
    write_csv(partial / "daily_assets.csv", ["client_id", "date", "cash", "market_value", "total_assets", "net_transfer"],
              [["C0002", "2024-01-31", "1000.00", "20750.00", "21750.00", "-2500.50"],        # unchanged
               ["C0003", "2024-01-31", "600.00", "0.00", "600.00", "0.00"],                  # corrected
               ["C0004", "2024-01-31", "5.00", "0.00", "5.00", "0.00"]], encoding="utf-8")    # added
    result = run_batch(store_path=store, paths=[partial], profile="generic", batch_key="partial")
    assert [(c["rows_added"], c["rows_corrected"], c["rows_unchanged"], c["rows_removed"]) for c in result.changes
            if "mode" in c] == [(1, 1, 1, 0)]
    assert rows(store, "SELECT client_id, total_assets FROM daily_assets ORDER BY 1") == [
        ("C0001", 25460.0), ("C0002", 21750.0), ("C0003", 600.0), ("C0004", 5.0), ("C0201", 1.0)]


def test_the_holdings_check_sees_the_store_as_the_batch_leaves_it(store, tmp_path):
    """C0001 held 1,000 of 600000.SH on 2024-01-30 and sold 500 on the 31st (T0001): a sale of 600 on Feb 1 is
    more than it holds, unless the same batch corrects T0001 down to 300."""
    from panhuo.ingest.batch import BatchRejected

    sell = trade("T5001", "C0001", "20240201", side="S", qty=600)
    with pytest.raises(BatchRejected) as info:
        run_batch(store_path=store, paths=[generic(tmp_path / "a", [sell])], profile="generic", batch_key="a")
    assert [p.code for p in info.value.result.problems] == ["oversell"]
    fixed = trade("T0001", "C0001", "20240131", side="S", qty=300, price="7.10")
    result = run_batch(store_path=store, paths=[generic(tmp_path / "b", [fixed, sell])], profile="generic",
                       batch_key="b")
    assert result.status == "loaded"
