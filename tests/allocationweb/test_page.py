"""The allocation page: only the roles that allocate see it (others 403; another branch's preview 404); it shows
the books in words and 万, makes a preview that changes nothing, and approves only with the confirmation."""

from __future__ import annotations

import re

import pytest

from panhuo.accounts.permissions import Capability, can
from panhuo.allocationweb.models import AllocationPreview, PreviewStatus
from panhuo.allocationweb.services import preview_create
from panhuo.audit.models import AuditEvent
from panhuo.clients.models import Advisor, Client, ClientSnapshot, Task, TaskKind
from tests.allocationweb.conftest import client_table

pytestmark = pytest.mark.django_db
USERS = ("alice", "bob", "charlie", "director_a", "manager_a", "compliance", "admin")


def visible(html: str) -> str:
    """The text a reader sees: no tags, attributes or script data."""
    return re.sub(r"<[^>]+>", " ", re.sub(r"<script.*?</script>", " ", html, flags=re.S))


def login(client, cast, username):
    client.force_login(cast.users[username])
    return client


@pytest.mark.parametrize("username", USERS)
def test_the_page_and_its_actions_answer_by_the_permissions_table(client, branch_a, username):
    user = branch_a.users[username]
    login(client, branch_a, username)
    allowed = can(user, Capability.ALLOCATE)
    page = client.get("/allocation/")
    assert page.status_code == (200 if allowed else 403)
    made = client.post("/allocation/preview/")
    assert made.status_code == (302 if allowed else 403)
    assert AllocationPreview.objects.exists() == allowed
    home = client.get("/")
    assert (b'href="/allocation/"' in home.content) == allowed                 # the nav link


def test_a_preview_of_another_branch_is_out_of_reach(client, branch_a):
    other = preview_create(branch=branch_a.branches["B"], actor=branch_a.users["admin"].__class__(
        username="ops", role="manager", branch=branch_a.branches["B"], is_active=True))
    login(client, branch_a, "director_a")
    assert client.get(f"/allocation/?preview={other.pk}").status_code == 404
    assert client.post(f"/allocation/preview/{other.pk}/approve/", {"confirm": "yes"}).status_code == 404
    assert AllocationPreview.objects.get(pk=other.pk).status == PreviewStatus.DRAFT


def test_the_director_sees_the_books_makes_a_preview_and_approves_it_with_the_confirmation(client, branch_a):
    ClientSnapshot.objects.filter(client__client_id="CA001").update(total_assets=123_456_789)
    login(client, branch_a, "director_a")
    page = visible(client.get("/allocation/").content.decode())
    assert "客户分配" in page and "已离职仍有客户的投资顾问" in page and "Dora 多拉" in page
    assert "1.24亿" in page                   # Alice's book, 123,656,789, as staff write it
    for code in ("advisor_departed", "total_assets", "unassigned", "is_dormant", "junior"):
        assert code not in page
    before = client_table()
    # One client of 1.2亿 cannot be shared out within ±10%: the page says which rule and what to do.
    refused = visible(client.post("/allocation/preview/", follow=True).content.decode())
    assert "公平区间" in refused and "放宽" in refused and not AllocationPreview.objects.exists()
    ClientSnapshot.objects.filter(client__client_id="CA001").update(total_assets=100_000)
    made = client.post("/allocation/preview/")
    assert client_table() == before                              # making a preview changes nothing
    diff = visible(client.get(made.url).content.decode())
    assert "原投资顾问Dora 多拉已离职" in diff and "此前没有投资顾问" in diff and "批准" in diff
    assert "advisor_departed" not in diff
    p = AllocationPreview.objects.get()
    refused = client.post(f"/allocation/preview/{p.pk}/approve/")          # no confirmation ticked
    assert refused.status_code == 302 and client_table() == before
    done = client.post(f"/allocation/preview/{p.pk}/approve/", {"confirm": "yes"})
    assert done.status_code == 302
    assert not Client.objects.filter(branch=branch_a.branches["A"], advisor__isnull=True).exists()
    assert not Client.objects.filter(advisor=branch_a.advisors["dora"]).exists()
    assert Task.objects.filter(kind=TaskKind.HANDOVER).count() == 3
    assert AuditEvent.objects.filter(action="allocation.view", username="director_a").exists()


def test_the_page_in_english_shows_words_not_codes(client, branch_a):
    login(client, branch_a, "manager_a")
    client.cookies["django_language"] = "en"
    client.post("/allocation/preview/")
    page = client.get("/allocation/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Client allocation" in page and "the previous advisor Dora 多拉 has left" in page
    assert Advisor.objects.get(advisor_id="A04").active is False


def test_the_director_sets_the_band_and_sharing_the_overload_and_others_cannot(client, branch_a):
    from panhuo.allocationweb.models import AllocationPolicy

    login(client, branch_a, "alice")
    assert client.post("/allocation/settings/", {"band": "20", "over_capacity": "share"}).status_code == 403
    assert not AllocationPolicy.objects.exists()
    login(client, branch_a, "director_a")
    client.post("/allocation/settings/", {"band": "99", "over_capacity": "share"})
    assert not AllocationPolicy.objects.filter(band=0.99).exists()
    client.post("/allocation/settings/", {"band": "20", "over_capacity": "share"})
    policy = AllocationPolicy.objects.get(branch=branch_a.branches["A"])
    assert (policy.band, policy.over_capacity) == (0.20, "share")
    assert AuditEvent.objects.filter(action="allocation.settings", username="director_a").exists()
    client.post("/allocation/preview/")
    assert AllocationPreview.objects.get().settings["band"] == 0.20


def test_a_branch_with_no_clients_yet_shows_an_empty_page_and_an_empty_preview(client, cast):
    from panhuo.accounts.services import user_create
    from panhuo.clients.models import Branch

    Branch.objects.create(branch_id="B009", name="新开营业部")
    user = user_create(username="director_new", role="director", branch_id="B009", password=cast.password)
    client.force_login(user)
    assert client.get("/allocation/").status_code == 200
    made = client.post("/allocation/preview/", follow=True)
    assert made.status_code == 200 and "无需调整" in visible(made.content.decode())
