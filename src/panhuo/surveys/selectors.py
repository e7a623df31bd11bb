"""Reads: the assessments section of the client 360 page, and a questionnaire laid out for a form."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import get_language

from panhuo.clients.models import ClientSnapshot, QuestionnaireAnswer, SuitabilityRecord
from panhuo.clients.registry import ClientPanel
from panhuo.clients.suitability import assessment_expires_on
from panhuo.questionnaires import Questionnaire
from panhuo.surveys.files import PERSONALITY, RISK, questionnaire_current, questionnaire_version


def lang() -> str:
    return "en" if (get_language() or "").startswith("en") else "zh"


def questionnaire_form(qn: Questionnaire, *, chosen: dict | None = None) -> dict:
    """The questionnaire in the page's language: title, intro, and per question its text and options."""
    zh = lang() == "zh"
    chosen = chosen or {}
    return {"key": qn.key, "version": qn.version, "title": qn.title_zh if zh else qn.title_en,
            "intro": qn.intro_zh if zh else qn.intro_en, "source": qn.source_zh if zh else qn.source_en,
            "questions": [{"key": q.key, "n": i, "text": q.zh if zh else q.en,
                           "options": [{"key": o.key, "text": o.zh if zh else o.en,
                                        "checked": chosen.get(q.key) == o.key} for o in q.options]}
                          for i, q in enumerate(qn.questions, 1)]}


def _personality_label(band: str) -> str:
    qn = questionnaire_current(PERSONALITY)
    return qn.label(band, lang())


def personality_of(*, client) -> dict | None:
    """The client's trading personality: the latest self-assessment (自评) where there is one, else the daily
    run's inference (推断) from trading behaviour."""
    answer = (QuestionnaireAnswer.objects.filter(client=client, kind="personality").order_by("-taken_on", "-id")
              .first())
    if answer is not None:
        qn = questionnaire_version(answer.questionnaire, answer.version) or questionnaire_current(PERSONALITY)
        return {"label": qn.label(answer.band, lang()), "self_assessed": True, "on": answer.taken_on,
                "total": answer.total, "version": answer.version}
    snap = ClientSnapshot.objects.filter(client=client, is_latest=True).only("personality", "as_of").first()
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


def assessment_panel(*, client, user) -> ClientPanel:
    """Personality (自评 / 推断), the regulatory risk level with its validity, the questionnaires to take, and the
    last suitability records (checks, warnings, overrides)."""
    records = list(SuitabilityRecord.objects.filter(client=client).order_by("-at", "-id")[:5])
    return ClientPanel(name="assessments", template="surveys/partials/assessment_card.html", context={
        "assess": {"personality": personality_of(client=client), "risk": risk_state(client=client),
                   "records": records, "personality_key": PERSONALITY, "risk_key": RISK}})
