from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "backa.plans"
    label = "plans"
    verbose_name = _("Plans, meetings and follow-up")
    default_auto_field = "django.db.models.BigAutoField"
