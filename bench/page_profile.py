"""Where one workbench page's server time goes: Today, the client list and the client 360, rendered in-process
through Django's test Client as one logged-in advisor (500 clients, tasks, contacts, snapshots, series) on
PostgreSQL, each page N times.

  load:     python -m bench.page_profile load      # once: bench_web's own loader, 10,000 clients / 20 advisors
  time:     python -m bench.page_profile time [N]  # CPU ms and SQL ms per page (process time of this process)
  profile:  python -m bench.page_profile profile PAGE [N]   # cProfile, top functions by cumulative time

DATABASE_URL names the database (use your own); PANHUO_HOME a scratch folder. DEBUG=0, as the server runs.
The CPU figure is this process's (app) time, which includes the client side of the SQL driver but not
PostgreSQL's own work; the SQL figure is the wall time spent inside cursor.execute (driver + server).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLIENTS, ADVISORS = 10_000, 20      # 500 clients an advisor, as in bench_web at full scale


def load() -> None:
    from bench.bench_web import LOAD

    plan = Path(os.environ["PANHUO_HOME"]) / "plan.json"
    subprocess.run([sys.executable, "-c", LOAD, str(CLIENTS), str(ADVISORS), str(plan), "1"], check=True,
                   env={**os.environ, "DEBUG": "0", "PANHUO_HTTPS": "0"}, cwd=ROOT)


def _pages():
    plan = json.loads((Path(os.environ["PANHUO_HOME"]) / "plan.json").read_text())
    me = plan["advisors"][0]
    return me["username"], {"today": ["/today/"], "clients": ["/clients/", "/clients/?sort=-assets",
                                                                "/clients/?lifecycle=dormant"],
                            "client360": [f"/clients/{c}/" for c in me["clients"][:20]]}


def _client():
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("PANHUO_HTTPS", "0")
    from panhuo.django_setup import setup

    setup()
    from django.test import Client as HttpClient

    from panhuo.accounts.models import User

    username, pages = _pages()
    web = HttpClient()
    web.force_login(User.objects.get(username=username))
    return web, pages


class _SqlClock:
    def __init__(self):
        self.seconds, self.n = 0.0, 0

    def __call__(self, execute, sql, params, many, context):
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - t
            self.n += 1


def timed(n: int) -> dict:
    from django.db import connection

    web, pages = _client()
    out = {}
    for name, paths in pages.items():
        for p in paths:        # warm: templates compiled, connection open
            assert web.get(p).status_code == 200, p
        clock = _SqlClock()
        with connection.execute_wrapper(clock):
            c0, w0 = time.process_time(), time.perf_counter()
            size = 0
            for i in range(n):
                r = web.get(paths[i % len(paths)])
                size += len(r.content)
            cpu, wall = time.process_time() - c0, time.perf_counter() - w0
        out[name] = {"cpu_ms": round(1000 * cpu / n, 1), "wall_ms": round(1000 * wall / n, 1),
                     "sql_ms": round(1000 * clock.seconds / n, 1), "queries": round(clock.n / n, 1),
                     "kb": round(size / n / 1024, 1)}
    return out


def profile(page: str, n: int) -> None:
    import cProfile
    import pstats

    web, pages = _client()
    paths = pages[page]
    for p in paths:
        web.get(p)
    prof = cProfile.Profile(time.process_time)
    prof.enable()
    for i in range(n):
        web.get(paths[i % len(paths)])
    prof.disable()
    st = pstats.Stats(prof)
    st.sort_stats("cumulative").print_stats(60)
    st.sort_stats("tottime").print_stats(30)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "load":
        load()
    elif cmd == "time":
        print(json.dumps(timed(int(sys.argv[2]) if len(sys.argv) > 2 else 60)))
    elif cmd == "profile":
        profile(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 40)
