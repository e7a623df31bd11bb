from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import duckdb

from panhuo.config import warehouse_path
from panhuo.warehouse.schema import all_tables, ensure_tables


class Warehouse:
    """Owns the DuckDB connection to the analytical store and its schema.

    Use as a context manager; `transaction()` gives all-or-nothing writes across tables.
    """

    def __init__(self, path: Path | str | None = None, *, read_only: bool = False, threads: int | None = None):
        self.path = Path(path) if path is not None else warehouse_path()
        self.read_only = read_only
        config = {"threads": threads} if threads else {}
        if read_only and not self.path.exists():
            # A read-only open of a missing file would fail; an empty in-memory store reads as "no data yet".
            self.con = duckdb.connect(":memory:", config=config)
            self._create_schema()
        else:
            self.con = duckdb.connect(str(self.path), read_only=read_only, config=config)
            if not read_only:
                self._create_schema()

    def _create_schema(self) -> None:
        with self.transaction() as con:    # a killed open leaves the store as it was, not half upgraded
            ensure_tables(con)

    def sql(self, query: str, params: list | tuple | dict | None = None) -> duckdb.DuckDBPyRelation:
        return self.con.sql(query, params=params)

    def execute(self, query: str, params: list | tuple | dict | None = None):
        return self.con.execute(query, params)

    def row_count(self, table: str) -> int:
        if table not in all_tables():
            raise KeyError(f"unknown warehouse table {table!r}")
        return self.con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]  # fetchall: no pending result

    def counts(self) -> dict[str, int]:
        return {name: self.row_count(name) for name in all_tables()}

    @contextlib.contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self.con
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        else:
            self.con.execute("COMMIT")

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_warehouse(path: Path | str | None = None, *, read_only: bool = False) -> Warehouse:
    return Warehouse(path, read_only=read_only)
