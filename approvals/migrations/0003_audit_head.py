from django.db import migrations

GENESIS = "0" * 64


def create_head(apps, schema_editor):
    AuditHead = apps.get_model("approvals", "AuditHead")
    AuditHead.objects.get_or_create(pk=1, defaults={"last_hash": GENESIS, "count": 0})


class Migration(migrations.Migration):
    dependencies = [("approvals", "0002_seed_policies")]

    operations = [migrations.RunPython(create_head, migrations.RunPython.noop)]
