"""Log-in throttling (django-axes, panhuo.accounts.lockout), driven through the real log-in page.

Measured here: an account locks at its 5th failure, an address at its 20th; a locked attempt gets HTTP 429 and
the lockout page whatever the password; the lock lifts 15 minutes after the last failure or at `panhuo users
unlock`."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.utils import timezone
from typer.testing import CliRunner

from panhuo.audit.models import AuditEvent

LOGIN = "/accounts/login/"
WRONG = "not-the-password"
BAD_CREDENTIALS_ZH = "用户名或密码错误"
LOCKED_ZH = "登录失败次数过多"


def attempt(client, username, password, ip="10.1.1.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def fresh(client):
    """A client with no session left from an earlier attempt."""
    client.cookies.clear()
    return client


def test_thirty_wrong_passwords_then_the_right_one_does_not_log_in(cast, client):
    statuses = [attempt(client, "alice", WRONG).status_code for _ in range(30)]
    right = attempt(client, "alice", cast.password)

    # The lock applies at the 5th failure: four tries are answered with the form, from the fifth on HTTP 429.
    assert statuses[:4] == [200] * 4
    assert statuses[4:] == [429] * 26
    assert right.status_code == 429
    assert not logged_in(client)
    page = right.content.decode()
    assert LOCKED_ZH in page and "15" in page and "系统管理员" in page
    assert 'class="topbar"' in page   # in the app's layout, not a bare page


def test_a_locked_account_is_locked_from_every_address(cast, client):
    for i in range(5):
        attempt(client, "alice", WRONG, ip=f"10.2.0.{i}")
    assert attempt(client, "alice", cast.password, ip="10.9.9.9").status_code == 429


def test_an_address_is_locked_after_twenty_failures_on_any_accounts(cast, client):
    # A password-spraying run: one wrong password on each of 20 names, none of them locked on its own.
    for i in range(19):
        assert attempt(client, f"user{i:02d}", WRONG, ip="10.3.3.3").status_code == 200
    assert attempt(client, "user19", WRONG, ip="10.3.3.3").status_code == 429
    assert attempt(client, "bob", cast.password, ip="10.3.3.3").status_code == 429
    # Colleagues behind another address are not affected.
    assert attempt(client, "bob", cast.password, ip="10.4.4.4").status_code == 302


def test_unknown_and_known_users_get_the_same_words(cast, client):
    known = attempt(client, "alice", WRONG, ip="10.5.0.1")
    unknown = attempt(client, "nobody-such", WRONG, ip="10.5.0.2")
    assert known.status_code == unknown.status_code == 200
    assert BAD_CREDENTIALS_ZH in known.content.decode() and BAD_CREDENTIALS_ZH in unknown.content.decode()
    for _ in range(4):
        known = attempt(client, "alice", WRONG, ip="10.5.0.1")
        unknown = attempt(client, "nobody-such", WRONG, ip="10.5.0.2")
    assert known.status_code == unknown.status_code == 429
    assert LOCKED_ZH in known.content.decode() and LOCKED_ZH in unknown.content.decode()


def test_the_lockout_page_in_english(cast, client):
    client.cookies["django_language"] = "en"
    for _ in range(5):
        response = attempt(client, "alice", WRONG)
    assert response.status_code == 429
    assert "Too many failed log-ins. Please try again in 15 minutes" in response.content.decode()


def test_the_lock_lifts_fifteen_minutes_after_the_last_failure(cast, client):
    for _ in range(5):
        attempt(client, "alice", WRONG)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=14))
    assert attempt(client, "alice", cast.password).status_code == 429   # still locked, and the clock restarts
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert attempt(client, "alice", cast.password).status_code == 302
    assert logged_in(client)


def test_a_successful_log_in_forgives_earlier_typos(cast, client):
    for _ in range(4):
        attempt(client, "alice", WRONG)
    assert attempt(client, "alice", cast.password).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(4):
        assert attempt(client, "alice", WRONG).status_code == 200
    assert attempt(client, "alice", cast.password).status_code == 302


def test_failures_and_lockouts_are_audited(cast, client):
    for _ in range(6):
        attempt(client, "alice", WRONG, ip="10.6.6.6")
    failed = AuditEvent.objects.filter(action="login.failed")
    assert failed.count() == 6
    assert {tuple(e.object_ids) for e in failed} == {("alice",)}
    assert {e.ip for e in failed} == {"10.6.6.6"}
    assert not any(WRONG in str(e.detail) for e in failed)   # the password typed is never recorded
    # The 5th failure locked the account; the 6th was refused by the lock.
    locked = AuditEvent.objects.filter(action="login.locked_out")
    assert locked.count() == 2
    assert all(e.object_ids == ["alice"] and e.outcome == "locked" for e in locked)


def test_the_administrator_unlocks_an_account_from_the_command_line(cast, client):
    from panhuo.cli import app

    for _ in range(5):
        attempt(client, "alice", WRONG, ip="10.7.7.7")
    result = CliRunner().invoke(app, ["users", "unlock", "alice"])
    assert result.exit_code == 0, result.output
    assert "alice may log in again" in result.output
    assert attempt(client, "alice", cast.password, ip="10.7.7.7").status_code == 302
    event = AuditEvent.objects.get(action="login.unlock")
    assert event.object_ids == ["alice"] and event.detail["attempts_cleared"] == 1


def test_unlock_can_lift_an_address_lock_too(cast, client):
    from panhuo.cli import app

    for i in range(20):
        attempt(client, f"user{i:02d}", WRONG, ip="10.8.8.8")
    CliRunner().invoke(app, ["users", "unlock", "bob"])
    assert attempt(client, "bob", cast.password, ip="10.8.8.8").status_code == 429   # the address still is
    result = CliRunner().invoke(app, ["users", "unlock", "bob", "--address", "10.8.8.8"])
    assert result.exit_code == 0, result.output
    assert attempt(client, "bob", cast.password, ip="10.8.8.8").status_code == 302


def test_unlock_without_a_name_clears_nothing(cast, client):
    from panhuo.cli import app

    for _ in range(5):
        attempt(client, "alice", WRONG)
    result = CliRunner().invoke(app, ["users", "unlock", " "])
    assert result.exit_code != 0
    assert AccessAttempt.objects.filter(username="alice").exists()
