"""Each stored personnummer names the key it was encrypted under (issue 15.9).

Rows written before key ids existed were encrypted under the key in force now (the only key
there was), so they get PNR_ENCRYPTION_KEY_ID: they keep decrypting, and a later rotation
re-encrypts them like any other row.
"""

from django.conf import settings
from django.db import migrations, models


def stamp_existing_rows(apps, schema_editor):
    for name in ("Child", "Guardian"):
        model = apps.get_model("children", name)
        model.objects.filter(pnr_encrypted__isnull=False, pnr_key_id="").update(
            pnr_key_id=settings.PNR_ENCRYPTION_KEY_ID
        )


class Migration(migrations.Migration):
    dependencies = [
        ("children", "0002_child_moved_out_on"),
    ]

    operations = [
        migrations.AddField(
            model_name="child",
            name="pnr_key_id",
            field=models.CharField(blank=True, db_default="", default="", editable=False, max_length=16),
        ),
        migrations.AddField(
            model_name="guardian",
            name="pnr_key_id",
            field=models.CharField(blank=True, db_default="", default="", editable=False, max_length=16),
        ),
        migrations.RunPython(stamp_existing_rows, migrations.RunPython.noop),
    ]
