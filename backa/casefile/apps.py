from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasefileConfig(AppConfig):
    name = "backa.casefile"
    label = "casefile"
    verbose_name = _("The child's file")
    default_auto_field = "django.db.models.BigAutoField"
