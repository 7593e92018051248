from django.apps import AppConfig


class SyntheticConfig(AppConfig):
    name = "backa.synthetic"
    label = "synthetic"
    verbose_name = "Synthetic pilot data"
