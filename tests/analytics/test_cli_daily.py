"""`panhuo run-daily`: defaults to the latest data date, exports Parquet, stores snapshots, prints JSON."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from tests.analytics import timeline

pytestmark = pytest.mark.django_db


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("PANHUO_HOME", str(tmp_path))
    from panhuo.warehouse import open_warehouse

    with open_warehouse() as wh:
        timeline.load(wh)
    return tmp_path


def test_run_daily_exports_and_stores(home, db):
    from panhuo.cli import app
    from panhuo.clients.models import Branch, Client, ClientSnapshot

    branch = Branch.objects.create(branch_id="B001", name="测试营业部")
    for cid, _ in timeline.CLIENTS:
        Client.objects.create(client_id=cid, branch=branch, name=cid)
    _contact_logged(Client.objects.get(client_id="C5"))
    out = home / "daily.parquet"
    res = CliRunner().invoke(app, ["run-daily", "--export", str(out), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["as_of"] == "2024-06-28" and data["clients"] == 7 and data["snapshots_written"] == 7
    assert data["dormant"] == 2 and data["by_lifecycle"]["dormant"]["clients"] == 2
    assert data["vip_asset_share"] == pytest.approx(205000 / 296150)
    # seven clients are too few to train a churn model: said so, and no score is made up
    assert "too little history" in data["churn_model"]["note"] and data["high_churn_risk"] == 0
    assert data["churn_model"]["auc"] is None and "NaN" not in res.stdout
    table = pq.read_table(out)
    assert table.num_rows == 7
    for col in ("client_id", "days_since_last_trade", "tier", "lifecycle", "is_dormant", "p_alive",
                "expected_trading_days_90d", "churn_risk", "churn_reasons"):
        assert col in table.column_names
    assert ClientSnapshot.objects.filter(is_latest=True).count() == 7
    # the run first made the warehouse's contacts the operational store's (the timeline's own are not there),
    # so the recency the model saw is the contact logged in panhuo
    assert data["contacts_copied"] == {"written": 1, "refreshed": True, "rows": 1}
    recency = dict(zip(table.column("client_id").to_pylist(), table.column("days_since_last_contact").to_pylist(),
                       strict=True))
    assert recency == {c: (3 if c == "C5" else None) for c, _ in timeline.CLIENTS}


def _contact_logged(client) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from panhuo.accounts.models import User
    from panhuo.clients.models import Contact

    staff = User.objects.create(username="director", role="director", branch=client.branch)
    Contact.objects.create(client=client, by=staff, channel="phone", outcome="reached",
                           at=datetime(2024, 6, 25, 20, 0, tzinfo=ZoneInfo("Asia/Shanghai")))


def test_run_daily_without_data_fails_cleanly(tmp_path, monkeypatch):
    from panhuo.cli import app

    monkeypatch.setenv("PANHUO_HOME", str(tmp_path))
    res = CliRunner().invoke(app, ["run-daily", "--no-store", "--json"])
    assert res.exit_code == 1 and json.loads(res.stdout)["ok"] is False
    res = CliRunner().invoke(app, ["run-daily", "--engine", "hadoop", "--json"])
    assert res.exit_code == 1 and "unknown engine" in json.loads(res.stdout)["error"]


def test_the_daily_run_reports_the_seconds_of_every_stage_and_only_when_asked(home, db):
    from datetime import date

    from panhuo.clients.models import Branch, Client, ClientSnapshot
    from panhuo.daily import STAGES, daily_run
    from panhuo.warehouse import open_warehouse

    branch = Branch.objects.create(branch_id="B001", name="测试营业部")
    for cid, _ in timeline.CLIENTS:
        Client.objects.create(client_id=cid, branch=branch, name=cid)
    timings: dict = {}
    with open_warehouse() as wh:
        outcome = daily_run(wh=wh, as_of=date(2024, 6, 28), timings=timings)
        assert outcome.snapshots_written == 7
        assert list(timings) == list(STAGES) and all(s >= 0 for s in timings.values())
        only = {}
        daily_run(wh=wh, as_of=date(2024, 6, 28), store=False, timings=only)
        assert list(only) == ["analytics"]
        # without the argument the run is the same run: it replaces the day's snapshots as before
        assert daily_run(wh=wh, as_of=date(2024, 6, 28)).snapshots_written == 7
    assert ClientSnapshot.objects.filter(is_latest=True).count() == 7
