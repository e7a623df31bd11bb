"""Message senders behind one interface: an HTTP SMS gateway and email over SMTP, configured from the environment.
Pure (no Django).

Both receive the attempt's idempotency key. The SMS gateway gets it as an `Idempotency-Key` header and is
expected to answer a repeated key with the first message's id instead of sending again, so a retry after a
crash is safe (`dedupes = True`). SMTP has no such thing: the key becomes the Message-ID (so a mail system
can spot duplicates), and the send service never blindly retries an email whose earlier attempt may have
gone out (`dedupes = False`): at most once.
"""

from __future__ import annotations

import hashlib
import json
import os
import smtplib
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol


class SendError(Exception):
    """The message was not accepted; `permanent` when retrying cannot help (bad number, refused)."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


class Sender(Protocol):
    channel: str
    dedupes: bool

    def send(self, *, to: str, text: str, key: str, subject: str = "") -> str:
        """Send one message; return the provider's message id or raise SendError."""


@dataclass
class SmsHttpSender:
    """POST {"to", "text", "sign"} as JSON to `url`; the answer is JSON with "id" (configurable field)."""

    url: str
    api_key: str = ""
    sign: str = ""                 # the registered sender signature, e.g. 盘活证券
    timeout: float = 10.0
    id_field: str = "id"
    channel: str = "sms"
    dedupes: bool = True

    def send(self, *, to: str, text: str, key: str, subject: str = "") -> str:
        body = json.dumps({"to": to, "text": text, "sign": self.sign}, ensure_ascii=False).encode()
        req = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8", "Idempotency-Key": key,
            **({"Authorization": f"Bearer {self.api_key}"} if self.api_key else {})})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                data = json.loads(resp.read().decode() or "{}")
        except urllib.error.HTTPError as e:
            # 4xx: the gateway refused this message (bad number, blocked content); 5xx: try again later
            raise SendError(f"gateway answered {e.code}", permanent=400 <= e.code < 500) from None
        except (urllib.error.URLError, TimeoutError, OSError) as e:
            raise SendError(f"gateway unreachable: {e}") from None
        except json.JSONDecodeError:
            raise SendError("gateway answered something other than JSON") from None
        if not data.get(self.id_field):
            raise SendError("gateway answered without a message id")
        return str(data[self.id_field])


@dataclass
class SmtpSender:
    host: str
    port: int = 25
    from_addr: str = "noreply@example.com"
    username: str = ""
    password: str = ""
    starttls: bool = False
    timeout: float = 10.0
    channel: str = "email"
    dedupes: bool = False

    def send(self, *, to: str, text: str, key: str, subject: str = "") -> str:
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = self.from_addr, to, subject or "panhuo"
        domain = self.from_addr.rpartition("@")[2] or "panhuo.local"
        msg["Message-ID"] = f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"
        msg.set_content(text)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.username:
                    smtp.login(self.username, self.password)
                refused = smtp.send_message(msg)
        except smtplib.SMTPRecipientsRefused:
            raise SendError("recipient refused", permanent=True) from None
        except (smtplib.SMTPException, OSError) as e:
            raise SendError(f"smtp: {e}") from None
        if refused:
            raise SendError("recipient refused", permanent=True)
        return msg["Message-ID"]


def senders_from_env(env=None) -> dict[str, Sender]:
    """Senders configured by environment (PANHUO_SMS_URL / _KEY / _SIGN, PANHUO_SMTP_HOST / _PORT / _FROM /
    _USER / _PASSWORD / _STARTTLS); a channel without configuration has no sender and is not sent."""
    env = os.environ if env is None else env
    out: dict[str, Sender] = {}
    if env.get("PANHUO_SMS_URL"):
        out["sms"] = SmsHttpSender(url=env["PANHUO_SMS_URL"], api_key=env.get("PANHUO_SMS_KEY", ""),
                                   sign=env.get("PANHUO_SMS_SIGN", ""))
    if env.get("PANHUO_SMTP_HOST"):
        out["email"] = SmtpSender(host=env["PANHUO_SMTP_HOST"], port=int(env.get("PANHUO_SMTP_PORT", "25")),
                                  from_addr=env.get("PANHUO_SMTP_FROM", "noreply@example.com"),
                                  username=env.get("PANHUO_SMTP_USER", ""),
                                  password=env.get("PANHUO_SMTP_PASSWORD", ""),
                                  starttls=env.get("PANHUO_SMTP_STARTTLS", "0") == "1")
    return out
