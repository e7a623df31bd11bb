"""The restore drill: back up both stores, change both, restore, and find every checksum and row count as backed up."""

from __future__ import annotations

import json
import shutil
import tarfile

import pytest

from panhuo.backup import BackupError, backup_create, restore_archive, sha256
from panhuo.clients.models import Client
from panhuo.config import warehouse_path
from panhuo.warehouse import open_warehouse


@pytest.fixture
def home(tmp_path, monkeypatch):
    from django.db import connection

    if connection.vendor == "postgresql" and not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("the operational store is PostgreSQL and pg_dump/pg_restore are not installed here")
    monkeypatch.setenv("PANHUO_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def _warehouse_rows(n: int, prefix: str = "W") -> None:
    with open_warehouse(warehouse_path()) as wh:
        wh.con.executemany("INSERT INTO clients (client_id, branch_id, advisor_id) VALUES (?, 'B001', 'A01')",
                           [(f"{prefix}{i:04d}",) for i in range(n)])


def _sqlite_only():
    # The PostgreSQL path is pg_dump / pg_restore (backup.py); the drill below restores the SQLite copy, and
    # restoring over the live PostgreSQL test database is not something a test run should do.
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the restore drill runs on the embedded SQLite store; PostgreSQL backups are pg_dump's")


def test_restore_drill(transactional_db, cast, home, tmp_path):
    # On PostgreSQL too (pg_dump -Fc, then pg_restore --clean over the test database, which is dropped after).
    from django.db import connection

    operational = "operational.sqlite3" if connection.vendor == "sqlite" else "operational.pgdump"
    _warehouse_rows(50)
    result = backup_create(out=tmp_path / "backups")
    archive = result.archive
    assert archive.stat().st_mode & 0o777 == 0o600           # client data: owner-only
    manifest = result.manifest
    assert manifest["rows"]["analytical"]["clients"] == 50
    assert manifest["rows"]["operational"]["clients_client"] == Client.objects.count() > 0
    assert set(manifest["files"]) == {"warehouse.duckdb", operational}
    with tarfile.open(archive) as tar:
        assert sorted(tar.getnames()) == ["manifest.json", operational, "warehouse.duckdb"]

    # the day goes on: a client is removed, another store gains rows
    Client.objects.filter(client_id="CA001").delete()
    _warehouse_rows(5, prefix="N")
    with open_warehouse(warehouse_path()) as wh:
        wh.con.execute("DELETE FROM clients WHERE client_id = 'W0000'")

    restored = restore_archive(archive=archive)
    assert restored.mismatched == []
    assert restored.rows == manifest["rows"]
    assert Client.objects.filter(client_id="CA001").exists()
    assert sha256(warehouse_path()) == manifest["files"]["warehouse.duckdb"]["sha256"]
    with open_warehouse(warehouse_path(), read_only=True) as wh:
        assert wh.con.execute("SELECT count(*) FROM clients WHERE client_id = 'W0000'").fetchone()[0] == 1


def test_a_damaged_archive_restores_nothing(transactional_db, cast, home, tmp_path):
    _sqlite_only()
    _warehouse_rows(3)
    archive = backup_create(out=tmp_path / "backups").archive
    # a flipped byte in the warehouse copy: the checksum stops the restore before anything is written
    with tarfile.open(archive) as tar:
        tar.extractall(tmp_path / "x", filter="data")
    wh_copy = tmp_path / "x" / "warehouse.duckdb"
    data = bytearray(wh_copy.read_bytes())
    data[-100] ^= 0xFF
    wh_copy.write_bytes(bytes(data))
    bad = tmp_path / "bad.tar"
    with tarfile.open(bad, "w") as tar:
        for name in ("manifest.json", "operational.sqlite3", "warehouse.duckdb"):
            tar.add(tmp_path / "x" / name, arcname=name)
    Client.objects.filter(client_id="CA001").delete()
    with pytest.raises(BackupError, match="checksum"):
        restore_archive(archive=bad)
    assert not Client.objects.filter(client_id="CA001").exists()      # untouched
    assert json.loads((tmp_path / "x" / "manifest.json").read_text())["rows"]["analytical"]["clients"] == 3
