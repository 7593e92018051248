from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "backa.records"
    label = "records"
    verbose_name = "Records management (gallring, holds, record of processing)"
    default_auto_field = "django.db.models.BigAutoField"
