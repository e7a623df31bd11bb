"""Import throughput: GBK trade exports validated and loaded, against pandas.read_csv + DataFrame.to_sql.

Issue #4 target: 10M trade rows of GBK CSV validated and loaded at >= 1M rows/s on 2 cores; issue #17's: within
1.5x of the no-check DuckDB floor (FLOOR below), which loads the same four files. Every side runs in a fresh
child process (bench.common.run_child) so peak memory is honest; the pandas peer reads the trades file only and
does no validation at all.

Ours runs three times into fresh stores: validating only (dry run); loading, where a first load's big trades file
(the full export's, not the quick one's) is written straight into the store (batch._direct_write; the benchmark
asserts which); and loading with that write switched off, every row staged in memory first, as a batch that
corrects stored rows is loaded.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from bench.common import Result, run_child
from panhuo.ingest.batch import DIRECT_WRITE

ROWS = {"quick": 300_000, "full": 10_000_000}
CLIENTS = 20_000

TRADES_H = "成交编号,客户号,成交日期,证券代码,市场,买卖标志,成交数量,成交价格,成交金额,佣金,印花税,过户费,委托方式"


def write_export(folder: Path, rows: int) -> Path:
    """A GBK export in the simulator profile's format: clients, advisors, instruments and `rows` trades."""
    import numpy as np
    import polars as pl

    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(4)
    clients = pl.DataFrame({
        "客户号": [f"C{i:06d}" for i in range(CLIENTS)], "营业部代码": "B001", "客户姓名": "张三",
        "证件号码": "", "手机号码": "", "性别": "男", "出生日期": "19800101", "地区": "北京", "开户日期": "20150101",
        "客户类型": "个人", "风险等级": "C3", "风险测评日期": "20230101", "投资顾问编号": "A01", "拒绝联系": "否"})
    (folder / "客户资料.csv").write_bytes(clients.write_csv(line_terminator="\r\n").encode("gbk"))
    (folder / "投资顾问.csv").write_bytes("投资顾问编号,姓名,级别,地区,服务容量,专长,入职日期,在职\r\nA01,艾丽,高级,北京,300,,20150101,是\r\n"
                                         .encode("gbk"))
    codes = [f"{600000 + i:06d}" for i in range(300)]
    instruments = pl.DataFrame({"证券代码": codes, "市场": "1", "证券名称": "股票", "板块": "主板", "行业": "银行",
                                "上市日期": "20000101", "是否ST": "否"})
    (folder / "证券信息.csv").write_bytes(instruments.write_csv(line_terminator="\r\n").encode("gbk"))
    days = pl.date_range(pl.date(2023, 1, 2), pl.date(2024, 12, 31), "1d", eager=True).dt.strftime("%Y%m%d")
    with (folder / "成交明细.csv").open("wb") as fh:
        fh.write((TRADES_H + "\r\n").encode("gbk"))
        step = 1_000_000
        for start in range(0, rows, step):
            n = min(step, rows - start)
            qty = rng.integers(1, 50, n) * 100
            price = np.round(rng.uniform(3, 80, n), 2)
            amount = np.round(qty * price, 2)
            commission = np.maximum(np.round(amount * 0.00025, 2), 5.0)
            side = rng.integers(1, 3, n)
            df = pl.DataFrame({
                "id": pl.int_range(start, start + n, eager=True).cast(pl.String).str.zfill(10),
                "client": [f"C{i:06d}" for i in rng.integers(0, CLIENTS, n)],
                "date": days.gather(np.sort(rng.integers(0, len(days), n))),
                "code": [codes[i] for i in rng.integers(0, 300, n)], "market": "1", "side": side.astype(str),
                "qty": qty, "price": price, "amount": amount, "commission": commission,
                "stamp": np.where(side == 2, np.round(amount * 0.0005, 2), 0.0), "fee": np.round(amount * 1e-5, 2),
                "channel": [("网上", "柜台", "电话")[i] for i in rng.integers(0, 3, n)],
            }).with_columns(pl.col(c).map_elements(lambda v: f"{v:.2f}", return_dtype=pl.String)
                            for c in ("price", "amount", "commission", "stamp", "fee"))
            fh.write(df.write_csv(include_header=False, line_terminator="\r\n").encode("gbk"))
    return folder


OURS = """
import json, sys, time
from pathlib import Path
from panhuo.ingest import batch
direct = []
if sys.argv[3] == "staged":
    batch.DIRECT_WRITE = 1 << 62
write = batch._direct_write
batch._direct_write = lambda *a: (done := write(*a), direct.append(True))[0]
t, c = time.perf_counter(), time.process_time()   # process_time counts every thread of the process
r = batch.run_batch(store_path=Path(sys.argv[1]), paths=[Path(sys.argv[2])], profile="simulator",
                    batch_key="bench", dry_run=sys.argv[3] == "dry")
s, cpu = time.perf_counter() - t, time.process_time() - c
trades = next(f for f in r.files if f.table == "trades")
import resource
u = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": s, "trades": trades.rows_loaded, "rows": r.total("rows_loaded"), "status": r.status,
                  "cpu_seconds": cpu, "peak_rss_gib": u.ru_maxrss / 1024**2, "direct": bool(direct)}))
"""

PEER = """
import json, sqlite3, sys, time
import pandas as pd
t, c = time.perf_counter(), time.process_time()
df = pd.read_csv(sys.argv[2], encoding="gbk", dtype=str)
con = sqlite3.connect(sys.argv[1])
df.to_sql("trades", con, index=False, chunksize=100_000)
con.commit()
import resource
u = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": time.perf_counter() - t, "rows": len(df), "cpu_seconds": time.process_time() - c,
                  "peak_rss_gib": u.ru_maxrss / 1024**2}))
"""


# The floor: what loading the same export costs DuckDB with no checks at all: the same four files into the same
# store tables. Trades: typed columns read by DuckDB's own CSV reader (GB18030 text read as Latin-1 and mapped, as
# ours does), straight into the store's trades table; then the three aggregates the import maintains
# (client_days with the same exact sums, money.DAY_SUMS, so the rows are the import's; client_symbols;
# client_life from client_days). The small master files (clients, advisors, instruments) decoded by Python,
# whose GB18030 codec DuckDB lacks, and read as text with their dates and codes mapped. One transaction. No hash,
# no row numbers, no validation, no duplicate or reference check, no reconciliation: a target below this figure
# cannot be met by an import that checks anything while writing into DuckDB.
FLOOR = """
import json, sys, time
from pathlib import Path
import duckdb
from panhuo.warehouse.money import DAY_SUMS
from panhuo.warehouse.schema import LIFE_SQL, all_tables
t, c = time.perf_counter(), time.process_time()
export = Path(sys.argv[2])
con = duckdb.connect(sys.argv[1])
con.execute("SET preserve_insertion_order = false")
for name in ("clients", "advisors", "instruments", "trades", "client_days", "client_symbols", "client_life"):
    con.execute(all_tables()[name].ddl())


def text(name):
    out = Path(sys.argv[1]).with_name(name)
    out.write_text((export / name).read_bytes().decode("gb18030"), encoding="utf-8")
    return f"read_csv('{out}', header=true, all_varchar=true)"


def day(col):
    return f"strptime({col}, '%Y%m%d')::DATE"


market = "CASE 市场 WHEN '1' THEN 'SH' WHEN '2' THEN 'SZ' WHEN '3' THEN 'BJ' END"
con.execute("BEGIN")
con.execute(f\"\"\"INSERT INTO clients SELECT 客户号, 营业部代码, 客户姓名, nullif(证件号码, ''), nullif(手机号码, ''), 性别,
    {day('出生日期')}, 地区, {day('开户日期')}, CASE 客户类型 WHEN '个人' THEN 'individual' ELSE 'institution' END,
    风险等级, {day('风险测评日期')}, 投资顾问编号, 拒绝联系 = '是', NULL FROM {text('客户资料.csv')}\"\"\")
con.execute(f\"\"\"INSERT INTO advisors SELECT 投资顾问编号, 姓名, CASE 级别 WHEN '初级' THEN 'junior' WHEN '高级' THEN 'senior'
    ELSE 'principal' END, 地区, 服务容量::INTEGER, nullif(专长, ''), {day('入职日期')}, 在职 = '是'
    FROM {text('投资顾问.csv')}\"\"\")
con.execute(f\"\"\"INSERT INTO instruments SELECT 证券代码 || '.' || {market}, 证券名称, {market},
    CASE 板块 WHEN '主板' THEN 'main' WHEN '创业板' THEN 'chinext' WHEN '科创板' THEN 'star' ELSE 'bse' END, 行业,
    {day('上市日期')}, 是否ST = '是' FROM {text('证券信息.csv')}\"\"\")
types = ["VARCHAR", "VARCHAR", "DATE", "VARCHAR", "VARCHAR", "VARCHAR", "BIGINT"] + ["DOUBLE"] * 5 + ["VARCHAR"]
cols = "{" + ", ".join(f"'c{i}': '{t}'" for i, t in enumerate(types)) + "}"
channel = " ".join(f"WHEN '{zh.encode('gbk').decode('latin-1')}' THEN '{en}'"
                   for zh, en in (("网上", "online"), ("柜台", "counter"), ("电话", "phone")))
con.execute(f\"\"\"INSERT INTO trades SELECT c0, c1, c2, c3 || '.' || CASE c4 WHEN '1' THEN 'SH' ELSE 'SZ' END,
    CASE c5 WHEN '1' THEN 'B' ELSE 'S' END, c6, c7, c8, c9, c10, c11, CASE c12 {channel} END
    FROM read_csv(?, header=true, auto_detect=false, columns={cols}, dateformat='%Y%m%d', encoding='latin-1')\"\"\",
    [str(export / "成交明细.csv")])
con.execute(f"INSERT INTO client_days SELECT client_id, trade_date, {DAY_SUMS} FROM trades GROUP BY ALL")
con.execute("INSERT INTO client_symbols SELECT client_id, symbol, min(trade_date), max(trade_date) FROM trades GROUP BY ALL")
con.execute(f"INSERT INTO client_life {LIFE_SQL.format(days='client_days', where='')}")
con.execute("COMMIT")
rows = con.execute("SELECT (SELECT count(*) FROM trades) + (SELECT count(*) FROM clients) + "
                   "(SELECT count(*) FROM advisors) + (SELECT count(*) FROM instruments)").fetchone()[0]
trades = con.execute("SELECT count(*) FROM trades").fetchone()[0]
con.close()
import resource
u = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": time.perf_counter() - t, "rows": rows, "trades": trades,
                  "cpu_seconds": time.process_time() - c, "peak_rss_gib": u.ru_maxrss / 1024**2}))
"""


def run(scale: str) -> list[Result]:
    rows = ROWS[scale]
    with tempfile.TemporaryDirectory(prefix="panhuo-bench-import-") as tmp:
        export = write_export(Path(tmp) / "export", rows)
        trades_bytes = (export / "成交明细.csv").stat().st_size
        load = os.getloadavg()[0]
        checked = run_child(OURS, str(Path(tmp) / "warehouse.duckdb"), str(export), "dry")
        ours = run_child(OURS, str(Path(tmp) / "warehouse.duckdb"), str(export), "load")
        (Path(tmp) / "staged").mkdir()
        staged = run_child(OURS, str(Path(tmp) / "staged" / "warehouse.duckdb"), str(export), "staged")
        peer = run_child(PEER, str(Path(tmp) / "peer.sqlite"), str(export / "成交明细.csv"))
        (Path(tmp) / "floor").mkdir()
        floor = run_child(FLOOR, str(Path(tmp) / "floor" / "floor.duckdb"), str(export))
        load_end = os.getloadavg()[0]
    assert ours["status"] == "loaded" and ours["trades"] == rows == peer["rows"], json.dumps(ours)
    assert ours["direct"] == (trades_bytes >= DIRECT_WRITE), json.dumps(ours)     # the quick export is smaller
    assert staged["status"] == "loaded" and staged["trades"] == rows and not staged["direct"], json.dumps(staged)
    assert checked["status"] == "validated" and checked["trades"] == rows, json.dumps(checked)
    assert floor["trades"] == rows and floor["rows"] == ours["rows"], json.dumps([floor, ours])
    rps, peer_rps = ours["trades"] / ours["seconds"], peer["rows"] / peer["seconds"]
    floor_rps = floor["trades"] / floor["seconds"]
    floor_name = "floor: DuckDB read_csv+INSERT, no checks"
    note = (f"{rows:,} GBK trade rows + {CLIENTS:,} clients; peer: no validation, SQLite; floor: the same four "
            f"files into the same tables and aggregates, no checks, no hash; load average "
            f"{load:.1f} at start, {load_end:.1f} at end, on {os.cpu_count()} cores shared with other work")
    return [
        Result("import.gbk_trades", "rows_per_second", rps, target=">= 1,000,000 rows/s", met=rps >= 1_000_000,
               peers={"pandas.read_csv+to_sql": peer_rps, floor_name: floor_rps}, note=note),
        Result("import.gbk_trades_validate_only", "rows_per_second", checked["trades"] / checked["seconds"],
               peers={"pandas.read_csv+to_sql": peer_rps},
               note=note + "; read, parse, validate and reconcile, no store write"),
        Result("import.gbk_trades", "seconds", ours["seconds"],
               peers={"pandas.read_csv+to_sql": peer["seconds"], floor_name: floor["seconds"]}, note=note),
        # The open issue's target: the checked import within 1.5x of the floor's wall time in the same run.
        Result("import.gbk_trades_over_floor", "time_ratio", ours["seconds"] / floor["seconds"], target="<= 1.5",
               met=ours["seconds"] <= 1.5 * floor["seconds"], note=note + "; wall seconds, ours / floor"),
        # CPU seconds (all threads) travel better than wall time on a shared machine: the wall time can only
        # reach rows / (CPU seconds / cores) when nothing else runs.
        # The same load with every row staged in memory first, as a batch that corrects stored rows is loaded.
        Result("import.gbk_trades_staged_over_floor", "time_ratio", staged["seconds"] / floor["seconds"],
               note=note + f"; wall seconds, ours staged ({staged['seconds']:.2f} s, "
                           f"{staged['cpu_seconds']:.2f} CPU s, {staged['peak_rss_gib']:.2f} GiB) / floor"),
        Result("import.gbk_trades", "cpu_seconds", ours["cpu_seconds"],
               peers={"pandas.read_csv+to_sql": peer["cpu_seconds"], floor_name: floor["cpu_seconds"]}, note=note),
        Result("import.gbk_trades", "peak_rss_gib", ours["peak_rss_gib"],
               peers={"pandas.read_csv+to_sql": peer["peak_rss_gib"], floor_name: floor["peak_rss_gib"]}, note=note),
    ]
