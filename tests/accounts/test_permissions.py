"""The permissions table: who may do what, that every capability is asked somewhere, and that nothing else asks
the role. The access tests of the pages (tests/workbench/test_routes_by_role.py and the campaign, import and
audit pages) compute their expected answers from the same table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from panhuo.accounts.models import Role, User
from panhuo.accounts.permissions import (
    READS,
    ROLE_CAPABILITIES,
    WRITES_OF_COMPLIANCE,
    Capability,
    UserCapabilities,
    can,
    capabilities,
    require,
)

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src/panhuo"
TABLE_MODULES = {PACKAGE / "accounts/permissions.py", PACKAGE / "accounts/roles_doc.py"}
# The modules that read a role tuple to decide reach (within_reach, sees_whole_firm) or to create a user.
WHO_SEES_WHAT = {PACKAGE / "clients/selectors.py", PACKAGE / "accounts/models.py", PACKAGE / "accounts/services.py"}
# Declared for the areas the next issues build (events); nothing asks them yet.
# When a page starts asking one, remove it here (the test below insists).
NOT_YET_ASKED: set = set()


def staff(role: str, **kw) -> User:
    return User(username=f"u-{role}", role=role, is_active=True, **kw)


def test_every_role_has_a_row_and_every_capability_a_meaning():
    from panhuo.accounts.permissions import MEANING

    assert set(ROLE_CAPABILITIES) == set(Role)
    assert set(MEANING) == set(Capability)


def test_the_branch_manager_runs_the_branchs_campaigns_and_keeps_their_rights():
    manager = staff("manager")
    for cap in (Capability.DESIGN_CAMPAIGN, Capability.LAUNCH_CAMPAIGN, Capability.REVIEW_SCRIPT,
                Capability.SERVE, Capability.UNMASK, Capability.REASSIGN, Capability.SEE_BRANCH):
        assert can(manager, cap), cap
    assert not can(manager, Capability.READ_AUDIT)      # compliance reviews the trail apart from line management


def test_compliance_reads_everything_and_changes_nothing_but_its_script_approvals_and_call_backs():
    caps = capabilities(staff("compliance"))
    # its writes, deliberately: script approvals (issue 18) and independent call-backs (issue 12)
    assert caps - READS == WRITES_OF_COMPLIANCE == {Capability.APPROVE_SCRIPT, Capability.CALL_BACK}
    assert Capability.CALL_BACK not in ROLE_CAPABILITIES[Role.ADVISOR]             # never the advisor
    assert not {Capability.SERVE, Capability.DESIGN_CAMPAIGN, Capability.LAUNCH_CAMPAIGN} & caps
    for role in (Role.ADVISOR, Role.DIRECTOR, Role.MANAGER, Role.ADMIN):           # nobody else approves
        assert Capability.APPROVE_SCRIPT not in ROLE_CAPABILITIES[role], role
    assert {Capability.READ_AUDIT, Capability.UNMASK, Capability.SEE_BRANCH} <= caps
    with pytest.raises(PermissionDenied):
        require(staff("compliance"), Capability.SERVE)


def test_the_administrator_runs_imports_and_users_but_serves_no_client():
    admin = staff("admin")
    assert can(admin, Capability.RUN_IMPORT) and can(admin, Capability.MANAGE_USERS)
    assert not can(admin, Capability.SERVE) and not can(admin, Capability.UNMASK)


def test_anonymous_and_inactive_users_can_nothing():
    assert capabilities(AnonymousUser()) == frozenset()
    assert capabilities(None) == frozenset()
    gone = staff("director")
    gone.is_active = False
    assert capabilities(gone) == frozenset()
    assert capabilities(staff("nonsense")) == frozenset()


@pytest.mark.django_db
def test_specific_advice_needs_a_current_registration(cast):
    """The registration records decide it (tests/training check lapse and renewal through the pages)."""
    from datetime import date, timedelta

    from tests.accounts.helpers import register_advisor

    advisor = cast.users["alice"]
    assert not can(advisor, Capability.SEND_ADVICE)       # no registration recorded
    register_advisor(advisor, registered_on=date.today() - timedelta(days=800),
                     expires_on=date.today() - timedelta(days=1))
    assert not can(User.objects.get(pk=advisor.pk), Capability.SEND_ADVICE)   # the registration lapsed
    register_advisor(advisor)                                                  # renewed
    fresh = User.objects.get(pk=advisor.pk)
    assert can(fresh, Capability.SEND_ADVICE) and can(fresh, Capability.SERVE)
    compliance = cast.users["compliance"]
    register_advisor(compliance)
    assert not can(compliance, Capability.SEND_ADVICE)    # the role decides first


def test_a_superuser_holds_the_administrators_capabilities_whatever_its_role():
    su = staff("advisor", is_superuser=True)
    assert ROLE_CAPABILITIES[Role.ADMIN] <= capabilities(su)


def test_templates_ask_through_can_and_an_unknown_name_is_no_capability():
    caps = UserCapabilities(staff("manager"))
    assert caps.design_campaign is True and caps["reassign"] is True and caps.read_audit is False
    with pytest.raises(AttributeError):
        caps.reasign                                      # noqa: B018 - a typo is no capability


def _sources():
    for path in sorted(PACKAGE.rglob("*.py")):
        if path not in TABLE_MODULES and "migrations" not in path.parts:
            yield path, path.read_text(encoding="utf-8")


def _templates():
    for path in sorted(PACKAGE.rglob("*.html")):
        yield path, path.read_text(encoding="utf-8")


def _asked() -> set[Capability]:
    asked = set()
    for _, text in _sources():
        asked |= {Capability[m] for m in re.findall(r"Capability\.([A-Z_]+)", text)}
    for _, text in _templates():
        asked |= {Capability(m) for m in re.findall(r"\bcan\.([a-z_]+)", text)}
    return asked


def test_every_capability_is_asked_by_a_view_service_template_or_command():
    asked = _asked()
    assert set(Capability) - NOT_YET_ASKED <= asked, set(Capability) - NOT_YET_ASKED - asked
    assert not (NOT_YET_ASKED & asked), f"asked now, take it out of NOT_YET_ASKED: {NOT_YET_ASKED & asked}"


def test_templates_name_only_real_capabilities():
    for path, text in _templates():
        for name in re.findall(r"\bcan\.([a-z_]+)", text):
            assert name in Capability._value2member_map_, (path.name, name)


def test_nothing_outside_the_table_decides_what_a_role_may_do():
    """Role tuples and role tests in templates are gone; the role is read only to decide what a user sees
    (their own clients or the branch's), never what they may do."""
    for path, text in _sources():
        assert not re.search(r"[A-Z_]+_ROLES\s*=", text), path
        assert "is_read_only" not in text, path
        if path not in WHO_SEES_WHAT:
            assert not re.search(r"role\s+(not\s+)?in\s*\(", text), path
    for path, text in _templates():
        assert "user.role" not in text and "is_superuser" not in text, path


def test_the_roles_table_in_the_architecture_doc_is_current():
    from panhuo.accounts.roles_doc import current_block, render

    assert current_block((ROOT / "docs/architecture.md").read_text(encoding="utf-8")) == render(), \
        "docs/architecture.md's Roles table is stale: run `.venv/bin/python -m panhuo.accounts.roles_doc`"


@pytest.mark.django_db
def test_the_admin_site_asks_the_table_for_user_management(client, cast, monkeypatch):
    from panhuo.accounts import permissions

    client.force_login(cast.users["admin"])
    assert client.get("/admin/accounts/user/").status_code == 200
    monkeypatch.setitem(permissions.ROLE_CAPABILITIES, Role.ADMIN,
                        permissions.ROLE_CAPABILITIES[Role.ADMIN] - {Capability.MANAGE_USERS})
    assert client.get("/admin/accounts/user/").status_code == 403
