"""The back-office export: the agreed format, and it loads through the real import path without a reject."""

from __future__ import annotations

import re

import pyarrow.parquet as pq

from panhuo.simulate.export import FILES

HEADERS = {
    "客户资料.csv": "客户号,营业部代码,客户姓名,证件号码,手机号码,性别,出生日期,地区,开户日期,客户类型,风险等级,风险测评日期,投资顾问编号,拒绝联系",
    "投资顾问.csv": "投资顾问编号,姓名,级别,地区,服务容量,专长,入职日期,在职",
    "证券信息.csv": "证券代码,市场,证券名称,板块,行业,上市日期,是否ST",
    "日线行情.csv": "证券代码,市场,交易日期,开盘价,最高价,最低价,收盘价,前收盘价,成交量,成交额,换手率,复权因子",
    "成交明细.csv": "成交编号,客户号,成交日期,证券代码,市场,买卖标志,成交数量,成交价格,成交金额,佣金,印花税,过户费,委托方式",
    "银证转账.csv": "流水号,客户号,转账时间,转账方向,发生金额,银行",
    "日终资产.csv": "客户号,日期,资金余额,证券市值,总资产,当日净转入",
    "持仓.csv": "日期,客户号,证券代码,市场,持仓数量,成本价,收盘价,市值",
}


def _lines(path):
    raw = path.read_bytes()
    assert b"\r\n" in raw and raw.count(b"\n") == raw.count(b"\r\n")
    return raw.decode("gb18030").split("\r\n")[:-1]


def test_files_headers_encoding_and_row_counts(sim):
    out, summary = sim
    export = out / "export"
    assert sorted(p.name for p in export.iterdir()) == sorted(FILES.values())
    for table, name in FILES.items():
        lines = _lines(export / name)
        assert lines[0] == HEADERS[name]
        if table != "daily_assets":
            assert len(lines) - 1 == summary.rows[table], name
    assets = _lines(export / "日终资产.csv")
    assert 0 < len(assets) - 1 < summary.rows["daily_assets"]


def test_value_formats(sim):
    out, _ = sim
    export = out / "export"
    trade = _lines(export / "成交明细.csv")[1].split(",")
    assert re.fullmatch(r"\d{8}", trade[2]) and re.fullmatch(r"\d{6}", trade[3]) and trade[4] in "123"
    assert trade[5] in ("1", "2") and trade[12] in ("网上", "柜台", "电话")
    assert all(re.fullmatch(r"\d+\.\d{2}", v) for v in trade[8:12])
    transfer = _lines(export / "银证转账.csv")[1].split(",")
    assert re.fullmatch(r"\d{8} \d{2}:\d{2}:\d{2}", transfer[2]) and transfer[3] in ("银行转证券", "证券转银行")
    client = _lines(export / "客户资料.csv")[1].split(",")
    assert client[5] in ("男", "女", "") and client[9] in ("个人", "机构") and client[13] in ("是", "否")
    for line in _lines(export / "日终资产.csv")[1:2000]:
        assert re.fullmatch(r"\d{10},\d{8},\d+\.\d{2},\d+\.\d{2},\d+\.\d{2},-?\d+\.\d{2}", line), line


def test_export_loads_through_the_simulator_import_profile(tmp_path):
    from datetime import date

    from panhuo.ingest.batch import run_batch
    from panhuo.simulate import SimConfig, simulate

    out = tmp_path / "sim"
    summary = simulate(SimConfig(clients=300, years=0.5, stocks=60, end=date(2026, 10, 30)), out, export=True)
    store = tmp_path / "warehouse.duckdb"
    result = run_batch(store_path=store, paths=[out / "export"], profile="simulator", batch_key="sim-test")
    assert result.status == "loaded", result.message
    assert not result.problems
    loaded = {f.table: f.rows_loaded for f in result.files}
    for table in ("clients", "trades", "transfers", "positions", "bars", "instruments", "advisors"):
        assert loaded[table] == summary.rows[table], table
    import duckdb

    con = duckdb.connect(str(store), read_only=True)
    got = con.execute("SELECT sum(amount), sum(commission), count(DISTINCT client_id) FROM trades").fetchone()
    want = pq.read_table(out / "trades.parquet").to_pandas()
    assert abs(got[0] - want.amount.sum()) < 0.5 and abs(got[1] - want.commission.sum()) < 0.5
    assert got[2] == want.client_id.nunique()
