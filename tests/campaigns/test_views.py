"""Pages: create with rules, live preview and lint, launch, report, Excel export, consent ledger, unsubscribe."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from panhuo.accounts.permissions import Capability, can
from panhuo.audit.models import AuditEvent
from panhuo.campaigns.models import Campaign
from panhuo.clients.consent import unsubscribe_token
from panhuo.clients.models import ConsentRecord

SCRIPT = "{name}您好，营业部本周六有投资者教育讲座，欢迎您来参加。投资有风险，入市需谨慎。"


def _login(client, world, who):
    client.force_login(world.users[who])
    return client


def _new(client, **extra):
    data = {"name": "唤醒休眠", "goal": "", "control_share": "20", "step-0-day": "0", "step-0-channel": "phone",
            "step-0-script": SCRIPT, "measure": "resumed", "window_days": "30", "daily_cap_per_advisor": "20",
            "client_cap_contacts": "2", "client_cap_days": "30", "quiet_start": "08:00", "quiet_end": "20:00",
            "seed": "9", "rule-0-field": "lifecycle", "rule-0-choice": ["dormant"], "rule-1-field": "total_assets",
            "rule-1-op": "gte", "rule-1-value": "10万"}
    data.update(extra)
    return client.post(reverse("campaigns:new"), data)


def test_director_creates_launches_and_reads_the_report(client, branch_world):
    c = _login(client, branch_world, "director_a")
    form = c.get(reverse("campaigns:new"))
    assert form.status_code == 200 and b'name="rule-0-field"' in form.content and b'hx-post="/campaigns/lint/"' in form.content
    r = _new(c)
    assert r.status_code == 302, r.content.decode()[:2000]
    camp = Campaign.objects.get()
    edit = c.get(reverse("campaigns:edit", args=[camp.pk]))
    assert edit.status_code == 200 and b'name="rule-1-value" value="10"' in edit.content      # in 万元
    assert camp.rules == [{"field": "lifecycle", "op": "in", "value": ["dormant"]},
                          {"field": "total_assets", "op": "gte", "value": 100000}]
    assert c.get(reverse("campaigns:detail", args=[camp.pk])).status_code == 200
    branch_world.clients["W029"].do_not_contact = True
    branch_world.clients["W029"].save()
    r = c.post(reverse("campaigns:launch", args=[camp.pk]))
    assert r.status_code == 302
    camp.refresh_from_db()
    assert camp.status == "launched"
    page = c.get(reverse("campaigns:detail", args=[camp.pk]))
    assert page.status_code == 200 and b"campaign-chart" in page.content
    # listed among the excluded by name, linked to the client, with its reason
    assert '>客户W29</a> <span class="muted small">W029</span>' in page.content.decode()
    x = c.get(reverse("campaigns:export", args=[camp.pk]))
    wb = load_workbook(io.BytesIO(x.content))
    assert {"summary 概要", "members 成员"} <= set(wb.sheetnames)
    members = wb["members 成员"]
    cells = {c.value for row in members.iter_rows(min_row=2) for c in row}
    assert not cells & {"treatment", "control", "excluded", "do_not_contact"}     # codes as words
    assert "对照组 / Control" in cells and members.freeze_panes == "A2" and members.auto_filter.ref
    channels = [r[0].value for r in wb["by channel 按渠道"].iter_rows(min_row=2)]
    assert "phone" not in channels and all(" / " in c for c in channels)      # 电话 / Phone
    assert '"phone"' not in page.content.decode().split('id="campaign-chart"')[1]   # the chart's labels too
    assert AuditEvent.objects.filter(action="campaign.export").exists()
    assert AuditEvent.objects.filter(action="campaign.view").exists()


def test_preview_and_lint_partials(client, branch_world):
    c = _login(client, branch_world, "director_a")
    r = c.get(reverse("campaigns:preview"), {"rule-0-field": "lifecycle", "rule-0-choice": ["dormant"]})
    assert b"<strong>30</strong>" in r.content
    r = c.get(reverse("campaigns:preview"), {"rule-0-field": "nope"})
    assert "未知".encode() in r.content or b"Unknown field" in r.content
    r = c.post(reverse("campaigns:lint"), {"script": "本产品保本保收益", "channels": ["sms"]})
    assert "保本".encode() in r.content and (b"blocked" in r.content or "拦截".encode() in r.content)


ROLES = ["alice", "bob", "charlie", "director_a", "manager_a", "compliance", "admin"]


@pytest.mark.parametrize("who", ROLES)
def test_campaign_pages_answer_as_the_permissions_table_says(client, branch_world, who):
    """Every role against the editor, its live preview and lint, and launching: 403 unless the role holds the
    capability (accounts.permissions), the list open to all."""
    user = branch_world.users[who]

    def code(capability, ok=200):
        return ok if can(user, capability) else 403

    c = _login(client, branch_world, who)
    assert c.get(reverse("campaigns:list")).status_code == 200
    assert c.get(reverse("campaigns:new")).status_code == code(Capability.DESIGN_CAMPAIGN)
    assert c.get(reverse("campaigns:preview"), {"rule-0-field": "lifecycle",
                                                "rule-0-choice": ["dormant"]}).status_code == \
        code(Capability.DESIGN_CAMPAIGN)
    assert c.post(reverse("campaigns:lint"), {"script": SCRIPT}).status_code == code(Capability.REVIEW_SCRIPT)
    assert _new(c).status_code == code(Capability.DESIGN_CAMPAIGN, 302)
    assert Campaign.objects.exists() == can(user, Capability.DESIGN_CAMPAIGN)


@pytest.mark.parametrize("who", ["director_a", "manager_a", "compliance", "admin"])    # those who see a draft
def test_launching_a_campaign_asks_the_table(client, branch_world, who):
    _new(_login(client, branch_world, "director_a"))
    camp = Campaign.objects.get()
    c = _login(client, branch_world, who)
    launches = can(branch_world.users[who], Capability.LAUNCH_CAMPAIGN)
    page = c.get(reverse("campaigns:detail", args=[camp.pk])).content.decode()
    assert (f'href="{reverse("campaigns:launch", args=[camp.pk])}"' in page) == launches       # the button
    assert c.get(reverse("campaigns:launch", args=[camp.pk])).status_code == (200 if launches else 403)
    assert c.post(reverse("campaigns:launch", args=[camp.pk])).status_code == (302 if launches else 403)
    camp.refresh_from_db()
    assert (camp.status == "launched") == launches


def test_the_branch_manager_designs_and_launches_the_branchs_campaign(client, branch_world):
    """The material makes the branch's leadership own reactivation campaigns; the manager was refused (403)."""
    c = _login(client, branch_world, "manager_a")
    assert c.get(reverse("campaigns:new")).status_code == 200
    assert _new(c).status_code == 302
    camp = Campaign.objects.get()
    assert camp.branch == branch_world.branches["A"] and camp.created_by == branch_world.users["manager_a"]
    assert c.post(reverse("campaigns:launch", args=[camp.pk])).status_code == 302
    camp.refresh_from_db()
    assert camp.status == "launched"


def test_other_branch_campaign_is_404(client, branch_world):
    _new(_login(client, branch_world, "director_a"))
    camp = Campaign.objects.get()
    c = _login(client, branch_world, "charlie")
    assert c.get(reverse("campaigns:detail", args=[camp.pk])).status_code == 404


def test_consent_ledger_page(client, branch_world):
    c = _login(client, branch_world, "alice")
    r = c.post(reverse("campaigns:consent", args=["W000"]), {"channel": "sms", "granted": "0", "note": "电话里说的"})
    assert r.status_code == 302
    assert ConsentRecord.objects.get().granted is False
    assert "电话里说的".encode() in c.get(reverse("campaigns:consent", args=["W000"])).content
    assert c.get(reverse("campaigns:consent", args=["W001"])).status_code == 404          # Bob's client
    for who in ("compliance", "director_a", "manager_a", "admin"):      # all reach W000; may they record?
        other = _login(client, branch_world, who)
        assert other.get(reverse("campaigns:consent", args=["W000"])).status_code == 200
        writes = can(branch_world.users[who], Capability.SERVE)
        r = other.post(reverse("campaigns:consent", args=["W000"]), {"channel": "sms", "granted": "1"})
        assert r.status_code == (302 if writes else 403), who


def test_unsubscribe_link_needs_no_login_and_a_valid_token(client, branch_world):
    token = unsubscribe_token(client=branch_world.clients["W000"], channel="email")
    url = reverse("campaigns:unsubscribe", args=[token])
    assert client.get(url).status_code == 200 and not ConsentRecord.objects.exists()   # GET only asks
    assert client.post(url).status_code == 200
    rec = ConsentRecord.objects.get()
    assert (rec.channel, rec.granted, rec.source) == ("email", False, "link")
    assert client.post(reverse("campaigns:unsubscribe", args=[token[:-2] + "xx"])).status_code == 400


def test_today_shows_the_campaign_script_on_campaign_tasks(client, branch_world):
    from panhuo.clients.models import ClientSeries, MarketDay, Task

    MarketDay.objects.create(date="2026-11-19", index_symbol="000001.SH", regime="weak", phase="D", position=0.25)
    MarketDay.objects.create(date="2026-11-20", index_symbol="000001.SH", regime="consolidating", phase="A",
                             position=0.5)
    for cl in branch_world.clients.values():
        ClientSeries.objects.create(client=cl, as_of="2026-11-20", positions=[
            {"symbol": "600000.SH", "name": "浦发银行", "market_value": 1000.0, "pnl": -1200.0}])
    c = _login(client, branch_world, "director_a")
    _new(c, seed="4", control_share="10", **{"step-0-script": SCRIPT + "您持有{holdings}，浮动盈亏{pnl}。当前为{regime}。"})
    camp = Campaign.objects.get()
    c.post(reverse("campaigns:launch", args=[camp.pk]))
    task = Task.objects.filter(kind="campaign", advisor=branch_world.advisors["alice"]).select_related("client").first()
    page = _login(client, branch_world, "alice").get(reverse("workbench:today")).content.decode()
    assert f"{task.client.name}您好，营业部本周六有投资者教育讲座" in page
    assert "您持有浦发银行，浮动盈亏-1,200元。当前为盘整市道。" in page        # the latest market day


def test_report_lists_clients_flagged_for_churning(client, branch_world):
    from panhuo.campaigns.models import CampaignMember

    c = _login(client, branch_world, "director_a")
    _new(c)
    camp = Campaign.objects.get()
    c.post(reverse("campaigns:launch", args=[camp.pk]))
    m = CampaignMember.objects.filter(campaign=camp, group="treatment").select_related("client").first()
    CampaignMember.objects.filter(pk=m.pk).update(turnover_flag=True, outcome=1.0)
    page = c.get(reverse("campaigns:detail", args=[camp.pk])).content.decode()
    assert f'>{m.client.name}</a> <span class="muted small">{m.client.client_id}</span> ({m.risk_level})' in page
    assert reverse("campaigns:consent", args=["W000"]) in c.get(reverse("workbench:client", args=["W000"])).content.decode()


def test_sms_inbound_reply_opts_out_with_the_shared_secret(client, branch_world, monkeypatch):
    import json as _json

    url = reverse("campaigns:sms_inbound")
    body = _json.dumps({"phone": branch_world.clients["W005"].phone, "text": "TD"})
    assert client.post(url, body, content_type="application/json").status_code == 403      # no secret configured
    monkeypatch.setenv("PANHUO_SMS_INBOUND_TOKEN", "s3cret")
    assert client.post(url, body, content_type="application/json", HTTP_X_PANHUO_TOKEN="wrong").status_code == 403
    r = client.post(url, body, content_type="application/json", HTTP_X_PANHUO_TOKEN="s3cret")
    assert r.json() == {"ok": True, "opted_out": 1}
    rec = ConsentRecord.objects.get()
    assert (rec.client.client_id, rec.channel, rec.granted, rec.source) == ("W005", "sms", False, "reply")
    bad = client.post(url, "{}", content_type="application/json", HTTP_X_PANHUO_TOKEN="s3cret")
    assert bad.status_code == 400
