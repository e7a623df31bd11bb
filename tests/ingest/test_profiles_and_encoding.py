"""Profiles are declarative and checked when loaded; a firm's profile needs no code; encodings round-trip."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from panhuo.ingest.batch import BatchRejected, run_batch
from panhuo.ingest.datamodel import data_model_markdown
from panhuo.ingest.profile import ProfileError, available_profiles, load_profile, parse_profile
from panhuo.ingest.read import transcode_csv

ROOT = Path(__file__).resolve().parents[2]

FIRM_PROFILE = """
name = "hundsun_demo"
description = "A firm's export: 客户编号 and 委托类别 spellings, dates with slashes"
date_formats = ["%Y/%m/%d"]
[[file]]
table = "trades"
names = ["cjmx_*.csv"]
[file.columns]
trade_id = "成交序号"
client_id = ["客户编号", "资金账号"]
trade_date = "成交日期"
symbol = { code = "证券代码", market = "交易市场" }
side = "委托类别"
quantity = "成交数量"
price = "成交价格"
amount = "成交金额"
commission = "佣金"
[file.values.side]
"证券买入" = "B"
"证券卖出" = "S"
[markets]
"沪A" = "SH"
"深A" = "SZ"
"""


def test_builtin_profiles_load():
    assert {"generic", "simulator"} <= set(available_profiles())
    assert {f.table for f in load_profile("generic").files} == {f.table for f in load_profile("simulator").files}


def test_a_firm_profile_is_one_toml_file(store, tmp_path, monkeypatch):
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "hundsun_demo.toml").write_text(FIRM_PROFILE, encoding="utf-8")
    monkeypatch.setenv("PANHUO_PROFILES", str(profiles))
    src = tmp_path / "src"
    src.mkdir()
    (src / "cjmx_20240201.csv").write_bytes(
        "成交序号,资金账号,成交日期,证券代码,交易市场,委托类别,成交数量,成交价格,成交金额,佣金,柜员\r\n"
        "H1,C0001,2024/02/01,600000,沪A,证券买入,100,7.00,700.00,5.00,王柜员\r\n".encode("gbk"))
    result = run_batch(store_path=store, paths=[src], profile="hundsun_demo", batch_key="h")
    assert result.files[0].dropped_columns == ["柜员"]
    assert result.files[0].absent_columns == ["stamp_duty", "transfer_fee", "channel"]
    with duckdb.connect(str(store), read_only=True) as con:
        assert con.execute("SELECT symbol, side, trade_date::VARCHAR FROM trades WHERE trade_id = 'H1'").fetchall() == [
            ("600000.SH", "B", "2024-02-01")]


@pytest.mark.parametrize("bad, message", [
    ({"file": [{"table": "trades", "names": ["x.csv"]}]}, "`name` is required"),
    ({"name": "x", "file": [{"table": "nope", "names": ["x.csv"]}]}, "unknown table"),
    ({"name": "x", "file": [{"table": "advisors", "names": ["x.csv"], "columns": {"advisor_id": "a", "salary": "b"}}]},
     "columns not in table"),
    ({"name": "x", "file": [{"table": "advisors", "names": ["x.csv"], "columns": {"name": "a"}}]},
     "required columns of advisors not mapped"),
    ({"name": "x", "file": [{"table": "advisors", "names": ["x.csv"], "columns": {"advisor_id": "a", "level": "b"},
                             "values": {"level": {"1": "boss"}}}]}, "values.level maps to"),
    ({"name": "x"}, "no files defined"),
])
def test_profile_mistakes_fail_when_loaded(bad, message):
    with pytest.raises(ProfileError, match=message):
        parse_profile(bad)


def test_unknown_profile_names_the_available_ones():
    with pytest.raises(ProfileError, match="generic"):
        load_profile("no_such_firm")
    with pytest.raises(ProfileError):
        load_profile("../etc/passwd")


def test_docs_data_model_matches_the_schema():
    assert (ROOT / "docs" / "data-model.md").read_text(encoding="utf-8") == data_model_markdown(), \
        "regenerate: python -m panhuo.ingest.datamodel > docs/data-model.md"


def test_utf8_is_never_decoded_as_gbk(tmp_path):
    src = tmp_path / "a.csv"
    src.write_bytes("客户号,客户姓名\r\nC1,张三\r\n".encode())
    encoding, problems = transcode_csv(src, tmp_path / "out.csv", "a.csv")
    assert (encoding, problems) == ("utf-8", [])
    assert "张三" in (tmp_path / "out.csv").read_text(encoding="utf-8")   # not 寮犱笁


@pytest.mark.parametrize("name, skipped", [("张三", True), ("张\t三", False), ("张\x07三", False), ("张\n三", False)])
def test_control_check_is_skipped_only_when_the_bytes_prove_it_cannot_fire(store, tmp_path, name, skipped):
    """The per-value control-character rule is skipped for a file without control bytes whose every line is
    one record; a tab, a bell or a quoted line break in a value still gets the file refused."""
    from exports import CLIENTS_H, clients_rows, write_csv

    from panhuo.ingest.read import scan_file

    row = clients_rows()[0]
    row[0], row[2] = "C0100", name
    path = write_csv(tmp_path / "src" / "客户资料.csv", CLIENTS_H, [row])
    assert (scan_file(path).controls == 0) == (name in ("张三", "张\n三"))
    if skipped:
        assert run_batch(store_path=store, paths=[path], profile="simulator", batch_key="c").status == "loaded"
        return
    with pytest.raises(BatchRejected) as info:
        run_batch(store_path=store, paths=[path], profile="simulator", batch_key="c")
    assert [(p.code, p.row, p.column) for p in info.value.result.problems] == [("control_chars", 2, "客户姓名")]


# Names drawn from the basic CJK block and extensions A and B (U+20000…), which GBK cannot encode.
cjk = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF) | st.characters(min_codepoint=0x3400,
    max_codepoint=0x4DBF) | st.characters(min_codepoint=0x20000, max_codepoint=0x2A6DF)
names = st.text(cjk, min_size=1, max_size=6)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=st.lists(names, min_size=1, max_size=8), bom=st.booleans(), encoding=st.sampled_from(["gb18030", "utf-8"]))
def test_chinese_names_round_trip_through_files(batch, bom, encoding, tmp_path_factory):
    folder = tmp_path_factory.mktemp("rt")
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["客户号", "营业部代码", "客户姓名"])
    w.writerows([f"C{i:04d}", "B001", n] for i, n in enumerate(batch))
    data = buf.getvalue().encode(encoding)
    (folder / "clients.csv").write_bytes((b"\xef\xbb\xbf" if bom and encoding == "utf-8" else b"") + data)
    run_batch(store_path=folder / "wh.duckdb", paths=[folder / "clients.csv"], profile="generic", batch_key="rt")
    with duckdb.connect(str(folder / "wh.duckdb"), read_only=True) as con:
        got = [r[0] for r in con.execute("SELECT name FROM clients ORDER BY client_id").fetchall()]
    assert got == batch


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8"])
def test_values_lose_surrounding_spaces_of_every_kind_and_keep_inner_ones(tmp_path, encoding):
    """Export tools pad with ASCII, full-width (U+3000) and no-break (U+00A0) spaces; the parse trims only what
    surrounds a value, whatever the file's encoding, and a value of spaces alone is empty."""
    folder = tmp_path / encoding
    rows = [[" C0001", "B001", "\u3000张 三\u3000"], ["C0002\u00a0", "B001 ", " 李四"], ["C0003", "B001", "\u3000 "],
            ["C0004", "B001", "\u3000王五"]]         # full-width padding alone: no ASCII space to give it away
    if encoding == "gb18030":
        rows[1][0] = "C0002 "           # GBK has no no-break space
    from exports import write_csv

    write_csv(folder / "clients.csv", ["客户号", "营业部代码", "客户姓名"], rows, encoding=encoding)
    run_batch(store_path=folder / "wh.duckdb", paths=[folder / "clients.csv"], profile="generic", batch_key="t")
    with duckdb.connect(str(folder / "wh.duckdb"), read_only=True) as con:
        got = con.execute("SELECT client_id, branch_id, name FROM clients ORDER BY 1").fetchall()
    assert got == [("C0001", "B001", "张 三"), ("C0002", "B001", "李四"), ("C0003", "B001", None),
                   ("C0004", "B001", "王五")]
