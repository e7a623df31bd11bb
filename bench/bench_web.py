"""Workbench speed (issue #17): Today, the client list and the client 360 page at p95 ≤ 300 ms with a million
clients on PostgreSQL and 50 concurrent advisors for ten minutes over loopback, driven by Locust.

Steps, each in its own process: (1) load a fresh PostgreSQL database with the clients (2,000 advisors, 500
clients each; snapshots, a year of weekly series, contacts, funnel places), a block of 100,000 at a time, and
generate the tasks with the real tasks_generate(); count the SQL queries of each page; (2) serve with `panhuo
serve` as a branch's server runs it (on PostgreSQL: gunicorn, one worker process per core, 8 threads each);
(3) Locust, each user a different advisor pausing 1–2 s between clicks, for a fixed time.
The peer is /health/ (one `SELECT 1`) under the same load: the floor set by the server and the machine.
Issue #6 asked for ≤ 150 ms at 100,000 clients and 20 users; that run is in git history (bench/results).

Needs PostgreSQL at PANHUO_BENCH_PG (default postgres://postgres@127.0.0.1:5432) and `pip install locust`.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.common import Result

ROOT = Path(__file__).resolve().parents[1]
# clients, advisors, Locust users, run time. Full is issue #17's: a million clients, 50 users for 10 minutes.
SIZES = {"quick": (10_000, 40, 20, "40s"), "full": (1_000_000, 2_000, 50, "10m")}
TARGET_MS = 300.0
WORKERS = os.cpu_count() or 1   # what `panhuo serve` starts on PostgreSQL
PAGES = ("today", "clients", "client360")

LOAD = r'''
import json, random, sys, time
from datetime import date, timedelta
N, N_ADV, PLAN, USERS = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
from panhuo.django_setup import setup
setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from panhuo.accounts.models import User
from panhuo.clients.models import Advisor, Branch, Client, ClientSnapshot
from panhuo.clients.models import ClientFunnel, ClientSeries, Contact
from panhuo.workbench.services.series import series_write
from panhuo.workbench.services.tasks import tasks_generate

rng = random.Random(7)
today = timezone.localdate()
t0 = time.perf_counter()
SURN, GIVEN = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗", "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"
branches = Branch.objects.bulk_create([Branch(branch_id=f"B{i:03d}", name=f"第{i + 1}营业部")
                                       for i in range(max(1, N_ADV // 40))])
advisors = Advisor.objects.bulk_create([Advisor(advisor_id=f"A{i:04d}", branch=branches[i % len(branches)],
                                                name=f"顾问{i:04d}") for i in range(N_ADV)])
CHUNK = 100_000       # clients made and written a block at a time: a million clients' series do not fit in memory

def series_row():
    start = today - timedelta(days=364)
    a = rng.lognormvariate(11, 1.2)
    weeks = []
    for w in range(52):
        a *= 1 + rng.gauss(0, 0.03)
        weeks.append([str(start + timedelta(days=7 * w + 6)), round(a, 2), 0.0])
    days = sorted({str(start + timedelta(days=rng.randint(0, 364))) for _ in range(rng.randint(0, 60))})
    transfers = sorted([str(start + timedelta(days=rng.randint(0, 364))), rng.choice(["in", "out"]),
                        round(rng.uniform(1e3, 1e5), 2)] for _ in range(rng.randint(0, 4)))
    positions = [{"symbol": f"{600000 + rng.randint(0, 999)}.SH", "name": "", "quantity": 100 * rng.randint(1, 50),
                  "cost_price": 10.0, "close_price": round(rng.uniform(7, 13), 2), "market_value": 0.0,
                  "pnl": 0.0, "pnl_pct": 0.0} for _ in range(rng.randint(0, 5))]
    return {"weeks": weeks, "transfers": transfers, "trade_days": days, "positions": positions}

now = timezone.now()
t_series, first_rows = 0.0, None
for lo in range(0, N, CHUNK):
    clients = []
    for i in range(lo, min(N, lo + CHUNK)):
        adv = advisors[i % N_ADV]
        clients.append(Client(client_id=f"C{i:07d}", branch_id=adv.branch_id, advisor=adv,
                              assigned_on=today - timedelta(days=rng.randint(1, 900)),
                              name=rng.choice(SURN) + rng.choice(GIVEN) + rng.choice(GIVEN),
                              phone=f"13{rng.randint(0, 9)}{rng.randint(0, 99_999_999):08d}",
                              id_number=f"1101011980{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{i % 10_000:04d}",
                              risk_level=rng.choice(["C1", "C2", "C3", "C4", "C5"])))
    Client.objects.bulk_create(clients, batch_size=5000)
    pk = dict(Client.objects.filter(client_id__in=[c.client_id for c in clients]).values_list("client_id", "pk"))
    snaps = []
    for c in clients:
        dormant = rng.random() < 0.25
        snaps.append(ClientSnapshot(client_id=pk[c.client_id], as_of=today, total_assets=round(rng.lognormvariate(11, 1.5), 2),
                                    tier=rng.choice(["vip", "core", "mass", "mass"]),
                                    lifecycle="dormant" if dormant else rng.choice(["new", "active", "active", "declining"]),
                                    is_dormant=dormant, p_alive=rng.random(), churn_risk=rng.random() * (0.3 if dormant else 1),
                                    days_since_last_trade=rng.randint(181, 900) if dormant else rng.randint(0, 120),
                                    churn_reasons=[{"zh": "近90天转出资产62%", "en": "Moved 62% of assets out in 90 days"}],
                                    features={"value_tier": rng.choice(["high", "medium", "low", "none"])}))
    ClientSnapshot.objects.bulk_create(snaps, batch_size=5000)
    rows = {c.client_id: series_row() for c in clients}
    t1 = time.perf_counter()
    series_write(rows=rows, as_of=today)
    t_series += time.perf_counter() - t1
    if first_rows is None:
        first_rows, first_pk = rows, pk
    Contact.objects.bulk_create(
        [Contact(client_id=pk[c.client_id], advisor_id=c.advisor_id, channel="phone",
                 outcome=rng.choice(["reached", "not_reached", "interested", "declined"]), note="回访",
                 next_follow_up=today + timedelta(days=rng.randint(-3, 10)) if rng.random() < 0.3 else None,
                 at=now - timedelta(days=rng.randint(1, 60), minutes=rng.randint(0, 600)))
         for c in clients if rng.random() < 0.5], batch_size=5000)
    ClientFunnel.objects.bulk_create([ClientFunnel(client_id=pk[c.client_id], track=rng.choice(["normal", "dormant"]),
                                                   stage=rng.choice("AABBCD"), since=today - timedelta(days=rng.randint(0, 90)))
                                      for c in clients if rng.random() < 0.15], batch_size=5000)
    print(f"loaded {min(N, lo + CHUNK):,} clients", file=sys.stderr, flush=True)
t_clients = time.perf_counter() - t0 - t_series
# like with like: both ways replace the same rows (the first block's, at most 100,000) that are now in place,
# one after the other, twice
from panhuo.workbench.services.series import write_by_copy, write_by_orm
t_update = {"copy": [], "orm": []}
for _ in range(2):
    for way, fn in (("orm", write_by_orm), ("copy", write_by_copy)):
        t = time.perf_counter()
        fn(first_rows, first_pk, today)
        t_update[way].append(time.perf_counter() - t)
n_compared = len(first_rows)
del first_rows
t2 = time.perf_counter()
generated = tasks_generate(as_of=today)
t_tasks = time.perf_counter() - t2
password = "bench-pass-1"
hashed = make_password(password)
users = [User(username=f"adv{i:04d}", role="advisor", advisor=advisors[i], branch_id=advisors[i].branch_id,
              password=hashed) for i in range(min(N_ADV, USERS))]
users.append(User(username="director0", role="director", branch=branches[0], password=hashed))
User.objects.bulk_create(users)
with connection.cursor() as cur:
    cur.execute("ANALYZE")
plan = {"password": password, "advisors": [
    {"username": u.username, "clients": list(Client.objects.filter(advisor=u.advisor).values_list("client_id", flat=True)[:300])}
    for u in users if u.role == "advisor"]}
open(PLAN, "w").write(json.dumps(plan))
web = HttpClient()
web.force_login(User.objects.get(username="adv0000"))
queries = {}
for name, path in (("today", "/today/"), ("clients", "/clients/"), ("client360", f"/clients/{plan['advisors'][0]['clients'][0]}/")):
    web.get(path)
    with CaptureQueriesContext(connection) as ctx:
        assert web.get(path).status_code == 200
    queries[name] = len(ctx.captured_queries)
print(json.dumps({"clients": N, "load_seconds": t_clients, "series_write_seconds": t_series,
                  "series_update_seconds": {k: min(v) for k, v in t_update.items()}, "series_compared": n_compared,
                  "tasks_generate_seconds": t_tasks, "tasks": generated, "queries": queries}))
'''


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _fresh_database(base: str, name: str) -> str:
    import psycopg

    with psycopg.connect(f"{base}/postgres", autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        con.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


def _wait_for(url: str, seconds: float = 30) -> None:
    end = time.time() + seconds
    while time.time() < end:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"server did not answer at {url}")


def _locust_stats(prefix: Path) -> dict[str, dict[str, float]]:
    out = {}
    with open(f"{prefix}_stats.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["95%"] == "N/A":       # no request of this name after the statistics were reset
                continue
            out[row["Name"]] = {"p95": float(row["95%"]), "p50": float(row["50%"]),
                                "requests": float(row["Request Count"]), "failures": float(row["Failure Count"]),
                                "rps": float(row["Requests/s"])}
    return out


def run(scale: str) -> list[Result]:
    n_clients, n_advisors, users, duration = SIZES[scale]
    base = os.environ.get("PANHUO_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
    name = f"panhuo_bench_web_{scale}"
    # PANHUO_BENCH_KEEP=<dir>: keep the loaded database and its plan there, and on a later run serve that database
    # again instead of loading it anew (a million clients take about 20 minutes to load). The load's own figures
    # (series, tasks, queries) are then the first run's, said so in the notes.
    keep = os.environ.get("PANHUO_BENCH_KEEP")
    work = Path(keep) / f"web-{scale}" if keep else Path(tempfile.mkdtemp(prefix="panhuo-bench-web-"))
    work.mkdir(parents=True, exist_ok=True)
    kept = work / "loaded.json"
    reused = keep is not None and kept.exists() and (work / "plan.json").exists()
    env = {**os.environ, "DATABASE_URL": f"{base}/{name}" if reused else _fresh_database(base, name),
           "PANHUO_HOME": str(work), "PANHUO_HTTPS": "0", "DEBUG": "0", "PANHUO_BENCH_PLAN": str(work / "plan.json"),
           "PANHUO_BENCH_USERS": str(users)}
    if reused:
        loaded = json.loads(kept.read_text())
    else:
        load = subprocess.run([sys.executable, "-c", LOAD, str(n_clients), str(n_advisors), env["PANHUO_BENCH_PLAN"],
                               str(users)], env=env, capture_output=True, text=True, cwd=ROOT, check=False)
        if load.returncode != 0:
            raise RuntimeError(f"loading failed:\n{load.stderr[-4000:]}")
        loaded = json.loads(load.stdout.strip().splitlines()[-1])
        kept.write_text(json.dumps(loaded))
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "panhuo.cli", "serve", "--port", str(port), "--workers", str(WORKERS),
                               "--threads", "8"],
                              env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    try:
        _wait_for(f"http://127.0.0.1:{port}/health/")
        prefix = work / "locust"
        locust = subprocess.run(
            [sys.executable, "-m", "locust", "-f", str(ROOT / "bench/locust_web.py"), "--headless", "-u", str(users),
             "-r", str(users), "-t", duration, "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix),
             "--only-summary", "--loglevel", "WARNING"],
            env=env, cwd=ROOT, capture_output=True, text=True, check=False)
        if not Path(f"{prefix}_stats.csv").exists():
            raise RuntimeError(f"locust failed:\n{locust.stderr[-4000:]}")
        stats = _locust_stats(prefix)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    health = stats["health"]["p95"]
    results = []
    for page in PAGES:
        s = stats[page]
        results.append(Result(
            bench=f"web.{page}_p95", metric="ms", value=s["p95"], target=f"<= {TARGET_MS:.0f} ms",
            met=s["p95"] <= TARGET_MS and s["failures"] == 0, peers={"health_p95": health},
            note=(f"{loaded['clients']:,} clients on PostgreSQL, {users} Locust users (1-2 s pauses), "
                  f"{WORKERS} gunicorn workers × 8 threads;"
                  f" {loaded['queries'][page]} SQL queries per page; p50 {s['p50']:.0f} ms; "
                  f"{s['requests']:.0f} requests, {s['failures']:.0f} failures; /health/ p50 {stats['health']['p50']:.0f} ms, "
                  f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
                  + ("; the database of an earlier run, served again (PANHUO_BENCH_KEEP)" if reused else ""))))
    results.append(Result(bench="web.tasks_generate", metric="seconds", value=loaded["tasks_generate_seconds"],
                          note=f"{loaded['clients']:,} clients: {loaded['tasks']}"))
    results.append(Result(bench="web.series_write", metric="seconds", value=loaded["series_write_seconds"],
                          note=f"{loaded['clients']:,} ClientSeries rows written into an empty table by COPY "
                               "(52 weekly points each)"))
    up = loaded["series_update_seconds"]
    results.append(Result(bench="web.series_replace", metric="seconds", value=up["copy"],
                          peers={"orm_upsert": up["orm"]},
                          note=f"{loaded.get('series_compared', loaded['clients']):,} ClientSeries rows replaced, as the daily run does: COPY into "
                               "a temporary table and one INSERT … ON CONFLICT, against the ORM's batched upsert "
                               f"(2,000 rows a statement); same rows, both warm, best of two, alternated; "
                               f"{up['orm'] / up['copy']:.1f}x"))
    return results
