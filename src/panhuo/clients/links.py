"""A client's own link (no log-in): a payload signed with Django's signing and dated, read back here for the
questionnaire links (surveys) and the event registration links (clients/events.py) alike."""

from __future__ import annotations

from django.core import signing


class LinkInvalid(Exception):
    """The link was altered or names nothing we know."""


class LinkExpired(LinkInvalid):
    """The link is older than its days, or what it names is over."""


def signed_read(token: str, *, salt: str, days: int) -> dict:
    """The payload of a link made with signing.dumps(..., salt=salt); LinkExpired after `days`, LinkInvalid if
    altered."""
    try:
        data = signing.loads(token, salt=salt, max_age=days * 86400)
    except signing.SignatureExpired as exc:
        raise LinkExpired() from exc
    except signing.BadSignature as exc:
        raise LinkInvalid() from exc
    return data if isinstance(data, dict) else {}
