"""Randomisation by advisor at launch, and the branch's long-term holdout: drawn, kept out of every campaign,
rotated with its history kept, and read out against everyone else."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from panhuo.campaigns.models import CampaignMember, MemberGroup
from panhuo.campaigns.services.launch import campaign_create, campaign_launch
from panhuo.clients.holdout import holdout_client_ids, holdout_readout, holdout_rotate
from panhuo.clients.models import Advisor, Client, ClientSnapshot, HoldoutDraw, HoldoutMember

from .test_launch import DORMANT, PHONE_SCRIPT

TODAY = date(2026, 11, 20)


def _many_advisors(world, n_advisors=12, per=5):
    branch = world.branches["A"]
    for a in range(n_advisors):
        adv = Advisor.objects.create(advisor_id=f"K{a:02d}", branch=branch, name=f"顾问{a}")
        for i in range(per):
            c = Client.objects.create(client_id=f"K{a:02d}{i}", branch=branch, advisor=adv, name=f"客户K{a}{i}",
                                      risk_level="C3")
            ClientSnapshot.objects.create(client=c, as_of=TODAY, lifecycle="dormant", is_dormant=True,
                                          days_since_last_trade=120, tier="mass")


def test_randomised_by_advisor_keeps_each_book_in_one_arm(branch_world):
    w = branch_world
    _many_advisors(w)
    c = campaign_create(user=w.users["director_a"], name="整组", rules=DORMANT, channels=["phone"],
                        script=PHONE_SCRIPT, control_share=0.5, randomise_by_advisor=True)
    summary = campaign_launch(user=w.users["director_a"], campaign_id=c.pk, today=TODAY)
    members = CampaignMember.objects.filter(campaign=c).exclude(group=MemberGroup.EXCLUDED)
    arms: dict = {}
    for m in members:
        arms.setdefault(m.advisor_id, set()).add(m.group)
    assert len(arms) == 14                                   # Alice, Bob and the twelve new books
    assert all(len(groups) == 1 for groups in arms.values())
    assert summary["clusters"]["treatment"] + summary["clusters"]["control"] == 14
    assert 4 <= summary["clusters"]["control"] <= 10
    # the tasks go to the treatment advisors only
    control_advisors = {a for a, g in arms.items() if g == {MemberGroup.CONTROL}}
    assert not members.filter(advisor_id__in=control_advisors, task__isnull=False).exists()


def test_the_report_counts_advisors_and_warns_when_few(branch_world, client):
    w = branch_world
    c = campaign_create(user=w.users["director_a"], name="两人", rules=DORMANT, channels=["phone"],
                        script=PHONE_SCRIPT, control_share=0.5, randomise_by_advisor=True, seed=3)
    campaign_launch(user=w.users["director_a"], campaign_id=c.pk, today=TODAY)
    CampaignMember.objects.filter(campaign=c).exclude(group=MemberGroup.EXCLUDED).update(outcome=1.0)
    from panhuo.campaigns.selectors import campaign_report

    rep = campaign_report(user=w.users["director_a"], campaign=c)
    assert rep.clustered and rep.clusters == {"treatment": 1, "control": 1} and rep.few_clusters
    assert rep.overall is None and rep.by_advisor == {}     # two books: no interval is honest
    client.force_login(w.users["director_a"])
    page = client.get(reverse("campaigns:detail", args=[c.pk])).content.decode()
    assert 'id="few-clusters"' in page and 'id="cluster-note"' in page


def test_holdout_is_drawn_per_advisor_and_kept_out_of_campaigns(branch_world, client):
    w = branch_world
    _many_advisors(w, n_advisors=4, per=25)
    draw = holdout_rotate(branch=w.branches["A"], today=TODAY, share=0.2, months=6, seed=9)
    held = holdout_client_ids(on=TODAY, branch_id=w.branches["A"].pk)
    branch_clients = Client.objects.filter(branch=w.branches["A"]).count()
    assert draw.population == branch_clients and draw.end == date(2027, 5, 20)
    assert len(held) == draw.members.count()
    for adv in Advisor.objects.filter(advisor_id__startswith="K"):              # each book gives up its share
        assert Client.objects.filter(advisor=adv, pk__in=held).count() == 5
    assert holdout_client_ids(on=date(2027, 5, 20), branch_id=w.branches["A"].pk) == set()   # the period ended
    c = campaign_create(user=w.users["director_a"], name="唤醒", rules=DORMANT, channels=["phone"],
                        script=PHONE_SCRIPT, seed=1)
    client.force_login(w.users["director_a"])
    summary_page = client.get(reverse("campaigns:launch", args=[c.pk])).content.decode()
    targets_held = Client.objects.filter(pk__in=held, snapshots__is_dormant=True).distinct().count()
    assert targets_held > 0 and f"{targets_held} " in summary_page.split('id="held-out"')[1][:200]
    summary = campaign_launch(user=w.users["director_a"], campaign_id=c.pk, today=TODAY)
    assert summary["held_out"] == targets_held
    assert not CampaignMember.objects.filter(campaign=c, client_id__in=held).exists()     # never a member


def test_rotation_ends_the_period_and_keeps_the_history(branch_world):
    w = branch_world
    first = holdout_rotate(branch=w.branches["A"], today=TODAY, share=0.3, months=6, seed=1)
    later = TODAY + timedelta(days=30)
    second = holdout_rotate(branch=w.branches["A"], today=later, share=0.3, months=6, seed=2)
    first.refresh_from_db()
    assert first.end == later and second.start == later
    assert HoldoutDraw.objects.filter(branch=w.branches["A"]).count() == 2
    assert HoldoutMember.objects.filter(draw=first).count() > 0              # the first period's clients kept
    assert holdout_client_ids(on=TODAY, branch_id=w.branches["A"].pk) == set(
        first.members.values_list("client_id", flat=True))
    assert holdout_rotate(branch=w.branches["A"], today=later, share=0.0) is None    # 0 turns it off


def test_readout_compares_everyone_else_with_the_holdout(branch_world, client):
    w = branch_world
    _many_advisors(w, n_advisors=8, per=25)
    draw = holdout_rotate(branch=w.branches["A"], today=TODAY, share=0.2, months=6, seed=4)
    held = set(draw.members.values_list("client_id", flat=True))
    end = TODAY + timedelta(days=60)
    # everyone else came back more often: 1 in 2 against 1 in 10 held out (traded 10 days before `end`)
    for i, c in enumerate(Client.objects.filter(branch=w.branches["A"]).order_by("pk")):
        back = (i % 10 == 0) if c.pk in held else (i % 2 == 0)
        ClientSnapshot.objects.filter(client=c).update(is_latest=False)
        ClientSnapshot.objects.create(client=c, as_of=end, is_dormant=not back, lifecycle="active",
                                      days_since_last_trade=10 if back else 180)
    r = holdout_readout(draw=draw, as_of=end)
    assert r.held_out == len(held) and r.rest > r.held_out
    assert r.active.lift > 0.25 and r.active.ci_low > 0
    assert r.reactivated.n_control == r.dormant_held_out > 0
    client.force_login(w.users["director_a"])
    page = client.get(reverse("campaigns:holdout")).content.decode()
    assert "holdout-B001" in page
    assert client.get(reverse("campaigns:holdout")).status_code == 200
    client.force_login(w.users["alice"])
    assert client.get(reverse("campaigns:holdout")).status_code == 403


@pytest.mark.parametrize("flag", ["--rotate", "--report"])
def test_cli_holdout(branch_world, flag):
    from typer.testing import CliRunner

    from panhuo.cli.app import app

    res = CliRunner().invoke(app, ["campaign", "holdout", "--rotate", "--today", "2026-11-20", "--share", "0.2",
                                   "--json"])
    assert res.exit_code == 0, res.output
    assert HoldoutDraw.objects.filter(branch=branch_world.branches["A"]).count() == 1
    again = CliRunner().invoke(app, ["campaign", "holdout", flag, "--today", "2026-11-21", "--json"])
    assert again.exit_code == 0, again.output
    assert HoldoutDraw.objects.filter(branch=branch_world.branches["A"]).count() == 1   # not due yet: no new draw


def test_demo_seeder_draws_one_period_per_branch(branch_world):
    from panhuo.clients.holdout import holdout_demo_seed
    from panhuo.clients.registry import demo_seeders

    assert "holdout" in dict(demo_seeders())
    assert holdout_demo_seed(as_of=TODAY, seed=1) == "holdout periods: 2"
    assert holdout_demo_seed(as_of=TODAY, seed=1) is None                     # a re-run changes nothing
    assert HoldoutDraw.objects.filter(start=TODAY - timedelta(days=60)).count() == 2
