"""Shared fixtures: a small named cast for access tests, the warehouse, the shared reference data.

The cast (as in healthchecks' Alice/Bob/Charlie): branch A with advisors Alice and Bob, branch B with
advisor Charlie; each advisor has a few clients, one client in branch A is unassigned.
"""

from __future__ import annotations

from pathlib import Path

import pytest

# PANHUO_HOME and PANHUO_HTTPS for the run are set by panhuo.testing.pytest_env, before settings load.

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def shared_data(*parts: str) -> Path:
    """A file of ../shared/data, or skip the test when this checkout has no shared folder beside it."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared data not present: {path}")
    return path


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests create many users; the production hasher spends about a second on each (Django's testing docs
    advise a fast one). The production hashers stay listed after it, so a password a subprocess (the real
    settings) stored still checks."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher",
                                 *[h for h in settings.PASSWORD_HASHERS if "MD5" not in h]]


@pytest.fixture
def warehouse(tmp_path):
    from panhuo.warehouse import open_warehouse

    with open_warehouse(tmp_path / "warehouse.duckdb") as wh:
        yield wh


@pytest.fixture
def cast(db):
    """Branches, advisors, clients and one user per role."""
    from panhuo.accounts.services import user_create
    from panhuo.clients.models import Advisor, Branch, Client

    a = Branch.objects.create(branch_id="B001", name="北京中关村营业部")
    b = Branch.objects.create(branch_id="B002", name="上海陆家嘴营业部")
    alice = Advisor.objects.create(advisor_id="A01", branch=a, name="Alice 艾丽")
    bob = Advisor.objects.create(advisor_id="A02", branch=a, name="Bob 鲍勃")
    charlie = Advisor.objects.create(advisor_id="A03", branch=b, name="Charlie 查理")
    clients = {}
    for adv, prefix, n in ((alice, "CA", 3), (bob, "CB", 2), (charlie, "CC", 2)):
        for i in range(1, n + 1):
            cid = f"{prefix}{i:03d}"
            clients[cid] = Client.objects.create(client_id=cid, branch=adv.branch, advisor=adv,
                                                 name=f"客户{cid}", phone=f"1380000{i:04d}")
    clients["CU001"] = Client.objects.create(client_id="CU001", branch=a, advisor=None, name="客户CU001")
    pw = "pw-for-tests-1"
    users = {
        "alice": user_create(username="alice", role="advisor", advisor_id="A01", password=pw),
        "bob": user_create(username="bob", role="advisor", advisor_id="A02", password=pw),
        "charlie": user_create(username="charlie", role="advisor", advisor_id="A03", password=pw),
        "director_a": user_create(username="director_a", role="director", branch_id="B001", password=pw),
        "manager_a": user_create(username="manager_a", role="manager", branch_id="B001", password=pw),
        "compliance": user_create(username="compliance", role="compliance", password=pw),
        "admin": user_create(username="admin", role="admin", password=pw),
    }

    class Cast:
        pass

    c = Cast()
    c.branches = {"A": a, "B": b}
    c.advisors = {"alice": alice, "bob": bob, "charlie": charlie}
    c.clients = clients
    c.users = users
    c.password = pw
    return c


def pytest_collection_modifyitems(config, items):
    """Mark tests that touch the operational store, so the PostgreSQL pass can run just those (-m uses_db)."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if item.get_closest_marker("django_db") or names & {"db", "transactional_db", "cast", "client", "admin_client",
                                                            "django_db_setup", "live_server"}:
            item.add_marker(pytest.mark.uses_db)
