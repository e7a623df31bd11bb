"""The branch's whole day on PostgreSQL (the open issue: ≤ 5 min and ≤ 8 GiB for 1,000,000 clients).

Set-up (not timed as the day), in one child process: a fresh PostgreSQL database `day_bench`, migrated; a
warehouse with the branch's history up to the day before (bench/analytics_data: 1M clients and 100M trades over
three years at full scale, cached under PANHUO_BENCH_KEEP), the client master in it given names, risk levels and
advisors; the operational client master copied from it by the import's own sync; contacts; a launched campaign
with members; then the previous day's run (`daily_run` as of the day before: snapshots, 360 series, tasks), so
the day replaces what a branch already has. Last, the back office's files of the new day, GB18030 CSV in the
simulator profile: the whole client master (1% of risk levels and 0.2% of assignments changed, 0.1% new
clients), the advisors, the day's trades (sells only from holdings, as the oversell check wants), every client's
end-of-day assets, the day's transfers and the index bar.

The day, in one fresh process: the import through `panhuo import`'s service (imports.services.import_batch:
lock, journal, checks, load, client-master sync), then what `panhuo run-daily` does (imports_settle, then
`daily_run(store=True)` under the store guard) with each stage timed by daily_run's `timings`. Peak RSS of that
process by getrusage; PostgreSQL's memory is separate: the peak of the one backend serving the process is read
from /proc (VmHWM, which counts the shared buffers it touched).

Full: 1,000,000 clients / 100,000,000 trades; quick: 20,000 / 2,000,000.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import Result

ROOT = Path(__file__).resolve().parents[1]
SIZES = {"quick": (20_000, 2_000_000), "full": (1_000_000, 100_000_000)}
TARGET_S, TARGET_GIB = 300.0, 8.0
# A developer's mid-size run and a database of one's own (two runs at once must not share one):
# PANHUO_BENCH_DAY_SIZE="200000,20000000" and PANHUO_BENCH_DAY_DB=name; the recorded runs use neither.
DB = os.environ.get("PANHUO_BENCH_DAY_DB", "day_bench")

SETUP = r'''
import json, os, shutil, sys, time
from datetime import timedelta
from pathlib import Path
N, TRADES, CACHE, EXPORT = int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4])
from panhuo.django_setup import setup
setup()
from django.core.management import call_command
from panhuo.config import warehouse_path
from panhuo.warehouse import Warehouse
from bench.analytics_data import AS_OF, SYMBOLS, build
DAY = AS_OF + timedelta(days=3)          # AS_OF is a Friday: the next trading day
out = {}
t0 = time.perf_counter()
if not CACHE.exists():
    building = CACHE.with_suffix(".building")     # renamed when complete: a killed build leaves no cache
    building.unlink(missing_ok=True)
    wh = Warehouse(building)
    wh.con.execute("SET enable_progress_bar = false")
    build(wh.con, clients=N, trades=TRADES)
    # the client master a back office keeps: names, risk levels, advisors (analytics_data leaves them empty)
    wh.con.execute("""UPDATE clients SET name = '客户' || substr(client_id, 2), gender = CASE WHEN hash(client_id) % 2 = 0 THEN '男' ELSE '女' END,
        birth_date = DATE '1950-01-01' + CAST(hash(client_id) % 18000 AS INTEGER), region = '北京',
        client_type = 'individual', risk_level = 'C' || CAST(1 + hash(client_id || 'r') % 5 AS VARCHAR),
        risk_assessed_on = DATE '2023-01-01' + CAST(hash(client_id) % 500 AS INTEGER), do_not_contact = false""")
    wh.con.execute("""INSERT INTO advisors SELECT DISTINCT advisor_id, '顾问' || substr(advisor_id, 2), 'senior', '北京',
        300, '', DATE '2015-01-01', true FROM clients""")
    # the market step's inputs: the traded names' reference data and 800 calendar days of their daily bars
    # (a random walk per name), beside the index bars analytics_data writes
    wh.con.execute(f"""INSERT INTO instruments SELECT lpad(CAST(600000 + i AS VARCHAR), 6, '0') || '.SH', '股票' || CAST(i AS VARCHAR),
        'SH', 'main', '行业' || CAST(i % 30 AS VARCHAR), DATE '2010-01-04', false FROM range({SYMBOLS}) t(i)""")
    wh.con.execute(f"""INSERT INTO bars
        WITH d AS (SELECT CAST(x AS DATE) AS d FROM generate_series(DATE '{AS_OF - timedelta(days=800)}', DATE '{AS_OF}', INTERVAL 1 DAY) t(x)
                   WHERE dayofweek(x) BETWEEN 1 AND 5),
        r AS (SELECT i, d, 0.0003 + 0.02 * (random() + random() + random() - 1.5) AS ret FROM range({SYMBOLS}) t(i) CROSS JOIN d),
        c AS (SELECT i, d, 10 * exp(sum(ret) OVER (PARTITION BY i ORDER BY d)) AS close, ret FROM r)
        SELECT lpad(CAST(600000 + i AS VARCHAR), 6, '0') || '.SH', d, round(close / exp(ret / 2), 2), round(close * 1.01, 2),
               round(close * 0.985, 2), round(close, 2), round(close / exp(ret), 2), 1e6 * (1 + random() * 9),
               1e7 * (1 + random() * 9), 0.01 + random() * 0.03, 1.0 FROM c""")
    from panhuo.analytics.aggregates import refresh_aggregates
    refresh_aggregates(wh)
    wh.close()
    building.rename(CACHE)
out["warehouse_build_seconds"] = time.perf_counter() - t0
shutil.copyfile(CACHE, warehouse_path())
t0 = time.perf_counter()
call_command("migrate", verbosity=0)
import random
from django.utils import timezone
from panhuo.campaigns.models import Campaign, CampaignMember, CampaignStatus, MemberGroup
from panhuo.clients.models import Client, Contact
from panhuo.imports.services import sync_client_master
sync = sync_client_master(store=warehouse_path(), business_date=AS_OF)
out["master_sync_seconds"] = time.perf_counter() - t0
rng = random.Random(11)
rows = list(Client.objects.values_list("pk", "advisor_id", "risk_level").order_by("pk"))
now = timezone.now()
Contact.objects.bulk_create([Contact(client_id=pk, advisor_id=adv, channel="phone", outcome=rng.choice(["reached", "not_reached", "interested"]),
                                     note="回访", at=now - timedelta(days=rng.randint(1, 90)))
                             for pk, adv, _ in rows if rng.random() < 0.1], batch_size=5000)
camp = Campaign.objects.create(name="唤醒", status=CampaignStatus.LAUNCHED, start=AS_OF - timedelta(days=14),
                               end=AS_OF + timedelta(days=16), channels=["phone"], launched_at=now, seed=1,
                               seed_source="server", branch_id=Client.objects.values_list("branch_id", flat=True).first())
members = [CampaignMember(campaign=camp, client_id=pk, advisor_id=adv, risk_level=risk or "",
                          group=MemberGroup.CONTROL if rng.random() < 0.2 else MemberGroup.TREATMENT)
           for pk, adv, risk in rows if rng.random() < 0.02]
CampaignMember.objects.bulk_create(members, batch_size=5000)
out["extras_seconds"] = time.perf_counter() - t0 - out["master_sync_seconds"]
from panhuo.daily import daily_run
from panhuo.warehouse import open_warehouse
t0 = time.perf_counter()
with open_warehouse() as wh:
    prev = daily_run(wh=wh, as_of=AS_OF)
out["previous_day_seconds"] = time.perf_counter() - t0
out.update(clients=len(rows), contacts=Contact.objects.count(), members=len(members),
           previous_tasks=prev.workbench.get("tasks"), previous_snapshots=prev.snapshots_written)

# The back office's files of DAY, written as UTF-8 by DuckDB and re-encoded as GB18030 (the profile's encoding).
import duckdb
EXPORT.mkdir(parents=True, exist_ok=True)
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
con.execute(f"ATTACH '{warehouse_path()}' AS wh (READ_ONLY)")
con.execute(f"SELECT setseed(0.3)")
d = f"DATE '{DAY}'"
yn = lambda c: f"CASE WHEN {c} THEN '是' ELSE '否' END"
ymd = lambda c: f"strftime({c}, '%Y%m%d')"
money = lambda c: f"printf('%.2f', {c})"
files = {
 "客户资料.csv": f"""SELECT client_id AS 客户号, branch_id AS 营业部代码, name AS 客户姓名, '' AS 证件号码, '' AS 手机号码,
    gender AS 性别, {ymd('birth_date')} AS 出生日期, region AS 地区, {ymd('open_date')} AS 开户日期, '个人' AS 客户类型,
    CASE WHEN hash(client_id || 'day') % 100 = 0 THEN 'C' || CAST(1 + (CAST(substr(risk_level, 2) AS INTEGER) % 5) AS VARCHAR)
         ELSE risk_level END AS 风险等级,
    {ymd('risk_assessed_on')} AS 风险测评日期,
    CASE WHEN hash(client_id || 'adv') % 500 = 0 THEN 'A' || CAST((CAST(substr(advisor_id, 2) AS INTEGER) + 1) % 50 AS VARCHAR)
         ELSE advisor_id END AS 投资顾问编号, {yn('do_not_contact')} AS 拒绝联系
  FROM wh.clients
  UNION ALL
  SELECT 'N' || lpad(CAST(i AS VARCHAR), 8, '0'), 'B001', '新客户', '', '', '女', '19900101', '上海', {ymd(d)}, '个人', 'C3',
         {ymd(d)}, 'A' || CAST(i % 50 AS VARCHAR), '否' FROM range({max(1, N // 1000)}) t(i)""",
 "投资顾问.csv": f"""SELECT advisor_id AS 投资顾问编号, name AS 姓名, '高级' AS 级别, region AS 地区, capacity AS 服务容量,
    specialties AS 专长, {ymd('hire_date')} AS 入职日期, {yn('active')} AS 在职 FROM wh.advisors""",
 # buys by anyone (skewed as the history), sells only out of the holdings of the last positions snapshot
 "成交明细.csv": f"""WITH b AS (SELECT 'C' || lpad(CAST(CAST(floor(random() * random() * {N}) AS BIGINT) AS VARCHAR), 8, '0') AS client_id,
          lpad(CAST(600000 + CAST(floor(random() * 3000) AS INTEGER) AS VARCHAR), 6, '0') AS code, 'B' AS side,
          100 * (1 + CAST(floor(random() * 20) AS INTEGER)) AS q FROM range({TRADES // 1100}) t(i)),
    s AS (SELECT client_id, substr(symbol, 1, 6) AS code, 'S' AS side, 100 * (1 + CAST(floor(random() * 10) AS INTEGER)) AS q
          FROM wh.positions WHERE random() < 0.1),
    u AS (SELECT *, row_number() OVER () AS k, 5 + round(random() * 40, 2) AS px FROM (SELECT * FROM b UNION ALL SELECT * FROM s))
  SELECT 'D' || lpad(CAST(k AS VARCHAR), 9, '0') AS 成交编号, client_id AS 客户号, {ymd(d)} AS 成交日期, code AS 证券代码,
         '1' AS 市场, CASE side WHEN 'B' THEN '1' ELSE '2' END AS 买卖标志, q AS 成交数量, {money('px')} AS 成交价格,
         {money('q * px')} AS 成交金额, {money('greatest(5, q * px * 0.00025)')} AS 佣金,
         {money("CASE side WHEN 'S' THEN q * px * 0.0005 ELSE 0 END")} AS 印花税, {money('q * px * 0.00001')} AS 过户费,
         '网上' AS 委托方式 FROM u""",
 "日终资产.csv": f"""SELECT client_id AS 客户号, {ymd(d)} AS 日期, {money('c')} AS 资金余额, {money('m')} AS 证券市值,
    {money('c + m')} AS 总资产, '0.00' AS 当日净转入
  FROM (SELECT client_id, round(1000 + random() * 200000, 2) AS c, round(random() * 300000, 2) AS m FROM wh.clients)""",
 "银证转账.csv": f"""SELECT 'Y' || lpad(CAST(i AS VARCHAR), 9, '0') AS 流水号,
    'C' || lpad(CAST(CAST(floor(random() * {N}) AS BIGINT) AS VARCHAR), 8, '0') AS 客户号,
    {ymd(d)} || ' 10:' || lpad(CAST(i % 60 AS VARCHAR), 2, '0') || ':00' AS 转账时间,
    CASE WHEN random() < 0.5 THEN '银行转证券' ELSE '证券转银行' END AS 转账方向, {money('1000 + random() * 50000')} AS 发生金额,
    '工商银行' AS 银行 FROM range({max(1, 2 * N // 1100)}) t(i)""",
 "日线行情.csv": f"""SELECT substr(symbol, 1, 6) AS 证券代码, '1' AS 市场, {ymd(d)} AS 交易日期, {money('close')} AS 开盘价,
    {money('close * 1.01')} AS 最高价, {money('close * 0.99')} AS 最低价, {money('close * 1.002')} AS 收盘价,
    {money('close')} AS 前收盘价, '100000000.00' AS 成交量, '300000000.00' AS 成交额, '0.01' AS 换手率, '1.00' AS 复权因子
  FROM wh.bars WHERE trade_date = DATE '{AS_OF}'""",
}
counts = {}
for name, sql in files.items():
    tmp = EXPORT / (name + ".utf8")
    con.execute(f"COPY ({sql}) TO '{tmp}' (HEADER, DELIMITER ',')")
    text = tmp.read_text(encoding="utf-8")
    (EXPORT / name).write_bytes(text.replace("\n", "\r\n").encode("gb18030"))
    tmp.unlink()
    counts[name] = text.count("\n") - 1
con.close()
out["files"] = counts
out["day"] = str(DAY)
print(json.dumps(out, default=str))
'''

DAY = r'''
import json, os, resource, sys, time
from datetime import date
from pathlib import Path
EXPORT, DAY = Path(sys.argv[1]), date.fromisoformat(sys.argv[2])
t_start = time.perf_counter()
from panhuo.django_setup import setup
setup()
from django.db import connection
from panhuo.daily import daily_run, imports_settle
from panhuo.imports.services import import_batch
from panhuo.ingest.lock import store_guard
from panhuo.warehouse import open_warehouse
with connection.cursor() as cur:
    cur.execute("SELECT pg_backend_pid()")
    backend = cur.fetchone()[0]
timings = {"start": time.perf_counter() - t_start}
t0 = time.perf_counter()
batch = import_batch(paths=[EXPORT], profile="simulator")
timings["import"] = time.perf_counter() - t0
assert batch.status == "loaded", (batch.status, batch.message)
rss_import = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
t0 = time.perf_counter()
settled = imports_settle()
timings["imports_settle"] = time.perf_counter() - t0
with store_guard(), open_warehouse() as wh:
    outcome = daily_run(wh=wh, as_of=DAY, timings=timings)
total = time.perf_counter() - t_start

def backend_hwm():
    try:
        for line in open(f"/proc/{backend}/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024**2
    except OSError:
        return None

master = next((c for c in batch.changes if c.get("table") == "client_master"), {})
print(json.dumps({"timings": timings, "total_seconds": total,
                  "peak_rss_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2,
                  "peak_rss_after_import_gib": rss_import, "pg_backend_hwm_gib": backend_hwm(),
                  "files": {f["name"]: f["rows_loaded"] for f in batch.files}, "rows_loaded": batch.rows_loaded,
                  "master": {k: v for k, v in master.items() if k != "conflict_clients"}, "settled": settled,
                  "clients_scored": outcome.table.num_rows, "snapshots": outcome.snapshots_written,
                  "workbench": outcome.workbench, "market": bool(outcome.market), "market_skipped": outcome.market_skipped,
                  "campaigns": outcome.campaigns, "contacts": outcome.contacts, "kpis": outcome.kpis}, default=str))
'''


def _fresh_database(base: str, name: str) -> str:
    import psycopg

    with psycopg.connect(f"{base}/postgres", autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        con.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


def _child(code: str, args: list[str], env: dict) -> dict:
    proc = subprocess.run([sys.executable, "-c", code, *args], env=env, cwd=ROOT, capture_output=True, text=True,
                          check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark child failed:\n{proc.stderr[-6000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run(scale: str) -> list[Result]:
    from panhuo.daily import STAGES

    size = os.environ.get("PANHUO_BENCH_DAY_SIZE")
    n_clients, n_trades = (int(x) for x in size.split(",")) if size else SIZES[scale]
    keep = os.environ.get("PANHUO_BENCH_KEEP")
    cache_dir = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="panhuo-bench-day-cache-"))
    cache_dir.mkdir(parents=True, exist_ok=True)
    cache = cache_dir / f"day-{n_clients}-{n_trades}.duckdb"
    work = Path(tempfile.mkdtemp(prefix="panhuo-bench-day-"))
    base = os.environ.get("PANHUO_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
    env = {**os.environ, "DATABASE_URL": _fresh_database(base, DB), "PANHUO_HOME": str(work / "home"),
           "DEBUG": "0"}
    try:
        prep = _child(SETUP, [str(n_clients), str(n_trades), str(cache), str(work / "export")], env)
        load = os.getloadavg()
        day = _child(DAY, [str(work / "export"), prep["day"]], env)
        load_end = os.getloadavg()
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if not keep:
            shutil.rmtree(cache_dir, ignore_errors=True)
    t, total, rss = day["timings"], day["total_seconds"], day["peak_rss_gib"]
    wb = day["workbench"]
    size = f"{n_clients:,} clients, {n_trades:,} trades of history"
    state = (f"load average {load[0]:.1f} at start, {load_end[0]:.1f} at end, on {os.cpu_count()} cores shared "
             "with other work; warm: PostgreSQL and the page cache hold what the set-up (the previous day's run) "
             "just wrote, the day's process itself is fresh")
    pg = day["pg_backend_hwm_gib"]
    results = [
        Result("day.total", "seconds", total, f"<= {TARGET_S:.0f} s", total <= TARGET_S,
               note=f"{size}; the import then every stage of daily_run, one fresh process, Django set-up "
                    f"included; {state}"),
        Result("day.peak_rss", "peak_rss_gib", rss, f"<= {TARGET_GIB:.0f} GiB", rss <= TARGET_GIB,
               note=f"{size}; the day's Python process (getrusage), {day['peak_rss_after_import_gib']:.2f} GiB after "
                    "the import; PostgreSQL's memory is separate: its backend serving the run peaked at "
                    + (f"{pg:.2f} GiB (VmHWM, shared buffers touched included)" if pg is not None else "? (unread)")),
    ]
    rows = {
        "import": f"{day['rows_loaded']:,} rows loaded ({', '.join(f'{k} {v:,}' for k, v in day['files'].items())}); "
                  f"client master: {day['master']}",
        "imports_settle": f"{day['settled']} batches to settle",
        "contacts_copy": f"{day['contacts']}", "analytics": f"{day['clients_scored']:,} clients scored",
        "snapshots": f"{day['snapshots']:,} snapshots written", "series": f"{wb.get('series')} series written",
        "funnel": f"{wb.get('funnel')}", "tasks": f"{wb.get('tasks')}",
        "market": "ran" if day["market"] else f"skipped: {day['market_skipped']}",
        "campaigns": f"members measured per campaign {day['campaigns']}", "kpis": f"{day['kpis']}",
    }
    for stage in ("start", "import", "imports_settle", *STAGES):
        if stage in t:
            results.append(Result(f"day.{stage}", "seconds", t[stage],
                                  note=rows.get(stage, "") + ("; Python and Django start" if stage == "start" else "")))
    results.append(Result("day.setup_previous_day", "seconds", prep["previous_day_seconds"],
                          note=f"set-up, not the day: the previous day's daily_run over {prep['clients']:,} clients "
                               f"({prep['previous_snapshots']:,} snapshots, tasks {prep['previous_tasks']}); "
                               f"client master first copied by the import's sync in {prep['master_sync_seconds']:.0f} s; "
                               f"{prep['contacts']:,} contacts, {prep['members']:,} campaign members; "
                               f"day's files {prep['files']}"))
    return results
