"""`panhuo clients reassign | do-not-contact | show`: the CLI twins of the page decisions, audited with the actor."""

from __future__ import annotations

import getpass
import json

import pytest
from typer.testing import CliRunner

from panhuo.audit.models import AuditEvent
from panhuo.cli import app
from panhuo.clients.models import Client

pytestmark = pytest.mark.django_db


def run(*args: str):
    return CliRunner().invoke(app, ["clients", *args])


def test_reassign_as_a_director_is_audited_with_the_director_and_the_reason(cast):
    res = run("reassign", "CA001", "--to", "A02", "--reason", "客户搬家，就近服务", "--as", "director_a", "--json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["moved"] == 1
    c = Client.objects.get(client_id="CA001")
    assert c.advisor.advisor_id == "A02" and c.assignment_source == "panhuo"
    e = AuditEvent.objects.get(action="client.reassign")
    assert e.username == "director_a" and e.detail["source"] == "cli" and e.detail["reason"] == "客户搬家，就近服务"
    assert e.detail["changes"] == [{"client": "CA001", "before": "A01", "after": "A02"}]


def test_reassign_without_as_acts_as_the_os_user_and_an_advisor_may_not(cast):
    res = run("reassign", "CA001", "--to", "A02", "--reason", "运维批量调整", "--json")
    assert res.exit_code == 0, res.output
    assert AuditEvent.objects.get(action="client.reassign").username == f"os:{getpass.getuser()}"
    res = run("reassign", "CB001", "--to", "A01", "--reason", "想要这个客户", "--as", "alice", "--json")
    assert res.exit_code == 2 and json.loads(res.stdout)["ok"] is False
    assert Client.objects.get(client_id="CB001").advisor.advisor_id == "A02"


def test_a_reason_is_required(cast):
    res = run("reassign", "CA001", "--to", "A02", "--reason", "", "--json")
    assert res.exit_code == 1 and Client.objects.get(client_id="CA001").advisor.advisor_id == "A01"


def test_do_not_contact_every_channel_and_show_masks_by_default(cast):
    res = run("do-not-contact", "CA002", "--reason", "客户电话要求不再联系", "--as", "alice", "--json")
    assert res.exit_code == 0, res.output
    res = run("show", "CA002", "--json")
    data = json.loads(res.stdout)
    assert data["do_not_contact"] is True and data["do_not_contact_source"] == "panhuo"
    assert data["advisor_id"] == "A01" and data["masked"] is True
    assert data["phone"] != "13800000002" and data["phone"].endswith("0002")
    assert set(data["consent"].values()) == {"refused"}
    assert AuditEvent.objects.filter(action="client.do_not_contact", username="alice").exists()


def test_do_not_contact_for_one_channel_goes_to_the_consent_ledger(cast):
    res = run("do-not-contact", "CA003", "--channel", "sms", "--reason", "短信回复退订", "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(run("show", "CA003", "--json").stdout)
    assert data["do_not_contact"] is False
    assert data["consent"]["sms"] == "refused" and data["consent"]["phone"] == "not_recorded"


def test_show_unmasks_only_with_a_reason_and_a_role_that_may(cast):
    assert run("show", "CA001", "--unmask", "--json").exit_code == 1
    res = run("show", "CA001", "--unmask", "--reason", "核对客户来电身份", "--as", "alice", "--json")
    assert json.loads(res.stdout)["phone"] == "13800000001"
    assert AuditEvent.objects.filter(action="client.unmask", username="alice", outcome="ok").exists()
    # Out of reach reads as not found, as on the pages.
    assert run("show", "CB001", "--as", "alice", "--json").exit_code == 2
