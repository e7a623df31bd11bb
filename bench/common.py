"""What every benchmark shares: timing, peak memory of a child process, and the result record.

A benchmark module `bench/bench_<area>.py` defines `run(scale: str) -> list[Result]` where scale is
"quick" (seconds, for a smoke run) or "full" (the sizes the issues name). Peers a user would pick instead
run in the same process run, and each result carries the ratio to its peer, because these machines are
shared and noisy: ratios travel, absolute seconds do not.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field


@dataclass
class Result:
    bench: str            # e.g. "simulate.1m_clients"
    metric: str           # e.g. "seconds", "rows_per_second", "peak_rss_gib"
    value: float
    target: str = ""      # the target, e.g. "<= 600 s"
    met: bool | None = None
    peers: dict[str, float] = field(default_factory=dict)   # peer name -> same metric
    note: str = ""

    def as_dict(self) -> dict:
        d = asdict(self)
        d["ratios"] = {k: (v / self.value if self.value else None) for k, v in self.peers.items()}
        return d


@contextmanager
def timer():
    t = {"start": time.perf_counter()}
    yield t
    t["seconds"] = time.perf_counter() - t["start"]


def peak_rss_gib() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def run_child(code: str, *args: str) -> dict:
    """Run Python code in a fresh process; it must print one JSON object last. Adds its peak RSS in GiB.

    A fresh process gives an honest peak-memory figure and a cold start for peers that cache.
    """
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark child failed:\n{proc.stderr[-4000:]}")
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    data.setdefault("wall_seconds", wall)
    return data
