from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "backa.organisations"
    label = "organisations"
    verbose_name = "Organisations"
