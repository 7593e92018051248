"""Languages of the child and the family, and the interpreter they need.

A short list of the languages most spoken in Stockholm's families besides Swedish, as stable
codes (ISO 639-1/639-3) with translatable names: a language not on it is "other" with its
name written out. The interpreter rule (förvaltningslagen 2017:900 13 §: the authority uses
an interpreter when someone needs one) is shown wherever an interpreter is booked, with the
warning never to let the child or a relative interpret.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    SWEDISH = "sv", _("Swedish")
    ARABIC = "ar", _("Arabic")
    SOMALI = "so", _("Somali")
    TIGRINYA = "ti", _("Tigrinya")
    PERSIAN = "fa", _("Persian")
    DARI = "prs", _("Dari")
    KURDISH = "ku", _("Kurdish")
    TURKISH = "tr", _("Turkish")
    BCMS = "sh", _("Bosnian, Croatian or Serbian")
    POLISH = "pl", _("Polish")
    FINNISH = "fi", _("Finnish")
    SPANISH = "es", _("Spanish")
    ENGLISH = "en", _("English")
    RUSSIAN = "ru", _("Russian")
    UKRAINIAN = "uk", _("Ukrainian")
    AMHARIC = "am", _("Amharic")
    SIGN = "sgn", _("Swedish sign language")
    OTHER = "other", _("Another language")


# Shown on every page where an interpreter is booked or needed (the meeting, the conversation,
# the family's languages), and on the meeting letter.
INTERPRETER_WARNING = _(
    "Book an interpreter when someone needs one (förvaltningslagen 13 §). Never let the child or a "
    "relative interpret: use an authorised interpreter, by phone or in the room."
)


def language_label(code: str, other: str = "") -> str:
    if code == Language.OTHER and other:
        return other
    return str(Language(code).label) if code in Language.values else code
