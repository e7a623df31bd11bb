"""`panhuo market …` end to end on the reference data: convert, backtest with fills CSV, models, pool, regime."""

from __future__ import annotations

import json

import polars as pl
import pytest
from typer.testing import CliRunner

from panhuo.cli import app
from tests.conftest import shared_data


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    out = tmp_path_factory.mktemp("mkt")
    src = shared_data("ashare_csi300_daily_baostock").parent
    res = CliRunner().invoke(app, ["market", "load-reference", str(src), "--out", str(out), "--json"])
    assert res.exit_code == 0, res.output
    return out, json.loads(res.stdout)


def test_load_reference_writes_canonical_parquet(converted):
    out, payload = converted
    names = {w["name"] for w in payload["written"]}
    assert {"csi300", "mainboard_qfq", "index/sh000300", "index/sh000001"} <= names
    bars = pl.read_parquet(out / "csi300" / "bars.parquet")
    assert bars.height == 184_641 and "pre_close" in bars.columns


def test_models_lists_names():
    res = CliRunner().invoke(app, ["market", "models", "--json"])
    assert res.exit_code == 0
    assert [m["name"] for m in json.loads(res.stdout)["models"]][:2] == ["high_sell_low_buy", "rebound"]


def test_backtest_prints_metrics_and_writes_every_fill(converted, tmp_path):
    out, _ = converted
    trades = tmp_path / "fills.csv"
    res = CliRunner().invoke(app, ["market", "backtest", "--model", "rebound", "--bars", str(out / "csi300" / "bars.parquet"),
                                   "--instruments", str(out / "csi300" / "instruments.parquet"),
                                   "--index", str(out / "index" / "sh000300.parquet"), "--start", "2021-01-04",
                                   "--end", "2023-12-29", "--trades-out", str(trades), "--json"])
    assert res.exit_code == 0, res.output
    r = json.loads(res.stdout)
    assert set(r["overall"]) >= {"annual_return", "turnover_per_year", "win_rate", "max_drawdown", "sharpe"}
    assert set(r["by_regime"]) <= {"strong", "consolidating", "weak"} and len(r["by_regime"]) >= 2
    fills = pl.read_csv(trades)
    assert fills.columns[:6] == ["date", "symbol", "side", "quantity", "price", "commission"] and "fees" in fills.columns
    assert fills.height == r["fills"] > 0
    buys = fills.filter(pl.col("side") == "B")
    star = buys["symbol"].str.starts_with("68")
    assert (buys.filter(~star)["quantity"] % 100 == 0).all()          # main board, ChiNext: whole lots
    assert (buys.filter(star)["quantity"] >= 200).all()               # STAR: 200 shares, then single shares


def test_backtest_rejects_unknown_model_and_bad_dates(converted):
    out, _ = converted
    args = ["--bars", str(out / "csi300" / "bars.parquet"), "--instruments", str(out / "csi300" / "instruments.parquet")]
    res = CliRunner().invoke(app, ["market", "backtest", "--model", "nope", *args, "--start", "2021-01-04",
                                   "--end", "2021-12-31", "--json"])
    assert res.exit_code == 1 and json.loads(res.stdout)["ok"] is False
    res = CliRunner().invoke(app, ["market", "backtest", "--model", "rebound", *args, "--start", "2021-13-04",
                                   "--end", "2021-12-31"])
    assert res.exit_code != 0


def test_pool_and_regime(converted):
    out, _ = converted
    res = CliRunner().invoke(app, ["market", "pool", "--model", "chip_concentration", "--bars",
                                   str(out / "csi300" / "bars.parquet"), "--instruments",
                                   str(out / "csi300" / "instruments.parquet"), "--date", "2023-12-29", "--json"])
    assert res.exit_code == 0, res.output
    pool = json.loads(res.stdout)["pool"]
    assert pool and all(e["reason"]["code"] == "chip_concentration" and "筹码" in e["reason"]["zh"]
               and "chips" in e["reason"]["en"] for e in pool)
    res = CliRunner().invoke(app, ["market", "regime", "--index", str(out / "index" / "sh000300.parquet"),
                                   "--date", "2023-12-29", "--json"])
    assert res.exit_code == 0, res.output
    r = json.loads(res.stdout)
    assert r["gauge"]["regime"] in {"strong", "consolidating", "weak"} and r["gauge"]["phase"] in "ABCD"
    assert {row["regime"] for row in r["table"]} == {"strong", "consolidating", "weak"}
