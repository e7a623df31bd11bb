"""Batch behaviour without Django: the simulator format, idempotence by hash, replacing a branch's business
date (the simulator's files are full days), quarantine accounting, reconciliation and the incremental
aggregates. Partial files, corrections by key and restore: test_partial_files.py."""

from __future__ import annotations

import csv
import hashlib
import shutil

import duckdb
import pytest
from exports import TRADES_H, simulator_export, write_csv

from panhuo.ingest import store as store_mod
from panhuo.ingest.batch import BatchRejected, run_batch
from panhuo.warehouse.schema import TABLES


def rows(path, sql):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def assert_aggregates_exact(path):
    """client_days, client_symbols and client_life equal a full recomputation from the trades."""
    assert rows(path, "SELECT * FROM client_days ORDER BY ALL") == rows(path, """
        SELECT client_id, trade_date, count(*), sum(amount), sum(coalesce(commission, 0)),
               coalesce(sum(amount) FILTER (WHERE side = 'B'), 0), coalesce(sum(amount) FILTER (WHERE side = 'S'), 0)
        FROM trades GROUP BY ALL ORDER BY ALL""")
    assert rows(path, "SELECT * FROM client_symbols ORDER BY ALL") == rows(path, """
        SELECT client_id, symbol, min(trade_date), max(trade_date) FROM trades GROUP BY ALL ORDER BY ALL""")
    assert rows(path, "SELECT * FROM client_life ORDER BY ALL") == rows(path, """
        WITH d AS (SELECT client_id, trade_date, sum(amount) FILTER (WHERE side = 'B') AS bought
                   FROM trades GROUP BY ALL)
        SELECT client_id, min(trade_date), max(trade_date), max(trade_date) FILTER (WHERE bought > 0), count(*)
        FROM d GROUP BY ALL ORDER BY ALL""")


def test_simulator_export_loads_every_table_in_canonical_form(tmp_path):
    wh = tmp_path / "wh.duckdb"
    result = run_batch(store_path=wh, paths=[simulator_export(tmp_path)], profile="simulator", batch_key="b1")
    assert result.status == "loaded" and len(result.files) == 8
    assert {f.encoding for f in result.files} == {"gb18030"}
    assert rows(wh, "SELECT trade_id, symbol, side, channel FROM trades ORDER BY 1") == [
        ("T0001", "600000.SH", "S", "online"), ("T0002", "300750.SZ", "B", "counter"), ("T0003", "000001.SZ", "B", "phone")]
    assert rows(wh, "SELECT symbol FROM bars ORDER BY 1") == [("000001.SH",), ("600000.SH",)]
    assert rows(wh, "SELECT direction, amount FROM transfers ORDER BY 1") == [("in", 10000.0), ("out", 2500.5)]
    assert rows(wh, "SELECT client_id, name, client_type, risk_level, advisor_id, do_not_contact FROM clients "
                    "ORDER BY 1")[1:3] == [("C0002", "李𠮷", "individual", "C4", "A02", False),
                                          ("C0003", "王䶮", "individual", None, None, True)]
    assert rows(wh, "SELECT level FROM advisors ORDER BY advisor_id") == [("senior",), ("junior",)]
    assert rows(wh, "SELECT symbol, exchange, board FROM instruments WHERE symbol = '300750.SZ'") == [
        ("300750.SZ", "SZ", "chinext")]
    # control totals to the cent, source against loaded
    assert result.control_totals["trades"]["amount"] == {"source": "21470.00", "loaded": "21470.00"}
    assert result.control_totals["daily_assets"]["total_assets"]["loaded"] == "47710.00"
    assert_aggregates_exact(wh)        # a first load: the aggregates are inserted, not merged
    assert rows(wh, "SELECT count(*) FROM client_symbols") == [(3,)]


def test_same_bytes_again_even_renamed_change_nothing_and_say_so(store, tmp_path):
    src = simulator_export(tmp_path / "again")
    shutil.copy(src / "成交明细.csv", tmp_path / "copy.csv")
    result = run_batch(store_path=store, paths=[src], profile="simulator", batch_key="again")
    assert result.status == "unchanged" and "already loaded" in result.message
    assert {f.status for f in result.files} == {"already_loaded"}
    assert {f.previous_batch for f in result.files} == {"base"}
    assert hashlib.sha256(store.read_bytes()).digest()  # the store still opens
    assert rows(store, "SELECT count(*) FROM trades") == [(3,)]


TRADE_COLS = TABLES["trades"].column_names


def corrected_trades(folder):
    return write_csv(folder / "成交明细.csv", TRADES_H, [
        ["T0001", "C0001", "20240131", "600000", "1", "2", "400", "7.10", "2840.00", "5.00", "1.42", "0.03", "网上"],
        ["T0004", "C0002", "20240131", "000001", "2", "1", "100", "9.60", "960.00", "5.00", "0.00", "0.01", "网上"]])


def test_corrected_full_day_file_replaces_that_branch_day_logs_it_and_keeps_aggregates_exact(store, tmp_path):
    before = rows(store, "SELECT * FROM trades ORDER BY trade_id")
    result = run_batch(store_path=store, paths=[corrected_trades(tmp_path)], profile="simulator", batch_key="fix")
    assert result.status == "loaded"
    log = [c for c in result.changes if c["table"] == "trades"]
    assert log == [{"table": "trades", "mode": "replace_dates", "rows_added": 1, "rows_corrected": 1,
                    "rows_unchanged": 0, "rows_removed": 2},
                   {"table": "trades", "branch": "B001", "date": "2024-01-31", "rows_corrected": 1, "rows_removed": 2}]
    assert "1 added, 1 corrected, 0 unchanged, 2 removed" in result.message
    assert rows(store, "SELECT trade_id FROM trades ORDER BY 1") == [("T0001",), ("T0004",)]
    assert_aggregates_exact(store)
    # what was overwritten or removed is kept in the batch's recoverable record, as it was
    assert rows(store, f"SELECT {', '.join(TRADE_COLS)} FROM removed_trades WHERE batch_key = 'fix' "
                       "ORDER BY trade_id") == before
    assert rows(store, "SELECT trade_id, reason FROM removed_trades ORDER BY 1") == [
        ("T0001", "corrected"), ("T0002", "removed"), ("T0003", "removed")]


def test_new_day_extends_aggregates_incrementally(store, tmp_path):
    write_csv(tmp_path / "成交明细.csv", TRADES_H, [
        ["T0010", "C0001", "20240201", "600000", "1", "1", "100", "7.00", "700.00", "5.00", "0.00", "0.01", "网上"]])
    run_batch(store_path=store, paths=[tmp_path / "成交明细.csv"], profile="simulator", batch_key="d2")
    assert rows(store, "SELECT first_trade_date::VARCHAR, last_trade_date::VARCHAR FROM client_symbols "
                       "WHERE client_id = 'C0001' AND symbol = '600000.SH'") == [("2024-01-31", "2024-02-01")]
    assert rows(store, "SELECT count(*) FROM client_days WHERE client_id = 'C0001'") == [(2,)]
    assert_aggregates_exact(store)     # merged into the first load's


def test_quarantine_loads_valid_rows_and_accounts_for_every_row(store, tmp_path):
    src = tmp_path / "src"
    good = ["T0020", "C0001", "20240201", "600000", "1", "1", "100", "7.00", "700.00", "5.00", "0.00", "0.01", "网上"]
    write_csv(src / "成交明细.csv", TRADES_H, [
        good,
        good,                                                                      # exact duplicate
        ["T0021", "C9999", "20240201", "600000", "1", "1", "100", "7.00", "700.00", "5.00", "0.00", "0.01", "网上"],
        ["T0022", "C0002", "20240231", "600000", "1", "1", "100", "7.00", "700.00", "5.00", "0.00", "0.01", "网上"],
        ["T0023", "C0002", "20240201", "600000", "1", "1", "-5", "7.00", "700.00", "5.00", "0.00", "0.01", "网上"],
    ])
    with pytest.raises(BatchRejected):
        run_batch(store_path=store, paths=[src], profile="simulator", batch_key="q0")
    result = run_batch(store_path=store, paths=[src], profile="simulator", batch_key="q1", quarantine=True,
                       quarantine_dir=tmp_path / "q")
    f = result.files[0]
    assert (f.rows_read, f.rows_loaded, f.rows_quarantined, f.rows_duplicate) == (5, 1, 3, 1)
    assert f.rows_read == f.rows_loaded + f.rows_quarantined + f.rows_duplicate
    assert rows(store, "SELECT trade_id FROM trades WHERE trade_date = '2024-02-01'") == [("T0020",)]
    with open(result.quarantine_file, encoding="utf-8-sig", newline="") as fh:
        q = list(csv.reader(fh))
    assert [(r[1], r[4]) for r in q[1:]] == [("4", "客户号不存在"), ("5", "日期无效或不存在"), ("6", "数值必须大于零")]
    assert q[1][5] == "unknown client"


def test_file_level_problem_rejects_even_with_quarantine(store, tmp_path):
    (tmp_path / "成交明细.csv").write_bytes(b"")
    with pytest.raises(BatchRejected) as info:
        run_batch(store_path=store, paths=[tmp_path / "成交明细.csv"], profile="simulator", batch_key="e", quarantine=True)
    assert [p.code for p in info.value.result.problems] == ["empty_file"]


def test_reconciliation_mismatch_fails_the_batch_and_rolls_back(store, tmp_path, monkeypatch):
    real = store_mod._loaded_totals

    def off_by_a_cent(con, staged, table, **kw):
        out = real(con, staged, table, **kw)
        if "amount" in out:
            out["amount"] += store_mod.CENT
        return out

    monkeypatch.setattr(store_mod, "_loaded_totals", off_by_a_cent)
    before = rows(store, "SELECT count(*), sum(amount) FROM trades")
    with pytest.raises(BatchRejected) as info:
        run_batch(store_path=store, paths=[corrected_trades(tmp_path)], profile="simulator", batch_key="r")
    assert info.value.result.problems[-1].code == "reconciliation"
    assert [(f.status, f.rows_loaded) for f in info.value.result.files] == [("rejected", 0)]   # rolled back
    assert rows(store, "SELECT count(*), sum(amount) FROM trades") == before
    assert rows(store, "SELECT count(*) FROM import_files WHERE batch_key = 'r'") == [(0,)]


def test_a_rejected_batch_says_which_file_was_refused_and_which_was_only_checked(store, tmp_path):
    """Every file of a refused batch was read: the one with the problem is "rejected", a clean one "validated"
    (checked, not loaded), and none says "not read"."""
    from exports import CLIENTS_H, clients_rows

    new_client = list(clients_rows()[0])
    new_client[0] = "C0101"                  # not a file the store already holds
    write_csv(tmp_path / "src" / "客户资料.csv", CLIENTS_H, [new_client])
    write_csv(tmp_path / "src" / "成交明细.csv", TRADES_H, [
        ["T0101", "C0101", "20240201", "600000", "1", "1", "100", "7.10", "9e15", "5.00", "0.00", "0.01", "网上"]])
    with pytest.raises(BatchRejected) as info:
        run_batch(store_path=store, paths=[tmp_path / "src"], profile="simulator", batch_key="two")
    files = {f.name: (f.status, f.rows_read, f.rows_loaded) for f in info.value.result.files}
    assert files == {"客户资料.csv": ("validated", 1, 0), "成交明细.csv": ("rejected", 1, 0)}


def test_rejected_batch_writes_every_problem_masked_to_a_report(store, tmp_path):
    from exports import CLIENTS_H, clients_rows

    rows = []
    for i in range(2500):   # more problems than the result keeps in memory
        r = list(clients_rows()[0])
        r[0], r[4] = f"C9{i:04d}", "1380000111"
        rows.append(r)
    write_csv(tmp_path / "src" / "客户资料.csv", CLIENTS_H, rows)
    with pytest.raises(BatchRejected) as info:
        run_batch(store_path=store, paths=[tmp_path / "src"], profile="simulator", batch_key="rep",
                  quarantine_dir=tmp_path / "q")
    result = info.value.result
    assert result.problem_count == 2500 and len(result.problems) == 2000
    assert [f.status for f in result.files] == ["rejected"]    # read, and refused: not "not read"
    with open(result.report_file, encoding="utf-8-sig", newline="") as fh:
        report = list(csv.reader(fh))[1:]
    assert len(report) == 2500 and {r[2] for r in report} == {"手机号码"}
    assert "1380000111" not in "".join("".join(r) for r in report)
    assert oct(__import__("os").stat(result.report_file).st_mode & 0o777) == "0o600"


def test_values_longer_than_the_client_master_holds_are_refused_before_any_write(store, tmp_path):
    from exports import CLIENTS_H, clients_rows

    r = list(clients_rows()[0])
    r[CLIENTS_H.index("地区")] = "北" * 65
    write_csv(tmp_path / "src" / "客户资料.csv", CLIENTS_H, [r])
    with pytest.raises(BatchRejected) as info:
        run_batch(store_path=store, paths=[tmp_path / "src"], profile="simulator", batch_key="len")
    p = info.value.result.problems[0]
    assert (p.code, p.column, p.detail) == ("too_long", "地区", "64")


def test_fact_keys_stay_unique_by_validation_without_a_key_index(store, tmp_path):
    """trades and the aggregates carry no PRIMARY KEY index (it made big loads several times slower), so the
    import itself must refuse a trade id twice in one file or taken from another client, and a day loaded
    twice must correct, not duplicate, its rows."""
    assert rows(store, "SELECT count(*) FROM duckdb_constraints() WHERE table_name IN ('trades', 'client_days', "
                       "'client_symbols') AND constraint_type = 'PRIMARY KEY'") == [(0,)]
    before = rows(store, "SELECT * FROM trades ORDER BY ALL")
    t = ["T0001", "C0002", "20240201", "600000", "1", "1", "100", "7.00", "700.00", "5.00", "0.00", "0.01", "网上"]
    write_csv(tmp_path / "a" / "成交明细.csv", TRADES_H, [t])                  # T0001 is C0001's 2024-01-31 trade
    write_csv(tmp_path / "b" / "成交明细.csv", TRADES_H, [["T0030", *t[1:]], ["T0030", *t[1:6], "200", *t[7:]]])
    for folder, code in (("a", "key_other_client"), ("b", "duplicate_key")):
        with pytest.raises(BatchRejected) as info:
            run_batch(store_path=store, paths=[tmp_path / folder], profile="simulator", batch_key=folder)
        assert [p.code for p in info.value.result.problems] == [code]
    assert rows(store, "SELECT * FROM trades ORDER BY ALL") == before
    day = corrected_trades(tmp_path / "c")
    run_batch(store_path=store, paths=[day], profile="simulator", batch_key="c1")
    day.write_bytes(day.read_bytes() + b"\r\n")       # same rows, new bytes: loaded again, replacing the day
    run_batch(store_path=store, paths=[day], profile="simulator", batch_key="c2")
    assert rows(store, "SELECT count(*), count(DISTINCT trade_id) FROM trades") == [(2, 2)]
    assert rows(store, "SELECT count(*) FROM client_days GROUP BY client_id, trade_date HAVING count(*) > 1") == []


def test_problems_found_across_rows_name_the_source_text_read_back_for_those_rows(store, tmp_path):
    """Only failing rows keep their source text: key, reference and per-value problems still show the value
    as written (trimmed), at the right row, whichever check found it."""
    t = ["T0040", "C0001", "20240201", "600000", "1", "1", "100", "7.00", "700.00", "5.00", "0.00", "0.01", "网上"]
    write_csv(tmp_path / "x" / "成交明细.csv", TRADES_H, [
        t, [" T0040 ", *t[1:6], "200", *t[7:]],               # same key, other content: row 3
        ["T0041", " c0999 ", *t[2:]],                        # unknown client, lower case kept as written
        ["T0001", "C0002", *t[2:]],                          # C0001's trade of 2024-01-31
        ["T0042", "C0001", "20240201", "600000", "1", "1", "1,0x", *t[7:]]])
    with pytest.raises(BatchRejected) as info:
        run_batch(store_path=store, paths=[tmp_path / "x"], profile="simulator", batch_key="x")
    got = sorted((p.row, p.code, p.value) for p in info.value.result.problems)
    assert got == [(3, "duplicate_key", "T0040"), (4, "unknown_client", "c0999"), (5, "key_other_client", "T0001"),
                   (6, "bad_integer", "1,0x")]
    key = next(p for p in info.value.result.problems if p.code == "key_other_client")
    assert key.detail == "2024-01-31" and "another client" in key.en


def test_quarantine_never_lets_an_id_in_twice_nor_hands_it_to_another_client(store, tmp_path):
    """T0001 is C0001's trade of 2024-01-31. With another client it goes to quarantine; the 31st, whose only
    row also goes there (unknown client), is not replaced; T0001 stays once, C0001's, as it was."""
    before = rows(store, "SELECT * FROM trades WHERE trade_id = 'T0001'")
    t = ["T0001", "C0002", "20240201", "600000", "1", "1", "100", "7.00", "700.00", "5.00", "0.00", "0.01", "网上"]
    write_csv(tmp_path / "q" / "成交明细.csv", TRADES_H, [
        t, ["T0099", "C0999", "20240131", *t[3:]]])
    result = run_batch(store_path=store, paths=[tmp_path / "q"], profile="simulator", batch_key="q", quarantine=True)
    assert rows(store, "SELECT * FROM trades WHERE trade_id = 'T0001'") == before
    assert rows(store, "SELECT count(*) FROM trades") == [(3,)]
    assert result.files[0].rows_quarantined == 2


def test_a_repeated_two_column_key_is_refused_and_an_exact_repeat_is_counted_as_a_duplicate(store, tmp_path):
    """Daily assets are keyed by client and date: the repeated-key screen works on composite keys too."""
    from exports import ASSETS_H

    a = ["C0001", "20240201", "1000.00", "2000.00", "3000.00", "0.00"]
    changed = [*a[:4], "3100.00", "0.00"]
    with pytest.raises(BatchRejected) as info:
        run_batch(store_path=store, paths=[write_csv(tmp_path / "x" / "日终资产.csv", ASSETS_H, [a, changed])],
                  profile="simulator", batch_key="x")
    assert [(p.code, p.row) for p in info.value.result.problems] == [("duplicate_key", 3)]
    other_day = ["C0001", "20240202", *a[2:]]
    result = run_batch(store_path=store, paths=[write_csv(tmp_path / "y" / "日终资产.csv", ASSETS_H, [a, a, other_day])],
                       profile="simulator", batch_key="y")
    assert (result.files[0].rows_loaded, result.files[0].rows_duplicate) == (2, 1)
