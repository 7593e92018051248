from django.apps import AppConfig


class ForumsConfig(AppConfig):
    name = "backa.forums"
    label = "forums"
    verbose_name = "Forums"
