"""Logging a contact: the record, the funnel move, the follow-up task, do-not-contact, the audit."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from panhuo.accounts.models import User
from panhuo.accounts.permissions import Capability, require
from panhuo.audit.services import audit_record
from panhuo.clients.decisions import Source, do_not_contact_apply
from panhuo.clients.models import OPEN_STATUSES, Channel, Client, Contact, Outcome, Task, TaskKind, TaskStatus
from panhuo.workbench.services.funnel import funnel_apply_contact
from panhuo.workbench.services.tasks import FOLLOW_UP_PRIORITY


def contact_log(*, user: User, client: Client, channel: str, outcome: str, note: str = "",
                next_follow_up: date | None = None, task_id: int | None = None,
                at: datetime | None = None, request=None) -> Contact:
    """Record one contact with a client the user may serve, and everything that follows from its outcome.
    `client` was resolved through the access rule by the caller (out of reach was a 404 there)."""
    require(user, Capability.SERVE)
    if channel not in Channel.values:
        raise ValidationError({"channel": "unknown channel"})
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": "unknown outcome"})
    at = at or timezone.now()
    if next_follow_up is not None and next_follow_up < timezone.localdate(at):
        raise ValidationError({"next_follow_up": "the next follow-up cannot be in the past"})
    if outcome == Outcome.DO_NOT_CONTACT:
        next_follow_up = None
    with transaction.atomic():
        contact = Contact.objects.create(client=client, advisor_id=client.advisor_id, by=user, channel=channel,
                                         outcome=outcome, note=note.strip()[:4000], next_follow_up=next_follow_up,
                                         at=at)
        open_tasks = Task.objects.filter(client=client, status__in=OPEN_STATUSES)
        # The contact answers the task it came from and any follow-up that was waiting for it.
        closing = open_tasks.filter(kind=TaskKind.FOLLOW_UP)
        if task_id is not None:
            closing = closing | open_tasks.filter(pk=task_id)
        closing.update(status=TaskStatus.DONE, closed_at=at)
        if outcome == Outcome.DO_NOT_CONTACT:     # every channel stops; no import clears it (clients.ownership)
            do_not_contact_apply(clients=[client], source=Source.CONTACT, actor=user, reason=note.strip()[:200],
                                 at=at, request=request)
        if next_follow_up is not None and client.advisor_id:
            Task.objects.create(client=client, advisor_id=client.advisor_id, kind=TaskKind.FOLLOW_UP,
                                priority=FOLLOW_UP_PRIORITY, reason_zh=f"约定{next_follow_up:%m月%d日}回访",
                                reason_en=f"Follow-up agreed for {next_follow_up:%d %b}", script_key="follow_up",
                                due=next_follow_up, source_contact=contact, created_on=timezone.localdate(at))
        event = funnel_apply_contact(contact=contact)
        audit_record(user=user, action="contact.log", object_type="client", object_ids=[client.client_id],
                     detail={"channel": channel, "outcome": outcome, "stage": event.stage if event else None},
                     request=request)
    return contact
