"""Script variables, senders from the environment and the send command's refusal without a sender."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from panhuo.campaigns.scripts import render_script, script_variables
from panhuo.campaigns.senders import SmsHttpSender, SmtpSender
from panhuo.campaigns.services.send import senders_from_env


def test_render_script_fills_variables_and_survives_bad_templates():
    pos = [{"symbol": "600000.SH", "name": "浦发银行", "market_value": 5000, "pnl": -300},
           {"symbol": "000001.SZ", "name": "平安银行", "market_value": 9000, "pnl": 100}]
    text = render_script("{name}您好，您持有{holdings}，浮动盈亏{pnl}。{regime}{unknown}", name="张三", positions=pos,
                         regime="当前为盘整市道。")
    assert text == "张三您好，您持有平安银行、浦发银行，浮动盈亏-200元。当前为盘整市道。"
    assert render_script("{name} {0} {", name="x") == "{name} {0} {"
    assert render_script("{name}", name="{holdings}", positions=pos) == "{holdings}"     # data is not a template
    assert script_variables("{name}与{pnl}") == ["name", "pnl"]


def test_senders_from_env():
    assert senders_from_env({}) == {}
    s = senders_from_env({"PANHUO_SMS_URL": "http://127.0.0.1:9/x", "PANHUO_SMS_SIGN": "盘活证券",
                          "PANHUO_SMTP_HOST": "127.0.0.1", "PANHUO_SMTP_PORT": "2525"})
    assert isinstance(s["sms"], SmsHttpSender) and s["sms"].sign == "盘活证券"
    assert isinstance(s["email"], SmtpSender) and s["email"].port == 2525


def test_send_command_refuses_without_a_sender(monkeypatch):
    import panhuo.cli  # noqa: F401  (registers the commands)
    from panhuo.cli.app import app

    for k in ("PANHUO_SMS_URL", "PANHUO_SMTP_HOST"):
        monkeypatch.delenv(k, raising=False)
    res = CliRunner().invoke(app, ["campaign", "send", "1", "--json"])
    assert res.exit_code == 2 and json.loads(res.stdout)["ok"] is False
