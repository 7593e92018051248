"""Behovskompassen: the eight areas of the child's needs as stable codes.

The codes are stored in the database and used in the API and exports; they never change.
Labels are translated (Swedish in the app's locale, English source strings).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CompassArea(models.TextChoices):
    TRYGGHET = "trygghet", _("Safe (trygghet)")
    HALSA = "halsa", _("Healthy (hälsa)")
    UTVECKLING = "utveckling", _("Achieving (utveckling)")
    OMSORG = "omsorg", _("Nurtured (omsorg)")
    FRITID = "fritid", _("Active (fritid)")
    RESPEKT = "respekt", _("Respected (respekt)")
    ANSVAR = "ansvar", _("Responsible (ansvar)")
    TILLHORIGHET = "tillhorighet", _("Included (tillhörighet)")


AREA_CODES = [code for code, _label in CompassArea.choices]


def area_label(code: str) -> str:
    return str(CompassArea(code).label) if code in AREA_CODES else code


def scale_max() -> int:
    """The rating scale in use (1..N). Configurable per installation; each assessment stores
    the scale it was made on, so older assessments stay comparable after a change."""
    return int(getattr(settings, "BACKA_COMPASS_SCALE_MAX", 5))
