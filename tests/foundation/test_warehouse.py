from __future__ import annotations

import pytest

from panhuo.warehouse import TABLES, open_warehouse


def test_canonical_tables_exist_with_contract_columns(warehouse):
    for name, table in TABLES.items():
        cols = [r[0] for r in warehouse.execute(f"DESCRIBE {name}").fetchall()]
        assert cols == table.column_names


def test_transaction_is_all_or_nothing(warehouse):
    with pytest.raises(RuntimeError):
        with warehouse.transaction() as con:
            con.execute("INSERT INTO instruments (symbol, name) VALUES ('600000.SH', '浦发银行')")
            raise RuntimeError("boom")
    assert warehouse.row_count("instruments") == 0
    with warehouse.transaction() as con:
        con.execute("INSERT INTO instruments (symbol, name) VALUES ('600000.SH', '浦发银行')")
    assert warehouse.row_count("instruments") == 1


def test_read_only_open_of_missing_store_reads_empty(tmp_path):
    with open_warehouse(tmp_path / "none.duckdb", read_only=True) as wh:
        assert wh.row_count("trades") == 0
    assert not (tmp_path / "none.duckdb").exists()


def test_a_store_made_before_a_column_was_added_gets_the_column_on_open(tmp_path):
    import duckdb

    from panhuo.warehouse import open_warehouse
    from panhuo.warehouse.schema import TABLES

    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    old = [c for c in TABLES["clients"].columns if c.name != "status"]
    con.execute("CREATE TABLE clients (" + ", ".join(f"{c.name} {c.sql_type}" for c in old) + ")")
    con.execute("INSERT INTO clients (client_id, branch_id) VALUES ('C1', 'B1')")
    con.close()
    with open_warehouse(path) as wh:
        assert wh.execute("SELECT client_id, status FROM clients").fetchall() == [("C1", None)]
