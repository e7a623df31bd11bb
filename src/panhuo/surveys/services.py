"""Writes: a questionnaire answered (with the advisor, or by the client through a signed link), the link itself,
and the copy of the personality results into the analytical store for the daily run."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

import pyarrow as pa
from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from panhuo.accounts.permissions import Capability, can, require
from panhuo.audit.services import audit_record
from panhuo.clients.links import LinkExpired, LinkInvalid, signed_read  # noqa: F401 (the views catch them from here)
from panhuo.clients.models import (
    AnswerVia,
    Client,
    ClientSnapshot,
    Contact,
    DecisionSource,
    Outcome,
    QuestionnaireAnswer,
)
from panhuo.clients.suitability import risk_assessment_record
from panhuo.questionnaires import Questionnaire, QuestionnaireError, score
from panhuo.surveys.files import SATISFACTION, questionnaire_current

LINK_SALT = "panhuo.surveys.link"


class NotIndependent(PermissionDenied):
    """A satisfaction answer recorded in-app by the advisor it rates (or by whoever logged the contact)."""


def satisfaction_independent(*, user, client: Client, contact: Contact | None = None) -> bool:
    """May `user` record a client's satisfaction answer in-app? Only staff independent of the service rated: not
    the client's advisor, not the advisor of the contact nor whoever logged it. A figure its own subject can
    fill in is not a measurement, so the advisor's route is the client's own link."""
    if not can(user, Capability.SERVE):
        return False
    mine = getattr(user, "advisor_id", None)
    if mine and (mine == client.advisor_id or (contact is not None and mine == contact.advisor_id)):
        return False
    return not (contact is not None and contact.by_id == user.pk)


def questionnaire_submit(*, client: Client, questionnaire: Questionnaire, answers: dict, via: str,
                         user=None, nonce: str | None = None, today: date | None = None,
                         contact: Contact | None = None, request=None) -> QuestionnaireAnswer:
    """Score and keep one completed questionnaire with the version that scored it.

    A personality answer becomes the client's trading personality at once (the latest snapshot, marked as not
    inferred) and in the next daily run (questionnaires_export); it never touches the risk level. A risk answer is
    a dated risk assessment (clients.suitability.risk_assessment_record: the latest dated one wins). A needs survey
    is kept as answered (the service plan reads the latest). A satisfaction answer in-app is refused unless the user
    is independent of the service it rates (satisfaction_independent); through the client's link it always counts.
    """
    if via == AnswerVia.ADVISOR:
        require(user, Capability.SERVE)
        if questionnaire.kind == SATISFACTION and not satisfaction_independent(user=user, client=client,
                                                                              contact=contact):
            audit_record(user=user, action="questionnaire.answer", object_type="client", outcome="denied",
                         object_ids=[client.client_id], request=request,
                         detail={"questionnaire": questionnaire.key, "why": "not independent"})
            raise NotIndependent()
    if contact is not None and contact.client_id != client.pk:
        raise ValidationError("the contact is not this client's")
    try:
        result = score(questionnaire, answers)
    except QuestionnaireError as exc:
        raise ValidationError(str(exc)) from exc
    today = today or timezone.localdate()
    try:
        with transaction.atomic():
            answer = QuestionnaireAnswer.objects.create(
                client=client, questionnaire=questionnaire.key, version=questionnaire.version,
                kind=questionnaire.kind, answers=result.answers, total=result.total,
                band=result.band.key if result.band else "", taken_on=today, via=via, contact=contact,
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
                                 "total": result.total, "band": result.band.key if result.band else "",
                                 "via": via, "contact": contact.pk if contact else None})
    except IntegrityError as exc:      # the link's nonce is unique: a second answer through one link
        raise LinkUsed() from exc
    return answer


class LinkUsed(LinkInvalid):
    """The questionnaire was answered through this link already."""


@dataclass
class LinkTarget:
    client: Client
    questionnaire: Questionnaire
    nonce: str
    contact: Contact | None = None


def questionnaire_link_make(*, user, client: Client, key: str, contact: Contact | None = None,
                            request=None) -> str:
    """A signed token for the client to answer `key` on their phone, without logging in. It names the client and
    the questionnaire (and, for a satisfaction survey, the contact it asks about), works for
    PANHUO_QUESTIONNAIRE_LINK_DAYS days and is answered once. `user` None: made by the system (the sample of
    recent contacts, satisfaction_links_sample)."""
    if user is not None:
        require(user, Capability.SERVE)
    questionnaire_current(key)
    if contact is not None and contact.client_id != client.pk:
        raise ValidationError("the contact is not this client's")
    nonce = secrets.token_hex(8)
    data = {"c": client.pk, "q": key, "n": nonce}
    if contact is not None:
        data["k"] = contact.pk
    token = signing.dumps(data, salt=LINK_SALT, compress=True)
    audit_record(user=user, action="questionnaire.link", object_type="client", object_ids=[client.client_id],
                 request=request, detail={"questionnaire": key, "days": link_days(),
                                          "contact": contact.pk if contact else None})
    return token


def link_days() -> int:
    return int(getattr(settings, "PANHUO_QUESTIONNAIRE_LINK_DAYS", 7))


def questionnaire_link_open(*, token: str) -> LinkTarget:
    """What a link names; LinkExpired after its days, LinkUsed once answered, LinkInvalid if altered."""
    data = signed_read(token, salt=LINK_SALT, days=link_days())
    client = Client.objects.filter(pk=data.get("c")).first()
    try:
        qn = questionnaire_current(data.get("q", ""))
    except KeyError as exc:
        raise LinkInvalid() from exc
    if client is None:
        raise LinkInvalid()
    if QuestionnaireAnswer.objects.filter(link_nonce=data["n"]).exists():
        raise LinkUsed()
    contact = None
    if data.get("k") is not None:
        contact = Contact.objects.filter(pk=data["k"], client=client).first()
        if contact is None:
            raise LinkInvalid()
    return LinkTarget(client=client, questionnaire=qn, nonce=data["n"], contact=contact)


def satisfaction_links_sample(*, as_of: date, days: int = 7, share: float = 0.2, seed: int = 0,
                              advisor_ids=None) -> list[tuple[Contact, str]]:
    """A sample of the contacts of the last `days` days that reached the client, each with a satisfaction link
    made by the system (not by the advisor rated), for the branch's usual channel to send. At most one per client,
    contacts already asked about are left out; the sample is the same for the same seed and day."""
    reached = (Outcome.REACHED, Outcome.INTERESTED, Outcome.DECLINED)
    asked = set(QuestionnaireAnswer.objects.filter(kind=SATISFACTION, contact__isnull=False)
                .values_list("contact_id", flat=True))
    qs = (Contact.objects.filter(outcome__in=reached, at__date__gt=as_of - timedelta(days=days),
                                 at__date__lte=as_of).exclude(client__do_not_contact=True)
          .select_related("client").order_by("client_id", "-at", "-id"))
    if advisor_ids is not None:
        qs = qs.filter(advisor_id__in=list(advisor_ids))
    latest: dict[int, Contact] = {}
    for c in qs:
        if c.pk not in asked:
            latest.setdefault(c.client_id, c)
    # Each contact's draw depends only on the seed, the day and the contact, so a re-run picks the same ones.
    chosen = [c for c in latest.values() if random.Random(f"{seed}:{as_of.isoformat()}:{c.pk}").random() < share]
    return [(c, questionnaire_link_make(user=None, client=c.client, key=SATISFACTION, contact=c)) for c in chosen]


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
