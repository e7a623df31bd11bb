"""One import at a time: an exclusive, non-blocking lock file beside the stores.

Two imports started together (same business date or not) cannot both write; the second stops at once with a
clear message instead of waiting or failing halfway. The OS releases the lock when a process dies, even by
SIGKILL, so a crash never leaves a stale lock.
"""

from __future__ import annotations

import fcntl
import os
import time
from contextlib import contextmanager
from pathlib import Path

import duckdb


class ImportLocked(Exception):
    pass


# DuckDB lets one process write a database file (or several read it): while the daily run or another job holds
# the analytical store, opening it fails with an IOException "Could not set lock on file". That is a busy
# store, not a fault: the import and the daily run say so in these words (the page answers 503).
STORE_BUSY = "分析任务正在运行，请稍后再试 / an analysis job is running; try again shortly"


class StoreBusy(Exception):
    """Another process holds the analytical store; nothing was written. Try again when it has finished."""

    def __init__(self, message: str = STORE_BUSY):
        super().__init__(message)


def store_busy(exc: BaseException) -> bool:
    """Whether `exc` is DuckDB refusing a database file another process holds."""
    return isinstance(exc, StoreBusy) or (isinstance(exc, duckdb.IOException) and "Could not set lock" in str(exc))


@contextmanager
def store_guard():
    """Raise StoreBusy (from the original error) where DuckDB refuses a store another process holds."""
    try:
        yield
    except duckdb.IOException as exc:
        if store_busy(exc):
            raise StoreBusy() from exc
        raise


@contextmanager
def import_lock(folder: Path, *, owner: str = ""):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "import.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if not _try_exclusive(fd):
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
            raise ImportLocked(f"另一个导入正在进行，请稍后再试 / another import is running ({holder}); "
                               "try again when it has finished") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} {owner}".encode(), 0)
        yield
    finally:
        os.close(fd)


def _try_exclusive(fd: int, tries: int = 10, pause: float = 0.02) -> bool:
    """Take the lock, retrying for a moment: `import_lock_held` (the imports page asking) holds a shared lock
    for microseconds, and an import that starts just then must not be refused for it. A real import holds the
    lock for seconds, so it is still held after the retries."""
    for i in range(tries):
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if i < tries - 1:
                time.sleep(pause)
    return False


def import_lock_held(folder: Path) -> bool:
    """Whether an import holds the lock right now (for listing a journalled "running" batch truthfully)."""
    path = folder / "import.lock"
    if not path.exists():
        return False
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)      # closing releases a lock taken here
