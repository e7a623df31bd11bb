"""Every file of the malformed corpus is accepted or rejected exactly as its MANIFEST entry says, with the
problem at the right row and column, personal values masked, and a rejected batch leaves the bytes of both
stores exactly as they were: the DuckDB file and the SQLite file (after a WAL checkpoint). The batch is still
recorded, in the import journal beside the stores (panhuo.imports.journal)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import pytest

from panhuo.ingest.batch import run_batch

CORPUS = Path(__file__).resolve().parent / "corpus"
MANIFEST = json.loads((CORPUS / "MANIFEST.json").read_text())


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def operational_bytes() -> tuple:
    """The operational store as bytes: on SQLite the file itself once the WAL is checkpointed into it
    (committed writes reach the file only through the checkpoint); on PostgreSQL every row of every table."""
    from django.apps import apps
    from django.db import connection

    if connection.vendor != "sqlite":
        return tuple(tuple(m.objects.order_by("pk").values_list()) for m in apps.get_models())
    with connection.cursor() as cur:
        cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        assert cur.fetchone()[0] == 0, "checkpoint blocked"
    db = Path(connection.settings_dict["NAME"])
    wal = db.with_name(db.name + "-wal")
    return sha(db), wal.read_bytes() if wal.exists() else b""


def import_rejected(store: Path, folder: Path, profile: str):
    """Import through the service (both stores, as the CLI and the upload page do) with the base batch
    recorded and its client master loaded, and check that neither store changed."""
    from panhuo.imports.journal import journal_batch
    from panhuo.imports.services import ImportRejected, _recover, import_batch

    _recover(store)
    before = sha(store), operational_bytes()
    with pytest.raises(ImportRejected) as info:
        import_batch(paths=[folder], profile=profile)
    assert (sha(store), operational_bytes()) == before, "a rejected batch changed a store"
    recorded = journal_batch(info.value.batch.key)
    assert recorded.status == "rejected" and recorded.problem_count == info.value.batch.problem_count
    return info.value


def test_corpus_is_large_enough():
    assert len(MANIFEST) >= 50
    assert sum(c["expect"] == "reject" for c in MANIFEST) >= 40


def case_folder(case: dict, tmp_path: Path) -> Path:
    if not case.get("runtime"):
        return CORPUS / case["name"]
    import make_corpus

    folder = tmp_path / case["name"]
    folder.mkdir()
    next(c for c in make_corpus.CASES if c["name"] == case["name"])["build"](folder)
    return folder


REJECTS = [c for c in MANIFEST if c["expect"] == "reject"]
ACCEPTS = [c for c in MANIFEST if c["expect"] != "reject"]
SLOW_CASES = {"field_of_10mb"}       # a minute on two cores: in the slow tier (scripts/test.sh)


def _params(cases: list[dict]) -> list:
    return [pytest.param(c, id=c["name"], marks=pytest.mark.slow if c["name"] in SLOW_CASES else ()) for c in cases]


# transactional_db: writes are committed, so a stray write would reach the SQLite file.
@pytest.mark.parametrize("case", _params(REJECTS))
def test_corpus_rejects(case, store, tmp_path, transactional_db, monkeypatch):
    monkeypatch.setenv("PANHUO_HOME", str(store.parent))
    result = import_rejected(store, case_folder(case, tmp_path), case.get("profile", "generic"))
    codes = {p.code for p in result.problems}
    assert set(case["codes"]) <= codes, [p.line() for p in result.problems]
    first = next(p for p in result.problems if p.code == case["codes"][0])
    if "row" in case:
        assert first.row == case["row"], first.line()
    if "column" in case:
        assert first.column == case["column"], first.line()
    if "masked" in case:
        assert first.value and case["masked"] not in first.value and "*" in first.value
    for p in result.problems:   # every message exists in both languages, values short
        assert p.zh and p.en and (p.value is None or len(p.value) < 100)


@pytest.mark.parametrize("case", _params(ACCEPTS))
def test_corpus_accepts(case, store, tmp_path):
    folder = case_folder(case, tmp_path)
    with duckdb.connect(str(store), read_only=True) as con:
        earlier = set(con.execute("SELECT * FROM trades").fetchall())
    result = run_batch(store_path=store, paths=[folder], profile=case.get("profile", "generic"), batch_key="t")
    assert result.status == "loaded", result.message
    with duckdb.connect(str(store), read_only=True) as con:
        # every earlier trade is kept: unchanged, or corrected under its own id with the old row on record
        now = set(con.execute("SELECT * FROM trades").fetchall())
        corrected = set(con.execute("SELECT * EXCLUDE (batch_key, removed_at, reason, restored_at) "
                                    "FROM removed_trades WHERE reason = 'corrected'").fetchall())
        assert earlier - now == corrected
        assert {r[0] for r in earlier} <= {r[0] for r in now}
    assert result.total("rows_loaded") == case["loaded"]
    assert result.total("rows_read") == (result.total("rows_loaded") + result.total("rows_quarantined")
                                         + result.total("rows_duplicate"))
    f = result.files[0]
    if "dropped" in case:
        assert f.dropped_columns == case["dropped"]
    if "absent" in case:
        assert f.absent_columns == case["absent"]
    if "duplicates" in case:
        assert result.total("rows_duplicate") == case["duplicates"]
    with duckdb.connect(str(store), read_only=True) as con:
        if "names" in case:
            got = dict(con.execute("SELECT client_id, name FROM clients WHERE client_id IN "
                                   f"({', '.join(repr(k) for k in case['names'])})").fetchall())
            assert got == case["names"]
        if "symbols" in case:
            got = [r[0] for r in con.execute("SELECT symbol FROM trades WHERE trade_date = '2024-02-01' "
                                             "ORDER BY trade_id").fetchall()]
            assert got == case["symbols"]
        if "amount" in case:
            assert con.execute("SELECT amount::DECIMAL(18,2)::VARCHAR FROM trades WHERE trade_id = 'T1001'"
                               ).fetchone()[0] == case["amount"]
        if "dropped" in case:   # minimisation: dropped source columns are nowhere in the store
            cols = {r[0] for r in con.execute("SELECT column_name FROM duckdb_columns()").fetchall()}
            assert not set(case["dropped"]) & cols
