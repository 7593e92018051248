from django import forms
from django.utils.translation import gettext_lazy as _

from backa.lib.forms import AccessibleForm


class FamilyViewForm(AccessibleForm):
    text = forms.CharField(
        label=_("What do you want the meeting to know?"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=4000,
        help_text=_("Write in your own words. The people at the meeting will read it."),
    )
