from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "backa.integrations"
    label = "integrations"
    verbose_name = "Imports from registers and school systems"
