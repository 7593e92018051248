from django import forms
from django.utils.translation import gettext_lazy as _

from backa.roles.models import HandoverItem, LegalBasis, SharingBasis


class DescribedForm(forms.Form):
    """Ties each field's help text and errors to its input with aria-describedby (WCAG 3.3.1)."""

    def full_clean(self):
        super().full_clean()
        for name, field in self.fields.items():
            ids = []
            if field.help_text:
                ids.append(f"id_{name}_help")
            if name in self.errors:
                ids.append(f"id_{name}_error")
            if ids and not isinstance(field.widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
                field.widget.attrs["aria-describedby"] = " ".join(ids)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if field.help_text and not isinstance(field.widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
                field.widget.attrs["aria-describedby"] = f"id_{name}_help"


class PrepareHandoverForm(DescribedForm):
    basis = forms.ChoiceField(
        label=_("On which basis is information passed on?"), choices=SharingBasis.choices, widget=forms.RadioSelect,
        help_text=_("Without consent or a legal basis only the change of contact is passed on."),
    )
    consent_reference = forms.CharField(
        label=_("Consent reference"), max_length=100, required=False,
        help_text=_("Where the consent is recorded: date, who consented, reference."),
    )
    legal_basis = forms.ChoiceField(label=_("Legal basis"), choices=[("", "–")] + list(LegalBasis.choices), required=False)
    items = forms.MultipleChoiceField(
        label=_("What is passed on"), choices=HandoverItem.choices, widget=forms.CheckboxSelectMultiple, required=False,
    )


class CompleteHandoverForm(DescribedForm):
    family_informed_how = forms.CharField(
        label=_("How is the family told who their barnkontakt is now?"), max_length=100,
        help_text=_("For example: letter to both guardians, meeting at the preschool."),
        error_messages={"required": _("Say how the family is told.")},
    )


class OverrideForm(DescribedForm):
    position = forms.ChoiceField(label=_("New barnkontakt"))
    reason = forms.CharField(label=_("Reason"), max_length=150, error_messages={"required": _("Give a reason for the choice.")})

    def __init__(self, *args, positions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].choices = [(str(p.id), f"{p.user.get_full_name()}, {p.role_title}, {p.unit.name}") for p in positions]
