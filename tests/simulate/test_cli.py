"""`panhuo simulate` writes the tables and reports them as JSON; bad arguments exit with code 2."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from panhuo.cli import app


def test_simulate_command_json(tmp_path):
    out = tmp_path / "branch"
    result = CliRunner().invoke(app, ["simulate", "--clients", "200", "--years", "0.5", "--stocks", "60",
                                      "--seed", "3", "--assets", "monthly", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["ok"] and data["rows"]["clients"] == 200 and data["rows"]["trades"] > 0
    assert (out / "truth.parquet").exists() and not (out / "export").exists()


def test_simulate_command_rejects_a_bad_format(tmp_path):
    result = CliRunner().invoke(app, ["simulate", "--out", str(tmp_path), "--format", "xml", "--json"])
    assert result.exit_code == 2
    assert json.loads(result.stdout)["ok"] is False


def test_progress_reports_each_stage_up_to_its_total(tmp_path):
    from datetime import date

    from panhuo.simulate import SimConfig, simulate

    calls = []
    simulate(SimConfig(clients=120, years=0.5, stocks=60, end=date(2026, 10, 30), chunk_clients=50), tmp_path,
             progress=lambda stage, done, total: calls.append((stage, done, total)))
    clients = [(d, t) for s, d, t in calls if s == "clients"]
    assert [d for d, _ in clients] == sorted(d for d, _ in clients)
    assert clients[-1][0] == clients[-1][1] and len(clients) > 3
    assert ("market", 1, 1) in calls
