"""A task kind for the handover after an approved allocation (issue #17): the new advisor introduces themself."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("clients", "0006_moved_content_types"),
    ]

    operations = [
        migrations.AlterField(
            model_name="task",
            name="kind",
            field=models.CharField(choices=[("campaign", "Campaign"), ("protection", "New assignment"),
                                            ("churn_risk", "High churn risk"),
                                            ("dormant_reachable", "Dormant, likely reachable"),
                                            ("follow_up", "Follow-up due"), ("handover", "Handover introduction")],
                                   max_length=20, verbose_name="kind"),
        ),
    ]
