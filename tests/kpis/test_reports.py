"""The monthly snapshot (KpiMonth) and `panhuo report kpis|snapshot|send`: kept history, JSON shape, Excel, PDF."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date

import pytest
from django.core import mail
from typer.testing import CliRunner

from panhuo.analytics.kpis import FIGURE_NAMES
from panhuo.clients.models import KpiMonth

pytestmark = pytest.mark.django_db


def run(*args):
    from panhuo.cli import app

    res = CliRunner().invoke(app, list(args))
    assert res.exit_code == 0, res.output
    return res


def test_the_snapshot_is_kept_idempotent_and_survives_later_data_changes(home):
    from panhuo.kpis.services import kpi_snapshot
    from panhuo.warehouse import open_warehouse

    with open_warehouse() as wh:
        kpi_snapshot(wh=wh, month="2024-06")
        kpi_snapshot(wh=wh, month="2024-06")
    assert KpiMonth.objects.filter(month=date(2024, 6, 1)).count() == 2      # branch B001 and advisor A01
    branch = KpiMonth.objects.get(month=date(2024, 6, 1), advisor__isnull=True)
    assert (branch.figures["clients_total"], branch.figures["active_clients"]) == (7, 2)   # C1 and C6 traded in June
    with open_warehouse() as wh:
        wh.con.execute("DELETE FROM client_days")     # a later correction of the data
    again = run("report", "kpis", "--month", "2024-06", "--branch", "B001")
    assert json.loads(again.stdout)["branch"]["active_clients"] == 2          # the kept month does not move


def test_report_kpis_json_has_the_figures_under_their_names(home):
    assert json.loads(run("report", "snapshot", "--month", "2024-06", "--json").stdout)["branches"] == 1
    data = json.loads(run("report", "kpis", "--month", "2024-06", "--branch", "B001").stdout)
    assert data["month"] == "2024-06" and set(data["branch"]) == set(FIGURE_NAMES)
    assert [a["advisor"] for a in data["advisors"]] == ["A01"] and set(FIGURE_NAMES) <= set(data["advisors"][0])


def test_a_month_without_kept_figures_says_what_to_run(home):
    from panhuo.cli import app

    res = CliRunner().invoke(app, ["report", "kpis", "--month", "2023-01"])
    assert res.exit_code == 1 and "panhuo report snapshot --month 2023-01" in " ".join(res.output.split())


def test_the_excel_has_chinese_labels_formats_and_a_frozen_header(home, tmp_path):
    from openpyxl import load_workbook

    run("report", "snapshot", "--month", "2024-06")
    out = tmp_path / "k.xlsx"
    run("report", "kpis", "--month", "2024-06", "--format", "xlsx", "--out", str(out))
    ws = load_workbook(out).active
    heads = [c.value for c in ws[1]]
    assert "休眠客户" in heads and "资金周转率" in heads and ws.freeze_panes == "C2"
    col = heads.index("月末总资产") + 1
    assert ws.cell(row=2, column=col).number_format == "#,##0.00" and ws.column_dimensions["A"].width >= 20
    assert ws.cell(row=2, column=heads.index("VIP及核心客户回访覆盖率") + 1).number_format == "0.0%"


def test_the_pdf_renders_chinese(home, tmp_path):
    run("report", "snapshot", "--month", "2024-06")
    out = tmp_path / "k.pdf"
    run("report", "kpis", "--month", "2024-06", "--format", "pdf", "--out", str(out))
    body = out.read_bytes()
    assert body.startswith(b"%PDF") and b"STSong-Light" in body
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, check=True).stdout.decode()
        assert "经营指标月报" in text and "休眠客户" in text


def test_report_send_mails_the_manager_and_director_with_both_files(home, cast, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    cast.users["manager_a"].email = "manager@example.com"
    cast.users["manager_a"].save()
    run("report", "send", "--period", "month", "--today", "2024-07-02")
    assert len(mail.outbox) == 1
    msg = mail.outbox[0]
    assert msg.to == ["manager@example.com"] and "2024-06" in msg.subject    # the director has no email yet
    names = [a[0] for a in msg.attachments]
    assert names == ["kpis-B001-2024-06.xlsx", "kpis-B001-2024-06.pdf"]
    run("report", "send", "--period", "week", "--today", "2024-06-28")
    assert len(mail.outbox) == 2 and "2024-06" in mail.outbox[1].subject


def test_the_daily_run_keeps_missing_months_and_the_month_at_its_end(home):
    from panhuo.kpis.services import kpis_daily
    from panhuo.warehouse import open_warehouse

    with open_warehouse() as wh:
        kept = kpis_daily(wh=wh, as_of=date(2024, 6, 30))["kept"]
        assert "2024-06" in kept and "2024-05" in kept
        assert kpis_daily(wh=wh, as_of=date(2024, 6, 28))["kept"] == []      # nothing missing, not month end


def test_a_team_is_kept_and_reported_with_the_same_figures_as_its_only_member(home, cast):
    from panhuo.clients.models import Team

    team = Team.objects.create(branch=cast.advisors["alice"].branch, name="一组")
    cast.advisors["alice"].team = team
    cast.advisors["alice"].save()
    assert json.loads(run("report", "snapshot", "--month", "2024-06", "--json").stdout)["teams"] == 1
    data = json.loads(run("report", "kpis", "--month", "2024-06", "--branch", "B001").stdout)
    [row] = data["teams"]
    assert row["team"] == "一组" and row["clients_total"] == data["advisors"][0]["clients_total"] > 0
    assert {k: row[k] for k in FIGURE_NAMES} == {k: data["advisors"][0][k] for k in FIGURE_NAMES}
