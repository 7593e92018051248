from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backa.accounts.models import PositionKind, User
from backa.impact.indicators import INDICATORS
from backa.impact.models import ImpactAssessment, ImpactAssessmentVersion, Right
from backa.lib.forms import AccessibleForm, AccessibleModelForm, MergeAccessibleModelForm
from backa.organisations.models import District

TEXTAREA = forms.Textarea(attrs={"rows": 4})


class AssessmentForm(AccessibleModelForm):
    class Meta:
        model = ImpactAssessment
        fields = ["title", "decision_kind", "district"]

    def __init__(self, *args, municipality_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = District.objects.filter(municipality_id=municipality_id).order_by("name")


class VersionForm(MergeAccessibleModelForm):
    rights = forms.MultipleChoiceField(
        label=_("Rights at stake"), choices=Right.choices, widget=forms.CheckboxSelectMultiple
    )
    indicators = forms.MultipleChoiceField(
        label=_("The platform's indicators"),
        choices=INDICATORS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Their current values for the district are saved with this version."),
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ImpactAssessmentVersion
        fields = [
            "matter",
            "children_affected",
            "rights",
            "rights_notes",
            "knowledge",
            "indicators",
            "children_views",
            "views_gathered_how",
            "alternatives",
            "consequences",
            "weighing",
            "decision",
            "reasons",
            "compensating_measures",
            "feedback_to_children",
            "follow_up_on",
        ]
        widgets = {name: TEXTAREA for name in fields if name not in ("rights", "indicators", "follow_up_on")}
        widgets["follow_up_on"] = forms.DateInput(attrs={"type": "date"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_merge_choices()

    def clean_follow_up_on(self):
        day = self.cleaned_data.get("follow_up_on")
        if day is not None and day <= timezone.localdate():
            raise forms.ValidationError(_("The follow-up date must be in the future."))
        return day


class SendForm(AccessibleForm):
    decision_maker = forms.ModelChoiceField(label=_("Decision-maker"), queryset=User.objects.none())

    def __init__(self, *args, municipality_id=None, exclude_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["decision_maker"].queryset = (
            User.objects.filter(
                is_active=True,
                positions__kind__in=[PositionKind.MANAGER, PositionKind.DISTRICT_ADMIN],
                positions__unit__organisation__municipality_id=municipality_id,
                positions__valid_from__lte=today,
            )
            .filter(Q(positions__valid_to__isnull=True) | Q(positions__valid_to__gte=today))
            .exclude(pk=getattr(exclude_user, "pk", None))
            .distinct()
            .order_by("last_name", "first_name")
        )
        self.fields["decision_maker"].label_from_instance = lambda u: u.get_full_name() or u.username


class DecideForm(AccessibleForm):
    comment = forms.CharField(
        label=_("Comment"),
        widget=TEXTAREA,
        required=False,
        max_length=2000,
        help_text=_("Required when you return the assessment."),
    )
