"""One renderer for every script: a campaign's, sent or shown on Today, and the suggested script of a task."""

from __future__ import annotations

from panhuo.outreach.scripts import render_script, script_variables, task_script

POSITIONS = [{"symbol": "600000.SH", "name": "浦发银行", "market_value": 5000, "pnl": -300},
             {"symbol": "000001.SZ", "name": "平安银行", "market_value": 9000, "pnl": 100}]


def test_render_script_fills_variables_and_survives_bad_templates():
    text = render_script("{name}您好，您持有{holdings}，浮动盈亏{pnl}。{regime}{unknown}", name="张三",
                         positions=POSITIONS, regime="当前为盘整市道。")
    assert text == "张三您好，您持有平安银行、浦发银行，浮动盈亏-200元。当前为盘整市道。"
    assert render_script("{name} {0} {", name="x") == "{name} {0} {"
    assert render_script("{name}", name="{holdings}", positions=POSITIONS) == "{holdings}"   # data is not a template
    assert script_variables("{name}与{pnl}") == ["name", "pnl"]


def test_a_missing_figure_is_empty_in_a_message_and_a_visible_gap_for_the_advisor():
    template = "{name}：{days_since_last_trade}天未交易，资产{total_assets}，持有{holdings}。{unknown}"
    assert render_script(template, name="张三") == "张三：天未交易，资产，持有。"
    assert render_script(template, name="张三", gap="…") == "张三：…天未交易，资产…，持有…。…"
    assert render_script(template, name="张三", positions=[], days_since_last_trade=0, total_assets=12_345_678,
                         gap="…") == "张三：0天未交易，资产1,234.57万，持有。…"   # holds nothing: no gap


def test_task_scripts_use_the_same_renderer_in_the_advisors_language():
    zh = task_script(kind="dormant_reachable", lang="zh-hans", name="张三", advisor="李四", branch="一营业部",
                     days_since_last_trade=250, total_assets=12_345_678)
    assert zh.startswith("张三您好，我是一营业部的李四。您已经250天没有交易了，账户里还有1,234.57万。")
    en = task_script(kind="dormant_reachable", lang="en", name="Zhang", advisor="Li", branch="Branch 1")
    assert "not traded for … days and hold … with us" in en
    assert task_script(kind="no_such_kind", lang="zh") == ""
