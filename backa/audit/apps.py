from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "backa.audit"
    label = "audit"
    verbose_name = "Access log"
