"""Issuing and revoking API tokens (audited)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.utils import timezone

from panhuo.api.models import ApiToken, token_digest
from panhuo.audit.services import audit_record

DEFAULT_DAYS = 365


def api_token_issue(*, user, name: str, days: int = DEFAULT_DAYS, actor=None) -> tuple[ApiToken, str]:
    """A new token for `user`; returns the record and the key, which is shown this once and never kept."""
    if not user.is_active:
        raise ValueError(f"{user.username} is not active")
    key = "ph_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name.strip()[:64] or "api", prefix=key[:8],
                                    digest=token_digest(key), expires_at=timezone.now() + timedelta(days=days))
    audit_record(user=actor, action="api.token.issue", object_type="user", object_ids=[user.username],
                 detail={"name": token.name, "prefix": token.prefix, "days": days})
    return token, key


def api_tokens_revoke(*, user, actor=None) -> int:
    """Revoke every live token of `user`; returns how many."""
    n = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit_record(user=actor, action="api.token.revoke", object_type="user", object_ids=[user.username],
                 detail={"revoked": n})
    return n
