"""Column blocks: how wide dates × symbols work is cut up, and run on the machine's cores.

Per-symbol computations are split into blocks of about BLOCK_CELLS cells, so temporaries stay small (in
cache, recycled by the allocator rather than freshly mapped). Blocks are independent, so they run on a
small thread pool: numpy releases the GIL inside its loops, which lets two cores work at once. Only the
outermost level fans out; a block that itself calls blocked code runs that inline.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

BLOCK_CELLS = 1 << 21          # ~16 MB of float64 per block
_local = threading.local()


def workers() -> int:
    """Threads for block work: PANHUO_THREADS, else the available cores (at most 4)."""
    env = os.environ.get("PANHUO_THREADS")
    if env:
        return max(1, int(env))
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    return max(1, min(4, cores))


def block_starts(rows: int, cols: int, cells: int | None = None) -> tuple[int, list[int]]:
    """(block width, first column of each block) for a rows × cols array."""
    step = max(64, (cells or BLOCK_CELLS) // max(rows, 1))
    return step, list(range(0, cols, step))


def run_blocks(starts: list[int], fn: Callable[[int], object]) -> list:
    """fn(start) for every block, in order; in parallel at the outermost level only."""
    nested = getattr(_local, "depth", 0) > 0
    n = 1 if nested else min(workers(), len(starts))

    def call(j: int):
        _local.depth = getattr(_local, "depth", 0) + 1
        try:
            return fn(j)
        finally:
            _local.depth -= 1

    if n <= 1:
        return [call(j) for j in starts]
    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(call, starts))
