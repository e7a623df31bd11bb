"""Fill the ownership bookkeeping for clients that existed before it.

The back office's last word on each advisor is taken to be the current assignment. A client whose current
advisor was set by a reassignment recorded in the audit trail is marked as decided in panhuo, and a
do-not-contact that an advisor logged as a contact outcome as recorded in panhuo, so the next import keeps
both (before this, an import overwrote them).
"""

from django.db import migrations


def backfill(apps, schema_editor):
    Client = apps.get_model("clients", "Client")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    Contact = apps.get_model("workbench", "Contact")
    codes = dict(apps.get_model("clients", "Advisor").objects.values_list("pk", "advisor_id"))
    # The latest recorded reassignment of each client, in time order: the last one wins.
    moved_to: dict[str, str] = {}
    for ids, detail in (AuditEvent.objects.filter(action="client.reassign", outcome="ok")
                        .order_by("at", "id").values_list("object_ids", "detail")):
        for cid in ids or []:
            moved_to[str(cid)] = (detail or {}).get("to", "")
    refused = set(Contact.objects.filter(outcome="do_not_contact").values_list("client_id", flat=True))
    batch = []
    for c in Client.objects.only("pk", "client_id", "advisor_id", "do_not_contact").iterator(chunk_size=5000):
        code = codes.get(c.advisor_id, "")
        c.backoffice_advisor_code = code
        if code and moved_to.get(c.client_id) == code:
            c.assignment_source = "panhuo"
        if c.do_not_contact:
            c.do_not_contact_source = "panhuo" if c.pk in refused else "backoffice"
        batch.append(c)
        if len(batch) >= 2000:
            Client.objects.bulk_update(batch, ["backoffice_advisor_code", "assignment_source", "do_not_contact_source"])
            batch = []
    Client.objects.bulk_update(batch, ["backoffice_advisor_code", "assignment_source", "do_not_contact_source"])


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0003_ownership"),
        ("audit", "0001_initial"),
        ("workbench", "0002_branch_policy"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
