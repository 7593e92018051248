from django.apps import AppConfig


class ImpactConfig(AppConfig):
    name = "backa.impact"
    label = "impact"
    verbose_name = "Child impact assessment"
