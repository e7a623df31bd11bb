from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


@pytest.fixture(scope="session")
def base_store(tmp_path_factory) -> Path:
    """A store holding the small simulator export (clients, advisors, instruments, positions, trades of 2024-01-31)."""
    from exports import simulator_export

    from panhuo.ingest.batch import run_batch

    folder = tmp_path_factory.mktemp("base")
    run_batch(store_path=folder / "base.duckdb", paths=[simulator_export(folder)], profile="simulator", batch_key="base")
    return folder / "base.duckdb"


@pytest.fixture
def store(base_store, tmp_path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    shutil.copy(base_store, path)
    return path
