"""The password rules (AUTH_PASSWORD_VALIDATORS) hold on every path that sets a password: the service, the
command line, the Django admin and the demo. The command line never takes a password as an option."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from panhuo.accounts.models import User
from panhuo.accounts.services import UserError, user_create, user_set_password
from panhuo.cli import app

WEAK = ["1", "12345678", "password", "qwertyuiop"]


@pytest.mark.parametrize("password", WEAK)
def test_user_create_refuses_a_weak_password(cast, password):
    with pytest.raises(UserError):
        user_create(username="dora", role="compliance", password=password)
    assert not User.objects.filter(username="dora").exists()


def test_user_set_password_refuses_a_weak_password_and_keeps_the_old_one(cast):
    with pytest.raises(UserError):
        user_set_password(username="alice", password="1")
    assert User.objects.get(username="alice").check_password(cast.password)


def test_cli_create_has_no_password_option(cast):
    result = CliRunner().invoke(app, ["users", "create", "dora", "--role", "compliance", "--password", "x-long-pw-1"])
    assert result.exit_code != 0
    assert not User.objects.filter(username="dora").exists()


def test_cli_create_reads_the_password_from_stdin(cast):
    result = CliRunner().invoke(app, ["users", "create", "dora", "--role", "compliance", "--password-stdin"],
                                input="brisk-harbour-71\n")
    assert result.exit_code == 0, result.output
    assert User.objects.get(username="dora").check_password("brisk-harbour-71")


def test_cli_create_prompts_hidden_and_confirmed(cast):
    result = CliRunner().invoke(app, ["users", "create", "dora", "--role", "compliance"],
                                input="brisk-harbour-71\nbrisk-harbour-71\n")
    assert result.exit_code == 0, result.output
    assert "brisk-harbour-71" not in result.output   # hidden input is not echoed
    assert User.objects.get(username="dora").check_password("brisk-harbour-71")


def test_cli_refuses_the_password_one(cast):
    result = CliRunner().invoke(app, ["users", "create", "dora", "--role", "compliance", "--password-stdin"],
                                input="1\n")
    assert result.exit_code != 0
    assert not User.objects.filter(username="dora").exists()
    result = CliRunner().invoke(app, ["users", "set-password", "alice", "--password-stdin"], input="1\n")
    assert result.exit_code != 0
    assert User.objects.get(username="alice").check_password(cast.password)


def test_cli_set_password(cast):
    result = CliRunner().invoke(app, ["users", "set-password", "alice"], input="quiet-lantern-58\nquiet-lantern-58\n")
    assert result.exit_code == 0, result.output
    assert User.objects.get(username="alice").check_password("quiet-lantern-58")
    result = CliRunner().invoke(app, ["users", "set-password", "alice", "--password", "quiet-lantern-59"])
    assert result.exit_code != 0


def test_admin_refuses_a_weak_password(cast, client):
    admin_user = cast.users["admin"]
    client.force_login(admin_user)
    alice = cast.users["alice"]
    response = client.post(f"/admin/accounts/user/{alice.pk}/password/",
                           {"password1": "1", "password2": "1"})
    assert response.status_code == 200   # the form again, with the rule that was broken
    alice.refresh_from_db()
    assert alice.check_password(cast.password)
    response = client.post("/admin/accounts/user/add/",
                           {"username": "dora", "password1": "12345678", "password2": "12345678",
                            "usable_password": "true"})
    assert response.status_code == 200
    assert not User.objects.filter(username="dora").exists()


def test_the_demo_default_password_passes_the_rules(db):
    from panhuo.accounts.services import password_check
    from panhuo.cli.demo import DEMO_PASSWORD_DEFAULT

    password_check(password=DEMO_PASSWORD_DEFAULT)
    with pytest.raises(UserError):
        password_check(password="demo")
