"""Call-backs: the monthly sample (shares, reproducible from its kept seed, drawn once), independence of the caller,
outcomes, and a finding that opens a complaint."""

from __future__ import annotations

import math

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from panhuo.audit.models import AuditEvent
from panhuo.clients.models import Branch, Complaint
from panhuo.complaints import services
from panhuo.complaints.models import Callback, CallbackSample
from tests.complaints.helpers import month_of_activity

pytestmark = pytest.mark.django_db


def test_the_draw_is_a_function_of_the_seed_and_the_set_and_takes_the_share():
    ids = [f"C{i:04d}" for i in range(200)]
    a = services.draw(ids, seed="s1", share=0.1)
    assert len(a) == 20 and set(a) <= set(ids)
    assert services.draw(list(reversed(ids)), seed="s1", share=0.1) == a      # order does not matter
    assert services.draw(ids, seed="s2", share=0.1) != a                     # the seed does
    assert len(services.draw(ids[:7], seed="s1", share=0.3)) == math.ceil(0.3 * 7)
    assert services.draw(ids[:3], seed="s1", share=0.01, minimum=1) != []    # at least the minimum
    assert services.draw([], seed="s1", share=0.5, minimum=1) == []
    # every id has the same chance: over many seeds each of 10 ids is drawn about share x seeds times
    counts = dict.fromkeys(ids[:10], 0)
    for s in range(2000):
        for i in services.draw(ids[:10], seed=str(s), share=0.3):
            counts[i] += 1
    assert all(450 < n < 750 for n in counts.values())


def test_the_month_sample_takes_its_shares_of_new_and_advised_clients_and_is_reproducible(cast):
    month = month_of_activity(cast)
    branch = cast.branches["A"]
    sample, created = services.callbacks_sample(branch_id=branch.pk, month=month, user=cast.users["compliance"])
    assert created and sample.new_population == 4 and sample.advised_population == 3
    cfg = services.callbacks_config()["sample"]
    rows = Callback.objects.filter(sample=sample)
    assert rows.filter(kind="new_account").count() == max(math.ceil(cfg["new_share"] * 4), cfg["minimum"])
    assert rows.filter(kind="advised").count() == max(math.ceil(cfg["advised_share"] * 3), cfg["minimum"])
    kept = {k: sorted(rows.filter(kind=k).values_list("client__client_id", flat=True))
            for k in ("new_account", "advised")}
    assert services.sample_redraw(sample) == kept                         # again from the kept seed
    again, created = services.callbacks_sample(branch_id=branch.pk, month=month, user=cast.users["director_a"])
    assert again.pk == sample.pk and not created and Callback.objects.filter(sample=sample).count() == rows.count()
    assert AuditEvent.objects.filter(action="callback.sample").count() == 1
    # branch B had no activity: an empty sample, still recorded
    empty, _ = services.callbacks_sample(branch_id=cast.branches["B"].pk, month=month)
    assert Callback.objects.filter(sample=empty).count() == 0


def test_the_advisor_never_calls_back_and_no_one_calls_their_own_client(cast):
    month = month_of_activity(cast)
    sample, _ = services.callbacks_sample(branch_id=cast.branches["A"].pk, month=month, seed="fixed")
    cb = Callback.objects.filter(sample=sample, advisor=cast.advisors["alice"]).first() or \
        Callback.objects.filter(sample=sample).exclude(advisor=None).first()
    own = cb.client.advisor
    owner_user = own.user
    with pytest.raises(PermissionDenied):          # the advisor role may not, whoever's client
        services.callback_record(user=owner_user, callback=cb, outcome="confirmed")
    # a director who keeps that advisor record is still the client's advisor
    owner_user.role, owner_user.branch = "director", cast.branches["A"]
    owner_user.save()
    assert not services.is_independent(owner_user, cb)
    with pytest.raises(PermissionDenied):
        services.callback_record(user=owner_user, callback=cb, outcome="confirmed")
    services.callback_record(user=cast.users["compliance"], callback=cb, outcome="confirmed")
    assert Callback.objects.get(pk=cb.pk).by == cast.users["compliance"]


def test_outcomes_a_finding_opens_a_complaint_and_a_reached_call_back_is_kept(cast):
    month = month_of_activity(cast)
    sample, _ = services.callbacks_sample(branch_id=cast.branches["A"].pk, month=month, seed="fixed")
    first, second = list(Callback.objects.filter(sample=sample).select_related("client", "sample"))[:2]
    comp = cast.users["compliance"]
    with pytest.raises(ValidationError):       # a finding needs its category
        services.callback_record(user=comp, callback=first, outcome="finding")
    services.callback_record(user=comp, callback=first, outcome="not_reached")
    services.callback_record(user=comp, callback=first, outcome="finding", finding_category="return_promised",
                             note="说过保证赚钱", answers={"return_promised": "yes", "bogus": "x"},
                             open_complaint=True, compliance_note=True)
    first.refresh_from_db()
    c = Complaint.objects.get(pk=first.complaint_id)
    assert (c.channel, c.category, c.client_id, c.description) == ("callback", "misselling", first.client_id,
                                                                   "说过保证赚钱")
    assert first.compliance_note and "bogus" not in first.answers
    with pytest.raises(ValidationError):
        services.callback_record(user=comp, callback=first, outcome="confirmed")
    services.callback_record(user=cast.users["director_a"], callback=second, outcome="confirmed",
                             open_complaint=True)            # no finding: nothing opened
    second.refresh_from_db()
    assert second.complaint_id is None and second.outcome == "confirmed"


def test_the_command_draws_each_branch_once(cast):
    from typer.testing import CliRunner

    from panhuo.cli import app

    month = month_of_activity(cast)
    runner = CliRunner()
    first = runner.invoke(app, ["callbacks", "sample", "--month", month, "--json"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(app, ["callbacks", "sample", "--month", month, "--json"])
    assert '"drawn_now": false' in second.output
    assert CallbackSample.objects.count() == Branch.objects.count()
    assert runner.invoke(app, ["callbacks", "sample", "--month", "2024-13"]).exit_code == 2
