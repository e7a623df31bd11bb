"""`panhuo backup` and `panhuo restore`: both stores as one consistent snapshot, in one owner-only archive.

Consistency: an import writes the analytical store and then the operational one, and the daily run reads the
first and writes both. The backup holds the import lock (no import starts) and keeps the analytical store open
for writing (DuckDB lets one process do that, so the daily run cannot start either) while it copies both
stores; the operational store is copied with SQLite's online backup API, a consistent copy even while the web
app writes. On PostgreSQL the operational store is dumped with `pg_dump -Fc` (and restored with `pg_restore`)
when those tools are installed; otherwise that part is the DBA's and the command says so.

The archive is a plain tar (the DuckDB file is compressed already) holding the two copies and manifest.json:
each file's sha256 and size, and the row count of every table in both stores, which restore checks twice:
the files before it writes anything, the live stores' rows after.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from panhuo import __version__
from panhuo.config import panhuo_home, warehouse_path
from panhuo.ingest.lock import import_lock, store_guard

FORMAT = 1
MANIFEST = "manifest.json"
WAREHOUSE_FILE = "warehouse.duckdb"
SQLITE_FILE = "operational.sqlite3"
PG_FILE = "operational.pgdump"


class BackupError(Exception):
    pass


@dataclass
class BackupResult:
    archive: Path
    manifest: dict
    seconds: float = 0.0


@dataclass
class RestoreResult:
    manifest: dict
    rows: dict = field(default_factory=dict)
    mismatched: list[str] = field(default_factory=list)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _duckdb_rows(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    names = [n for (n,) in con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
                                       "AND table_type = 'BASE TABLE' ORDER BY table_name").fetchall()]
    return {n: con.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}


def _sqlite_rows(path: Path) -> dict[str, int]:
    con = sqlite3.connect(path)
    try:
        names = [n for (n,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                           "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {n: con.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    finally:
        con.close()


def _operational_rows() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cur:
        out = {}
        for name in sorted(connection.introspection.table_names(cur)):
            cur.execute(f"SELECT count(*) FROM {connection.ops.quote_name(name)}")
            out[name] = cur.fetchone()[0]
        return out


def _pg_env(settings: dict) -> tuple[list[str], dict]:
    args = ["-h", str(settings.get("HOST") or "localhost"), "-p", str(settings.get("PORT") or 5432),
            "-U", str(settings.get("USER") or ""), "-d", str(settings["NAME"])]
    return args, {**os.environ, "PGPASSWORD": str(settings.get("PASSWORD") or "")}


def _operational_copy(work: Path) -> tuple[str, str]:
    """Copy the operational store into `work`; returns (vendor, file name)."""
    from django.db import connection

    if connection.vendor == "sqlite":
        if not Path(connection.settings_dict["NAME"]).exists():
            raise BackupError("there is no operational store yet (run `panhuo migrate`)")
        source = sqlite3.connect(connection.settings_dict["NAME"])
        target = sqlite3.connect(work / SQLITE_FILE)
        try:
            source.backup(target)       # a consistent copy, page by page, even while the web app writes
        finally:
            target.close()
            source.close()
        return "sqlite", SQLITE_FILE
    if connection.vendor == "postgresql":
        if shutil.which("pg_dump") is None:
            raise BackupError("the operational store is PostgreSQL and pg_dump is not installed here: its backup is "
                              "the DBA's (pg_dump -Fc -f panhuo.pgdump DBNAME), taken while `panhuo backup` holds "
                              "the analytical store (or with the timers stopped)")
        args, env = _pg_env(connection.settings_dict)
        subprocess.run(["pg_dump", "-Fc", "--no-owner", "-f", str(work / PG_FILE), *args], env=env, check=True)
        return "postgresql", PG_FILE
    raise BackupError(f"no backup for a {connection.vendor} operational store")


def _migrations() -> dict[str, str]:
    """The last applied migration of each app: what `panhuo migrate` must bring a restored store up from."""
    from django.db import connection
    from django.db.migrations.recorder import MigrationRecorder

    last: dict[str, str] = {}
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        last[app] = name
    return last


def backup_create(*, out: Path) -> BackupResult:
    """Write panhuo-backup-<UTC time>.tar into `out` (created owner-only). Needs Django set up."""
    started = datetime.now(UTC)
    home = panhuo_home()
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".panhuo-backup-", dir=out))     # 0700, beside the archive
    try:
        files: dict[str, dict] = {}
        rows: dict[str, dict] = {}
        with import_lock(home, owner="backup"), store_guard():
            store = warehouse_path()
            held = duckdb.connect(str(store)) if store.exists() else None   # no daily run while this is open
            try:
                if held is not None:
                    held.execute("CHECKPOINT")       # everything in the file, nothing left in the WAL
                    rows["analytical"] = _duckdb_rows(held)
                    shutil.copyfile(store, work / WAREHOUSE_FILE)
                vendor, name = _operational_copy(work)
                rows["operational"] = _sqlite_rows(work / name) if vendor == "sqlite" else _operational_rows()
                migrations = _migrations()
            finally:
                if held is not None:
                    held.close()
        for path in sorted(work.iterdir()):
            files[path.name] = {"sha256": sha256(path), "bytes": path.stat().st_size}
        manifest = {"format": FORMAT, "created": started.isoformat(timespec="seconds"), "panhuo": __version__,
                    "operational": {"vendor": vendor, "file": name, "migrations": migrations},
                    "analytical": {"file": WAREHOUSE_FILE if WAREHOUSE_FILE in files else None},
                    "files": files, "rows": rows}
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
        archive = out / f"panhuo-backup-{started:%Y%m%dT%H%M%SZ}.tar"
        partial = archive.with_suffix(".tar.partial")
        with tarfile.open(partial, "w") as tar:
            for path in sorted(work.iterdir()):
                tar.add(path, arcname=path.name)
        partial.chmod(0o600)
        os.replace(partial, archive)         # a half-written archive never carries the final name
        return BackupResult(archive, manifest, (datetime.now(UTC) - started).total_seconds())
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _unpack(archive: Path, into: Path) -> dict:
    with tarfile.open(archive, "r") as tar:
        tar.extractall(into, filter="data")     # no absolute paths, links or devices from an archive
    try:
        manifest = json.loads((into / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"{archive} is not a panhuo backup (no readable {MANIFEST})") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"backup format {manifest.get('format')} is not {FORMAT}")
    for name, meta in manifest["files"].items():
        if not (into / name).exists() or sha256(into / name) != meta["sha256"]:
            raise BackupError(f"{name} in {archive.name} does not match its checksum: nothing was restored")
    return manifest


def restore_archive(*, archive: Path) -> RestoreResult:
    """Put both stores back as the archive holds them; then compare every table's rows with the manifest.
    Stop the web app and the timers first (docs/deploy.md). Needs Django set up."""
    from django.db import connection

    home = panhuo_home()
    work = Path(tempfile.mkdtemp(prefix=".panhuo-restore-", dir=home))
    try:
        manifest = _unpack(archive, work)    # every checksum checked before anything is written
        op = manifest["operational"]
        if op["vendor"] != connection.vendor:
            raise BackupError(f"the backup's operational store is {op['vendor']}, this one is {connection.vendor}")
        with import_lock(home, owner="restore"), store_guard():
            store = warehouse_path()
            if store.exists():       # opening for writing fails (StoreBusy) while the daily run holds it
                duckdb.connect(str(store)).close()
            if manifest["analytical"]["file"]:
                staged = store.with_name(store.name + ".restoring")
                shutil.copyfile(work / WAREHOUSE_FILE, staged)
                Path(str(store) + ".wal").unlink(missing_ok=True)    # a WAL of the replaced file must not replay
                os.replace(staged, store)
            if op["vendor"] == "sqlite":
                source = sqlite3.connect(work / SQLITE_FILE)
                target = sqlite3.connect(connection.settings_dict["NAME"])
                try:
                    source.backup(target)   # overwrites every page of the live file, in one transaction
                finally:
                    target.close()
                    source.close()
            else:
                if shutil.which("pg_restore") is None:
                    raise BackupError("pg_restore is not installed here: the DBA restores "
                                      f"{PG_FILE} (pg_restore --clean --if-exists --no-owner -d DBNAME)")
                args, env = _pg_env(connection.settings_dict)
                subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", *args, str(work / PG_FILE)],
                               env=env, check=True)
        result = RestoreResult(manifest)
        connection.close()          # the next query sees the restored file, not a cached page
        if manifest["analytical"]["file"]:
            con = duckdb.connect(str(warehouse_path()), read_only=True)
            try:
                result.rows["analytical"] = _duckdb_rows(con)
            finally:
                con.close()
        result.rows["operational"] = _operational_rows()
        for part, expected in manifest["rows"].items():
            for table, n in expected.items():
                if result.rows.get(part, {}).get(table) != n:
                    result.mismatched.append(f"{part}.{table}: {result.rows.get(part, {}).get(table)} != {n}")
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)
