"""The builder in a branch manager's words: fields with labels in groups, operators as words, amounts as staff
write them, playbooks from the material, a schedule of steps, the launch summary and the progress view."""

from __future__ import annotations

from django.http import QueryDict
from django.urls import reverse
from django.utils import translation

from panhuo.campaigns import builder
from panhuo.campaigns.models import Campaign

SCRIPT = "{name}您好，营业部本周六有投资者教育讲座，欢迎您来参加。投资有风险，入市需谨慎。"
SMS = "【盘活证券】{name}您好，营业部本周六有投资者教育讲座，欢迎到场交流。投资有风险。回复TD退订"
FORM = {"name": "有资金实力的休眠户激活", "goal": "恢复交易", "control_share": "20", "measure": "resumed",
        "window_days": "30", "daily_cap_per_advisor": "5", "client_cap_contacts": "2", "client_cap_days": "30",
        "quiet_start": "08:00", "quiet_end": "20:00", "incentive_per_client": "200", "incentive_cap": "1千",
        "rule-0-field": "lifecycle", "rule-0-choice": ["dormant"],
        "rule-1-field": "total_assets", "rule-1-op": "between", "rule-1-value": "5万", "rule-1-to": "0.2亿",
        "step-0-day": "0", "step-0-channel": "sms", "step-0-script": SMS,
        "step-1-day": "3", "step-1-channel": "phone", "step-1-script": SCRIPT}


def _qd(data: dict) -> QueryDict:
    q = QueryDict(mutable=True)
    for k, v in data.items():
        q.setlist(k, v if isinstance(v, list) else [v])
    return q


def test_rows_in_words_become_the_closed_vocabulary_and_come_back():
    rows = builder.rows_from_post(_qd(FORM))
    rules, problems = builder.rules_from_rows(rows)
    assert problems == []
    assert rules == [{"field": "lifecycle", "op": "in", "value": ["dormant"]},
                     {"field": "total_assets", "op": "gte", "value": 50_000.0},        # 5万
                     {"field": "total_assets", "op": "lte", "value": 20_000_000.0}]    # 0.2亿
    back = builder.rows_from_rules(rules)
    assert [(r.field, r.op, r.value, r.to) for r in back][1] == ("total_assets", "between", "5", "2000")  # 万元
    percent, _ = builder.rules_from_rows([builder.Row(field="features.lifetime_pnl_pct", op="lte", value="-30")])
    assert percent == [{"field": "features.lifetime_pnl_pct", "op": "lte", "value": -0.30}]


def test_a_value_that_is_not_an_amount_is_refused_in_words():
    rules, problems = builder.rules_from_rows([builder.Row(field="total_assets", op="gte", value="5O万")])
    assert rules == [] and problems and "50万" in problems[0]
    _, problems = builder.rules_from_rows([builder.Row(field="lifecycle", op="in", chosen=[])])
    assert problems


def test_every_field_is_in_a_group_with_a_label_and_categorical_ones_have_labelled_choices():
    with translation.override("zh-hans"):
        groups = [str(g) for g, fields in builder.grouped_fields() if fields]
        assert groups == ["资产", "活跃度", "生命周期", "风险", "行为", "持仓", "联系"]
        assert dict(builder.choices_for(builder.BY_KEY["lifecycle"], "zh-hans"))["dormant"] == "休眠"
        for f in builder.FIELDS:
            assert str(f.label) != f.key and "_" not in str(f.label)


def test_the_form_speaks_chinese_in_the_materials_order(client, branch_world):
    client.force_login(branch_world.users["manager_a"])
    with translation.override("zh-hans"):
        page = client.get(reverse("campaigns:new"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    order = [page.index(f'id="section-{k}"') for k in ("purpose", "target", "channels", "product", "measure",
                                                       "incentive")]
    assert order == sorted(order)
    assert "资产" in page and "生命周期" in page and "属于" in page and "总资产" in page
    for code in (">total_assets<", ">dormant<", ">gte<", 'name="seed"', "rule_field"):
        assert code not in page
    assert "<script>" not in page and "campaigns/builder.js" in page            # static, the CSP allows no inline


def test_a_playbook_fills_an_editable_form(client, branch_world):
    client.force_login(branch_world.users["director_a"])
    page = client.get(reverse("campaigns:new"), {"template": "funded_dormant"}).content.decode()
    assert 'value="有资金实力的休眠户激活"' in page and 'name="rule-1-value" value="50"' in page
    assert set(builder.TEMPLATES) == {"funded_dormant", "formerly_frequent", "heavy_loss", "low_activity"}
    for t in builder.TEMPLATES.values():
        rules, _ = builder.rules_from_rows(builder.rows_from_rules(t["rules"]))
        assert rules == [{**r, "value": float(r["value"]) if not isinstance(r["value"], list) else r["value"]}
                         for r in t["rules"]]                                      # round trip


def test_the_schedule_is_saved_as_steps_and_each_send_uses_its_steps_script(client, branch_world):
    client.force_login(branch_world.users["manager_a"])
    r = client.post(reverse("campaigns:new"), FORM)
    assert r.status_code == 302, r.content.decode()[:3000]
    camp = Campaign.objects.get()
    assert camp.channels == ["sms", "phone"] and camp.step_days == [0, 3] and camp.control_share == 0.2
    assert camp.step_scripts(1) == {"sms": SMS} and camp.step_scripts(2) == {"phone": SCRIPT}
    assert float(camp.incentive_cap) == 1000.0
    bad = client.post(reverse("campaigns:new"), {**FORM, "step-0-channel": "", "step-0-script": "",
                                                 "step-1-day": "三"})
    assert bad.status_code == 200 and Campaign.objects.count() == 1


def test_the_launch_summary_comes_before_the_launch_and_the_progress_after(client, branch_world):
    client.force_login(branch_world.users["manager_a"])
    client.post(reverse("campaigns:new"), {**FORM, "step-0-script": SMS})
    camp = Campaign.objects.get()
    summary = client.get(reverse("campaigns:launch", args=[camp.pk]))
    s = summary.context["s"]
    # 30 dormant clients with 1万–30万: 5万 to 2000万 keeps 26 (W004..W029); 20% control
    assert (s.targets, s.control, s.treatment) == (26, 5, 21)
    assert s.messages == 21 and s.message_cost == 1.05 and s.tasks == 21 and s.days_for_tasks == 3
    assert s.incentive_ceiling == 2000.0 and s.expected_cost == 2001.05
    assert b"confirm-launch" in summary.content
    camp.refresh_from_db()
    assert camp.status == "draft"                                                  # looking launches nothing
    r = client.post(reverse("campaigns:launch", args=[camp.pk]))
    assert r.status_code == 302 and r.url == reverse("campaigns:progress", args=[camp.pk])
    page = client.get(r.url)
    total = page.context["total"]
    assert total.treatment + total.control == 26 and total.assigned == total.treatment
    assert {row.advisor for row in page.context["rows"]} == {"Alice 艾丽", "Bob 鲍勃"}
