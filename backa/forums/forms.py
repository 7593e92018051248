from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backa.forums.models import BurdenSettings, Forum, ForumMeeting, Purpose, Sector
from backa.lib.forms import AccessibleModelForm, MergeAccessibleModelForm
from backa.lib.merge import sign_base


class ForumForm(MergeAccessibleModelForm):
    sectors = forms.MultipleChoiceField(
        label=_("Participating sectors"),
        choices=Sector.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    purposes = forms.MultipleChoiceField(
        label=_("Purpose areas"),
        choices=Purpose.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # The values the form was loaded with, signed: the base of the three-way merge (decision 0018).
    base = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Forum
        fields = [
            "name",
            "kind",
            "purpose",
            "purposes",
            "legal_basis",
            "target_group",
            "sectors",
            "participants",
            "frequency",
            "convener",
            "children_take_part",
            "guardians_take_part",
            "discusses_individual_children",
            "is_active",
        ]
        widgets = {"purpose": forms.Textarea(attrs={"rows": 3}), "participants": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, district=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.district = district
        if self.instance.pk:
            from backa.forums.services import forum_values

            self.fields["version"].initial = self.instance.version
            self.fields["base"].initial = sign_base(forum_values(self.instance))
        self.setup_merge_choices()

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        others = Forum.objects.filter(district=self.district, name__iexact=name)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(_("The district already has a forum with this name."))
        return name

    def validate_unique(self):
        # The district is set by the service, so the (district, name) check is done in clean_name.
        pass


class ForumMeetingForm(AccessibleModelForm):
    sectors = forms.MultipleChoiceField(
        label=_("Participating organisations (sectors)"),
        choices=Sector.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ForumMeeting
        fields = [
            "forum",
            "held_on",
            "sectors",
            "professionals",
            "duration_minutes",
            "child_took_part",
            "guardians_invited",
            "guardians_took_part",
            "external_reference",
        ]
        widgets = {"held_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, municipality_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["forum"].queryset = (
            Forum.objects.filter(municipality_id=municipality_id, is_active=True, discusses_individual_children=True)
            .select_related("district")
            .order_by("district__name", "name")
        )
        self.fields["forum"].label_from_instance = lambda f: f"{f.name} ({f.district.name})"
        self.fields["held_on"].initial = timezone.localdate()

    def clean_held_on(self):
        held_on = self.cleaned_data["held_on"]
        if held_on > timezone.localdate():
            raise forms.ValidationError(_("The meeting date cannot be in the future."))
        return held_on

    def clean(self):
        data = super().clean()
        if data.get("guardians_took_part") and not data.get("guardians_invited"):
            self.add_error("guardians_invited", _("Guardians who took part were invited: tick this too."))
        return data


class BurdenSettingsForm(AccessibleModelForm):
    class Meta:
        model = BurdenSettings
        fields = ["family_meetings_per_term", "shared_children_per_forum_pair"]
