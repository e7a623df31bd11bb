"""Log-in throttling on top of django-axes: limits, the lockout page, the audit of failures and lockouts.

An account is locked after ACCOUNT_FAILURE_LIMIT failed log-ins, an address after ADDRESS_FAILURE_LIMIT (set
higher, because a branch's PCs often reach the server through one address and one person's typos must not
lock out their colleagues). The lock lifts AXES_COOLOFF_TIME after the last failure, or at once with
`panhuo users unlock NAME`. An unknown user name is counted like a real one, so a lockout tells nothing about
which accounts exist.
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render

ADDRESS_FAILURE_LIMIT = 20


def account_failure_limit() -> int:
    return settings.AXES_FAILURE_LIMIT


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler with a limit per account and a higher one per address.

    Axes compares one failure count with one limit; this handler gives it the larger of the account's count
    and the address's count expressed in the account's scale, so either limit, reached on its own, locks.
    """

    def get_failures(self, request, credentials: dict | None = None) -> int:
        # One queryset per entry of AXES_LOCKOUT_PARAMETERS, in order: ["username", "ip_address"].
        by_account, by_address = (
            qs.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for qs in self.get_user_attempts(request, credentials)
        )
        return max(by_account, by_address * account_failure_limit() // ADDRESS_FAILURE_LIMIT)

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        # A successful log-in forgives that account's failures only: the address's other failures still count,
        # so one valid account cannot be used to wipe the count of a guessing run from the same address.
        username = get_client_username(request, credentials)
        deleted, _ = AccessAttempt.objects.filter(username=username).delete()
        return deleted


def lockout_response(request, original_response=None, credentials=None):
    """The page a refused log-in gets: the app's layout, HTTP 429, the same words for every user name."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)


def _attempted_name(credentials: dict | None) -> str:
    # Django has already replaced the password in `credentials` by asterisks; only the name is kept.
    return str((credentials or {}).get("username") or "")[:150]


def audit_login_failed(sender, credentials=None, request=None, **kwargs) -> None:
    """Every failed log-in, wrong password, unknown name or refused by a lock alike, goes to the audit trail."""
    from panhuo.audit.services import audit_record

    name = _attempted_name(credentials)
    audit_record(user=getattr(request, "user", None), action="login.failed", object_type="user",
                 object_ids=[name] if name else [], outcome="denied", request=request)


def audit_locked_out(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    """Axes reached a limit: the attempt was refused and the account (or address) is locked for now."""
    from panhuo.audit.services import audit_record

    audit_record(user=getattr(request, "user", None), action="login.locked_out", object_type="user",
                 object_ids=[str(username)[:150]] if username else [], outcome="locked",
                 detail={"address": ip_address or "", "cooloff_minutes": settings.AXES_COOLOFF_TIME.seconds // 60},
                 request=request)
