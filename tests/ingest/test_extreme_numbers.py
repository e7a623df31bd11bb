"""No number stops an import: an extreme value in any numeric column of any export is loaded, or refused with
its file, row and column. A 9e15 amount used to pass every check and then stop the load on a DECIMAL
conversion error in client_days (now the too_large rule)."""

from __future__ import annotations

import csv
import io
import shutil

import pytest
from exports import simulator_export, write_csv

from panhuo.ingest.batch import BatchRejected, run_batch
from panhuo.ingest.problems import MESSAGES

# Beyond DECIMAL(18,4), beyond BIGINT, beyond any double sum, a cent a double cannot hold, just below the
# store's money limit (loads, cents exact), at it.
EXTREMES = ["1e15", "9e18", "-1e300", "99999999999999999999", "99999999999999.99", "9999999999999.99", "1e13"]
# Columns that are not numbers although their sample values look like them: codes, markets, flags, dates.
NOT_NUMBERS = {"证券代码", "市场", "买卖标志", "交易日期", "成交日期", "日期", "入职日期"}
FILES = ["成交明细.csv", "持仓.csv", "银证转账.csv", "日终资产.csv", "日线行情.csv", "投资顾问.csv"]


def _numeric_columns(header: list[str], row: list[str]) -> list[int]:
    out = []
    for j, (h, v) in enumerate(zip(header, row, strict=True)):
        try:
            float(v)
        except ValueError:
            continue
        if h not in NOT_NUMBERS:
            out.append(j)
    return out


@pytest.mark.parametrize("name", FILES)
def test_every_extreme_number_loads_or_is_refused_at_its_cell(base_store, tmp_path, name):
    source = simulator_export(tmp_path / "src")
    rows = list(csv.reader(io.StringIO((source / name).read_bytes().decode("gb18030"))))
    header, data = rows[0], rows[1:]
    columns = _numeric_columns(header, data[0])
    assert columns, header
    outcomes = set()
    for j in columns:
        for value in EXTREMES:
            case = tmp_path / f"{j}-{value}"
            changed = [list(r) for r in data]
            changed[0][j] = value
            write_csv(case / "export" / name, header, changed)
            store = case / "warehouse.duckdb"
            shutil.copy(base_store, store)
            try:
                result = run_batch(store_path=store, paths=[case / "export"], profile="simulator", batch_key="x")
            except BatchRejected as exc:
                problems = exc.result.problems
                assert problems and all(p.code in MESSAGES for p in problems)
                # The refused value is named where it stands: the first record (row 2 under the header).
                assert any(p.row == 2 and p.file == name for p in problems), [p.line() for p in problems]
                outcomes.add("refused")
            else:
                assert result.status == "loaded", result.message
                outcomes.add("loaded")
    assert "refused" in outcomes     # each file has a column the extremes break (money, a count, a limit)
