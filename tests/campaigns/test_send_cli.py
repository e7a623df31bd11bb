"""The send command's refusal without a sender (scripts and senders themselves: tests/outreach)."""

from __future__ import annotations

import json

from typer.testing import CliRunner


def test_send_command_refuses_without_a_sender(monkeypatch):
    import panhuo.cli  # noqa: F401  (registers the commands)
    from panhuo.cli.app import app

    for k in ("PANHUO_SMS_URL", "PANHUO_SMTP_HOST"):
        monkeypatch.delenv(k, raising=False)
    res = CliRunner().invoke(app, ["campaign", "send", "1", "--json"])
    assert res.exit_code == 2 and json.loads(res.stdout)["ok"] is False
