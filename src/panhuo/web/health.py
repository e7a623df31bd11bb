"""What /health/ reports: both stores reachable, and the date of the last daily run. No client data."""

from __future__ import annotations

import duckdb
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.models import Max

from panhuo.config import warehouse_path
from panhuo.ingest.lock import store_busy

LAST_RUN_KEY = "panhuo:health:last_daily_run"


def _operational() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except DatabaseError:
        return "error"


def _analytical() -> str:
    """ok; busy (an import or the daily run holds the file: DuckDB lets one process write, and that is normal
    work, not a fault); absent (nothing imported yet on a new install); or error."""
    path = warehouse_path()
    if not path.exists():
        return "absent"
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        return "busy" if store_busy(exc) else "error"
    try:
        con.execute("SELECT count(*) FROM information_schema.tables").fetchall()
        return "ok"
    except duckdb.Error:
        return "error"
    finally:
        con.close()


def _last_daily_run(db: str) -> str | None:
    if db != "ok":
        return None
    # the latest snapshot date is a scan of the current snapshots (one per client): monitors poll every few
    # seconds, the answer changes once a night, so each process asks at most once a minute
    last = cache.get(LAST_RUN_KEY)
    if last is None:
        from panhuo.clients.models import ClientSnapshot

        day = ClientSnapshot.objects.filter(is_latest=True).aggregate(d=Max("as_of"))["d"]
        last = day.isoformat() if day else ""
        cache.set(LAST_RUN_KEY, last, 60)
    return last or None


def store_health() -> dict:
    db, wh = _operational(), _analytical()
    return {"status": "ok" if db == "ok" and wh in ("ok", "busy", "absent") else "error",
            "operational_store": db, "analytical_store": wh, "last_daily_run": _last_daily_run(db)}
