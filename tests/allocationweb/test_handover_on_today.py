"""The advisor who gains a client sees why on Today (the handover task's reason in words), gets no second
"new assignment" task for the same client, and the handover is served once they have contacted the client."""

from __future__ import annotations

import pytest
from django.utils import timezone

from panhuo.allocationweb.services import preview_approve, preview_create
from panhuo.clients.models import Client, Task, TaskKind, TaskStatus
from panhuo.clients.selectors import client_get_for_user
from panhuo.workbench.services.contacts import contact_log
from panhuo.workbench.services.tasks import tasks_generate

pytestmark = pytest.mark.django_db


def test_the_new_advisor_sees_why_and_the_handover_is_served_by_a_contact(client, branch_a):
    preview_approve(preview=preview_create(branch=branch_a.branches["A"], actor=branch_a.users["director_a"]),
                    actor=branch_a.users["director_a"])
    cd = Client.objects.select_related("advisor").get(client_id="CD001")
    user = next(u for u in branch_a.users.values() if u.advisor_id == cd.advisor_id)
    tasks_generate(as_of=timezone.localdate())
    assert not Task.objects.filter(client=cd, kind=TaskKind.PROTECTION).exists()     # one task, the handover
    client.force_login(user)
    today = client.get("/today/").content.decode()
    assert "交接介绍" in today and "原投资顾问Dora 多拉已离职" in today
    contact_log(user=user, client=client_get_for_user(user=user, client_id="CD001"), channel="phone",
                outcome="reached", note="介绍自己")
    tasks_generate(as_of=timezone.localdate())
    assert Task.objects.get(client=cd, kind=TaskKind.HANDOVER).status == TaskStatus.DONE
