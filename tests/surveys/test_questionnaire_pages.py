"""Taking a questionnaire: with the advisor from the client 360 page, or by the client through a signed link."""

from __future__ import annotations

import time
from datetime import date

import pytest
from django.urls import reverse

from panhuo.audit.models import AuditEvent
from panhuo.clients.models import ClientSnapshot, QuestionnaireAnswer, RiskAssessment
from panhuo.surveys.files import questionnaire_current

from .conftest import assess

# 5+5+4+3+4+3+7+7+4+3 = 45 (积极型) and the lowest options, 2+2+1+0+1+1+1+1+1+1 = 11 (保守型)
TOP = {f"q_{i}": "A" if i in (1, 2) else ("C" if i in (6, 10) else "D") for i in range(1, 11)}
LOW = {f"q_{i}": "D" if i in (1, 2) else "A" for i in range(1, 11)}


def _login(client, cast, name="alice"):
    client.force_login(cast.users[name])
    return client


def test_the_advisor_takes_the_personality_test_with_the_client(client, cast):
    c = assess(cast.clients["CA001"], "C2")
    ClientSnapshot.objects.create(client=c, as_of=date(2026, 11, 20), personality="steady", personality_inferred=True)
    _login(client, cast)
    url = reverse("surveys:take", args=["CA001", "personality"])
    page = client.get(url).content.decode()
    assert "交易个性自我评量表" in page and page.count('type="radio"') == 38
    r = client.post(url, TOP)
    assert r.status_code == 302
    answer = QuestionnaireAnswer.objects.get(client=c)
    assert (answer.questionnaire, answer.version, answer.total, answer.band, answer.via) == \
        ("personality", 1, 45, "aggressive", "advisor")
    assert answer.answers["1"] == "A" and answer.by == cast.users["alice"]
    snap = ClientSnapshot.objects.get(client=c)
    assert (snap.personality, snap.personality_inferred) == ("aggressive", False)
    c.refresh_from_db()
    assert c.risk_level == "C2"                # a service profile: the regulatory level never moves
    html = client.get(reverse("workbench:client", args=["CA001"])).content.decode()
    assert "积极型" in html and '<span class="tag">自评</span>' in html and "45分" in html
    assert AuditEvent.objects.filter(action="questionnaire.answer", object_ids=["CA001"]).exists()


def test_the_360_page_says_inferred_until_the_client_takes_the_test(client, cast):
    ClientSnapshot.objects.create(client=cast.clients["CA001"], as_of=date(2026, 11, 20), personality="steady")
    html = _login(client, cast).get(reverse("workbench:client", args=["CA001"])).content.decode()
    assert "稳健型" in html and '<span class="tag muted">推断</span>' in html and '<span class="tag">自评</span>' not in html


def test_an_unanswered_question_is_said_and_nothing_is_kept(client, cast):
    r = _login(client, cast).post(reverse("surveys:take", args=["CA001", "personality"]),
                                  {k: v for k, v in TOP.items() if k != "q_7"})
    assert r.status_code == 400 and "请回答每一道题。" in r.content.decode()
    assert not QuestionnaireAnswer.objects.exists()


def test_the_risk_assessment_taken_in_panhuo_becomes_the_level(client, cast):
    qn = questionnaire_current("risk")
    answers = {f"q_{q.key}": max(q.options, key=lambda o: o.points).key for q in qn.questions}
    _login(client, cast).post(reverse("surveys:take", args=["CA001", "risk"]), answers)
    c = cast.clients["CA001"]
    c.refresh_from_db()
    assert (c.risk_level, c.risk_source) == ("C5", "panhuo") and c.risk_assessed_on is not None
    assert RiskAssessment.objects.get(client=c).answer.total == 40


@pytest.mark.parametrize(("user", "status"), [("charlie", 404), ("compliance", 403)])
def test_out_of_reach_is_404_and_a_read_only_role_cannot_record(client, cast, user, status):
    assert _login(client, cast, user).get(reverse("surveys:take", args=["CA001", "personality"])).status_code == status


def _link(client, cast, key="personality") -> str:
    r = _login(client, cast).post(reverse("surveys:link", args=["CA001", key]))
    url = r.context["url"]
    client.logout()
    return url[url.index("/q/"):]


def test_the_client_answers_through_the_link_once_without_logging_in(client, cast):
    path = _link(client, cast)
    page = client.get(path)
    assert page.status_code == 200 and "客户CA001" not in page.content.decode() and "CA001" not in path
    done = client.post(path, LOW)
    assert done.status_code == 200 and "保守型" in done.content.decode()
    answer = QuestionnaireAnswer.objects.get()
    assert (answer.via, answer.total, answer.band, answer.by) == ("link", 11, "conservative", None)
    assert client.get(path).status_code == 410 and client.post(path, TOP).status_code == 410   # once
    assert QuestionnaireAnswer.objects.count() == 1


def test_the_link_expires(client, cast, settings, monkeypatch):
    settings.PANHUO_QUESTIONNAIRE_LINK_DAYS = 7
    path = _link(client, cast)
    now = time.time()
    monkeypatch.setattr("django.core.signing.time.time", lambda: now + 7 * 86400 + 5)
    r = client.get(path)
    assert r.status_code == 410 and "已过期".encode() in r.content
    assert client.post(path, LOW).status_code == 410 and not QuestionnaireAnswer.objects.exists()
    monkeypatch.setattr("django.core.signing.time.time", lambda: now + 6 * 86400)
    assert client.get(path).status_code == 200


def test_an_altered_link_names_nothing(client, cast):
    path = _link(client, cast)
    assert client.get(path[:-3] + "abc/").status_code == 400


def test_the_personality_answers_reach_the_daily_runs_segmentation(cast, warehouse):
    from panhuo.surveys.services import questionnaire_submit, questionnaires_export

    qn = questionnaire_current("personality")
    questionnaire_submit(client=cast.clients["CA001"], questionnaire=qn, via="advisor", user=cast.users["alice"],
                         answers={k[2:]: v for k, v in TOP.items()}, today=date(2026, 11, 1))
    assert questionnaires_export(wh=warehouse) == {"written": 1}
    rows = warehouse.con.execute("SELECT client_id, answered_on, score FROM questionnaires").fetchall()
    assert rows == [("CA001", date(2026, 11, 1), 45)]


def test_the_self_assessment_wins_over_the_inferred_personality_in_the_segmentation(warehouse, db):
    from panhuo.analytics.engines import DuckDBEngine
    from panhuo.analytics.pipeline import features_and_segments
    from panhuo.clients.models import Branch, Client
    from panhuo.surveys.services import questionnaire_submit, questionnaires_export
    from tests.analytics import timeline

    timeline.load(warehouse, with_optional=False)
    branch = Branch.objects.create(branch_id="B001", name="测试营业部")
    c2 = Client.objects.create(client_id="C2", branch=branch, name="C2")
    questionnaire_submit(client=c2, questionnaire=questionnaire_current("personality"), via="link",
                         answers={k[2:]: v for k, v in TOP.items()}, today=date(2024, 6, 1))
    questionnaires_export(wh=warehouse)
    rows = {r["client_id"]: r for r in features_and_segments(DuckDBEngine(warehouse), timeline.AS_OF).to_pylist()}
    assert (rows["C2"]["personality"], rows["C2"]["personality_inferred"]) == ("aggressive", False)
    assert rows["C3"]["personality_inferred"] is True           # no self-assessment: inferred from behaviour
