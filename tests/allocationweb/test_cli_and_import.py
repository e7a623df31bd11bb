"""`panhuo allocate`: the issue's JSON shape, figures after the move, a preview changing nothing, approval by
number or by the saved file, an advisor leaving in one step; and moves made here survive the next import."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from panhuo.allocationweb.models import AllocationPreview, PreviewStatus
from panhuo.allocationweb.services import preview_approve, preview_create
from panhuo.audit.models import AuditEvent
from panhuo.cli import app
from panhuo.clients.models import Advisor, Client
from panhuo.imports.services import import_batch
from tests.allocationweb.conftest import client_table
from tests.clients.test_ownership import branch, clients_file, home  # noqa: F401  (the import fixtures)

pytestmark = pytest.mark.django_db


def run(*args: str):
    result = CliRunner().invoke(app, ["allocate", *args])
    data = json.loads(result.stdout) if "--json" in args and result.stdout.strip() else None
    return result, data


def test_preview_json_has_the_issues_shape_with_figures_after_the_move_and_changes_nothing(branch_a):
    before = client_table()
    result, data = run("--preview", "--branch", "B001", "--json", "--as", "director_a")
    assert result.exit_code == 0, result.output
    assert client_table() == before
    assert {"objective", "bound", "advisors", "assignments"} <= set(data)
    assert all(set(a) == {"advisor_id", "level", "capacity", "active", "clients", "assets", "dormant"}
               for a in data["advisors"])
    assert all(set(a) == {"client_id", "advisor_id", "from", "moved", "tier", "assets", "is_dormant", "reasons"}
               for a in data["assignments"])
    books = {a["advisor_id"]: a for a in data["advisors"]}
    assert books["A04"]["clients"] == 0 and books["A04"]["active"] is False     # after the move
    assert books["A01"]["clients"] + books["A02"]["clients"] == 8
    cd = next(a for a in data["assignments"] if a["client_id"] == "CD001")
    assert cd["from"] == "A04" and cd["moved"] is True
    assert cd["reasons"][0]["code"] == "advisor_departed" and "已离职" in cd["reasons"][0]["zh"]


def test_approve_by_the_saved_file_as_the_os_operator(branch_a, tmp_path):
    out = tmp_path / "preview.json"
    result, _ = run("--preview", "--branch", "B001", "--out", str(out))
    assert result.exit_code == 0, result.output
    saved = json.loads(out.read_text(encoding="utf-8"))
    result, data = run("--approve", str(out), "--json")
    assert result.exit_code == 0, result.output
    assert data["moved"] == len(saved["assignments"]) == 3 and data["by"].startswith("os:")
    assert {c.client_id: c.advisor.advisor_id for c in Client.objects.filter(
        client_id__in=["CU001", "CD001", "CD002"]).select_related("advisor")} == {
        a["client_id"]: a["advisor_id"] for a in saved["assignments"]}
    assert AllocationPreview.objects.get(pk=saved["preview"]).status == PreviewStatus.APPROVED


def test_an_advisor_of_another_role_or_branch_cannot_allocate_from_the_cli(branch_a):
    result, data = run("--preview", "--branch", "B001", "--json", "--as", "alice")
    assert result.exit_code == 2 and data["ok"] is False
    result, data = run("--preview", "--branch", "B002", "--json", "--as", "director_a")
    assert result.exit_code == 2
    assert not AllocationPreview.objects.exists()


def test_advisor_leaves_empties_their_book_in_one_step(branch_a):
    result, data = run("--advisor-leaves", "A02", "--approve", "new", "--branch", "B001", "--json",
                       "--as", "director_a")
    assert result.exit_code == 0, result.output
    bob = Advisor.objects.get(advisor_id="A02")
    assert not bob.active and not Client.objects.filter(advisor=bob).exists()
    assert not Client.objects.filter(branch__branch_id="B001", advisor__isnull=True).exists()


def test_moves_approved_here_survive_the_next_import(branch, tmp_path):  # noqa: F811
    director = branch.director
    p = preview_create(branch=Client.objects.get(client_id="C0001").branch, actor=director,
                       departing=Advisor.objects.get(advisor_id="A02"))
    preview_approve(preview=p, actor=director)
    assert Client.objects.get(client_id="C0002").advisor.advisor_id == "A01"
    assert Client.objects.get(client_id="C0003").advisor.advisor_id == "A01"
    # The back office still says C0002 is A02's and C0003 has nobody; the next import keeps panhuo's decision.
    import_batch(paths=[clients_file(tmp_path / "again")], profile="simulator", user=branch.admin)
    assert Client.objects.get(client_id="C0002").advisor.advisor_id == "A01"
    assert Client.objects.get(client_id="C0003").advisor.advisor_id == "A01"
    assert not [e for e in AuditEvent.objects.filter(action="client.reassign") if e.detail.get("source") == "import"]
