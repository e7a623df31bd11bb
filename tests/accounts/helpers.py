"""A current investment-advisor registration for a test user (what lets them send specific advice)."""

from __future__ import annotations

from datetime import date, timedelta


def register_advisor(user, *, expires_on: date | None = None, registered_on: date | None = None):
    from panhuo.accounts.services import registration_record

    today = date.today()
    return registration_record(by=None, user=user, kind="advisor", number=f"A{user.pk:06d}",
                               registered_on=registered_on or today - timedelta(days=365),
                               expires_on=expires_on or today + timedelta(days=365))
