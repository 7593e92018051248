from datetime import timedelta
from typing import cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backa.children.forms import ChildSearchForm
from backa.consent.models import Category, ConsentForm, DisclosureBasis, ReviewOutcome
from backa.lib.forms import AccessibleForm
from backa.organisations.models import Organisation


class NewConsentForm(AccessibleForm):
    recipients = forms.ModelMultipleChoiceField(
        label=_("Recipient organisations"),
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Name at least one recipient organisation.")},
    )
    categories = forms.MultipleChoiceField(
        label=_("Information categories"),
        choices=Category.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one information category.")},
    )
    purpose = forms.CharField(label=_("Purpose"), max_length=300)
    valid_from = forms.DateField(label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"}))
    valid_to = forms.DateField(label=_("Valid to"), widget=forms.DateInput(attrs={"type": "date"}))
    given_now = forms.BooleanField(label=_("The consent has been given (record it now)"), required=False)
    guardians = forms.MultipleChoiceField(
        label=_("Given by guardians with custody"), required=False, widget=forms.CheckboxSelectMultiple
    )
    by_child = forms.BooleanField(label=_("Given by the child"), required=False)
    child_judged_mature = forms.BooleanField(
        label=_("The child is judged mature enough to decide alone"), required=False
    )
    form = forms.ChoiceField(label=_("Form"), choices=[("", "–"), *ConsentForm.choices], required=False)
    form_note = forms.CharField(
        label=_("Note on how consent was given"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, own_organisation=None, municipality=None, guardians=(), **kwargs):
        super().__init__(*args, **kwargs)
        queryset = (
            Organisation.objects.filter(municipality=municipality) if municipality else Organisation.objects.all()
        )
        # Own organisation included: a consent between its activities (verksamheter).
        cast(forms.ModelChoiceField, self.fields["recipients"]).queryset = queryset.order_by("name")
        cast(forms.ChoiceField, self.fields["guardians"]).choices = [(str(g.pk), g.full_name) for g in guardians]
        today = timezone.localdate()
        self.fields["valid_from"].initial = today
        self.fields["valid_to"].initial = today + timedelta(days=365)


class RecordGivenForm(AccessibleForm):
    guardians = forms.MultipleChoiceField(
        label=_("Given by guardians with custody"), required=False, widget=forms.CheckboxSelectMultiple
    )
    by_child = forms.BooleanField(label=_("Given by the child"), required=False)
    child_judged_mature = forms.BooleanField(
        label=_("The child is judged mature enough to decide alone"), required=False
    )
    form = forms.ChoiceField(label=_("Form"), choices=ConsentForm.choices)
    form_note = forms.CharField(
        label=_("Note on how consent was given"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, guardians=(), **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["guardians"]).choices = [(str(g.pk), g.full_name) for g in guardians]


class WithdrawConsentForm(AccessibleForm):
    withdrawn_by = forms.ChoiceField(label=_("Withdrawn by"))
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, guardians=(), **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["withdrawn_by"]).choices = [("child", _("The child"))] + [
            (str(g.pk), g.full_name) for g in guardians
        ]


class DisclosureForm(AccessibleForm):
    to_organisation = forms.ModelChoiceField(label=_("To"), queryset=Organisation.objects.none())
    shared = forms.TypedChoiceField(
        label=_("Decision"), coerce=lambda v: v == "yes", choices=[("yes", _("Shared")), ("no", _("Not shared"))]
    )
    basis = forms.ChoiceField(label=_("Basis"), choices=DisclosureBasis.choices)
    provision = forms.CharField(label=_("Provision"), max_length=120, required=False)
    categories = forms.MultipleChoiceField(
        label=_("Information categories"), choices=Category.choices, widget=forms.CheckboxSelectMultiple
    )
    what = forms.CharField(label=_("What"), max_length=300)
    justification = forms.CharField(label=_("Justification"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, own_organisation=None, municipality=None, **kwargs):
        super().__init__(*args, **kwargs)
        queryset = (
            Organisation.objects.filter(municipality=municipality) if municipality else Organisation.objects.all()
        )
        # Own organisation included: a consent between its activities (verksamheter).
        cast(forms.ModelChoiceField, self.fields["to_organisation"]).queryset = queryset.order_by("name")


class EmergencyAccessForm(ChildSearchForm):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4}),
        min_length=20,
        help_text=_("Describe the emergency. The access is reviewed afterwards."),
        error_messages={"min_length": _("Describe the emergency in at least 20 characters.")},
    )
    password = forms.CharField(label=_("Your password again"), widget=forms.PasswordInput)

    def __init__(self, *args, step_up_by_e_id: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if step_up_by_e_id:  # a fresh e-ID login (accounts/saml.py) proves it instead
            del self.fields["password"]

    def clean_q(self):
        text = super().clean_q()
        if "number" not in self.cleaned_data:
            raise forms.ValidationError(_("Write the child's whole personnummer or samordningsnummer."))
        return text


class ReviewForm(AccessibleForm):
    # No outcome is chosen in advance: the reviewer must pick one (issue 16).
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[("", _("Choose an outcome"))] + list(ReviewOutcome.choices),
        error_messages={"required": _("Choose an outcome.")},
    )
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ExtractPeriodForm(AccessibleForm):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    names = forms.BooleanField(
        label=_("Include the names of the professionals (released after secrecy review)"), required=False
    )

    def clean(self):
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError(_("The end date must not be before the start date."))
        return data
