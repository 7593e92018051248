from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsentConfig(AppConfig):
    name = "backa.consent"
    label = "consent"
    verbose_name = _("Consent and disclosure")
    default_auto_field = "django.db.models.BigAutoField"
