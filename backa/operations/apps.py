from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "backa.operations"
    label = "operations"
    verbose_name = "Operations: idempotency keys, access-log seals, backup and restore"
