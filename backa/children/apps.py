from django.apps import AppConfig


class ChildrenConfig(AppConfig):
    name = "backa.children"
    label = "children"
    verbose_name = "Children"
