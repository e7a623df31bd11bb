"""Chain the events written before the chain existed, in the order they happened (at, then id)."""

from django.db import migrations

from panhuo.audit.chain import GENESIS, event_hash, fields_of

BATCH = 2000


def chain(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    # The order first, then the rows chunk by chunk: SQLite leaves a read undefined while its table is updated.
    ids = list(AuditEvent.objects.order_by("at", "id").values_list("id", flat=True))
    seq, prev = 0, GENESIS
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        events = AuditEvent.objects.in_bulk(chunk)
        batch = []
        for pk in chunk:
            event = events[pk]
            seq += 1
            event.seq, event.prev_hash = seq, prev
            event.hash = prev = event_hash(fields_of(event))
            batch.append(event)
        AuditEvent.objects.bulk_update(batch, ["seq", "prev_hash", "hash"])
    AuditChainHead.objects.update_or_create(pk=1, defaults={"seq": seq, "hash": prev})


def unchain(apps, schema_editor):
    apps.get_model("audit", "AuditChainHead").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [("audit", "0002_chain_fields")]

    operations = [migrations.RunPython(chain, unchain)]
