"""The service records move into the shared core: workbench's tasks, contacts, funnel, plans, series and
branch policy, campaigns' consent ledger, unsubscribe keys and contact points, marketweb's market day."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('marketweb', '0001_initial'),
        ('campaigns', '0006_unsubscribe_key'),
        ('workbench', '0002_branch_policy'),
        ('clients', '0004_ownership_backfill'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # State only: the tables stay where they are (db_table keeps their names); only Django's idea of which
        # app owns the models changes. A wave-1 database keeps every row (tests/clients/test_migrations.py).
        migrations.SeparateDatabaseAndState(state_operations=[
                migrations.CreateModel(
                    name='BranchPolicy',
                    fields=[
                        ('branch', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='workbench_policy', serialize=False, to='clients.branch')),
                        ('protection_days', models.PositiveSmallIntegerField(default=7, verbose_name='protection period (days)')),
                    ],
                    options={
                        'verbose_name': 'branch service policy',
                        'verbose_name_plural': 'branch service policies',
                        'db_table': 'workbench_branchpolicy',
                    },
                ),
                migrations.CreateModel(
                    name='ClientSeries',
                    fields=[
                        ('client', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='series', serialize=False, to='clients.client')),
                        ('as_of', models.DateField()),
                        ('weeks', models.JSONField(default=list)),
                        ('transfers', models.JSONField(default=list)),
                        ('trade_days', models.JSONField(default=list)),
                        ('positions', models.JSONField(default=list)),
                    ],
                    options={
                        'db_table': 'workbench_clientseries',
                    },
                ),
                migrations.CreateModel(
                    name='MarketDay',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('date', models.DateField(unique=True)),
                        ('index_symbol', models.CharField(max_length=12)),
                        ('regime', models.CharField(max_length=16)),
                        ('phase', models.CharField(max_length=1)),
                        ('position', models.FloatField()),
                        ('gauge', models.JSONField(default=dict)),
                        ('charts', models.JSONField(default=dict)),
                        ('pools', models.JSONField(default=dict)),
                        ('report', models.JSONField(default=dict)),
                        ('computed_at', models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        'db_table': 'marketweb_marketday',
                        'ordering': ['-date'],
                    },
                ),
                migrations.CreateModel(
                    name='ClientFunnel',
                    fields=[
                        ('client', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='funnel', serialize=False, to='clients.client')),
                        ('track', models.CharField(choices=[('normal', 'Normal'), ('dormant', 'Dormant')], max_length=8)),
                        ('stage', models.CharField(choices=[('A', 'A watching'), ('B', 'B selecting'), ('C', 'C trading'), ('D', 'D deal')], max_length=1)),
                        ('since', models.DateField()),
                        ('b_on', models.DateField(blank=True, null=True)),
                        ('c_on', models.DateField(blank=True, null=True)),
                    ],
                    options={
                        'db_table': 'workbench_clientfunnel',
                        'indexes': [models.Index(fields=['stage', 'track'], name='workbench_c_stage_833efd_idx')],
                    },
                ),
                migrations.CreateModel(
                    name='Contact',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('channel', models.CharField(choices=[('phone', 'Phone'), ('sms', 'SMS'), ('email', 'Email'), ('visit', 'Visit'), ('event', 'Event'), ('wechat', 'WeChat')], max_length=10, verbose_name='channel')),
                        ('outcome', models.CharField(choices=[('reached', 'Reached'), ('not_reached', 'Not reached'), ('interested', 'Interested'), ('declined', 'Declined'), ('do_not_contact', 'Do not contact')], max_length=16, verbose_name='outcome')),
                        ('note', models.TextField(blank=True, verbose_name='note')),
                        ('next_follow_up', models.DateField(blank=True, null=True, verbose_name='next follow-up')),
                        ('at', models.DateTimeField(db_index=True, verbose_name='time')),
                        ('advisor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='contacts', to='clients.advisor')),
                        ('by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('client', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='contacts', to='clients.client')),
                    ],
                    options={
                        'verbose_name': 'contact',
                        'verbose_name_plural': 'contacts',
                        'db_table': 'workbench_contact',
                        'ordering': ['-at'],
                    },
                ),
                migrations.CreateModel(
                    name='ContactPoint',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('channel', models.CharField(choices=[('phone', 'Phone'), ('sms', 'SMS'), ('email', 'Email'), ('visit', 'Visit'), ('event', 'Event'), ('wechat', 'WeChat')], max_length=10)),
                        ('address', models.CharField(max_length=200)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('client', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='contact_points', to='clients.client')),
                    ],
                    options={
                        'db_table': 'campaigns_contactpoint',
                    },
                ),
                migrations.CreateModel(
                    name='FunnelEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('track', models.CharField(choices=[('normal', 'Normal'), ('dormant', 'Dormant')], max_length=8)),
                        ('stage', models.CharField(choices=[('A', 'A watching'), ('B', 'B selecting'), ('C', 'C trading'), ('D', 'D deal')], max_length=1)),
                        ('source', models.CharField(choices=[('contact', 'Contact'), ('trade', 'Trade')], max_length=8)),
                        ('at', models.DateTimeField()),
                        ('on', models.DateField(help_text='business date the stage was reached')),
                        ('client', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='funnel_events', to='clients.client')),
                        ('contact', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='clients.contact')),
                    ],
                    options={
                        'db_table': 'workbench_funnelevent',
                        'ordering': ['at', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='ServicePlan',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('text', models.TextField(blank=True, verbose_name='plan')),
                        ('goals', models.TextField(blank=True, verbose_name='goals')),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('client', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='service_plan', to='clients.client')),
                        ('updated_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'workbench_serviceplan',
                    },
                ),
                migrations.CreateModel(
                    name='Task',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('campaign', 'Campaign'), ('protection', 'New assignment'), ('churn_risk', 'High churn risk'), ('dormant_reachable', 'Dormant, likely reachable'), ('follow_up', 'Follow-up due')], max_length=20, verbose_name='kind')),
                        ('priority', models.IntegerField(default=0, verbose_name='priority')),
                        ('reason_zh', models.CharField(blank=True, max_length=255)),
                        ('reason_en', models.CharField(blank=True, max_length=255)),
                        ('script_key', models.CharField(blank=True, max_length=40)),
                        ('due', models.DateField(blank=True, null=True, verbose_name='due')),
                        ('status', models.CharField(choices=[('open', 'Open'), ('done', 'Done'), ('snoozed', 'Snoozed'), ('handed_back', 'Handed back')], default='open', max_length=12, verbose_name='status')),
                        ('snoozed_until', models.DateField(blank=True, null=True)),
                        ('created_on', models.DateField()),
                        ('closed_at', models.DateTimeField(blank=True, null=True)),
                        ('advisor', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='tasks', to='clients.advisor')),
                        ('client', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='tasks', to='clients.client')),
                        ('source_contact', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='follow_up_task', to='clients.contact')),
                    ],
                    options={
                        'verbose_name': 'task',
                        'verbose_name_plural': 'tasks',
                        'db_table': 'workbench_task',
                    },
                ),
                migrations.CreateModel(
                    name='UnsubscribeKey',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('key', models.CharField(max_length=32, unique=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('client', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='unsubscribe_key', to='clients.client')),
                    ],
                    options={
                        'db_table': 'campaigns_unsubscribekey',
                    },
                ),
                migrations.CreateModel(
                    name='ConsentRecord',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('channel', models.CharField(choices=[('phone', 'Phone'), ('sms', 'SMS'), ('email', 'Email'), ('visit', 'Visit'), ('event', 'Event'), ('wechat', 'WeChat')], max_length=10, verbose_name='channel')),
                        ('granted', models.BooleanField(verbose_name='consent')),
                        ('source', models.CharField(choices=[('reply', 'SMS reply (退订/TD)'), ('link', 'Unsubscribe link'), ('advisor', "Advisor's note"), ('form', 'Signed form'), ('import', 'Imported')], max_length=10, verbose_name='source')),
                        ('note', models.CharField(blank=True, max_length=200, verbose_name='note')),
                        ('at', models.DateTimeField(verbose_name='time')),
                        ('client', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='consents', to='clients.client')),
                        ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'campaigns_consentrecord',
                        'ordering': ['-at', '-id'],
                        'indexes': [models.Index(fields=['client', 'channel', '-at'], name='campaigns_c_client__818db9_idx')],
                    },
                ),
                migrations.AddIndex(
                    model_name='contact',
                    index=models.Index(fields=['client', '-at'], name='workbench_c_client__d150da_idx'),
                ),
                migrations.AddIndex(
                    model_name='contact',
                    index=models.Index(fields=['advisor', 'at'], name='workbench_c_advisor_fc8473_idx'),
                ),
                migrations.AddConstraint(
                    model_name='contactpoint',
                    constraint=models.UniqueConstraint(fields=('client', 'channel'), name='one_contact_point_per_channel'),
                ),
                migrations.AddIndex(
                    model_name='funnelevent',
                    index=models.Index(fields=['client', 'at'], name='workbench_f_client__9c4e5d_idx'),
                ),
                migrations.AddIndex(
                    model_name='task',
                    index=models.Index(fields=['advisor', 'status', '-priority'], name='workbench_t_advisor_e7d34d_idx'),
                ),
                migrations.AddConstraint(
                    model_name='task',
                    constraint=models.UniqueConstraint(condition=models.Q(('status__in', ['open', 'snoozed'])), fields=('client', 'kind'), name='one_open_task_per_client_kind'),
                ),

        ]),
    ]
