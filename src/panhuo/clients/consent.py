"""The consent ledger: consent or refusal per client and channel, with its source and time.

An opt-out takes effect before the next send because every send and every launch reads the ledger at that
moment (consent_state); nothing is cached. Part of the shared core: campaigns, the market page's messages and the
CLI all read and write the ledger here.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
from datetime import timedelta

from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from panhuo.accounts.models import User
from panhuo.accounts.permissions import Capability, require
from panhuo.audit.services import audit_record
from panhuo.clients.models import Channel, Client, ConsentRecord, ConsentSource, UnsubscribeKey

UNSUBSCRIBE_SALT = "panhuo.campaigns.unsubscribe"
DEFAULT_UNSUBSCRIBE_DAYS = 90
log = logging.getLogger(__name__)
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


def consent_record(*, user: User, client: Client, channel: str, granted: bool, source: str = ConsentSource.ADVISOR,
                   note: str = "", request=None) -> ConsentRecord:
    """Staff record a consent or refusal the client gave them (compliance reads, never writes); `client` was
    resolved through the access rule by the caller."""
    require(user, Capability.SERVE)
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


def unsubscribe_days() -> int:
    """How long an unsubscribe link is valid, in days: PANHUO_UNSUBSCRIBE_DAYS, default 90. A bad value falls
    back to the default (logged) rather than breaking the public page."""
    raw = os.environ.get("PANHUO_UNSUBSCRIBE_DAYS", "")
    try:
        days = int(raw) if raw.strip() else DEFAULT_UNSUBSCRIBE_DAYS
    except ValueError:
        days = 0
    if days < 1:
        log.warning("PANHUO_UNSUBSCRIBE_DAYS=%r is not a positive whole number; using %d", raw,
                    DEFAULT_UNSUBSCRIBE_DAYS)
        return DEFAULT_UNSUBSCRIBE_DAYS
    return days


def unsubscribe_token(*, client: Client, channel: str) -> str:
    """A signed, dated token naming the channel and the client's random unsubscribe key: the token's payload is
    readable base64, so it carries no client code, ID number or database id; the signature stops forgeries and
    its date lets a link expire (unsubscribe_days)."""
    key, _ = UnsubscribeKey.objects.get_or_create(client=client, defaults={"key": secrets.token_urlsafe(16)})
    return signing.dumps({"k": key.key, "ch": channel}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_read(*, token: str) -> tuple[Client, str]:
    """(client, channel) of a valid token; ValidationError with code "expired" (authentic but older than
    unsubscribe_days) or "invalid" (forged, mangled, or naming nobody)."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=timedelta(days=unsubscribe_days()))
    except signing.SignatureExpired:
        raise ValidationError("this unsubscribe link has expired", code="expired") from None
    except signing.BadSignature:
        raise ValidationError("invalid token", code="invalid") from None
    client = _token_client(data)
    channel = data.get("ch") if isinstance(data, dict) else None
    if client is None or channel not in Channel.values:
        raise ValidationError("invalid token", code="invalid")
    return client, channel


def _token_client(data) -> Client | None:
    if not isinstance(data, dict):
        return None
    if "k" in data:
        return Client.objects.filter(unsubscribe_key__key=str(data["k"])).first()
    # Links mailed before tokens carried a random key name the client by code: honoured until they expire,
    # since refusing an opt-out would be worse than the exposure, which is already in the client's mailbox.
    if "c" in data:
        return Client.objects.filter(client_id=str(data["c"])).first()
    return None


def unsubscribe_expired_audit(*, token: str, request=None) -> None:
    """An authentic link that has expired is refused, but the client's wish is audited (with who it was, read
    from the signed token) so the branch can act on it."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return
    client = _token_client(data)
    channel = str(data.get("ch", ""))[:10] if isinstance(data, dict) else ""
    audit_record(user=None, action="consent.unsubscribe", object_type="client",
                 object_ids=[client.client_id] if client else [], outcome="rejected",
                 detail={"why": "expired", "channel": channel, "valid_days": unsubscribe_days()},
                 request=request)


def consent_unsubscribe(*, token: str, request=None) -> ConsentRecord:
    """The unsubscribe link: a signed, unexpired token names the client and channel; anything else is refused
    (ValidationError, code "expired" or "invalid")."""
    client, channel = unsubscribe_read(token=token)
    rec = _record(client=client, channel=channel, granted=False, source=ConsentSource.LINK)
    audit_record(user=None, action="consent.unsubscribe", object_type="client", object_ids=[client.client_id],
                 detail={"channel": channel}, request=request)
    return rec


def consent_state(*, client_ids: list[int], channel: str) -> dict[int, bool]:
    """{client pk: latest consent} for clients with a ledger row on this channel (no row: not refused)."""
    rows = (ConsentRecord.objects.filter(client_id__in=client_ids, channel=channel)
            .order_by("client_id", "-at", "-id").values_list("client_id", "granted"))
    out: dict[int, bool] = {}
    for cid, granted in rows:
        out.setdefault(cid, granted)
    return out


def consent_ledger_for_client(*, client: Client) -> QuerySet[ConsentRecord]:
    """The client's ledger, newest first; `client` was resolved through the access rule by the caller."""
    return ConsentRecord.objects.filter(client=client).select_related("recorded_by")
