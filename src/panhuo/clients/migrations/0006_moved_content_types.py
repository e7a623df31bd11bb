"""The moved models' content types follow them to the clients app, so admin history and permissions that point
at them keep working (the rows keep their ids; only the app label changes)."""

from django.db import migrations

MOVED = {"workbench": ["branchpolicy", "task", "contact", "funnelevent", "clientfunnel", "serviceplan",
                       "clientseries"],
         "campaigns": ["consentrecord", "unsubscribekey", "contactpoint"],
         "marketweb": ["marketday"]}


def relabel(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for app, models in MOVED.items():
        for model in models:
            if ContentType.objects.filter(app_label="clients", model=model).exists():
                continue       # a fresh database may have made the new one already
            ContentType.objects.filter(app_label=app, model=model).update(app_label="clients")


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0005_shared_service_models"),
        ("workbench", "0003_models_moved_to_clients"),
        ("campaigns", "0007_models_moved_to_clients"),
        ("marketweb", "0002_marketday_moved_to_clients"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(relabel, migrations.RunPython.noop)]
