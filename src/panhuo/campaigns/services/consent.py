"""The consent ledger: consent or refusal per client and channel, with its source and time.

An opt-out takes effect before the next send because every send and every launch reads the ledger at that
moment (selectors.consent_state); nothing is cached.
"""

from __future__ import annotations

import re

from django.core import signing
from django.core.exceptions import ValidationError
from django.utils import timezone

from panhuo.accounts.models import User
from panhuo.audit.services import audit_record
from panhuo.campaigns.models import ConsentRecord, ConsentSource
from panhuo.clients.models import Client
from panhuo.clients.selectors import client_get_for_user
from panhuo.workbench.models import Channel
from panhuo.workbench.services.access import SERVICE_ROLES, require_role

UNSUBSCRIBE_SALT = "panhuo.campaigns.unsubscribe"
# A reply that is nothing but an unsubscribe word (退订, TD, T, N, 取消订阅), any case, spaces allowed.
_OPT_OUT_REPLY = re.compile(r"^\s*(退订|TD|T|N|取消订阅|退定)\s*[。.!！]?\s*$", re.IGNORECASE)


def _record(*, client: Client, channel: str, granted: bool, source: str, note: str = "",
            user: User | None = None, at=None) -> ConsentRecord:
    if channel not in Channel.values:
        raise ValidationError({"channel": "unknown channel"})
    if source not in ConsentSource.values:
        raise ValidationError({"source": "unknown source"})
    return ConsentRecord.objects.create(client=client, channel=channel, granted=granted, source=source,
                                        note=note[:200], at=at or timezone.now(), recorded_by=user)


def consent_record(*, user: User, client_id: str, channel: str, granted: bool, source: str = ConsentSource.ADVISOR,
                   note: str = "", request=None) -> ConsentRecord:
    """Staff record a consent or refusal the client gave them (compliance reads, never writes)."""
    client = client_get_for_user(user=user, client_id=client_id)
    require_role(user, SERVICE_ROLES)
    rec = _record(client=client, channel=channel, granted=granted, source=source, note=note, user=user)
    audit_record(user=user, action="consent.record", object_type="client", object_ids=[client.client_id],
                 detail={"channel": channel, "granted": granted, "source": source}, request=request)
    return rec


def is_opt_out_reply(text: str) -> bool:
    return bool(_OPT_OUT_REPLY.match(text or ""))


def consent_sms_reply(*, phone: str, text: str) -> list[ConsentRecord]:
    """An inbound SMS from the gateway: 退订 / TD refuses SMS for every client with that phone number."""
    if not is_opt_out_reply(text):
        return []
    clients = Client.objects.filter(phone=phone.strip())
    recs = [_record(client=c, channel=Channel.SMS, granted=False, source=ConsentSource.REPLY, note=text.strip())
            for c in clients]
    if recs:
        audit_record(user=None, action="consent.sms_reply", object_type="client",
                     object_ids=[c.client_id for c in clients], detail={"channel": "sms"})
    return recs


def unsubscribe_token(*, client: Client, channel: str) -> str:
    return signing.dumps({"c": client.client_id, "ch": channel}, salt=UNSUBSCRIBE_SALT, compress=True)


def consent_unsubscribe(*, token: str) -> ConsentRecord:
    """The unsubscribe link: a signed token names the client and channel; a forged token is refused."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise ValidationError("invalid token") from None
    client = Client.objects.filter(client_id=data.get("c")).first()
    if client is None or data.get("ch") not in Channel.values:
        raise ValidationError("invalid token")
    rec = _record(client=client, channel=data["ch"], granted=False, source=ConsentSource.LINK)
    audit_record(user=None, action="consent.unsubscribe", object_type="client", object_ids=[client.client_id],
                 detail={"channel": data["ch"]})
    return rec
