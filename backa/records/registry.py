"""The record types of a child's file the retention rules speak of, in the order the purge removes them.

Each type names its model by label (records never imports the apps' models, so it knows every
model without depending on any), the path to the child, the date its rule counts from, the
path to the organisation that holds it (its verksamhet), and which rows are still open (an
open row is never purged, and keeps the rest of the child's rows of that type).

The order matters where a relation PROTECTs: follow-ups before their plan, plans before the
meetings whose decisions they cite, disclosures before the consents they rest on, handovers
before the role assignments they name; the child itself last.
"""

from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class RecordType:
    key: str
    label: str | Promise
    model: str
    date_path: str
    org_path: str | None = None
    child_path: str = "child"
    open_q: Q | None = None
    # Django models whose rows go with this type's rows (cascade), for the record of processing.
    parts: tuple[str, ...] = field(default_factory=tuple)

    def model_class(self):
        return apps.get_model(self.model)


CHILD = "child"
ACCESS_LOG = "access_log"

RECORD_TYPES: list[RecordType] = [
    RecordType("notification", _("Notifications"), "casefile.Notification", "created_at"),
    RecordType(
        "follow_up",
        _("Follow-ups of plans"),
        "casefile.FollowUp",
        "plan__ended_on",
        "plan__organisation",
        open_q=Q(plan__status="active"),
        parts=("casefile.GoalProgress",),
    ),
    RecordType(
        "plan",
        _("Plans (Ett barn, en plan)"),
        "casefile.Plan",
        "ended_on",
        "organisation",
        open_q=Q(status="active"),
        parts=("casefile.PlanVersion", "casefile.Goal", "casefile.Action"),
    ),
    RecordType(
        "meeting",
        _("Team meetings"),
        "casefile.Meeting",
        "created_at",
        "organisation",
        parts=("casefile.Participant", "casefile.Decision", "casefile.FamilyView"),
    ),
    RecordType(
        "conversation", _("Conversations with the child"), "casefile.Conversation", "created_at", "organisation"
    ),
    RecordType(
        "assessment",
        _("Assessments (Behovskompassen)"),
        "casefile.Assessment",
        "created_at",
        "organisation",
        parts=("casefile.AssessmentArea",),
    ),
    RecordType(
        "concern_report",
        _("Reports to social services (orosanmälan)"),
        "casefile.ConcernReport",
        "created_at",
        "reporter_position__unit__organisation",
        parts=("casefile.IntakeItem", "casefile.QualityReview"),
    ),
    RecordType("concern", _("Concerns"), "casefile.Concern", "created_at", "reporter_position__unit__organisation"),
    RecordType("chronology", _("Chronology entries"), "casefile.ChronologyEntry", "created_at"),
    # After plans and meetings (their actions and participants point at it, SET_NULL).
    RecordType(
        "network",
        _("The child's network (Mitt nätverk)"),
        "casefile.NetworkMember",
        "updated_at",
        "organisation",
    ),
    RecordType("forum_meeting", _("Meetings in cooperation forums"), "forums.ForumMeeting", "recorded_at"),
    RecordType("disclosure", _("Disclosure records"), "consent.DisclosureRecord", "decided_at", "from_organisation"),
    RecordType(
        "legal_basis", _("Legal bases for sharing"), "consent.LegalBasis", "recorded_at", "disclosing_organisation"
    ),
    RecordType(
        "consent",
        _("Consents (OSL waivers)"),
        "consent.Consent",
        "created_at",
        "disclosing_organisation",
        parts=("consent.ConsentGiver", "consent.ConsentReminder"),
    ),
    RecordType(
        "guardian_secrecy",
        _("Secrecy towards the guardians"),
        "consent.SecrecyTowardsGuardians",
        "created_at",
        "organisation",
    ),
    RecordType("emergency_access", _("Emergency accesses"), "consent.EmergencyAccess", "granted_at", "organisation"),
    RecordType(
        "handover",
        _("Handovers"),
        "roles.Handover",
        "created_at",
        "from_position__unit__organisation",
        open_q=Q(status="pending"),
    ),
    RecordType(
        "role_assignment",
        _("Role assignments (barnkontakt, stödsamordnare, team)"),
        "roles.RoleAssignment",
        "created_at",
        "position__unit__organisation",
        open_q=Q(ended_at__isnull=True),
    ),
    RecordType(
        "team_invitation",
        _("Invitations to the child's team"),
        "casefile.TeamInvitation",
        "invited_at",
        "position__unit__organisation",
        open_q=Q(status="pending"),
    ),
    # The child itself, with its custodies and enrolments: only when every other part has gone.
    RecordType(
        CHILD,
        _("The child (identity, custody, enrolments)"),
        "children.Child",
        "created_at",
        child_path="",
        parts=(
            "children.Custody",
            "children.Enrolment",
            "children.Guardian",
            "children.FormerIdentity",
            "children.RegisterEvent",
            "children.PotentialDuplicate",
            "casefile.LanguageNeed",
        ),
    ),
]
BY_KEY = {t.key: t for t in RECORD_TYPES}
# Not rows of a model: the access log is dropped by whole monthly partitions (audit.partitions).
OTHER_TYPES = {ACCESS_LOG: _("Access log"), "accessibility_feedback": _("Accessibility feedback")}


def record_type_choices():
    return [(t.key, t.label) for t in RECORD_TYPES] + list(OTHER_TYPES.items())


def label_of(key: str):
    if key in BY_KEY:
        return BY_KEY[key].label
    return OTHER_TYPES.get(key, key)


def file_parts() -> list[RecordType]:
    """Every type that is part of a child's file besides the child row itself."""
    return [t for t in RECORD_TYPES if t.key != CHILD]


def classify_organisation(kind: str, unit_types: set[str]) -> str:
    """The verksamhet of an organisation, from its kind and the types of its units."""
    from backa.records.models import Verksamhet

    if kind == "police":
        return Verksamhet.POLICE
    if kind in ("region", "private_care"):
        return Verksamhet.HEALTH_CARE
    if "socialtjanst" in unit_types:
        return Verksamhet.SOCIAL_SERVICES
    if "elevhalsa" in unit_types:
        return Verksamhet.SCHOOL_HEALTH
    if unit_types & {"bvc", "bmm", "bup", "habilitering"}:
        return Verksamhet.HEALTH_CARE
    if kind == "independent_school" or unit_types & {"forskola", "grundskola", "gymnasium"}:
        return Verksamhet.SCHOOL
    return Verksamhet.PLATFORM


def organisations_by_verksamhet(municipality_id) -> dict[str, set]:
    """{verksamhet: {organisation ids}} for one municipality."""
    from backa.organisations.models import Organisation

    found: dict[str, set] = {}
    for org in Organisation.objects.filter(municipality_id=municipality_id).prefetch_related("units"):
        kind = classify_organisation(org.kind, {u.unit_type for u in org.units.all()})
        found.setdefault(kind, set()).add(org.pk)
    return found
