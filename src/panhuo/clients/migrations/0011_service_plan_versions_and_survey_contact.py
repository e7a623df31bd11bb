
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def free_text_to_version_1(apps, schema_editor):
    ServicePlan = apps.get_model("clients", "ServicePlan")
    Version = apps.get_model("clients", "ServicePlanVersion")
    rows = []
    for plan in ServicePlan.objects.order_by("pk"):
        if not (plan.text or "").strip() and not (plan.goals or "").strip():
            continue
        goals = [line.strip() for line in (plan.goals or "").splitlines() if line.strip()]
        rows.append(Version(plan_id=plan.pk, version=1, goals=goals, note=(plan.text or "").strip(), actions=[],
                            profile={"migrated": True}, by_id=plan.updated_by_id))
    Version.objects.bulk_create(rows)


class Migration(migrations.Migration):

    dependencies = [
        ('clients', '0010_assessments_and_suitability'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='serviceplan',
            options={'verbose_name': 'service plan', 'verbose_name_plural': 'service plans'},
        ),
        migrations.AddField(
            model_name='questionnaireanswer',
            name='contact',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='clients.contact', verbose_name='contact'),
        ),
        migrations.AddField(
            model_name='serviceplan',
            name='review_on',
            field=models.DateField(blank=True, null=True, verbose_name='review date'),
        ),
        migrations.CreateModel(
            name='ServicePlanVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('version', models.PositiveIntegerField(verbose_name='version')),
                ('profile', models.JSONField(blank=True, default=dict, verbose_name='client profile')),
                ('goals', models.JSONField(blank=True, default=list, verbose_name='goals')),
                ('actions', models.JSONField(blank=True, default=list, verbose_name='actions')),
                ('review_on', models.DateField(blank=True, null=True, verbose_name='review date')),
                ('note', models.TextField(blank=True, verbose_name='note')),
                ('at', models.DateTimeField(auto_now_add=True, verbose_name='saved at')),
                ('by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='by')),
                ('plan', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='versions', to='clients.serviceplan')),
            ],
            options={
                'verbose_name': 'service plan version',
                'verbose_name_plural': 'service plan versions',
                'ordering': ['plan', '-version'],
                'base_manager_name': 'objects',
                'constraints': [models.UniqueConstraint(fields=('plan', 'version'), name='one_plan_version_number')],
            },
        ),
        # The free text of the plans written before the structure becomes version 1 of each: its goals one per
        # line, the plan text as the note, no review date (such a plan does not count as current until an
        # advisor reviews it). Only the new table is written, so the old columns can be dropped right after
        # (PostgreSQL refuses to alter a table with pending trigger events).
        migrations.RunPython(free_text_to_version_1, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='serviceplan',
            name='goals',
        ),
        migrations.RemoveField(
            model_name='serviceplan',
            name='text',
        ),
    ]
