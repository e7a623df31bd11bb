"""Convert the reference data folders (../shared/data, see their SOURCE.md) into canonical Parquet."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from panhuo.market import data

BAOSTOCK = "ashare_csi300_daily_baostock"
TUSHARE = "ashare_mainboard_qfq_tushare"
INDEX = "ashare_index_daily"


@dataclass
class Job:
    name: str                    # output folder name
    run: Callable[[], tuple[pl.DataFrame, pl.DataFrame | None]]


def _root(path: Path) -> Path:
    """The data root, whether given the root itself or one of its data-set folders."""
    path = Path(path)
    return path.parent if path.name in (BAOSTOCK, TUSHARE, INDEX) else path


def jobs(path: Path | str) -> Iterator[Job]:
    """One job per data set found under `path` (the data root or one data-set folder)."""
    path = Path(path)
    root = _root(path)
    only = path.name if path != root else None
    industry = root / TUSHARE / "stocklist_industry.csv"
    industry_csv = industry if industry.exists() else None
    if only in (None, BAOSTOCK):
        for f in sorted((root / BAOSTOCK).glob("stocks_daily_*.csv*")):
            yield Job("csi300", lambda f=f: data.load_baostock(f, industry_csv))
    if only in (None, TUSHARE):
        # Tushare's namechange table, when beside the bars, dates each ST spell (else the list's names decide)
        names = root / TUSHARE / "namechange.csv"
        namechange = names if names.exists() else None
        for f in sorted((root / TUSHARE).glob("stocks_daily_qfq_*.csv*")):
            yield Job("mainboard_qfq", lambda f=f: data.load_tushare_qfq(f, industry_csv, namechange))
    if only in (None, INDEX):
        for f in sorted((root / INDEX).glob("*.csv")):
            yield Job(f"index/{f.stem}", lambda f=f: (data.load_index_csv(f, f.stem), None))


def write(job: Job, out: Path | str) -> dict:
    bars, inst = job.run()
    out = Path(out)
    if job.name.startswith("index/"):
        p = data.write_parquet(bars, out / f"{job.name}.parquet")
        return {"name": job.name, "bars": str(p), "rows": bars.height}
    bp = data.write_parquet(bars, out / job.name / "bars.parquet")
    ip = data.write_parquet(inst, out / job.name / "instruments.parquet")
    return {"name": job.name, "bars": str(bp), "instruments": str(ip), "rows": bars.height, "symbols": inst.height}


def read_index(path: Path | str) -> pl.DataFrame:
    """Index bars from canonical Parquet/CSV, or straight from a baostock-format index CSV."""
    p = Path(path)
    if p.suffix == ".csv":
        head = pl.read_csv(p, n_rows=1)
        if "trade_date" not in head.columns:
            return data.load_index_csv(p, p.stem)
    return data.read_bars(p)
