"""The holdout seed is drawn by the server at launch, shown for audit, never typed; a chosen seed is flagged."""

from __future__ import annotations

import io

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from panhuo.audit.models import AuditEvent
from panhuo.campaigns.models import Campaign
from panhuo.campaigns.services.launch import campaign_create, campaign_launch, campaign_update

SCRIPT = "{name}您好，营业部本周六有投资者教育讲座，欢迎您来参加。投资有风险，入市需谨慎。"
FORM = {"name": "唤醒休眠", "goal": "", "control_share": "20", "step-0-day": "0", "step-0-channel": "phone",
        "step-0-script": SCRIPT, "measure": "resumed", "window_days": "30", "daily_cap_per_advisor": "20",
        "client_cap_contacts": "2", "client_cap_days": "30", "quiet_start": "08:00", "quiet_end": "20:00",
        "rule-0-field": "lifecycle", "rule-0-choice": ["dormant"]}


def test_the_form_has_no_seed_and_ignores_a_posted_one_and_launch_draws_it(client, branch_world):
    client.force_login(branch_world.users["director_a"])
    assert b'name="seed"' not in client.get(reverse("campaigns:new")).content
    assert client.post(reverse("campaigns:new"), {**FORM, "seed": "9"}).status_code == 302
    camp = Campaign.objects.get()
    assert camp.seed is None and camp.seed_source == ""
    client.post(reverse("campaigns:edit", args=[camp.pk]), {**FORM, "seed": "9"})      # nor on an edit
    camp.refresh_from_db()
    assert camp.seed is None
    client.post(reverse("campaigns:launch", args=[camp.pk]))
    camp.refresh_from_db()
    assert camp.status == "launched" and camp.seed is not None and camp.seed_source == "server"
    launch = AuditEvent.objects.get(action="campaign.launch")
    assert launch.detail["seed"] == camp.seed and launch.detail["seed_source"] == "server"
    page = client.get(reverse("campaigns:detail", args=[camp.pk])).content.decode()
    assert str(camp.seed) in page and 'id="seed-warning"' not in page          # shown read-only, not flagged


def test_each_launch_draws_its_own_seed(branch_world):
    director = branch_world.users["director_a"]
    seeds = set()
    for _ in range(2):
        c = campaign_create(user=director, name="唤醒", rules=[], channels=["phone"], script=SCRIPT)
        seeds.add(campaign_launch(user=director, campaign_id=c.pk)["seed"])
    assert len(seeds) == 2


def test_a_draft_seed_cannot_be_edited_in(branch_world):
    director = branch_world.users["director_a"]
    c = campaign_create(user=director, name="唤醒", rules=[], channels=["phone"], script=SCRIPT)
    for field in ({"seed": 7}, {"seed_source": "server"}):
        with pytest.raises(ValidationError):
            campaign_update(user=director, campaign_id=c.pk, rules=[], **field)
    c.refresh_from_db()
    assert c.seed is None


def test_a_chosen_seed_is_flagged_on_the_report_and_in_the_export(client, branch_world):
    director = branch_world.users["director_a"]
    c = campaign_create(user=director, name="唤醒", rules=[], channels=["phone"], script=SCRIPT, seed=42)
    campaign_launch(user=director, campaign_id=c.pk)
    c.refresh_from_db()
    assert (c.seed, c.seed_source) == (42, "chosen")
    client.force_login(director)
    page = client.get(reverse("campaigns:detail", args=[c.pk])).content.decode()
    assert 'id="seed-warning"' in page and "对照组随机种子由人工指定" in page
    wb = load_workbook(io.BytesIO(client.get(reverse("campaigns:export", args=[c.pk])).content))
    summary = {r[0]: r[1:] for r in wb["summary 概要"].iter_rows(values_only=True) if r and r[0]}
    assert summary["随机种子 Seed"][0] == 42
    assert summary["种子来源 Seed source"][0].startswith("人工指定")
    assert "对照组随机种子由人工指定" in summary["警告 Warning"][0] and "chosen by a person" in summary["警告 Warning"][0]


def test_migration_drops_draft_seeds_and_marks_launched_ones_unknown(branch_world):
    from importlib import import_module

    migration = import_module("panhuo.campaigns.migrations.0005_seed_source")
    base = {"name": "旧活动", "channels": ["phone"], "script": SCRIPT, "branch": branch_world.branches["A"]}
    draft = Campaign.objects.create(**base, seed=9)
    launched = Campaign.objects.create(**base, seed=11, status="launched")
    migration.record_seed_sources(apps, None)
    draft.refresh_from_db()
    launched.refresh_from_db()
    assert (draft.seed, draft.seed_source) == (None, "")             # the server draws one at launch
    assert (launched.seed, launched.seed_source) == (11, "unknown")
    assert launched.seed_warning is not None
