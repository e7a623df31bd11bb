from __future__ import annotations

import io

from openpyxl import load_workbook


def state_fingerprint() -> tuple:
    """Everything a client-scoped write could change; equal before and after means nothing was written."""
    from panhuo.clients.models import (
        Client,
        ClientFunnel,
        Contact,
        FunnelEvent,
        ServicePlan,
        ServicePlanVersion,
        Task,
    )

    return (
        tuple(Client.objects.order_by("pk").values_list("client_id", "advisor_id", "assigned_on", "do_not_contact")),
        tuple(Task.objects.order_by("pk").values_list("pk", "status", "advisor_id", "snoozed_until")),
        Contact.objects.count(), FunnelEvent.objects.count(),
        tuple(ClientFunnel.objects.order_by("pk").values_list("pk", "stage")),
        tuple(ServicePlan.objects.order_by("pk").values_list("pk", "review_on")), ServicePlanVersion.objects.count(),
    )


def xlsx_rows(content: bytes) -> list[list]:
    ws = load_workbook(io.BytesIO(content), read_only=True).active
    return [list(r) for r in ws.iter_rows(values_only=True)]


def personal_strings(client) -> list[str]:
    """What must never appear in a response to someone out of the client's reach."""
    return [s for s in (client.name, client.phone, client.id_number, f"计划{client.client_id}",
                        f"备注{client.client_id}", f"理由{client.client_id}") if s]
