from django import forms
from django.utils.translation import gettext_lazy as _

from backa.lib.forms import AccessibleForm
from backa.roles.models import HandoverItem, LegalBasis, SharingBasis


class PrepareHandoverForm(AccessibleForm):
    basis = forms.ChoiceField(
        label=_("On which basis is information passed on?"),
        choices=SharingBasis.choices,
        widget=forms.RadioSelect,
        help_text=_("Without consent or a legal basis only the change of contact is passed on."),
    )
    consent_reference = forms.CharField(
        label=_("Consent reference"),
        max_length=100,
        required=False,
        help_text=_("Where the consent is recorded: date, who consented, reference."),
    )
    legal_basis = forms.ChoiceField(
        label=_("Legal basis"), choices=[("", "–")] + list(LegalBasis.choices), required=False
    )
    items = forms.MultipleChoiceField(
        label=_("What is passed on"),
        choices=HandoverItem.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class CompleteHandoverForm(AccessibleForm):
    family_informed_how = forms.CharField(
        label=_("How is the family told who their barnkontakt is now?"),
        max_length=100,
        help_text=_("For example: letter to both guardians, meeting at the preschool."),
        error_messages={"required": _("Say how the family is told.")},
    )


class OverrideForm(AccessibleForm):
    position = forms.ChoiceField(label=_("New barnkontakt"))
    reason = forms.CharField(
        label=_("Reason"), max_length=150, error_messages={"required": _("Give a reason for the choice.")}
    )

    def __init__(self, *args, positions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].choices = [
            (str(p.id), f"{p.user.get_full_name()}, {p.role_title}, {p.unit.name}") for p in positions
        ]
