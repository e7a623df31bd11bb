"""`panhuo clients …`: the CLI twins of the client decisions staff make on the pages, for scripting and operations.

Every change is recorded in the audit trail with the acting user: `--as USER` acts as that panhuo user, with
that user's reach and rights (as on the pages); without it the operator logged in to the server acts, recorded
as `os:<login>` (whoever runs the CLI on the server already holds both stores).
"""

from __future__ import annotations

import getpass
from typing import Annotated

import typer

from panhuo.cli.app import app
from panhuo.cli.output import fail, finish

clients_app = typer.Typer(help="Client decisions: reassign, do-not-contact, show one client.", no_args_is_help=True)
app.add_typer(clients_app, name="clients")

CHANNELS = ("phone", "sms", "email", "visit", "event", "wechat")
CHANNEL_HELP = f"Refuse only these channels (repeatable): {', '.join(CHANNELS)}. Without it: every channel."


def _setup() -> None:
    from panhuo.django_setup import require_migrated

    require_migrated()      # sets Django up; stops with "run panhuo migrate first" on a new or old store


def _actor(as_user: str | None, *, as_json: bool):
    """(user or None, actor for the audit trail)."""
    from panhuo.accounts.models import User
    from panhuo.clients.decisions import Actor

    if as_user:
        user = User.objects.filter(username=as_user, is_active=True).first()
        if user is None:
            fail(f"没有此用户 / no such active user: {as_user}", as_json=as_json)
        return user, user
    try:
        login = getpass.getuser()
    except Exception:          # no login name (e.g. a container without one): still say it was the OS
        login = "unknown"
    return None, Actor(username=f"os:{login}", role="operator")


def _client_for(user, client_id: str, *, as_json: bool):
    """The client within `user`'s reach (every client for the operator); the same 'not found' either way."""
    from django.http import Http404

    from panhuo.clients.models import Client
    from panhuo.clients.selectors import client_get_for_user

    try:
        if user is not None:
            return client_get_for_user(user=user, client_id=client_id)
        return Client.objects.select_related("advisor", "branch").get(client_id=client_id)
    except (Http404, Client.DoesNotExist):
        fail(f"找不到客户 / client not found: {client_id}", as_json=as_json, code=2)


def _require_reason(reason: str, *, as_json: bool) -> str:
    reason = (reason or "").strip()
    if len(reason) < 4:
        fail("请说明原因（至少4个字符）/ give the reason (at least 4 characters)", as_json=as_json)
    return reason


@clients_app.command("reassign")
def reassign(
    client_ids: Annotated[list[str], typer.Argument(help="Client codes.")],
    to: str = typer.Option(..., "--to", help="Advisor code to give the clients to."),
    reason: str = typer.Option(..., "--reason", help="Why (kept in the audit trail)."),
    as_user: str = typer.Option(None, "--as", help="Act as this panhuo user (a director or manager)."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable result on stdout."),
) -> None:
    """Give clients to another advisor, as a decision made in panhuo (the next import keeps it)."""
    _setup()
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.http import Http404

    from panhuo.clients.decisions import Source, assignment_apply
    from panhuo.clients.models import Advisor
    from panhuo.workbench.services.clients import client_reassign

    reason = _require_reason(reason, as_json=as_json)
    user, actor = _actor(as_user, as_json=as_json)
    try:
        if user is not None:
            moved = client_reassign(user=user, client_ids=client_ids, advisor_id=to, reason=reason, source=Source.CLI)
        else:
            advisor = Advisor.objects.filter(advisor_id=to, active=True).first()
            if advisor is None:
                fail(f"找不到在职的投资顾问 / no active advisor: {to}", as_json=as_json, code=2)
            clients = [_client_for(None, c, as_json=as_json) for c in dict.fromkeys(client_ids)]
            if any(c.branch_id != advisor.branch_id for c in clients):
                fail("客户与投资顾问不在同一营业部 / clients and advisor are in different branches", as_json=as_json)
            moved = assignment_apply(clients=clients, advisor=advisor, source=Source.CLI, actor=actor, reason=reason)
    except (Http404, PermissionDenied):
        fail("找不到客户或投资顾问，或无权操作 / client or advisor not found, or not allowed", as_json=as_json, code=2)
    except ValidationError as exc:
        fail("; ".join(exc.messages), as_json=as_json)
    finish({"ok": True, "moved": moved, "to": to, "clients": sorted(set(client_ids)), "by": actor.username},
           as_json=as_json, summary=f"已改派 {moved} 位客户给 {to} / {moved} client(s) reassigned to {to}")


@clients_app.command("do-not-contact")
def do_not_contact(
    client_id: str,
    reason: str = typer.Option(..., "--reason", help="Why (kept in the audit trail)."),
    channel: list[str] = typer.Option(None, "--channel", help=CHANNEL_HELP),
    as_user: str = typer.Option(None, "--as", help="Act as this panhuo user."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable result on stdout."),
) -> None:
    """Record that a client must not be contacted (every channel, or the channels named): open tasks close,
    campaign sends and daily tasks stop, and no import clears it."""
    _setup()
    from django.core.exceptions import PermissionDenied

    from panhuo.accounts.permissions import Capability, can
    from panhuo.clients.decisions import Source, do_not_contact_apply

    reason = _require_reason(reason, as_json=as_json)
    bad = sorted(set(channel or ()) - set(CHANNELS))
    if bad:
        fail(f"未知渠道 / unknown channel: {', '.join(bad)}", as_json=as_json)
    user, actor = _actor(as_user, as_json=as_json)
    client = _client_for(user, client_id, as_json=as_json)
    if user is not None and not can(user, Capability.SERVE):
        fail("此用户无权记录拒绝联系 / this user may not record a refusal", as_json=as_json, code=2)
    try:
        if channel:
            _refuse_channels(client=client, channels=list(dict.fromkeys(channel)), user=user, actor=actor,
                             reason=reason)
            changed = len(channel)
        else:
            changed = do_not_contact_apply(clients=[client], source=Source.CLI, actor=actor, reason=reason)
    except PermissionDenied:
        fail("无权操作 / not allowed", as_json=as_json, code=2)
    finish({"ok": True, "client_id": client.client_id, "channels": channel or "all", "changed": changed,
            "by": actor.username}, as_json=as_json,
           summary=f"已记录 {client.client_id} 拒绝联系（{'、'.join(channel) if channel else '全部渠道'}）"
                   f" / do-not-contact recorded for {client.client_id} ({', '.join(channel) if channel else 'all'})")


def _refuse_channels(*, client, channels: list[str], user, actor, reason: str) -> None:
    """A refusal per channel in the consent ledger (the truth for sends), audited with the actor."""
    from django.db import transaction
    from django.utils import timezone

    from panhuo.audit.services import audit_record
    from panhuo.clients.models import ConsentRecord, ConsentSource

    with transaction.atomic():
        for ch in channels:
            ConsentRecord.objects.create(client=client, channel=ch, granted=False, source=ConsentSource.ADVISOR,
                                         note=reason[:200], at=timezone.now(), recorded_by=user)
        audit_record(user=actor, action="consent.record", object_type="client", object_ids=[client.client_id],
                     detail={"channels": channels, "granted": False, "source": "cli", "reason": reason[:500]})


@clients_app.command("show")
def show(
    client_id: str,
    unmask: bool = typer.Option(False, "--unmask", help="Show ID number and phone in clear (needs --reason)."),
    reason: str = typer.Option("", "--reason", help="Why the clear values are needed (audited)."),
    as_user: str = typer.Option(None, "--as", help="Act as this panhuo user."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable result on stdout."),
) -> None:
    """One client's master record and decisions; personal fields masked unless --unmask with a reason."""
    _setup()
    from panhuo.accounts.permissions import Capability, can
    from panhuo.audit.services import audit_record
    from panhuo.clients.consent import consent_state
    from panhuo.clients.masking import mask_id_number, mask_phone

    user, actor = _actor(as_user, as_json=as_json)
    c = _client_for(user, client_id, as_json=as_json)
    if unmask:
        reason = _require_reason(reason, as_json=as_json)
        if user is not None and not can(user, Capability.UNMASK):
            audit_record(user=actor, action="client.unmask", object_type="client", object_ids=[c.client_id],
                         outcome="denied", detail={"source": "cli"})
            fail("此用户无权查看明文 / this user may not see clear values", as_json=as_json, code=2)
    consent = {}
    for ch in CHANNELS:
        state = consent_state(client_ids=[c.pk], channel=ch).get(c.pk)
        consent[ch] = "refused" if c.do_not_contact or state is False else ("granted" if state else "not_recorded")
    data = {
        "client_id": c.client_id, "name": c.name, "branch_id": c.branch.branch_id,
        "advisor_id": c.advisor.advisor_id if c.advisor_id else None, "assigned_on": c.assigned_on,
        "assignment_source": c.assignment_source, "backoffice_advisor_id": c.backoffice_advisor_code or None,
        "do_not_contact": c.do_not_contact, "do_not_contact_source": c.do_not_contact_source or None,
        "status": c.status, "risk_level": c.risk_level, "risk_assessed_on": c.risk_assessed_on,
        "phone": c.phone if unmask else mask_phone(c.phone),
        "id_number": c.id_number if unmask else mask_id_number(c.id_number),
        "masked": not unmask, "consent": consent,
    }
    audit_record(user=actor, action="client.unmask" if unmask else "client.view", object_type="client",
                 object_ids=[c.client_id], detail={"source": "cli", **({"reason": reason[:500]} if unmask else {})})
    summary = "\n".join(f"{k}: {v}" for k, v in data.items() if k != "consent") + "\nconsent: " + ", ".join(
        f"{k}={v}" for k, v in consent.items())
    finish(data, as_json=as_json, summary=summary)
