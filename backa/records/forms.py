from django import forms
from django.utils.translation import gettext_lazy as _

from backa.accounts.models import User
from backa.lib import identity
from backa.lib.forms import AccessibleForm, AccessibleModelForm
from backa.records.models import AccessibilityFeedback, FeedbackStatus, HoldReason, RetentionRule
from backa.records.registry import record_type_choices

DateInput = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RuleForm(AccessibleModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason for the change"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example the decision that adopted the municipality's dokumenthanteringsplan."),
    )

    class Meta:
        model = RetentionRule
        fields = ["start_event", "period_months", "disposal", "research_exemption", "source", "confirmed_by_archivist"]
        widgets = {"source": forms.Textarea(attrs={"rows": 5})}


class HoldForm(AccessibleForm):
    number = forms.CharField(
        label=_("The child's personnummer or samordningsnummer"),
        max_length=20,
        required=False,
        help_text=_("Leave empty for a hold on a record type across the municipality."),
    )
    record_type = forms.ChoiceField(
        label=_("Record type"),
        required=False,
        help_text=_("Leave empty to hold every record of the child."),
    )
    reason = forms.ChoiceField(label=_("Reason"), choices=HoldReason.choices)
    reference = forms.CharField(label=_("Reference (case or diary number)"), max_length=100)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none())
    ends_on = forms.DateField(label=_("Until"), widget=DateInput)

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["record_type"].choices = [("", _("Every record type"))] + record_type_choices()
        self.fields["owner"].queryset = owners if owners is not None else User.objects.none()

    def clean_number(self):
        text = self.cleaned_data["number"].strip()
        if not text:
            return None
        try:
            return identity.parse(text)
        except identity.InvalidIdentityNumber as error:
            raise forms.ValidationError(error.message) from None

    def clean(self):
        data = super().clean()
        if not self.errors and data.get("number") is None and not data.get("record_type"):
            raise forms.ValidationError(_("Name a child, a record type, or both."))
        return data


class FeedbackForm(AccessibleModelForm):
    class Meta:
        model = AccessibilityFeedback
        fields = ["page", "message", "contact"]
        widgets = {"message": forms.Textarea(attrs={"rows": 5})}


class FeedbackHandleForm(AccessibleForm):
    status = forms.ChoiceField(
        label=_("What was done"),
        choices=[
            (FeedbackStatus.ANSWERED.value, _("I answered, or fixed it and told the writer")),
            (FeedbackStatus.CLOSED.value, _("Handled; the writer asked for no answer")),
        ],
        widget=forms.RadioSelect,
    )
    answer = forms.CharField(
        label=_("What we did or answered"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Kept with the feedback. The answer itself goes to the writer by the contact they gave."),
    )
