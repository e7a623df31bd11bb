"""Every file of the malformed corpus is accepted or rejected exactly as its MANIFEST entry says, with the
problem at the right row and column, personal values masked, and a rejected batch leaves the store's bytes
exactly as they were."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import pytest

from panhuo.ingest.batch import BatchRejected, run_batch

CORPUS = Path(__file__).resolve().parent / "corpus"
MANIFEST = json.loads((CORPUS / "MANIFEST.json").read_text())


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_corpus_is_large_enough():
    assert len(MANIFEST) >= 50
    assert sum(c["expect"] == "reject" for c in MANIFEST) >= 40


@pytest.mark.parametrize("case", MANIFEST, ids=[c["name"] for c in MANIFEST])
def test_corpus_case(case, store, tmp_path):
    folder = CORPUS / case["name"]
    if case.get("runtime"):
        import make_corpus

        folder = tmp_path / case["name"]
        folder.mkdir()
        next(c for c in make_corpus.CASES if c["name"] == case["name"])["build"](folder)
    before = sha(store)
    if case["expect"] == "reject":
        with pytest.raises(BatchRejected) as info:
            run_batch(store_path=store, paths=[folder], profile=case.get("profile", "generic"), batch_key="t")
        result = info.value.result
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
        assert sha(store) == before, "a rejected batch changed the store"
        return
    result = run_batch(store_path=store, paths=[folder], profile=case.get("profile", "generic"), batch_key="t")
    assert result.status == "loaded", result.message
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
