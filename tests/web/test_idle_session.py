"""A used session stays alive for 30 idle minutes without a write of the session row on every page."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from panhuo.web.middleware import IdleSessionMiddleware


def _session_writes(ctx) -> int:
    return sum(1 for q in ctx.captured_queries
               if "django_session" in q["sql"] and q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT")))


def _row(client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def test_pages_within_a_minute_do_not_rewrite_the_session(client, cast):
    client.force_login(cast.users["alice"])
    client.get("/today/")                       # the first page after logging in marks the session used
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/clients/").status_code == 200
        assert client.get("/today/").status_code == 200
    assert _session_writes(ctx) == 0


def test_a_session_used_a_minute_later_is_pushed_thirty_minutes_on(client, cast):
    client.force_login(cast.users["alice"])
    client.get("/today/")
    # As if the last write were 61 s ago, with its expiry 29 minutes away.
    s = client.session
    s[IdleSessionMiddleware.KEY] -= IdleSessionMiddleware.TOUCH_SECONDS + 1
    s.save()
    Session.objects.filter(session_key=s.session_key).update(expire_date=timezone.now() + timedelta(minutes=29))
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/clients/").status_code == 200
    assert _session_writes(ctx) == 1
    left = _row(client).expire_date - timezone.now()
    assert timedelta(minutes=29, seconds=50) < left <= timedelta(minutes=30)


def test_an_idle_session_ends_after_thirty_minutes(client, cast):
    client.force_login(cast.users["alice"])
    assert client.get("/today/").status_code == 200
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1))
    r = client.get("/today/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_an_anonymous_visit_stores_no_session(client, db):
    client.get("/accounts/login/")
    assert Session.objects.count() == 0
