"""Reads: the assessments section of the client 360 page, and a questionnaire laid out for a form."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from panhuo.analytics.kpis import nps_group
from panhuo.clients import facts
from panhuo.clients.models import QuestionnaireAnswer, SuitabilityRecord
from panhuo.clients.registry import ClientPanel
from panhuo.clients.suitability import assessment_expires_on
from panhuo.questionnaires import Questionnaire
from panhuo.questionnaires.engine import TEXT
from panhuo.surveys.files import (
    NEEDS,
    PERSONALITY,
    RISK,
    SATISFACTION,
    questionnaire_current,
    questionnaire_version,
)
from panhuo.surveys.services import satisfaction_independent


def lang() -> str:
    return "en" if (get_language() or "").startswith("en") else "zh"


def questionnaire_form(qn: Questionnaire, *, chosen: dict | None = None) -> dict:
    """The questionnaire in the page's language: title, intro, and per question its text and options."""
    zh = lang() == "zh"
    chosen = chosen or {}
    return {"key": qn.key, "version": qn.version, "title": qn.title_zh if zh else qn.title_en,
            "intro": qn.intro_zh if zh else qn.intro_en, "source": qn.source_zh if zh else qn.source_en,
            "banded": bool(qn.bands),
            "questions": [{"key": q.key, "n": i, "text": q.zh if zh else q.en, "type": q.type,
                           "required": q.required, "scale": len(q.options) > 6,
                           "value": chosen.get(q.key, "") if q.type == TEXT else "",
                           "options": [{"key": o.key, "text": o.zh if zh else o.en,
                                        "checked": _chosen(chosen.get(q.key), o.key)} for o in q.options]}
                          for i, q in enumerate(qn.questions, 1)]}


def _chosen(value, key: str) -> bool:
    return key in value if isinstance(value, list) else value == key


def _personality_label(band: str) -> str:
    qn = questionnaire_current(PERSONALITY)
    return qn.label(band, lang())


def personality_of(*, client) -> dict | None:
    """The client's trading personality: the latest self-assessment (自评) where there is one, else the daily
    run's inference (推断) from trading behaviour."""
    answer = facts.latest_answer(client, "personality")
    if answer is not None:
        qn = questionnaire_version(answer.questionnaire, answer.version) or questionnaire_current(PERSONALITY)
        return {"label": qn.label(answer.band, lang()), "self_assessed": True, "on": answer.taken_on,
                "total": answer.total, "version": answer.version}
    snap = facts.latest_snapshot(client)
    if snap is None or not snap.personality:
        return None
    return {"label": _personality_label(snap.personality), "self_assessed": False, "on": snap.as_of}


def risk_state(*, client, today=None) -> dict:
    today = today or timezone.localdate()
    expires = assessment_expires_on(client.risk_assessed_on)
    return {"level": client.risk_level or "", "label": client.get_risk_level_display() if client.risk_level else "",
            "assessed_on": client.risk_assessed_on, "expires_on": expires, "source": client.risk_source,
            "source_label": client.get_risk_source_display() if client.risk_source else "",
            "expired": bool(client.risk_level) and (expires is None or today >= expires),
            "missing": not client.risk_level}


def answer_labelled(answer: QuestionnaireAnswer) -> dict:
    """A kept answer in the page's language: per question its text and the chosen option(s) or text, with the
    version that asked it."""
    qn = questionnaire_version(answer.questionnaire, answer.version)
    zh = lang() == "zh"
    rows = {}
    for q in (qn.questions if qn else ()):
        value = answer.answers.get(q.key)
        if q.type == TEXT:
            shown = value or ""
        else:
            keys = value if isinstance(value, list) else ([value] if value not in (None, "") else [])
            shown = [(o.zh if zh else o.en) for o in q.options if o.key in keys]
        rows[q.key] = {"question": q.zh if zh else q.en, "value": shown, "multi": isinstance(shown, list)}
    return {"on": answer.taken_on, "version": answer.version, "via": answer.get_via_display(), "rows": rows,
            "title": (qn.title_zh if zh else qn.title_en) if qn else answer.questionnaire, "answer": answer}


def needs_of(*, client) -> dict | None:
    """The client's latest needs survey (客户需求调查), labelled, or None."""
    answer = facts.latest_answer(client, "needs")
    return answer_labelled(answer) if answer else None


def satisfaction_of(*, client, limit: int = 3) -> list[dict]:
    """The client's latest satisfaction answers: the 0–10 recommend score, its group (analytics.kpis), comment."""
    out = []
    for a in facts.answers(client, "satisfaction")[:limit]:
        out.append({"on": a.taken_on, "score": a.total, "group": nps_group_label(a.total),
                    "comment": a.answers.get("comment", ""), "via": a.get_via_display(), "contact": a.contact})
    return out


def nps_group_label(score: int) -> str:
    return {"promoter": _("promoter"), "passive": _("passive"), "detractor": _("detractor")}[nps_group(score)]


def assessment_panel(*, client, user) -> ClientPanel:
    """Personality (自评 / 推断), the regulatory risk level with its validity, the needs survey, the last
    satisfaction answers, the questionnaires to take, and the last suitability records (checks, warnings,
    overrides). The satisfaction links are offered per recent contact; recording the answer in-app is offered
    only to staff independent of the service (surveys.services.satisfaction_independent)."""
    records = list(SuitabilityRecord.objects.filter(client=client).order_by("-at", "-id")[:5])
    contacts = facts.contacts(client)[:3]
    return ClientPanel(name="assessments", template="surveys/partials/assessment_card.html", context={
        "assess": {"personality": personality_of(client=client), "risk": risk_state(client=client),
                   "needs": needs_of(client=client), "satisfaction": satisfaction_of(client=client),
                   "contacts": contacts, "independent": _independent(user, client),
                   "records": records, "personality_key": PERSONALITY, "risk_key": RISK, "needs_key": NEEDS,
                   "satisfaction_key": SATISFACTION}})


def _independent(user, client) -> bool:
    return satisfaction_independent(user=user, client=client)
