from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backa.children import identity

from .compass import AREA_CODES, CompassArea, scale_max
from .formkit import AccessibleForm, DateInput
from .models import ConcernStatus, ConsentStatus, Urgency


class ConcernForm(AccessibleForm):
    observed_on = forms.DateField(label=_("Noticed on"), widget=DateInput, initial=timezone.localdate)
    description = forms.CharField(
        label=_("What you saw or heard"), widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Describe what you noticed in your own work, as facts. The child's barnkontakt is told."),
    )
    areas = forms.MultipleChoiceField(label=_("Which compass areas it touches"), choices=CompassArea.choices,
                                      widget=forms.CheckboxSelectMultiple, required=False)
    urgency = forms.ChoiceField(label=_("How urgent"), choices=Urgency.choices, initial=Urgency.MEDIUM,
                                widget=forms.RadioSelect)


class FindChildForm(ConcernForm):
    """For an Upptäckare without a role: the child is named by their number, never in a URL."""

    number = forms.CharField(label=_("The child's personnummer or samordningsnummer"), max_length=20,
                             help_text=_("Children at your own unit, or children you have a role for."))

    field_order = ["number"]

    def clean_number(self):
        try:
            return identity.parse(self.cleaned_data["number"].strip())
        except identity.InvalidIdentityNumber as error:
            raise forms.ValidationError(error.message) from None


class ConversationForm(AccessibleForm):
    held_on = forms.DateField(label=_("Held on"), widget=DateInput, initial=timezone.localdate)
    concern = forms.ChoiceField(label=_("About the concern"), required=False)
    child_took_part = forms.BooleanField(label=_("The child took part"), required=False, initial=True)
    guardians_took_part = forms.BooleanField(label=_("Guardians took part"), required=False, initial=True)
    child_words = forms.CharField(label=_("The child's own words"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}),
                                  help_text=_("As the child said it. Kept apart from the adults' views."))
    guardian_words = forms.CharField(label=_("The guardians' words"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 4}))
    professional_notes = forms.CharField(label=_("Your notes"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    consent_status = forms.ChoiceField(label=_("Consent to involve others"), choices=ConsentStatus.choices,
                                       widget=forms.RadioSelect, initial=ConsentStatus.NOT_ASKED)
    consent_ref = forms.UUIDField(label=_("Consent reference"), required=False,
                                  help_text=_("The id of the recorded consent, if there is one."))

    def __init__(self, *args, concerns=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["concern"].choices = [("", _("No particular concern"))] + [
            (str(c.id), f"{c.observed_on:%Y-%m-%d} – {c.description[:60]}") for c in concerns
        ]


class AssessmentForm(AccessibleForm):
    assessed_on = forms.DateField(label=_("Assessed on"), widget=DateInput, initial=timezone.localdate)
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        top = scale_max()
        choices = [("", "–")] + [(str(i), str(i)) for i in range(1, top + 1)]
        self.area_fields = []
        for code in AREA_CODES:
            label = CompassArea(code).label
            names = {}
            for field, kind, text in [
                ("strengths", "text", _("Strengths")), ("needs", "text", _("Needs")),
                ("rating", "rating", _("Professionals' rating")), ("child_rating", "rating", _("The child's own rating")),
                ("child_view", "text", _("The child's view")), ("guardian_rating", "rating", _("The guardians' rating")),
                ("guardian_view", "text", _("The guardians' view")),
            ]:
                name = f"{code}-{field}"
                if kind == "rating":
                    self.fields[name] = forms.TypedChoiceField(label=text, choices=choices, coerce=int,
                                                               empty_value=None, required=False)
                else:
                    self.fields[name] = forms.CharField(label=text, required=False,
                                                        widget=forms.Textarea(attrs={"rows": 2}))
                names[field] = name
            self.area_fields.append((code, label, [self[n] for n in names.values()]))
        self.scale_max = top
        self.mark_fields()

    def area_values(self):
        data = {}
        for code in AREA_CODES:
            values = {}
            for field in ("strengths", "needs", "rating", "child_rating", "child_view", "guardian_rating",
                          "guardian_view"):
                values[field] = self.cleaned_data.get(f"{code}-{field}")
            if any(v not in (None, "") for v in values.values()):
                data[code] = values
        return data


class ReportForm(AccessibleForm):
    information = forms.CharField(
        label=_("What you pass on to social services"), widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Under the duty to report (SoL 14:1) you pass on what you know. Consent is not needed."),
    )
    acute = forms.BooleanField(label=_("The child may be in acute danger"), required=False)
    guardians_informed = forms.BooleanField(label=_("The guardians have been told about the report"), required=False)


YES_NO = [("", _("Not yet known")), ("yes", _("Yes")), ("no", _("No"))]


def _yes_no(value):
    return {"yes": True, "no": False}.get(value)


class ReportOutcomeForm(AccessibleForm):
    received_on = forms.DateField(label=_("Received on"), widget=DateInput)
    pre_assessment_decided_on = forms.DateField(label=_("Förhandsbedömning decided on"), widget=DateInput,
                                                required=False)
    investigation_opened = forms.TypedChoiceField(label=_("Investigation opened"), choices=YES_NO, coerce=_yes_no,
                                                  empty_value=None, required=False)
    investigation_decided_on = forms.DateField(label=_("Date of the decision on investigation"), widget=DateInput,
                                               required=False)
    child_spoken_with = forms.TypedChoiceField(label=_("The child was spoken with"), choices=YES_NO, coerce=_yes_no,
                                               empty_value=None, required=False)
    feedback_to_reporter = forms.CharField(label=_("Feedback to the reporter"), required=False,
                                           widget=forms.Textarea(attrs={"rows": 3}))
    feedback_given_on = forms.DateField(label=_("Feedback given on"), widget=DateInput, required=False)


class ConcernStatusForm(AccessibleForm):
    status = forms.ChoiceField(label=_("New status"), choices=ConcernStatus.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note"), required=False, max_length=300,
                           help_text=_("Needed when closing: why the concern is closed."))
