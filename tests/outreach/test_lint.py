"""Scripts that promise returns or principal are blocked in any wording; required disclaimers pass."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from panhuo.outreach.lint import lint_script

BLOCKED = [
    "本产品保本保息，放心买",
    "跟着我们操作稳赚不赔",
    "收益有保障，年底分红",
    "保证收益8%以上",
    "我们承诺收益，亏了算我的",
    "内幕消息：下周必涨",
    "这只股票三个月翻倍",
    "零风险理财，包赚",
    "保 证 收 益",                 # spaced out
    "保證收益，穩賺",              # traditional characters
    "ＢＵＹ！保本",                 # full-width letters around a phrase
    "年化收益率至少8%",
    "我们一定能让您获得丰厚回报",
    "绝不会亏",
    "亏损由我承担",
]
ALLOWED = [
    "本产品不保本，过往业绩不代表未来表现。",
    "我们不能保证收益，投资有风险，入市需谨慎。",
    "不保证收益，请根据自身风险承受能力谨慎决策。",
    "近期市场震荡，欢迎来营业部参加投资策略会。",
    "您持有的股票近期走弱，可以和我聊聊仓位安排。",
    "无法承诺任何回报，以上内容不构成投资建议。",
]


@pytest.mark.parametrize("text", BLOCKED)
def test_promises_are_blocked_with_the_words_shown(text):
    result = lint_script(text)
    assert result.blocked, text
    assert result.findings and all(f.matched for f in result.findings)
    assert result.reason("zh") and result.reason("en")


@pytest.mark.parametrize("text", ALLOWED)
def test_disclaimers_and_plain_service_pass(text):
    result = lint_script(text)
    assert not result.blocked, (text, result.findings)


def test_sms_needs_sender_and_opt_out():
    assert lint_script("【模拟证券】周六有投资讲座，欢迎参加。回复TD退订", channel="sms").ok
    missing = lint_script("周六有投资讲座，欢迎参加。", channel="sms").missing
    assert len(missing) == 2
    assert not lint_script("【模拟证券】周六有投资讲座", channel="sms").ok


def test_cli_reports_per_line_and_exits_non_zero(tmp_path):
    f = tmp_path / "scripts.txt"
    f.write_bytes("本产品不保本，过往业绩不代表未来表现。\n稳赚不赔，保证收益\n\n欢迎来营业部交流\n".encode("gb18030"))
    proc = subprocess.run([sys.executable, "-m", "panhuo.cli", "campaign", "lint", str(f), "--json"],
                          capture_output=True, text=True)
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    assert data["lines"] == 3 and data["blocked"] == 1
    blocked = [r for r in data["results"] if r["blocked"]]
    assert blocked[0]["line"] == 2
    assert {"稳赚不赔", "保证收益"} <= {f["matched"] for f in blocked[0]["findings"]}
