"""Every event is in the chain (seq required and unique); triggers refuse UPDATE and DELETE below the ORM.

The triggers come last: on SQLite, altering a column rebuilds the table and drops the triggers on it.
"""

from django.db import migrations, models


def create_triggers(apps, schema_editor):
    from panhuo.audit.triggers import triggers_create

    triggers_create(schema_editor.connection)


def drop_triggers(apps, schema_editor):
    from panhuo.audit.triggers import triggers_drop

    triggers_drop(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [("audit", "0003_chain_existing_events")]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(unique=True, verbose_name="sequence number"),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
