from django.apps import AppConfig


class RolesConfig(AppConfig):
    name = "backa.roles"
    label = "roles"
    verbose_name = "Roles around the child"
