"""The working hypothesis of domain.md §1.3 as the default rules; editable afterwards."""
from django.db import migrations

DEFAULTS = [
    # phase, priority, unit type, position kind, days to complete a handover into the phase
    ("expected", 1, "bmm", "midwife", 30),
    ("infant", 1, "bvc", "bvc_nurse", 60),
    ("preschool", 1, "forskola", "rektor", 30),
    ("preschool", 2, "bvc", "bvc_nurse", 30),
    ("school", 1, "grundskola", "rektor", 30),
    ("gymnasium", 1, "gymnasium", "rektor", 30),
]


def seed(apps, schema_editor):
    LifePhaseConfig = apps.get_model("roles", "LifePhaseConfig")
    for phase, priority, unit_type, position_kind, days in DEFAULTS:
        LifePhaseConfig.objects.get_or_create(
            municipality=None, phase=phase, priority=priority,
            defaults={"unit_type": unit_type, "position_kind": position_kind, "handover_days": days},
        )


def unseed(apps, schema_editor):
    apps.get_model("roles", "LifePhaseConfig").objects.filter(municipality=None).delete()


class Migration(migrations.Migration):
    dependencies = [("roles", "0002_lifephase_config_and_handover")]
    operations = [migrations.RunPython(seed, unseed)]
