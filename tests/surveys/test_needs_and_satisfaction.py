"""The needs survey (客户需求调查) and the satisfaction survey after a service: answered with the advisor or through a
link, kept with their version, shown on the 360 page; NPS counted by its one definition, which the advisor rated
cannot steer."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from panhuo.analytics.kpis import DETRACTOR_MAX, PROMOTER_MIN, nps, nps_group
from panhuo.audit.models import AuditEvent
from panhuo.clients.models import Contact, QuestionnaireAnswer
from panhuo.questionnaires import QuestionnaireError, score
from panhuo.surveys.files import questionnaire_current
from panhuo.surveys.services import questionnaire_submit, satisfaction_links_sample

NEEDS = {"q_goal": "growth", "q_horizon": "long", "q_return": "r10", "q_loss": "l10", "q_products": ["funds", "bonds"],
         "q_channel": "wechat", "q_time": "evening", "q_services": ["strategy", "training"], "q_note": "想了解定投"}


def _login(client, cast, name="alice"):
    client.force_login(cast.users[name])
    return client


def _contact(cast, cid="CA001", advisor="alice", days_ago=1):
    return Contact.objects.create(client=cast.clients[cid], advisor=cast.advisors[advisor], by=cast.users[advisor],
                                  channel="phone", outcome="reached",
                                  at=timezone.now() - timedelta(days=days_ago))


def test_the_needs_survey_scores_nothing_and_keeps_every_answer_with_its_version():
    qn = questionnaire_current("needs")
    result = score(qn, {"goal": "income", "horizon": "short", "return": "r5", "loss": "l5",
                        "products": ["wealth", "stocks"], "channel": "phone", "time": "morning",
                        "services": ["news"]})
    assert (result.total, result.band, result.version) == (0, None, 1)
    # Several options kept in the file's order; the optional text is kept empty.
    assert result.answers["products"] == ["stocks", "wealth"] and result.answers["note"] == ""
    with pytest.raises(QuestionnaireError, match="unanswered: products"):
        score(qn, {"goal": "income", "horizon": "short", "return": "r5", "loss": "l5", "products": [],
                   "channel": "phone", "time": "morning", "services": ["news"]})
    with pytest.raises(QuestionnaireError):
        score(qn, {**result.answers, "products": ["gold"]})


def test_the_advisor_takes_the_needs_survey_and_the_360_page_shows_it(client, cast):
    _login(client, cast)
    url = reverse("surveys:take", args=["CA001", "needs"])
    page = client.get(url).content.decode()
    assert "客户需求调查" in page and 'type="checkbox"' in page and "<textarea" in page
    assert client.post(url, NEEDS).status_code == 302
    answer = QuestionnaireAnswer.objects.get(client=cast.clients["CA001"], kind="needs")
    assert (answer.questionnaire, answer.version, answer.via) == ("needs", 1, "advisor")
    assert answer.answers["products"] == ["funds", "bonds"] and answer.answers["note"] == "想了解定投"
    html = client.get(reverse("workbench:client", args=["CA001"])).content.decode()
    assert "资产长期增值" in html and "基金、债券与国债逆回购" in html and "微信" in html and "想了解定投" in html


def test_the_client_answers_the_needs_survey_through_a_link(client, cast):
    r = _login(client, cast).post(reverse("surveys:link", args=["CA001", "needs"]))
    url = r.context["url"]
    client.logout()
    r = client.post(url, NEEDS)
    assert r.status_code == 200 and "您的回答已记录" in r.content.decode()
    assert QuestionnaireAnswer.objects.get(kind="needs").via == "link"


def test_nps_is_promoters_minus_detractors_against_a_recount():
    rng = random.Random(7)
    for _ in range(50):
        scores = [rng.randint(0, 10) for _ in range(rng.randint(1, 40))]
        promoters = sum(1 for s in scores if s in (9, 10))
        detractors = sum(1 for s in scores if s <= 6)
        assert nps(scores) == round(100 * promoters / len(scores) - 100 * detractors / len(scores), 1)
    assert (PROMOTER_MIN, DETRACTOR_MAX) == (9, 6)
    assert [nps_group(s) for s in (0, 6, 7, 8, 9, 10)] == ["detractor", "detractor", "passive", "passive",
                                                           "promoter", "promoter"]
    assert nps([]) is None and nps([10, 10]) == 100.0 and nps([0]) == -100.0 and nps([7, 8]) == 0.0


def test_the_advisor_cannot_record_their_own_clients_satisfaction(client, cast):
    contact = _contact(cast)
    qn = questionnaire_current("satisfaction")
    with pytest.raises(PermissionDenied):
        questionnaire_submit(client=cast.clients["CA001"], questionnaire=qn, via="advisor", user=cast.users["alice"],
                             answers={"recommend": "10", "advisor": "5", "timely": "5"}, contact=contact)
    url = reverse("surveys:take", args=["CA001", "satisfaction"]) + f"?contact={contact.pk}"
    r = _login(client, cast).post(url, {"q_recommend": "10", "q_advisor": "5", "q_timely": "5"})
    assert r.status_code == 403 and "您不能自己记录这位客户的满意度" in r.content.decode()
    assert not QuestionnaireAnswer.objects.filter(kind="satisfaction").exists()
    assert AuditEvent.objects.filter(action="questionnaire.answer", outcome="denied", object_ids=["CA001"]).count() == 2
    # The 360 page offers the advisor the client's link, never the in-app form.
    html = client.get(reverse("workbench:client", args=["CA001"])).content.decode()
    assert "满意度回访（独立人员）" not in html and reverse("surveys:link", args=["CA001", "satisfaction"]) in html


def test_independent_staff_may_record_a_satisfaction_call_that_counts(client, cast):
    contact = _contact(cast)
    url = reverse("surveys:take", args=["CA001", "satisfaction"]) + f"?contact={contact.pk}"
    r = _login(client, cast, "director_a").post(url, {"q_recommend": "6", "q_advisor": "3", "q_timely": "2",
                                                      "q_comment": "回复太慢"})
    assert r.status_code == 302
    a = QuestionnaireAnswer.objects.get(kind="satisfaction")
    assert (a.total, a.band, a.contact, a.by) == (6, "", contact, cast.users["director_a"])
    # …but not when the director logged the contact themselves.
    own = Contact.objects.create(client=cast.clients["CA001"], advisor=cast.advisors["alice"],
                                 by=cast.users["director_a"], channel="visit", outcome="reached", at=timezone.now())
    r = client.post(reverse("surveys:take", args=["CA001", "satisfaction"]) + f"?contact={own.pk}",
                    {"q_recommend": "10", "q_advisor": "5", "q_timely": "5"})
    assert r.status_code == 403 and QuestionnaireAnswer.objects.filter(kind="satisfaction").count() == 1


def test_the_clients_link_counts_and_names_the_contact_it_rates(client, cast):
    contact = _contact(cast)
    r = _login(client, cast).post(reverse("surveys:link", args=["CA001", "satisfaction"]), {"contact": contact.pk})
    url = r.context["url"]
    client.logout()
    page = client.get(url).content.decode()
    assert "服务满意度调查" in page and "客户CA001" not in page
    r = client.post(url, {"q_recommend": "9", "q_advisor": "5", "q_timely": "4", "q_comment": "很好"})
    assert r.status_code == 200 and "谢谢" in r.content.decode()
    a = QuestionnaireAnswer.objects.get(kind="satisfaction")
    assert (a.via, a.total, a.contact, a.by, a.answers["comment"]) == ("link", 9, contact, None, "很好")
    assert client.post(url, {"q_recommend": "0", "q_advisor": "1", "q_timely": "1"}).status_code == 410


def test_a_link_about_another_clients_contact_is_refused(client, cast):
    other = _contact(cast, "CA002")
    r = _login(client, cast).post(reverse("surveys:link", args=["CA001", "satisfaction"]), {"contact": other.pk})
    assert r.status_code == 404


def test_a_sample_of_recent_contacts_gets_links_the_same_for_the_same_seed(cast):
    today = timezone.localdate()
    for cid in ("CA001", "CA002", "CA003", "CB001", "CB002", "CC001"):
        _contact(cast, cid, advisor={"CA": "alice", "CB": "bob", "CC": "charlie"}[cid[:2]])
    old = _contact(cast, "CC002", advisor="charlie", days_ago=30)
    every = satisfaction_links_sample(as_of=today, share=1.0)
    assert len(every) == 6 and old not in [c for c, _ in every]
    a = [c.pk for c, _ in satisfaction_links_sample(as_of=today, share=0.5, seed=3)]
    b = [c.pk for c, _ in satisfaction_links_sample(as_of=today, share=0.5, seed=3)]
    assert a == b


def test_the_monthly_snapshot_keeps_nps_per_branch_and_advisor(cast, warehouse):
    """Two answers about Alice's service (10 and 4) and one about Bob's (9): branch NPS (2−1)/3 = 33.3; Alice
    (1−1)/2 = 0; Bob 100."""
    import pyarrow as pa

    from panhuo.analytics.kpis import kpis_month

    day = date(2026, 11, 10)
    con = warehouse.con
    sat = pa.table({"client_id": ["CA001", "CA002", "CB001", "CB001"],
                    "taken_on": pa.array([day, day, day, date(2026, 10, 1)], pa.date32()),
                    "score": pa.array([10, 4, 9, 0], pa.int32()), "advisor_id": ["A01", "A01", "A02", "A02"]})
    con.execute("INSERT INTO clients (client_id, branch_id, advisor_id) VALUES ('CA001','B001','A01'), "
                "('CA002','B001','A01'), ('CB001','B001','A02')")
    rows = {(r["branch"], r["advisor"]): r for r in kpis_month(con, month="2026-11", satisfaction=sat)}
    # The October answer (0) is not November's.
    assert rows[("B001", None)]["nps"] == nps([10, 4, 9]) == 33.3
    assert rows[("B001", None)]["nps_answers"] == 3
    assert rows[("B001", "A01")]["nps"] == 0.0 and rows[("B001", "A02")]["nps"] == 100.0


def test_the_cli_prints_one_working_link_per_sampled_client(cast, client):
    import json

    from typer.testing import CliRunner

    from panhuo.cli import app

    first, latest = _contact(cast, days_ago=3), _contact(cast, days_ago=1)
    _contact(cast, "CB001", advisor="bob")
    result = CliRunner().invoke(app, ["surveys", "satisfaction-links", "--share", "1", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["links"]
    assert sorted(r["client"] for r in rows) == ["CA001", "CB001"]
    ca = next(r for r in rows if r["client"] == "CA001")
    assert ca["contact"] == latest.pk != first.pk and ca["advisor"] == "A01"
    path = ca["url"].split("://", 1)[1].split("/", 1)[1]
    r = client.post("/" + path, {"q_recommend": "8", "q_advisor": "4", "q_timely": "4"})
    assert r.status_code == 200 and QuestionnaireAnswer.objects.get(kind="satisfaction").contact == latest
