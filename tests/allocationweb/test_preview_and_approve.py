"""A preview changes nothing; approving it moves exactly its clients through the one write path for assignments
(audited with source allocation), gives each new advisor a handover task that says why in words, starts the
protection period, and survives the next import."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from panhuo.allocationweb.models import AllocationPolicy, AllocationPreview, PreviewStatus
from panhuo.allocationweb.reasons import TEXTS, reason_text
from panhuo.allocationweb.services import PreviewStale, preview_approve, preview_create
from panhuo.audit.models import AuditEvent
from panhuo.clients.models import Advisor, Client, DecisionSource, Task, TaskKind, TaskStatus
from tests.allocationweb.conftest import client_table

pytestmark = pytest.mark.django_db


def advisor_of(client_id: str) -> str | None:
    c = Client.objects.select_related("advisor").get(client_id=client_id)
    return c.advisor.advisor_id if c.advisor else None


def test_a_preview_changes_nothing_and_is_saved_with_its_settings(branch_a):
    before = client_table()
    p = preview_create(branch=branch_a.branches["A"], actor=branch_a.users["director_a"])
    assert client_table() == before
    assert p.status == PreviewStatus.DRAFT and p.created_by == "director_a"
    assert {a["client_id"] for a in p.result["assignments"]} == {"CU001", "CD001", "CD002"}
    assert p.moved == 3 and p.settings["band"] == 0.10 and p.settings["as_of"] == timezone.localdate().isoformat()
    assert not AuditEvent.objects.filter(action="client.reassign").exists()
    assert AuditEvent.objects.filter(action="allocation.preview", object_ids=[str(p.pk)]).exists()


def test_a_branchs_own_band_and_weights_are_used(branch_a):
    AllocationPolicy.objects.create(branch=branch_a.branches["A"], band=0.25, move_cost=80)
    p = preview_create(branch=branch_a.branches["A"], actor=branch_a.users["director_a"])
    assert (p.settings["band"], p.settings["move_cost"]) == (0.25, 80)


def test_approval_moves_exactly_the_previews_clients_through_the_one_write_path(branch_a):
    director = branch_a.users["director_a"]
    p = preview_create(branch=branch_a.branches["A"], actor=director)
    planned = {a["client_id"]: a["advisor_id"] for a in p.result["assignments"]}
    untouched = {c: advisor_of(c) for c in ("CA001", "CA002", "CA003", "CB001", "CB002", "CC001")}
    done = preview_approve(preview=p, actor=director)
    assert done["moved"] == 3
    assert {c: advisor_of(c) for c in planned} == planned
    assert {c: advisor_of(c) for c in untouched} == untouched
    moved = Client.objects.filter(client_id__in=planned)
    assert {c.assignment_source for c in moved} == {DecisionSource.PANHUO}
    assert {c.assigned_on for c in moved} == {timezone.localdate()}          # the protection period starts
    events = [e for e in AuditEvent.objects.filter(action="client.reassign")]
    assert {e.detail["source"] for e in events} == {"allocation"}
    changes = {ch["client"]: (ch["before"], ch["after"]) for e in events for ch in e.detail["changes"]}
    assert changes == {"CU001": ("", planned["CU001"]), "CD001": ("A04", planned["CD001"]),
                       "CD002": ("A04", planned["CD002"])}
    p.refresh_from_db()
    assert p.status == PreviewStatus.APPROVED and p.approved_by == "director_a" and p.approved_at
    approval = AuditEvent.objects.get(action="allocation.approve")
    assert approval.username == "director_a" and approval.detail["moved"] == 3


def test_each_new_advisor_gets_a_handover_task_saying_why_in_words(branch_a):
    p = preview_create(branch=branch_a.branches["A"], actor=branch_a.users["director_a"])
    preview_approve(preview=p, actor=branch_a.users["director_a"])
    tasks = {t.client.client_id: t for t in Task.objects.filter(kind=TaskKind.HANDOVER).select_related("client",
                                                                                                          "advisor")}
    assert set(tasks) == {"CU001", "CD001", "CD002"}
    for cid, t in tasks.items():
        assert t.advisor.advisor_id == advisor_of(cid) and t.status == TaskStatus.OPEN
        assert t.due == timezone.localdate() + timedelta(days=5)              # the branch's protection days
        for code in TEXTS:
            assert code not in t.reason_zh and code not in t.reason_en
    assert "Dora 多拉" in tasks["CD001"].reason_zh and "已离职" in tasks["CD001"].reason_zh
    assert "has left" in tasks["CD001"].reason_en
    assert "此前没有投资顾问" in tasks["CU001"].reason_zh and "had no advisor" in tasks["CU001"].reason_en


def test_a_preview_approves_once_and_not_after_the_branch_changed(branch_a):
    director = branch_a.users["director_a"]
    p = preview_create(branch=branch_a.branches["A"], actor=director)
    older = preview_create(branch=branch_a.branches["A"], actor=director)
    Client.objects.filter(client_id="CU001").update(advisor=branch_a.advisors["alice"])
    before = client_table()
    with pytest.raises(PreviewStale):
        preview_approve(preview=p, actor=director)
    assert client_table() == before                                          # all or nothing
    Client.objects.filter(client_id="CU001").update(advisor=None)
    preview_approve(preview=p, actor=director)
    older.refresh_from_db()
    assert older.status == PreviewStatus.SUPERSEDED
    with pytest.raises(ValidationError):
        preview_approve(preview=p, actor=director)


def test_only_roles_that_allocate_may_preview_or_approve(branch_a):
    p = preview_create(branch=branch_a.branches["A"], actor=branch_a.users["manager_a"])
    for name in ("alice", "compliance", "admin"):
        with pytest.raises(PermissionDenied):
            preview_create(branch=branch_a.branches["A"], actor=branch_a.users[name])
        with pytest.raises(PermissionDenied):
            preview_approve(preview=p, actor=branch_a.users[name])
    assert AllocationPreview.objects.count() == 1 and advisor_of("CU001") is None


def test_an_advisor_leaving_hands_their_whole_book_over_in_one_step(branch_a):
    director = branch_a.users["director_a"]
    bob = branch_a.advisors["bob"]
    p = preview_create(branch=branch_a.branches["A"], actor=director, departing=bob)
    assert Advisor.objects.get(pk=bob.pk).active                              # the preview changes nothing
    assert {"CB001", "CB002"} <= {a["client_id"] for a in p.result["assignments"]}
    preview_approve(preview=p, actor=director)
    assert not Advisor.objects.get(pk=bob.pk).active
    assert not Client.objects.filter(advisor=bob).exists()
    assert advisor_of("CB001") == "A01" and advisor_of("CA001") == "A01"      # everyone else stays
    assert AuditEvent.objects.filter(action="advisor.leave", object_ids=["A02"]).exists()


def test_every_reason_reads_as_words_in_both_languages():
    for code in TEXTS:
        r = {"code": code, "value": 0.23 if code.startswith("band_") else 12.0, "limit": 0.1, "ref": "senior"}
        zh, en = reason_text(r, lang="zh-hans"), reason_text(r, lang="en")
        assert zh and en and code not in zh and code not in en
    assert reason_text({"code": "band_assets", "value": -0.234, "limit": 0.1}, lang="zh") == \
        "原投资顾问的客户资产偏离同级平均23.4%（允许±10.0%）"
    assert reason_text({"code": "something_new"}, lang="zh") == ""          # never a raw code


def test_a_client_handed_over_twice_has_one_handover_task_for_the_latest_advisor(branch_a):
    director = branch_a.users["director_a"]
    preview_approve(preview=preview_create(branch=branch_a.branches["A"], actor=director), actor=director)
    first = advisor_of("CD001")
    leaving = Advisor.objects.get(advisor_id=first)
    preview_approve(preview=preview_create(branch=branch_a.branches["A"], actor=director, departing=leaving),
                    actor=director)
    open_tasks = Task.objects.filter(client__client_id="CD001", kind=TaskKind.HANDOVER, status=TaskStatus.OPEN)
    assert [t.advisor.advisor_id for t in open_tasks] == [advisor_of("CD001")] != [first]
    assert f"从{leaving.name}处转来" in open_tasks[0].reason_zh


def test_a_leaving_advisors_preview_is_refused_if_they_gained_a_client_since(branch_a):
    director = branch_a.users["director_a"]
    p = preview_create(branch=branch_a.branches["A"], actor=director, departing=branch_a.advisors["bob"])
    Client.objects.create(client_id="CN001", branch=branch_a.branches["A"], advisor=branch_a.advisors["bob"],
                          name="新客户")                               # a new account, after the preview
    with pytest.raises(PreviewStale):
        preview_approve(preview=p, actor=director)
    assert Advisor.objects.get(advisor_id="A02").active
