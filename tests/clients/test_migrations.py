"""Moving the shared service models into the clients app loses nothing: a store at wave 1's migrations, with rows
in every moved table, is migrated to the current state and every row reads back through the new models.

The store is a real SQLite file built by `django migrate` in a child process (the test database is the current
schema, so it cannot stand for an old store)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow

# The migrations main had when wave 1 ended (f914345), per app.
WAVE1 = ["workbench 0002_branch_policy", "campaigns 0004_step_days", "marketweb 0001_initial",
         "imports 0002_report_file", "audit 0001_initial"]

ROWS = """
INSERT INTO clients_branch (id, branch_id, name) VALUES (1, 'B001', '营业部');
INSERT INTO clients_advisor (id, advisor_id, branch_id, name, level, region, capacity, specialties, active)
  VALUES (1, 'A01', 1, '艾丽', 'senior', '', 300, '', 1);
INSERT INTO clients_client (id, client_id, branch_id, advisor_id, name, id_number, phone, gender, region,
  client_type, do_not_contact) VALUES (1, 'C0001', 1, 1, '张三', '', '13800001111', '', '', 'individual', 0);
INSERT INTO workbench_branchpolicy (branch_id, protection_days) VALUES (1, 5);
INSERT INTO workbench_contact (id, client_id, advisor_id, channel, outcome, note, at)
  VALUES (7, 1, 1, 'phone', 'reached', '聊了行情', '2024-01-31 10:00:00');
INSERT INTO workbench_task (id, client_id, advisor_id, kind, priority, reason_zh, reason_en, script_key, status,
  created_on, source_contact_id) VALUES (3, 1, 1, 'follow_up', 150, '回访', 'Follow up', 'follow_up', 'open',
  '2024-01-31', 7);
INSERT INTO workbench_funnelevent (id, client_id, track, stage, source, at, "on", contact_id)
  VALUES (1, 1, 'normal', 'B', 'contact', '2024-01-31 10:00:00', '2024-01-31', 7);
INSERT INTO workbench_clientfunnel (client_id, track, stage, since) VALUES (1, 'normal', 'B', '2024-01-31');
INSERT INTO workbench_serviceplan (id, client_id, text, goals, updated_at)
  VALUES (1, 1, '每月回访一次', '稳健增值', '2024-01-31 10:00:00');
INSERT INTO workbench_clientseries (client_id, as_of, weeks, transfers, trade_days, positions)
  VALUES (1, '2024-01-31', '[]', '[]', '["2024-01-30"]', '[]');
INSERT INTO campaigns_consentrecord (id, client_id, channel, granted, source, note, at)
  VALUES (1, 1, 'sms', 0, 'reply', 'TD', '2024-01-31 11:00:00');
INSERT INTO campaigns_contactpoint (id, client_id, channel, address, updated_at)
  VALUES (1, 1, 'email', 'zhang@example.com', '2024-01-31 11:00:00');
INSERT INTO marketweb_marketday (id, date, index_symbol, regime, phase, position, gauge, charts, pools, report,
  computed_at) VALUES (1, '2024-01-31', '000001.SH', 'weak', 'D', 0.25, '{}', '{}', '{}', '{}', '2024-01-31 18:00:00');
"""

READ_BACK = """
import json
from panhuo.django_setup import setup
setup()
from panhuo.clients.models import (BranchPolicy, ClientFunnel, ClientSeries, ConsentRecord, Contact, ContactPoint,
                                   FunnelEvent, MarketDay, ServicePlanVersion, Task)
from panhuo.campaigns.models import Campaign
t = Task.objects.get()
print(json.dumps({
    "policy": BranchPolicy.objects.get().protection_days,
    "task": [t.kind, t.status, t.source_contact.note, t.advisor.advisor_id],
    "contact": Contact.objects.get().note,
    "funnel": [FunnelEvent.objects.get().contact_id, ClientFunnel.objects.get().stage],
    "plan": [[v.version, v.note, v.goals, v.review_on] for v in ServicePlanVersion.objects.all()],
    "series": ClientSeries.objects.get().trade_days,
    "consent": [ConsentRecord.objects.get().granted, ContactPoint.objects.get().address],
    "market": MarketDay.objects.get().regime,
    "campaigns": Campaign.objects.count(),
}, ensure_ascii=False))
"""


def _django(home, *args: str, code: str | None = None) -> str:
    env = {**os.environ, "PANHUO_HOME": str(home), "DJANGO_SETTINGS_MODULE": "panhuo.settings"}
    env.pop("DATABASE_URL", None)
    cmd = [sys.executable, "-c", code] if code else [sys.executable, "-m", "django", *args]
    res = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    return res.stdout


def test_a_wave1_store_keeps_every_row_when_the_service_models_move_to_the_core(tmp_path):
    # The free-text service plan of the old store becomes version 1 of the structured plan (clients 0011).
    home = tmp_path / "home"
    for target in WAVE1:
        _django(home, "migrate", *target.split(), "--no-input")
    db = sqlite3.connect(home / "panhuo.sqlite3")
    db.executescript(ROWS)
    db.commit()
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND (name LIKE "
                                       "'workbench_%' OR name LIKE 'campaigns_%' OR name LIKE 'marketweb_%')")]
    before = {t: db.execute(f'SELECT * FROM "{t}" ORDER BY 1').fetchall() for t in tables}
    db.close()

    _django(home, "migrate", "--no-input")

    db = sqlite3.connect(home / "panhuo.sqlite3")
    after = {t: db.execute(f'SELECT * FROM "{t}" ORDER BY 1').fetchall() for t in tables}
    moved = {r[0] for r in db.execute("SELECT model FROM django_content_type WHERE app_label = 'clients'")}
    db.close()
    # Same tables, same rows: the move changed no data (columns added later come after, so compare prefixes).
    # (The service plan's two free-text columns moved into its version 1: read back below.)
    for t in (t for t in tables if t != "workbench_serviceplan"):
        assert [row[:len(b)] for row, b in zip(after[t], before[t], strict=True)] == before[t], t
    assert {"task", "contact", "consentrecord", "marketday"} <= moved
    got = json.loads(_django(home, code=READ_BACK))
    assert got == {"policy": 5, "task": ["follow_up", "open", "聊了行情", "A01"], "contact": "聊了行情",
                   "funnel": [7, "B"], "plan": [[1, "每月回访一次", ["稳健增值"], None]], "series": ["2024-01-30"],
                   "consent": [False, "zhang@example.com"], "market": "weak", "campaigns": 0}
