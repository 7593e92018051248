"""Forms for every step of the child's file."""

from datetime import timedelta
from typing import cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backa.accounts.models import Position, User
from backa.casefile.compass import AREA_CODES, CompassArea, scale_max
from backa.casefile.languages import INTERPRETER_WARNING, Language
from backa.casefile.models import (
    ChildHeard,
    ChildHeardHow,
    ChildNotHeardReason,
    ConcernStatus,
    ConsentStatus,
    DecisionReason,
    ExternalRef,
    FollowUpOutcome,
    NetworkRelation,
    PlanKind,
    PlanStatus,
    PreAssessmentDecision,
    Progress,
    ReceivedVia,
    ReporterCategory,
    Urgency,
)
from backa.lib import identity
from backa.lib.forms import AccessibleForm, DateInput, DateTimeInput, MergeAccessibleForm
from backa.organisations.models import Organisation, legal_citation


class ConcernForm(AccessibleForm):
    observed_on = forms.DateField(label=_("Noticed on"), widget=DateInput, initial=timezone.localdate)
    description = forms.CharField(
        label=_("What you saw or heard"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Describe what you noticed in your own work, as facts. The child's barnkontakt is told."),
    )
    areas = forms.MultipleChoiceField(
        label=_("Which compass areas it touches"),
        choices=CompassArea.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    urgency = forms.ChoiceField(
        label=_("How urgent"), choices=Urgency.choices, initial=Urgency.MEDIUM, widget=forms.RadioSelect
    )


class FindChildForm(ConcernForm):
    """For an Upptäckare without a role: the child is named by their number, never in a URL."""

    number = forms.CharField(
        label=_("The child's personnummer or samordningsnummer"),
        max_length=20,
        help_text=_("Children at your own unit, or children you have a role for."),
    )

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
    child_words = forms.CharField(
        label=_("The child's own words"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("As the child said it. Kept apart from the adults' views."),
    )
    guardian_words = forms.CharField(
        label=_("The guardians' words"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    professional_notes = forms.CharField(
        label=_("Your notes"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    consent_status = forms.ChoiceField(
        label=_("Consent to involve others"),
        choices=ConsentStatus.choices,
        widget=forms.RadioSelect,
        initial=ConsentStatus.NOT_ASKED,
    )
    consent_ref = forms.UUIDField(
        label=_("Consent reference"), required=False, help_text=_("The id of the recorded consent, if there is one.")
    )
    interpreter_booked = forms.BooleanField(
        label=_("An interpreter took part"), required=False, help_text=INTERPRETER_WARNING
    )
    interpreter_language = forms.ChoiceField(
        label=_("Interpreter language"), required=False, choices=[("", "–"), *Language.choices]
    )

    def __init__(self, *args, concerns=(), **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["concern"]).choices = [("", _("No particular concern"))] + [
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
                ("strengths", "text", _("Strengths")),
                ("needs", "text", _("Needs")),
                ("rating", "rating", _("Professionals' rating")),
                ("child_rating", "rating", _("The child's own rating")),
                ("child_view", "text", _("The child's view")),
                ("guardian_rating", "rating", _("The guardians' rating")),
                ("guardian_view", "text", _("The guardians' view")),
            ]:
                name = f"{code}-{field}"
                if kind == "rating":
                    self.fields[name] = forms.TypedChoiceField(
                        label=text, choices=choices, coerce=int, empty_value=None, required=False
                    )
                else:
                    self.fields[name] = forms.CharField(
                        label=text, required=False, widget=forms.Textarea(attrs={"rows": 2})
                    )
                names[field] = name
            self.area_fields.append((code, label, [self[n] for n in names.values()]))
        self.scale_max = top

    def area_values(self):
        data = {}
        for code in AREA_CODES:
            values = {}
            for field in (
                "strengths",
                "needs",
                "rating",
                "child_rating",
                "child_view",
                "guardian_rating",
                "guardian_view",
            ):
                values[field] = self.cleaned_data.get(f"{code}-{field}")
            if any(v not in (None, "") for v in values.values()):
                data[code] = values
        return data


class ReportForm(AccessibleForm):
    information = forms.CharField(
        label=_("What you pass on to social services"),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    acute = forms.BooleanField(label=_("The child may be in acute danger"), required=False)
    guardians_informed = forms.BooleanField(label=_("The guardians have been told about the report"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The citation is data (organisations.LegalReference), so a lawyer can correct it.
        law = legal_citation("duty_to_report", "socialtjänstlagen (2025:400)")
        self.fields["information"].help_text = _(
            "Under the duty to report (%(law)s) you pass on what you know. Consent is not needed."
        ) % {"law": law}


YES_NO = [("", _("Not yet known")), ("yes", _("Yes")), ("no", _("No"))]


def _yes_no(value):
    return {"yes": True, "no": False}.get(value)


class ReportOutcomeForm(AccessibleForm):
    received_on = forms.DateField(label=_("Received on"), widget=DateInput)
    pre_assessment_decided_on = forms.DateField(
        label=_("Förhandsbedömning decided on"), widget=DateInput, required=False
    )
    investigation_opened = forms.TypedChoiceField(
        label=_("Investigation opened"), choices=YES_NO, coerce=_yes_no, empty_value=None, required=False
    )
    investigation_decided_on = forms.DateField(
        label=_("Date of the decision on investigation"), widget=DateInput, required=False
    )
    child_spoken_with = forms.TypedChoiceField(
        label=_("The child was spoken with"), choices=YES_NO, coerce=_yes_no, empty_value=None, required=False
    )
    feedback_to_reporter = forms.CharField(
        label=_("Feedback to the reporter"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    feedback_given_on = forms.DateField(label=_("Feedback given on"), widget=DateInput, required=False)


class ConcernStatusForm(AccessibleForm):
    status = forms.ChoiceField(label=_("New status"), choices=ConcernStatus.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=300, help_text=_("Needed when closing: why the concern is closed.")
    )


def _in_a_month():
    return timezone.localdate() + timedelta(days=30)


class PersonChoiceField(forms.ModelChoiceField):
    """A professional by name (the username when the name is missing)."""

    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class PlanForm(MergeAccessibleForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    kind = forms.ChoiceField(
        label=_("Kind of plan"), choices=PlanKind.choices, widget=forms.RadioSelect, initial=PlanKind.SINGLE
    )
    organisation = forms.ModelChoiceField(label=_("Responsible organisation"), queryset=Organisation.objects.none())
    reason = forms.CharField(label=_("Why the plan exists"), widget=forms.Textarea(attrs={"rows": 3}))
    child_view = forms.CharField(
        label=_("The child's view of the plan"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("In the child's own words, apart from the adults' views."),
    )
    guardian_view = forms.CharField(
        label=_("The guardians' view of the plan"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    review_date = forms.DateField(label=_("Review date"), widget=DateInput, initial=_in_a_month)
    external_kind = forms.ChoiceField(label=_("Linked SIP or BBIC case"), choices=ExternalRef.choices, required=False)
    external_ref = forms.CharField(
        label=_("Reference"),
        required=False,
        max_length=64,
        help_text=_("Only the reference number; the SIP or BBIC case stays in its own system."),
    )

    def __init__(self, *args, municipality=None, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["organisation"]).queryset = Organisation.objects.filter(
            municipality=municipality
        ).order_by("name")
        for code in AREA_CODES:
            self.fields[f"need-{code}"] = forms.CharField(
                label=_("Needs: %(area)s") % {"area": CompassArea(code).label},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        self.setup_merge_choices()

    def plan_values(self):
        data = {
            k: v
            for k, v in self.cleaned_data.items()
            if not k.startswith(("need-", "keep-")) and k not in ("version", "merge_fields")
        }
        data["needs"] = {code: self.cleaned_data.get(f"need-{code}", "") for code in AREA_CODES}
        return data

    @staticmethod
    def initial_from(plan):
        initial = {
            k: getattr(plan, k)
            for k in ("kind", "reason", "child_view", "guardian_view", "review_date", "external_kind", "external_ref")
        }
        initial["organisation"] = plan.organisation_id
        initial["version"] = plan.version
        for code, text in plan.needs.items():
            initial[f"need-{code}"] = text
        return initial


class GoalForm(AccessibleForm):
    area = forms.ChoiceField(label=_("Compass area"), choices=[("", "–")] + list(CompassArea.choices), required=False)
    description = forms.CharField(label=_("Goal"), widget=forms.Textarea(attrs={"rows": 2}))
    target_date = forms.DateField(label=_("By when"), widget=DateInput, required=False)


class ActionForm(AccessibleForm):
    description = forms.CharField(label=_("What will be done"), widget=forms.Textarea(attrs={"rows": 2}))
    goal = forms.ChoiceField(label=_("For the goal"), required=False)
    owner_organisation = forms.ModelChoiceField(
        label=_("Owning organisation"),
        queryset=Organisation.objects.none(),
        error_messages={"required": _("An action must have an owning organisation.")},
    )
    owner = PersonChoiceField(
        label=_("Responsible person"),
        queryset=User.objects.none(),
        error_messages={"required": _("An action must have an owner: the person responsible.")},
    )
    how = forms.CharField(label=_("How"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    starts_on = forms.DateField(label=_("From"), widget=DateInput, required=False)
    due_on = forms.DateField(label=_("Until"), widget=DateInput, required=False)
    expected_improvement = forms.CharField(
        label=_("Expected improvement"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    network_member = forms.ChoiceField(
        label=_("Done by someone from the child's network"),
        required=False,
        help_text=_(
            "For example the grandfather who picks the child up on Fridays. The responsible person stays above."
        ),
    )

    def __init__(self, *args, plan=None, municipality=None, network=(), goals=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.network = {str(m.id): m for m in network}
        cast(forms.ChoiceField, self.fields["network_member"]).choices = [("", "–")] + [
            (str(m.id), f"{m.name} ({m.get_relation_display()})") for m in network
        ]
        cast(forms.ModelChoiceField, self.fields["owner_organisation"]).queryset = Organisation.objects.filter(
            municipality=municipality
        ).order_by("name")
        today = timezone.localdate()
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = (
            User.objects.filter(
                is_active=True,
                positions__unit__organisation__municipality=municipality,
                positions__valid_from__lte=today,
            )
            .exclude(positions__valid_to__lt=today)
            .distinct()
            .order_by("last_name", "first_name")
        )
        if goals is None:
            goals = list(plan.goals.all()) if plan is not None else []
        self.goals = {str(g.id): g for g in goals}
        cast(forms.ChoiceField, self.fields["goal"]).choices = [("", "–")] + [
            (str(g.id), g.description[:80]) for g in goals
        ]

    def action_values(self):
        data = dict(self.cleaned_data)
        data["goal"] = self.goals.get(data.get("goal") or "")
        data["network_member"] = self.network.get(data.get("network_member") or "")
        return data


class EndPlanForm(AccessibleForm):
    status = forms.ChoiceField(
        label=_("What happens"),
        widget=forms.RadioSelect,
        choices=[(PlanStatus.CLOSED, _("Close the plan")), (PlanStatus.HANDED_OVER, _("Hand the plan over"))],
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    handed_over_to = forms.CharField(
        label=_("Handed over to"),
        required=False,
        max_length=200,
        help_text=_("Needed when handing over: the receiving unit or barnkontakt."),
    )


class PositionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, p):
        return f"{p.user.get_full_name()}, {p.role_title}, {p.unit.name}"


def positions_in(municipality):
    today = timezone.localdate()
    return (
        Position.objects.filter(
            unit__organisation__municipality=municipality, valid_from__lte=today, user__is_active=True
        )
        .exclude(valid_to__lt=today)
        .select_related("user", "unit")
        .order_by("unit__name", "user__last_name")
    )


class TeamMemberForm(AccessibleForm):
    position = PositionChoiceField(label=_("Professional"), queryset=Position.objects.none())
    valid_to = forms.DateField(label=_("Member until"), widget=DateInput, required=False)

    def __init__(self, *args, municipality=None, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["position"]).queryset = positions_in(municipality)


class CoordinatorForm(AccessibleForm):
    coordinator = PositionChoiceField(label=_("Stödsamordnare"), queryset=Position.objects.none())

    def __init__(self, *args, municipality=None, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["coordinator"]).queryset = positions_in(municipality)


class AnswerInvitationForm(AccessibleForm):
    reason = forms.CharField(
        label=_("If you decline: why"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The person who invited you sees your reason."),
    )


class MoveMeetingForm(AccessibleForm):
    starts_at = forms.DateTimeField(label=_("New date and time"), widget=DateTimeInput)


class CancelMeetingForm(AccessibleForm):
    confirm = forms.BooleanField(label=_("Yes, cancel the meeting and tell the invited"), required=True)


class MeetingForm(AccessibleForm):
    starts_at = forms.DateTimeField(label=_("Date and time"), widget=DateTimeInput)
    place = forms.CharField(label=_("Place"), required=False, max_length=200)
    agenda = forms.CharField(label=_("Agenda"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    professionals = forms.MultipleChoiceField(
        label=_("Invite from barnets team"), required=False, widget=forms.CheckboxSelectMultiple
    )
    invite_child = forms.BooleanField(label=_("Invite the child"), required=False, initial=True)
    guardians = forms.MultipleChoiceField(
        label=_("Invite guardians"), required=False, widget=forms.CheckboxSelectMultiple
    )
    network_members = forms.MultipleChoiceField(
        label=_("Invite from the child's network"), required=False, widget=forms.CheckboxSelectMultiple
    )
    interpreter_booked = forms.BooleanField(
        label=_("An interpreter is booked"), required=False, help_text=INTERPRETER_WARNING
    )
    interpreter_language = forms.ChoiceField(
        label=_("Interpreter language"), required=False, choices=[("", "–"), *Language.choices]
    )
    others = forms.CharField(
        label=_("Others (one name per line)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, team=(), guardians=(), network=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.network_map = {str(m.id): m for m in network}
        cast(forms.ChoiceField, self.fields["network_members"]).choices = [
            (str(m.id), f"{m.name} ({m.get_relation_display()})") for m in network
        ]
        self.users = {str(a.position.user.id): a.position.user for a in team}
        # One choice per person, with every role they hold (a stödsamordnare who is also a
        # team member is invited once).
        roles: dict = {}
        for a in team:
            kinds = roles.setdefault(str(a.position.user.id), [])
            if a.get_kind_display() not in kinds:
                kinds.append(a.get_kind_display())
        cast(forms.ChoiceField, self.fields["professionals"]).choices = [
            (uid, f"{self.users[uid].get_full_name()} ({', '.join(str(k) for k in kinds)})")
            for uid, kinds in roles.items()
        ]
        self.guardian_map = {str(g.id): g for g in guardians}
        cast(forms.ChoiceField, self.fields["guardians"]).choices = [(str(g.id), g.full_name) for g in guardians]


class MinutesForm(AccessibleForm):
    minutes = forms.CharField(label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    attended = forms.MultipleChoiceField(label=_("Who attended"), required=False, widget=forms.CheckboxSelectMultiple)
    child_heard = forms.ChoiceField(
        label=_("The child's voice at this meeting"), choices=ChildHeard.choices, widget=forms.RadioSelect
    )
    child_heard_how = forms.CharField(
        label=_("How the child was heard, or why not"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    DECISION_ROWS = 3

    def __init__(self, *args, participants=(), municipality=None, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["attended"]).choices = [
            (str(p.id), f"{p.name} ({p.get_kind_display()})") for p in participants
        ]
        # Each decision: what, who does it (one of the invited professionals), for which
        # organisation, from and until; all carried into the plan action made from it.
        self.owners = {str(p.user_id): p.user for p in participants if p.user_id}
        owner_choices = [("", "–")] + [(uid, u.get_full_name() or u.username) for uid, u in self.owners.items()]
        organisations = Organisation.objects.filter(municipality=municipality).order_by("name")
        for n in range(1, self.DECISION_ROWS + 1):
            self.fields[f"decision-{n}-text"] = forms.CharField(
                label=_("Decision %(n)s") % {"n": n},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("It can then become a plan action in one step.") if n == 1 else "",
            )
            self.fields[f"decision-{n}-owner"] = forms.ChoiceField(
                label=_("Decision %(n)s: responsible person") % {"n": n}, choices=owner_choices, required=False
            )
            self.fields[f"decision-{n}-owner_organisation"] = forms.ModelChoiceField(
                label=_("Decision %(n)s: organisation") % {"n": n}, queryset=organisations, required=False
            )
            self.fields[f"decision-{n}-starts_on"] = forms.DateField(
                label=_("Decision %(n)s: from") % {"n": n}, widget=DateInput, required=False
            )
            self.fields[f"decision-{n}-due_on"] = forms.DateField(
                label=_("Decision %(n)s: until") % {"n": n}, widget=DateInput, required=False
            )

    def decision_rows(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {
                "text": data.get(f"decision-{n}-text") or "",
                "owner": self.owners.get(data.get(f"decision-{n}-owner") or ""),
                "owner_organisation": data.get(f"decision-{n}-owner_organisation"),
                "starts_on": data.get(f"decision-{n}-starts_on"),
                "due_on": data.get(f"decision-{n}-due_on"),
            }
            for n in range(1, self.DECISION_ROWS + 1)
        ]


class FollowUpForm(AccessibleForm):
    held_on = forms.DateField(label=_("Held on"), widget=DateInput, initial=timezone.localdate)
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    child_view = forms.CharField(
        label=_("The child's view of how it went"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    assessment = forms.ChoiceField(label=_("New compass assessment"), required=False)
    outcome = forms.ChoiceField(label=_("Decision"), choices=FollowUpOutcome.choices, widget=forms.RadioSelect)
    next_review_date = forms.DateField(label=_("Next review date"), widget=DateInput, required=False)

    def __init__(self, *args, goals=(), assessments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.goal_fields = []
        for goal in goals:
            name = f"goal-{goal.id}"
            self.fields[name] = forms.ChoiceField(
                label=goal.description[:120], choices=[("", "–")] + list(Progress.choices), required=False
            )
            self.fields[f"{name}-comment"] = forms.CharField(label=_("Comment"), required=False)
            self.goal_fields.append((goal, self[name], self[f"{name}-comment"]))
        self.assessment_map = {str(a.id): a for a in assessments}
        cast(forms.ChoiceField, self.fields["assessment"]).choices = [("", _("None"))] + [
            (str(a.id), f"{a.assessed_on:%Y-%m-%d}") for a in assessments
        ]

    def progress(self):
        result = {}
        for goal, field, comment in self.goal_fields:
            value = self.cleaned_data.get(field.name)
            if value:
                result[str(goal.id)] = (value, self.cleaned_data.get(comment.name, ""))
        return result


class ChronologyEntryForm(AccessibleForm):
    occurred_on = forms.DateField(label=_("Date"), widget=DateInput, initial=timezone.localdate)
    title = forms.CharField(label=_("Event"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


# -- the intake (mottagning) ----------------------------------------------------------------------

YES_NO_REQUIRED = [("yes", _("Yes")), ("no", _("No"))]


class ExternalReportForm(AccessibleForm):
    """A report that reached the intake outside the platform."""

    number = forms.CharField(label=_("The child's personnummer or samordningsnummer"), max_length=20)
    reporter_category = forms.ChoiceField(label=_("Who reported"), choices=ReporterCategory.choices)
    reporter_description = forms.CharField(
        label=_("Reporter (organisation or role)"),
        max_length=200,
        required=False,
        help_text=_("For example “Polisen, LPO Järva” or “BUP Sollentuna”. Leave empty for an anonymous report."),
    )
    received_via = forms.ChoiceField(
        label=_("Received by"), choices=[c for c in ReceivedVia.choices if c[0] != ReceivedVia.PLATFORM]
    )
    received_at = forms.DateTimeField(label=_("Received at"), widget=DateTimeInput, initial=timezone.now)
    information = forms.CharField(label=_("What the report says"), widget=forms.Textarea(attrs={"rows": 6}))
    acute = forms.BooleanField(label=_("The child may be in acute danger"), required=False)

    def clean_number(self):
        try:
            return identity.parse(self.cleaned_data["number"].strip())
        except identity.InvalidIdentityNumber as error:
            raise forms.ValidationError(error.message) from None


class AssignForm(AccessibleForm):
    handler = forms.ModelChoiceField(label=_("Handler"), queryset=User.objects.none())

    def __init__(self, *args, colleagues=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["handler"])
        field.queryset = User.objects.filter(pk__in=[p.user_id for p in colleagues or []]).order_by(
            "last_name", "first_name"
        )
        field.label_from_instance = lambda obj: obj.get_full_name()  # type: ignore[method-assign]


class SafetyForm(AccessibleForm):
    child_safe = forms.TypedChoiceField(
        label=_("Is the child safe tonight?"),
        choices=YES_NO_REQUIRED,
        coerce=_yes_no,
        empty_value=None,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("What the skyddsbedömning rests on"), widget=forms.Textarea(attrs={"rows": 3}))


class DecisionForm(AccessibleForm):
    decision = forms.ChoiceField(label=_("Decision"), choices=PreAssessmentDecision.choices, widget=forms.RadioSelect)
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[("", "–"), *DecisionReason.choices],
        help_text=_("The coded reason that fits the decision."),
    )
    decided_on = forms.DateField(label=_("Decided on"), widget=DateInput, initial=timezone.localdate)
    child_spoken_with = forms.TypedChoiceField(
        label=_("Was the child spoken with in the förhandsbedömning?"),
        choices=YES_NO_REQUIRED,
        coerce=_yes_no,
        empty_value=None,
        widget=forms.RadioSelect,
    )
    child_heard_how = forms.ChoiceField(
        label=_("How the child was spoken with"), choices=[("", "–"), *ChildHeardHow.choices], required=False
    )
    child_not_heard_reason = forms.ChoiceField(
        label=_("Why the child was not spoken with"),
        choices=[("", "–"), *ChildNotHeardReason.choices],
        required=False,
    )
    note = forms.CharField(label=_("Motivation"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class SecondLookForm(AccessibleForm):
    approve = forms.TypedChoiceField(
        label=_("Your second look"),
        choices=[("yes", _("Approve closing without investigation")), ("no", _("Send back to the handler"))],
        coerce=_yes_no,
        empty_value=None,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Your reason"), widget=forms.Textarea(attrs={"rows": 3}))


class FeedbackForm(AccessibleForm):
    text = forms.CharField(
        label=_("Feedback to the reporter"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Whether an investigation was opened. Recorded as a disclosure to the reporter's organisation."),
    )
    given_on = forms.DateField(label=_("Given on"), widget=DateInput, initial=timezone.localdate)


class QualityReviewForm(AccessibleForm):
    review = forms.UUIDField(widget=forms.HiddenInput)
    should_have_been_investigated = forms.TypedChoiceField(
        label=_("Should the report have been investigated?"),
        choices=YES_NO_REQUIRED,
        coerce=_yes_no,
        empty_value=None,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 3}))


class NetworkMemberForm(AccessibleForm):
    """A trusted adult in the child's network, written down with the child."""

    name = forms.CharField(
        label=_("Name"), max_length=200, help_text=_("As the child says it, for example Mormor Eva.")
    )
    relation = forms.ChoiceField(label=_("Who the person is to the child"), choices=NetworkRelation.choices)
    relation_detail = forms.CharField(label=_("In the child's words"), required=False, max_length=200)
    go_to_when = forms.CharField(
        label=_("The child goes to them when…"),
        required=False,
        max_length=300,
        help_text=_("For example: when I am sad, when I need a lift, when something happened at school."),
    )
    child_words = forms.CharField(
        label=_("What the child says about them"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    contact = forms.CharField(
        label=_("How to reach them"),
        required=False,
        max_length=200,
        help_text=_("Only if the person has agreed that we keep it."),
    )
    contact_consent_on = forms.DateField(label=_("The person agreed on"), required=False, widget=DateInput)
    contact_consent_how = forms.CharField(label=_("How the person agreed"), required=False, max_length=200)


class NetworkRankForm(AccessibleForm):
    """The child's order: a place number for every person."""

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.members = list(members)
        count = len(self.members)
        for m in self.members:
            self.fields[f"place_{m.id}"] = forms.TypedChoiceField(
                label=m.name,
                choices=[(str(i), str(i)) for i in range(1, count + 1)],
                coerce=int,
                initial=str(m.rank) if m.rank else None,
            )

    def order(self) -> list:
        """The ids in the child's order; None when two people share a place."""
        places = {m.id: self.cleaned_data[f"place_{m.id}"] for m in self.members}
        if len(set(places.values())) != len(places):
            return []
        return sorted(places, key=lambda i: places[i])


class LanguageNeedForm(AccessibleForm):
    """One person's languages and interpreter need (the child, or one guardian); one per person
    on the page, told apart by the form prefix."""

    languages = forms.MultipleChoiceField(
        label=_("Languages"), required=False, choices=Language.choices, widget=forms.CheckboxSelectMultiple
    )
    other_language = forms.CharField(label=_("Other language"), required=False, max_length=100)
    interpreter_needed = forms.BooleanField(label=_("Needs an interpreter"), required=False)
    interpreter_language = forms.ChoiceField(
        label=_("Interpreter language"), required=False, choices=[("", "–"), *Language.choices]
    )
