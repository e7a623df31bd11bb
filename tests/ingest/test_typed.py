"""The typed read (panhuo.ingest.typed) changes nothing but the speed: on every file, the batch it gives and the
stores it leaves are the text path's, row for row, and a file it cannot read exactly takes the text path."""

from __future__ import annotations

import dataclasses
import json
import logging
import shutil
from pathlib import Path

import duckdb
import pytest
from exports import CLIENTS_H, TRADES_H, clients_rows, simulator_export, write_csv

from panhuo.ingest import batch, read, typed
from panhuo.ingest import store as store_module
from panhuo.ingest.batch import BatchRejected, run_batch

CORPUS = Path(__file__).resolve().parent / "corpus"
MANIFEST = json.loads((CORPUS / "MANIFEST.json").read_text())
SLOW_CASES = {"field_of_10mb"}
TIMES = {"loaded_at", "removed_at"}       # when, not what: differ between any two runs


def snapshot(store: Path) -> dict[str, list]:
    """Every row of every table of the store, sorted, without the load timestamps."""
    out = {}
    with duckdb.connect(str(store), read_only=True) as con:
        for (t,) in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall():
            cols = [c for (c,) in con.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = ? "
                                              "ORDER BY column_index", [t]).fetchall() if c not in TIMES]
            out[t] = sorted(con.execute(f"SELECT {', '.join(cols)} FROM {t}").fetchall(), key=repr)
    return out


MODES = ("typed", "early", "direct", "text")


def run(store: Path, paths: list[Path], profile: str, *, monkeypatch, mode: str = "typed",
        **kw) -> tuple[dict, list]:
    """The batch (as a dict, rejected or not) and the names of the files the typed read loaded. Modes: `typed`
    (the typed read, then the text path where it gives up), `early` (every file read typed while it is hashed,
    on what its first 128 bytes show: batch._typed_while_scanning), `direct` (a trades file written straight
    into the store, batch._direct_write, and every other file early) and `text` (the text path only)."""
    monkeypatch.setattr(typed, "ENABLED", mode != "text")
    monkeypatch.setattr(batch, "READ_WHILE_SCANNING", 0 if mode in ("early", "direct") else 1 << 62)
    monkeypatch.setattr(batch, "DIRECT_WRITE", 0 if mode == "direct" else 1 << 62)
    monkeypatch.setattr(read, "HEAD", 128)
    took: list[str] = []
    confirm, direct_write = typed.confirm, batch._direct_write

    def spy(con, raw, *a, **k):
        ok = confirm(con, raw, *a, **k)
        if ok:
            took.append(raw.name)
        return ok

    def spy_direct(work, *a, **k):
        done = direct_write(work, *a, **k)
        took.append(f"direct:{work.direct.raw.name}")
        return done

    monkeypatch.setattr(typed, "confirm", spy)
    monkeypatch.setattr(batch, "_direct_write", spy_direct)
    try:
        result = run_batch(store_path=store, paths=paths, profile=profile, batch_key="b",
                           quarantine_dir=store.parent.parent / "problems", **kw)
    except BatchRejected as exc:
        result = exc.result
    finally:
        monkeypatch.setattr(typed, "confirm", confirm)
        monkeypatch.setattr(batch, "_direct_write", direct_write)
    return dataclasses.asdict(result), took


def both(store: Path, tmp_path: Path, paths: list[Path], profile: str, monkeypatch, **kw) -> dict[str, list[str]]:
    """Import `paths` into a copy of `store` in each mode of `run`: the same batch, the same stores. Returns
    the files the typed read loaded, by mode (in `direct`, the file written directly comes last)."""
    stores, results, took = {}, {}, {}
    for mode in MODES:
        s = tmp_path / f"mode-{mode}" / "warehouse.duckdb"
        s.parent.mkdir(parents=True)
        if store.exists():
            shutil.copy(store, s)
        results[mode], took[mode] = run(s, paths, profile, mode=mode, monkeypatch=monkeypatch, **kw)
        stores[mode] = snapshot(s) if s.exists() else None
    assert took["text"] == []
    for mode in MODES[:-1]:
        assert results[mode] == results["text"], mode
        assert stores[mode] == stores["text"], mode
    return took


def test_a_clean_export_loads_typed_with_the_text_paths_store_and_result(tmp_path, monkeypatch):
    export = simulator_export(tmp_path / "src")
    took = both(tmp_path / "none.duckdb", tmp_path, [export], "simulator", monkeypatch)
    # Free non-ASCII text (names, banks) in a GB18030 file and money of 1e10 or more (a bar's turnover) are
    # the text path's.
    assert sorted(took["typed"]) == sorted(["成交明细.csv", "持仓.csv", "日终资产.csv"])
    # The trades are written straight into the store, their sales checked against the batch's positions.
    assert took["direct"][-1] == "direct:成交明细.csv"


def test_a_second_batch_correcting_and_adding_rows_is_the_same_typed(store, tmp_path, monkeypatch):
    export = simulator_export(tmp_path / "src", trades=[
        ["T0001", "C0001", "20240131", "600000", "1", "2", "500", "7.10", "3551.00", "5.00", "1.78", "0.04", "网上"],
        ["T0009", "C0003", "20240131", "600000", "1", "1", "100", "7.00", "700.00", "5.00", "0.00", "0.01", "柜台"]])
    took = both(store, tmp_path, [export / "成交明细.csv"], "simulator", monkeypatch)
    # A stored trade id seen again is a correction: the direct write gives the batch to the staged path.
    assert took["typed"] == took["direct"] == ["成交明细.csv"]
    took = both(store, tmp_path / "dry", [export / "成交明细.csv"], "simulator", monkeypatch, dry_run=True)
    assert took["typed"] == took["direct"] == ["成交明细.csv"]


def _trades(tmp_path: Path, rows: list[list], encoding: str = "gb18030") -> Path:
    return write_csv(tmp_path / "in" / "成交明细.csv", TRADES_H, rows, encoding=encoding)


# A day after the stored ones (the `store` fixture's trades are of 2024-01-31): a clean file is written directly.
CLEAN = ["T0101", "C0001", "20240201", "600000", "1", "1", "100", "7.10", "710.00", "5.00", "0.00", "0.01", "网上"]
COLUMN = {h: i for i, h in enumerate(TRADES_H)}
# Values the typed reader might read otherwise than the text path: each must load the same or take the text path.
ODD = {
    "成交数量": ["100", "+100", "0100", "1e2", "100.0", "100.5", "1.5", "1,000", "1_000", " 100", "100 ", "0x10", "",
             "NaN", "inf", "-0", "1.", ".5", "9007199254740993", "9223372036854775808", "１００", "100\u3000",
             "\u3000100", "1 000", "-100"],
    "成交价格": ["7.1", "+7.1", "7.10000000000000001", "7,1", "1e400", "nan", "-7", "0", "", " 7.1 ", "0x1p3",
             "7.1\u00a0"],
    "成交金额": ["710", "710.00005", "710.12345", "1,710.00", "\u00a0710.00", "710.0000", "12345678901.23", "-0.00",
             "1e3", "", "9e15", "710.00 ", "7_10.00", "٧١٠"],
    "佣金": ["", "0.00005", "5.0001", "5e0", "-5", "1e-2"],
    "成交日期": ["20240131", "2024-01-31", "2024/01/31", " 20240131", "2024131", "20240230", "19891231", "20991231",
             "00000000", "20240131 ", "240131", ""],
    "买卖标志": ["1", "2", " 1", "3", "", "买入", "B", "1\u3000"],
    "委托方式": ["网上", " 网上", "网上\u3000", "柜台", "online", "", "网", "电话 "],
    "成交编号": ["T0101", " T0101", "=T0101", "1e5", "", "T０101", "T0101\u00a0", "x" * 201],
    "证券代码": ["600000", "sh600000", "600000.SH", "60000", "", " 600000", "６00000", "6e5"],
    "市场": ["1", "2", "上海", "SH", "sh", "9", "", "上海\u3000"],
}
CASES = [(h, v) for h, vs in ODD.items() for v in vs]


# About a minute each on two cores: the exports' encoding in the default tier, UTF-8 in the slow one.
@pytest.mark.parametrize("encoding", ["gb18030", pytest.param("utf-8", marks=pytest.mark.slow)])
def test_odd_values_load_as_the_text_path_loads_them_or_take_it(store, tmp_path, monkeypatch, encoding):
    """Each odd value in one trade of a clean file: the typed read either gives the text path's batch (problems
    included) and store, or gives the file to the text path."""
    typed_cases = direct_cases = 0
    for n, (header, value) in enumerate(CASES):
        row = list(CLEAN)
        row[COLUMN[header]] = value
        folder = tmp_path / f"c{n}"
        try:
            path = _trades(folder, [["T0100", *CLEAN[1:]], row], encoding)
        except UnicodeEncodeError:
            continue
        took = both(store, folder, [path], "simulator", monkeypatch)
        typed_cases += bool(took["typed"])
        direct_cases += "direct:成交明细.csv" in took["direct"]
    assert typed_cases >= 20        # the clean spellings do go through the typed read
    assert direct_cases >= 20       # and through the direct write


def test_a_value_the_typed_reader_refuses_takes_the_text_path_and_loads(store, tmp_path, monkeypatch):
    row = list(CLEAN)
    row[COLUMN["成交金额"]] = "1,710.00"          # thousands separator: DuckDB's typed reader refuses it
    row[COLUMN["佣金"]] = " 5.00 "                # padded
    path = _trades(tmp_path, [row])
    result, took = run(store, [path], "simulator", mode="typed", monkeypatch=monkeypatch)
    assert took == [] and result["status"] == "loaded"
    with duckdb.connect(str(store), read_only=True) as con:
        assert con.execute("SELECT amount, commission FROM trades WHERE trade_id = 'T0101'").fetchone() == (1710.0, 5.0)


def test_a_typed_file_with_problems_found_across_rows_reports_them_with_their_source_text(store, tmp_path,
                                                                                            monkeypatch):
    """Duplicate keys and unknown clients are found after the typed read: their values are read back from the
    file, and the problems are the text path's."""
    rows = [list(CLEAN), ["T0101", "C0002", *CLEAN[2:]], ["T0102", "C9999", *CLEAN[2:]]]
    took = both(store, tmp_path, [_trades(tmp_path, rows)], "simulator", monkeypatch)
    assert took["typed"] == took["direct"] == ["成交明细.csv"]
    result, _ = run(store, [_trades(tmp_path, rows)], "simulator", mode="typed", monkeypatch=monkeypatch)
    assert {(p["row"], p["code"], p["value"]) for p in result["problems"]} >= {(3, "duplicate_key", "T0101")}
    assert any(p["code"] == "unknown_client" and p["row"] == 4 and p["value"] for p in result["problems"])
    # with quarantine, the good row loads and the same rows are set aside
    assert both(store, tmp_path / "q", [_trades(tmp_path, rows)], "simulator", monkeypatch,
                quarantine=True)["typed"]


def _cases(expect: str) -> list:
    return [pytest.param(c, id=c["name"]) for c in MANIFEST if (c["expect"] == "reject") == (expect == "reject")
            and c["name"] not in SLOW_CASES]


def _folder(case: dict, tmp_path: Path) -> Path:
    if not case.get("runtime"):
        return CORPUS / case["name"]
    import make_corpus

    folder = tmp_path / "corpus" / case["name"]
    folder.mkdir(parents=True)
    next(c for c in make_corpus.CASES if c["name"] == case["name"])["build"](folder)
    return folder


@pytest.mark.parametrize("case", _cases("reject") + _cases("accept"))
def test_every_corpus_file_gives_the_text_paths_batch_and_store(case, store, tmp_path, monkeypatch):
    both(store, tmp_path, [_folder(case, tmp_path)], case.get("profile", "generic"), monkeypatch)


def test_two_files_of_one_table_one_typed_one_text_load_as_the_text_path(store, tmp_path, monkeypatch):
    """Their normalised rows are united: the typed file's money DECIMAL and the other's text reconcile alike."""
    header = ["trade_id", "client_id", "trade_date", "symbol", "side", "quantity", "price", "amount", "commission",
              "stamp_duty", "transfer_fee", "channel"]
    row = ["T0201", "C0001", "20240131", "600000.SH", "B", "100", "7.10", "710.05", "5.00", "0.00", "0.01", "online"]
    write_csv(tmp_path / "in" / "trades.csv", header, [row], encoding="utf-8")
    write_csv(tmp_path / "in" / "成交.csv", header, [["T0202", *row[1:7], "1,710.00", *row[8:]]], encoding="utf-8")
    took = both(store, tmp_path, [tmp_path / "in"], "generic", monkeypatch)
    assert took["typed"] == ["trades.csv"] and not any(t.startswith("direct:") for t in took["direct"])


@pytest.mark.parametrize("junk", [b"710.00\xa0", b"\xa0710.00", b"20240131\xa0", b"\xa1\xa1710.00", b"1\xa0"])
def test_stray_bytes_next_to_a_typed_value_give_the_text_paths_problem(store, tmp_path, monkeypatch, junk):
    """A lone 0xA0 (a space in Latin-1, no GB18030 character) or a GB18030 ideographic space beside a number, a
    date or a value-mapped code: the typed read must not take it for padding."""
    path = _trades(tmp_path, [list(CLEAN)])
    field = {b"2": "成交日期", b"1": "买卖标志"}.get(junk[:1], "成交金额")
    data = path.read_bytes()
    value = CLEAN[COLUMN[field]].encode()
    at = data.index(b"," + value + b",", data.index(b"\r\n")) + 1
    path.write_bytes(data[:at] + junk + data[at + len(value):])
    took = both(store, tmp_path, [path], "simulator", monkeypatch)
    assert took["typed"] == took["direct"] == []


def _long_trades(tmp_path: Path, tail: bytes = b"", encoding: str = "gb18030") -> Path:
    """A clean trades file of 40 rows, far longer than the 128-byte head the tests survey first, plus `tail`."""
    rows = [[f"L{n:04d}", *CLEAN[1:]] for n in range(40)]
    path = _trades(tmp_path, rows, encoding)
    path.write_bytes(path.read_bytes() + tail)
    return path


# Defects the file's head does not show: each must send the file read early to the text path, with its result.
# (The empty last field: a GB18030 file's empty text reads as NULL, as the text path's.)
LATER = {
    "control_byte": b"T9\x07001,C0001,20240131,600000,1,1,100,7.10,710.00,5.00,0.00,0.01,\r\n",
    "bare_cr": b"T9001,C0001,20240131,600000,1,1,100,7.10,710.00,5.00,0.00,0.01,\r",
    "lf_line_end": b"T9001,C0001,20240131,600000,1,1,100,7.10,710.00,5.00,0.00,0.01,\n",
    "quoted_line_break": b'"T9\r\n001",C0001,20240131,600000,1,1,100,7.10,710.00,5.00,0.00,0.01,\r\n',
    "blank_line": b"\r\n",
}


@pytest.mark.parametrize("defect", LATER)
def test_a_file_read_while_hashed_stands_only_if_the_whole_file_agrees(store, tmp_path, monkeypatch, defect):
    path = _long_trades(tmp_path, LATER[defect])
    assert both(store, tmp_path, [path], "simulator", monkeypatch)["direct"] == []
    read_whole: list[bool] = []
    load = typed.load
    monkeypatch.setattr(typed, "load", lambda *a, **k: read_whole.append((m := load(*a, **k)) is not None) or m)
    _, took = run(store, [path], "simulator", mode="early", monkeypatch=monkeypatch)
    assert took == [] and read_whole == [True]      # DuckDB reads every one of them: only the survey says no


def test_an_ascii_start_read_as_utf8_is_given_up_when_a_gb18030_line_follows(store, tmp_path, monkeypatch):
    """The head is ASCII (read as UTF-8); a later line in GB18030 makes the whole file GB18030."""
    path = write_csv(tmp_path / "in" / "trades.csv", ["trade_id", "client_id", "trade_date", "symbol", "side",
                     "quantity", "price", "amount", "commission", "stamp_duty", "transfer_fee", "channel"],
                     [[f"T{n:04d}", "C0001", "20240131", "600000.SH", "B", "100", "7.10", "710.00", "5.00", "0.00",
                       "0.01", "online"] for n in range(40)] + [["T9001", "C0001", "20240131", "600000.SH", "B", "100",
                       "7.10", "710.00", "5.00", "0.00", "0.01", "网上"]], encoding="gb18030")
    both(store, tmp_path, [path], "generic", monkeypatch)
    _, took = run(store, [path], "generic", mode="early", monkeypatch=monkeypatch)
    assert took == []


def test_a_clean_file_read_while_hashed_loads_and_a_second_run_skips_it(store, tmp_path, monkeypatch):
    path = _long_trades(tmp_path)
    took = both(store, tmp_path, [path], "simulator", monkeypatch)
    assert took["typed"] == took["early"] == ["成交明细.csv"] and took["direct"] == ["direct:成交明细.csv"]
    result, took = run(store, [path], "simulator", mode="early", monkeypatch=monkeypatch)
    assert took == ["成交明细.csv"] and result["status"] == "loaded", result["problems"][:3]
    before = snapshot(store)
    for mode in ("early", "direct"):
        again, _ = run(store, [path], "simulator", mode=mode, monkeypatch=monkeypatch)
        assert again["status"] == "unchanged" and again["files"][0]["status"] == "already_loaded"
        assert snapshot(store) == before


# The direct write (batch._direct_write) gives the batch to the staged path whenever the staged path could say
# something else than "every row added": each case below must give the text path's batch and store.
def _sell(quantity: str) -> list:
    return ["T0102", "C0001", "20240201", "600000", "1", "2", quantity, "7.10", "7100.00", "5.00", "0.00", "0.01", "网上"]


RESTAGED = {     # case: (rows, why the direct write gives them up)
    "stored_day": ([["T0101", *CLEAN[1:2], "20240131", *CLEAN[3:]]], "rows on or before the store's last trade date"),
    "stored_id": ([["T0001", *CLEAN[1:]]], "a stored trade id"),                         # a correction
    "repeated_id": ([list(CLEAN), ["T0101", "C0002", *CLEAN[2:]]], "a trade id repeats"),
    "unknown_client": ([list(CLEAN), ["T0102", "C9999", *CLEAN[2:]]], "an unknown client"),
    "unknown_symbol": ([list(CLEAN), ["T0102", "C0001", "20240201", "688999", "1", *CLEAN[5:]]], "an unknown symbol"),
    # C0001: 1,000 at the last snapshot, 500 sold on the store's last day
    "oversell": ([list(CLEAN), _sell("600")], "a sale beyond the holding"),
}


@pytest.mark.parametrize("case", RESTAGED)
def test_the_direct_write_gives_a_file_it_cannot_add_whole_to_the_staged_path(store, tmp_path, monkeypatch, caplog,
                                                                              case):
    rows, why = RESTAGED[case]
    with caplog.at_level(logging.INFO, logger=batch.__name__):
        took = both(store, tmp_path, [_trades(tmp_path, rows)], "simulator", monkeypatch)
    assert took["direct"] == took["typed"] == ["成交明细.csv"]
    restaged = [r.getMessage() for r in caplog.records if "staged after all" in r.getMessage()]
    assert len(restaged) == 1 and f"(成交明细.csv: {why}" in restaged[0], restaged


def test_the_direct_write_checks_sales_against_the_holdings(store, tmp_path, monkeypatch):
    """A sale within the holding is written directly: the oversell check ran on the store's rows."""
    took = both(store, tmp_path, [_trades(tmp_path, [list(CLEAN), _sell("400")])], "simulator", monkeypatch)
    assert took["direct"] == ["direct:成交明细.csv"]


def test_a_problem_in_another_file_of_the_batch_is_reported_with_the_trades_files(store, tmp_path, monkeypatch):
    """The direct write is not tried on a batch with problems: the trades file is read and checked with the
    rest, and the report holds its problems too."""
    export = simulator_export(tmp_path / "src", trade_day="20240201",
                              trades=[list(CLEAN), ["T0102", "C9999", *CLEAN[2:]]])
    rows = clients_rows()
    rows[0][6] = "19000230"                             # no such date
    write_csv(export / "客户资料.csv", CLIENTS_H, rows)
    both(store, tmp_path, [export / "客户资料.csv", export / "成交明细.csv"], "simulator", monkeypatch)
    result, took = run(store, [export / "客户资料.csv", export / "成交明细.csv"], "simulator", mode="direct",
                       monkeypatch=monkeypatch)
    assert result["status"] == "rejected" and took == ["成交明细.csv"]
    assert {p["code"] for p in result["problems"]} >= {"unknown_client", "bad_date"}


def test_a_direct_write_that_fails_leaves_the_store_as_it_was(store, tmp_path, monkeypatch):
    """An error after the rows are in wh.trades rolls the whole batch back: the masters, the trades, the
    aggregates and the ledger."""
    export = simulator_export(tmp_path / "src", trade_day="20240201", trades=[list(CLEAN)])
    before = snapshot(store)

    def broken(con, new, old):
        assert new == "_direct" and con.execute("SELECT count(*) FROM _direct").fetchone()[0] == 1   # written
        raise RuntimeError("disk gone")

    monkeypatch.setattr(store_module, "update_aggregates", broken)
    with pytest.raises(RuntimeError, match="disk gone"):
        run(store, [export / "客户资料.csv", export / "成交明细.csv"], "simulator", mode="direct",
            monkeypatch=monkeypatch)
    assert snapshot(store) == before
