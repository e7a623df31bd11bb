"""Writes: a questionnaire answered (with the advisor, or by the client through a signed link), the link itself,
and the copy of the personality results into the analytical store for the daily run."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

import pyarrow as pa
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from panhuo.accounts.permissions import Capability, require
from panhuo.audit.services import audit_record
from panhuo.clients.models import AnswerVia, Client, ClientSnapshot, DecisionSource, QuestionnaireAnswer
from panhuo.clients.suitability import risk_assessment_record
from panhuo.questionnaires import Questionnaire, QuestionnaireError, score
from panhuo.surveys.files import questionnaire_current

LINK_SALT = "panhuo.surveys.link"


def questionnaire_submit(*, client: Client, questionnaire: Questionnaire, answers: dict[str, str], via: str,
                         user=None, nonce: str | None = None, today: date | None = None,
                         request=None) -> QuestionnaireAnswer:
    """Score and keep one completed questionnaire with the version that scored it.

    A personality answer becomes the client's trading personality at once (the latest snapshot, marked as not
    inferred) and in the next daily run (questionnaires_export); it never touches the risk level. A risk answer is
    a dated risk assessment (clients.suitability.risk_assessment_record: the latest dated one wins).
    """
    if via == AnswerVia.ADVISOR:
        require(user, Capability.SERVE)
    try:
        result = score(questionnaire, answers)
    except QuestionnaireError as exc:
        raise ValidationError(str(exc)) from exc
    today = today or timezone.localdate()
    try:
        with transaction.atomic():
            answer = QuestionnaireAnswer.objects.create(
                client=client, questionnaire=questionnaire.key, version=questionnaire.version,
                kind=questionnaire.kind, answers={q.key: str(answers[q.key]) for q in questionnaire.questions},
                total=result.total, band=result.band.key, taken_on=today, via=via,
                by=user if getattr(user, "pk", None) else None, link_nonce=nonce)
            if questionnaire.kind == "personality":
                ClientSnapshot.objects.filter(client=client, is_latest=True).update(
                    personality=result.band.key, personality_inferred=False)
            elif questionnaire.kind == "risk_tolerance":
                risk_assessment_record(client=client, level=result.band.key, assessed_on=today,
                                       source=DecisionSource.PANHUO, answer=answer, user=user, request=request)
            audit_record(user=user, action="questionnaire.answer", object_type="client",
                         object_ids=[client.client_id], request=request,
                         detail={"questionnaire": questionnaire.key, "version": questionnaire.version,
                                 "total": result.total, "band": result.band.key, "via": via})
    except IntegrityError as exc:      # the link's nonce is unique: a second answer through one link
        raise LinkUsed() from exc
    return answer


class LinkInvalid(Exception):
    """The link was altered or names nothing we know."""


class LinkExpired(LinkInvalid):
    pass


class LinkUsed(LinkInvalid):
    pass


@dataclass
class LinkTarget:
    client: Client
    questionnaire: Questionnaire
    nonce: str


def questionnaire_link_make(*, user, client: Client, key: str, request=None) -> str:
    """A signed token for the client to answer `key` on their phone, without logging in. It names the client and
    the questionnaire, works for PANHUO_QUESTIONNAIRE_LINK_DAYS days and is answered once."""
    require(user, Capability.SERVE)
    questionnaire_current(key)
    nonce = secrets.token_hex(8)
    token = signing.dumps({"c": client.pk, "q": key, "n": nonce}, salt=LINK_SALT, compress=True)
    audit_record(user=user, action="questionnaire.link", object_type="client", object_ids=[client.client_id],
                 request=request, detail={"questionnaire": key, "days": link_days()})
    return token


def link_days() -> int:
    return int(getattr(settings, "PANHUO_QUESTIONNAIRE_LINK_DAYS", 7))


def questionnaire_link_open(*, token: str) -> LinkTarget:
    """What a link names; LinkExpired after its days, LinkUsed once answered, LinkInvalid if altered."""
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=link_days() * 86400)
    except signing.SignatureExpired as exc:
        raise LinkExpired() from exc
    except signing.BadSignature as exc:
        raise LinkInvalid() from exc
    client = Client.objects.filter(pk=data.get("c")).first()
    try:
        qn = questionnaire_current(data.get("q", ""))
    except KeyError as exc:
        raise LinkInvalid() from exc
    if client is None:
        raise LinkInvalid()
    if QuestionnaireAnswer.objects.filter(link_nonce=data["n"]).exists():
        raise LinkUsed()
    return LinkTarget(client=client, questionnaire=qn, nonce=data["n"])


def questionnaires_export(*, wh) -> dict:
    """Copy every personality answer into the warehouse's `questionnaires(client_id, answered_on, score)` table,
    which the analytics read (analytics.features: the latest answer on or before the run's date decides the
    personality, and marks it not inferred). Replaced whole: the answers are few."""
    if wh.read_only:
        return {"written": 0, "skipped": "the warehouse is open read-only"}
    rows = list(QuestionnaireAnswer.objects.filter(kind="personality").order_by("id")
                .values_list("client__client_id", "taken_on", "total"))
    table = pa.table({"client_id": pa.array([r[0] for r in rows], pa.string()),
                      "answered_on": pa.array([r[1] for r in rows], pa.date32()),
                      "score": pa.array([r[2] for r in rows], pa.int32())})
    con = wh.con.cursor()
    con.register("qn_rows", table)
    con.execute("CREATE OR REPLACE TABLE questionnaires AS SELECT * FROM qn_rows")
    con.unregister("qn_rows")
    return {"written": len(rows)}
