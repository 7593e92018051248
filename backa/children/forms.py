from django import forms
from django.utils.translation import gettext_lazy as _

from backa.lib import identity
from backa.lib.forms import AccessibleForm


class ChildSearchForm(AccessibleForm):
    q = forms.CharField(
        label=_("Name or personal identity number"),
        max_length=100,
        min_length=2,
        help_text=_("At least two letters of a name, or a whole personnummer/samordningsnummer."),
        error_messages={"min_length": _("Write at least two characters."), "required": _("Write what to search for.")},
    )

    def clean_q(self):
        text = self.cleaned_data["q"].strip()
        if identity.looks_like_identity_number(text):
            try:
                self.cleaned_data["number"] = identity.parse(text)
            except identity.InvalidIdentityNumber as error:
                raise forms.ValidationError(error.message, code=error.code) from None
        return text
