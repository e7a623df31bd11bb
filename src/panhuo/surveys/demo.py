"""The demo's questionnaires and plans (clients.registry demo seeder): needs surveys for some VIP and core clients,
satisfaction answers from a sample of recent contacts (through the client's link, as in real use), and service
plans for some VIPs written by their advisors. Deterministic for a seed; through this app's services, so the
pages show real behaviour (versions, suitability checks, audit)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.utils import timezone, translation

from panhuo.accounts.models import Role, User
from panhuo.clients.models import AnswerVia, ClientSnapshot, QuestionnaireAnswer, ServicePlan
from panhuo.clients.suitability import suitability_decide
from panhuo.surveys.files import NEEDS, SATISFACTION, questionnaire_current
from panhuo.surveys.plan_selectors import plan_form_initial
from panhuo.surveys.plan_services import service_plan_save
from panhuo.surveys.services import (
    LinkInvalid,
    questionnaire_link_open,
    questionnaire_submit,
    satisfaction_links_sample,
)

NEEDS_SHARE, PLANS_PER_ADVISOR = 0.4, 4
# How the demo's clients answer "how likely are you to recommend us" (0–10): mostly content, some not.
RECOMMEND = ([10] * 5 + [9] * 6 + [8] * 5 + [7] * 3 + [6] * 2 + [5, 4, 3])


def _needs_answers(rng: random.Random) -> dict:
    qn = questionnaire_current(NEEDS)
    out = {}
    for q in qn.questions:
        if q.type == "text":
            continue
        keys = [o.key for o in q.options]
        out[q.key] = rng.sample(keys, rng.randint(1, 2)) if q.type == "multi" else rng.choice(keys)
    return out


def demo_seed(*, as_of: date, seed: int) -> str | None:
    # A plan is a document written in one language when it is saved (its prefilled goals and actions are text):
    # the demo writes its plans in Chinese, the branch's language, whatever language the caller had active.
    with translation.override("zh-hans"):
        return _demo_seed(as_of=as_of, seed=seed)


def _demo_seed(*, as_of: date, seed: int) -> str | None:
    advisors = {u.advisor_id: u for u in User.objects.filter(role=Role.ADVISOR, is_active=True,
                                                               advisor__isnull=False)}
    if not advisors:
        return None
    snaps = list(ClientSnapshot.objects.filter(is_latest=True, tier__in=["vip", "core"],
                                               client__advisor_id__in=list(advisors))
                 .select_related("client").order_by("client__client_id"))
    asked = set(QuestionnaireAnswer.objects.filter(kind="needs").values_list("client_id", flat=True))
    needs = 0
    qn = questionnaire_current(NEEDS)
    for s in snaps:
        rng = random.Random(f"{seed}:needs:{s.client_id}")     # per client: a re-run draws the same
        if s.client_id in asked or rng.random() >= NEEDS_SHARE:
            continue
        user = advisors[s.client.advisor_id]
        via = AnswerVia.ADVISOR if rng.random() < 0.5 else AnswerVia.LINK
        questionnaire_submit(client=s.client, questionnaire=qn, answers=_needs_answers(rng), via=via,
                             user=user if via == AnswerVia.ADVISOR else None,
                             nonce=None if via == AnswerVia.ADVISOR else f"demo-needs-{s.client_id}")
        needs += 1

    satisfied = 0
    sat = questionnaire_current(SATISFACTION)
    for contact, token in satisfaction_links_sample(as_of=as_of, days=60, share=0.3, seed=seed):
        try:
            target = questionnaire_link_open(token=token)
        except LinkInvalid:
            continue
        rng = random.Random(f"{seed}:satisfaction:{contact.pk}")
        score = rng.choice(RECOMMEND)
        good = "5" if score >= 9 else "4" if score >= 7 else rng.choice("123")
        questionnaire_submit(client=target.client, questionnaire=sat, via=AnswerVia.LINK, nonce=target.nonce,
                             contact=target.contact, today=min(as_of, contact.at.date() + timedelta(days=1)),
                             answers={"recommend": str(score), "advisor": good, "timely": rng.choice("345"),
                                      "comment": "" if score >= 7 else rng.choice(["联系太少", "希望多一些策略建议"])})
        satisfied += 1

    planned = 0
    have = set(ServicePlan.objects.filter(versions__isnull=False).values_list("client_id", flat=True))
    today = timezone.localdate()
    for adv_id, user in sorted(advisors.items()):
        vips = [s.client for s in snaps if s.tier == "vip" and s.client.advisor_id == adv_id
                and s.client_id not in have]
        for client in vips[:PLANS_PER_ADVISOR]:
            form = plan_form_initial(client=client, today=today)
            actions = [a for a in form["actions"] if a["what"]]
            fits = suitability_decide(level=client.risk_level, assessed_on=client.risk_assessed_on,
                                      product_risk="R2", today=today)
            if fits.allowed:
                actions.append({"kind": "product", "what": "固定收益类基金", "product": "债券基金（示例）",
                                "product_risk": "R2", "due": today + timedelta(days=21)})
            service_plan_save(user=user, client=client, goals=form["goals"].splitlines() or ["稳健增值"],
                              actions=actions, review_on=form["review_on"], today=today)
            planned += 1
    return (f"questionnaires: {needs} needs surveys, {satisfied} satisfaction answers, "
            f"{planned} service plans for VIP clients")
