from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "backa.evaluation"
    label = "evaluation"
    verbose_name = "Utvärdering"
