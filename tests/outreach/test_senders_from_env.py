"""The message senders come from the environment; a channel without configuration has none."""

from __future__ import annotations

from panhuo.outreach.senders import SmsHttpSender, SmtpSender, senders_from_env


def test_senders_from_env():
    assert senders_from_env({}) == {}
    s = senders_from_env({"PANHUO_SMS_URL": "http://127.0.0.1:9/x", "PANHUO_SMS_SIGN": "盘活证券",
                          "PANHUO_SMTP_HOST": "127.0.0.1", "PANHUO_SMTP_PORT": "2525"})
    assert isinstance(s["sms"], SmsHttpSender) and s["sms"].sign == "盘活证券"
    assert isinstance(s["email"], SmtpSender) and s["email"].port == 2525
