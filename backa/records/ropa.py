"""The record of processing (registerförteckning, GDPR art. 30) from the code's own definitions.

Every model in the project is either an entry in ENTRIES (it holds personal data: what kinds,
on what legal basis, who receives it, which retention rule) or in NOT_PERSONAL with the reason.
backa/records/tests/test_ropa.py fails for a model in neither, so a new model cannot reach
production without its line here. Adding one is one line:

    "casefile.NewThing": E((CHILD_ID, SOCIAL), SOL, TEAM, "concern"),

The retention column comes from the municipality's own rules (RetentionRule) for the record
type named; where the row is stored and the controllers are the same for every entry (STORAGE).
"""

from dataclasses import dataclass

from django.apps import apps
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# -- the vocabulary -------------------------------------------------------------------------------

CHILD_ID = _("The child's identity (name, personnummer, date of birth)")
GUARDIAN = _("Guardians' identity and contact details")
STAFF = _("Professionals' names, positions and units")
SOCIAL = _("Social circumstances and concerns about the child (sensitive, covered by secrecy)")
HEALTH = _("Health information (special category, GDPR art. 9)")
SCHOOL = _("School and preschool placement")
VIEWS = _("The child's and the guardians' own views")
SHARING = _("What was shared, with whom and on what basis")
USAGE = _("Use of the system: who opened what and when")
CONTACT = _("Contact details the person chose to give")
LOGIN = _("Login data (username, IP address, authenticator)")

SOL = _("Public task (GDPR art. 6.1 e, 9.2 h): SoL (2025:400), SoLPUL (2001:454), skollagen (2010:800) 2 kap. 25 §")
HEALTH_BASIS = _("Public task and health care (GDPR art. 6.1 e, 9.2 h): patientdatalagen (2008:355)")
OSL = _(
    "The guardian's consent to disclosure (OSL 10 kap. 1 §) or a named provision of OSL; the processing itself is a public task"
)
LOG_BASIS = _("Legal obligation (GDPR art. 6.1 c, art. 32): PDL 4 kap. 3 §, HSLF-FS 2016:40 4 kap. 9 §")
STAFF_BASIS = _("Public task and employment (GDPR art. 6.1 e, b): the professional's work")
ARCHIVE = _("Legal obligation (GDPR art. 6.1 c): arkivlagen (1990:782), the retention rules themselves")
RESEARCH_BASIS = _("Public task with ethical approval: etikprövningslagen (2003:460)")
A11Y = _("Legal obligation (GDPR art. 6.1 c): lag (2018:1937) om tillgänglighet till digital offentlig service")

TEAM = _(
    "Professionals with a role for the child (school, health care, social services, police), within consent or a legal basis"
)
OWN = _("Only the organisation that wrote it, and the child's team where consent allows")
ADMIN = _("The district administration and the log reviewers; supervisory authorities on request (IMY, IVO, JO)")
NOBODY = _("No one outside the platform's administration")
RESEARCHERS = _("Researchers named on an ethics approval, pseudonymised")

STORAGE = _(
    "The platform's PostgreSQL database, run by the municipality (or its processor under a data processing "
    "agreement) in Sweden; each organisation is controller for what it records; encrypted backups."
)


@dataclass(frozen=True)
class E:
    categories: tuple[str | Promise, ...]
    basis: str | Promise
    recipients: str | Promise
    # A record type of the retention rules (backa/records/registry.py), or a sentence.
    retention: str | Promise


UNTIL_STAFF_LEAVES = _("Until the account is closed, then one year")
WITH_PARENT = _("With the record it belongs to")
KEPT = _("Kept (bevaras): the archive's own documentation")
SESSION = _("Two weeks (the session's lifetime)")
LOGIN_LOG = _("One year")

ENTRIES: dict[str, E] = {
    "children.Child": E((CHILD_ID, SCHOOL), SOL, TEAM, "child"),
    "children.Guardian": E((GUARDIAN,), SOL, TEAM, "child"),
    "children.Custody": E((GUARDIAN, CHILD_ID), SOL, TEAM, "child"),
    "children.Enrolment": E((SCHOOL,), SOL, TEAM, "child"),
    "children.FormerIdentity": E((CHILD_ID,), SOL, TEAM, "child"),
    "children.RegisterEvent": E((CHILD_ID,), SOL, TEAM, "child"),
    "children.PotentialDuplicate": E((CHILD_ID,), SOL, TEAM, "child"),
    "roles.RoleAssignment": E((STAFF, CHILD_ID), SOL, TEAM, "role_assignment"),
    "roles.Handover": E((STAFF, CHILD_ID, SHARING), SOL, TEAM, "handover"),
    "consent.Consent": E((GUARDIAN, SHARING), OSL, TEAM, "consent"),
    "consent.ConsentGiver": E((GUARDIAN,), OSL, TEAM, "consent"),
    "consent.ConsentReminder": E((CHILD_ID,), OSL, OWN, "consent"),
    "consent.LegalBasis": E((SHARING,), OSL, TEAM, "legal_basis"),
    "consent.DisclosureRecord": E((SHARING, STAFF), OSL, ADMIN, "disclosure"),
    "consent.EmergencyAccess": E((STAFF, USAGE), LOG_BASIS, ADMIN, "emergency_access"),
    "casefile.Concern": E((SOCIAL, HEALTH, STAFF), SOL, TEAM, "concern"),
    "casefile.Notification": E((STAFF,), SOL, OWN, "notification"),
    "casefile.ReminderSent": E((CHILD_ID,), SOL, OWN, "child"),
    "casefile.TeamInvitation": E((STAFF, CHILD_ID), SOL, TEAM, "team_invitation"),
    "casefile.Conversation": E((SOCIAL, VIEWS), SOL, OWN, "conversation"),
    "casefile.Assessment": E((SOCIAL, HEALTH, VIEWS), SOL, OWN, "assessment"),
    "casefile.AssessmentArea": E((SOCIAL, HEALTH, VIEWS), SOL, OWN, "assessment"),
    "casefile.ConcernReport": E((SOCIAL, STAFF), SOL, OWN, "concern_report"),
    "casefile.IntakeItem": E((SOCIAL, STAFF), SOL, OWN, "concern_report"),
    "casefile.QualityReview": E((SOCIAL, STAFF), SOL, OWN, "concern_report"),
    "casefile.IntakeDuty": E((STAFF,), STAFF_BASIS, NOBODY, UNTIL_STAFF_LEAVES),
    "casefile.Plan": E((SOCIAL, VIEWS, STAFF), SOL, TEAM, "plan"),
    "casefile.PlanVersion": E((SOCIAL, VIEWS), SOL, TEAM, "plan"),
    "casefile.Goal": E((SOCIAL,), SOL, TEAM, "plan"),
    "casefile.Action": E((SOCIAL, STAFF), SOL, TEAM, "plan"),
    "casefile.Meeting": E((SOCIAL, STAFF, VIEWS), SOL, TEAM, "meeting"),
    "casefile.Participant": E((STAFF, GUARDIAN), SOL, TEAM, "meeting"),
    "casefile.Decision": E((SOCIAL,), SOL, TEAM, "meeting"),
    "casefile.FollowUp": E((SOCIAL, VIEWS), SOL, TEAM, "follow_up"),
    "casefile.GoalProgress": E((SOCIAL,), SOL, TEAM, "follow_up"),
    "casefile.ChronologyEntry": E((SOCIAL,), SOL, TEAM, "chronology"),
    "casefile.NetworkMember": E((VIEWS, CONTACT, SOCIAL), SOL, TEAM, "network"),
    "casefile.LanguageNeed": E((CHILD_ID, GUARDIAN), SOL, TEAM, "child"),
    "casefile.FamilyView": E((VIEWS,), SOL, TEAM, "meeting"),
    "consent.SecrecyTowardsGuardians": E((CHILD_ID, SHARING), OSL, OWN, "guardian_secrecy"),
    "forums.ForumMeeting": E((CHILD_ID,), SOL, TEAM, "forum_meeting"),
    "audit.AccessLog": E((USAGE, STAFF), LOG_BASIS, ADMIN, "access_log"),
    "audit.LogReviewItem": E((USAGE, STAFF), LOG_BASIS, ADMIN, "access_log"),
    "accounts.User": E((STAFF, LOGIN), STAFF_BASIS, NOBODY, UNTIL_STAFF_LEAVES),
    "accounts.Position": E((STAFF,), STAFF_BASIS, TEAM, UNTIL_STAFF_LEAVES),
    "otp_totp.TOTPDevice": E((LOGIN,), STAFF_BASIS, NOBODY, UNTIL_STAFF_LEAVES),
    "sessions.Session": E((LOGIN,), STAFF_BASIS, NOBODY, SESSION),
    "axes.AccessAttempt": E((LOGIN,), LOG_BASIS, NOBODY, LOGIN_LOG),
    "axes.AccessFailureLog": E((LOGIN,), LOG_BASIS, NOBODY, LOGIN_LOG),
    "axes.AccessLog": E((LOGIN,), LOG_BASIS, NOBODY, LOGIN_LOG),
    "axes.AccessAttemptExpiration": E((LOGIN,), LOG_BASIS, NOBODY, LOGIN_LOG),
    "admin.LogEntry": E((STAFF,), STAFF_BASIS, NOBODY, LOGIN_LOG),
    "outbox.EmailPreference": E((STAFF, CONTACT), STAFF_BASIS, NOBODY, UNTIL_STAFF_LEAVES),
    "outbox.Message": E((STAFF, CONTACT), STAFF_BASIS, NOBODY, LOGIN_LOG),
    "operations.IdempotencyKey": E((STAFF,), STAFF_BASIS, NOBODY, _("One day")),
    "accounts.SecurityEvent": E((STAFF, LOGIN, USAGE), LOG_BASIS, ADMIN, LOGIN_LOG),
    "forums.Forum": E((STAFF,), STAFF_BASIS, TEAM, KEPT),
    "impact.ImpactAssessment": E((STAFF, VIEWS), SOL, TEAM, KEPT),
    "impact.ImpactAssessmentVersion": E((STAFF, VIEWS), SOL, TEAM, KEPT),
    "evaluation.EthicsApproval": E((STAFF,), RESEARCH_BASIS, RESEARCHERS, KEPT),
    "evaluation.ExtractionRecord": E((STAFF, USAGE), RESEARCH_BASIS, RESEARCHERS, KEPT),
    "records.RetentionRuleVersion": E((STAFF,), ARCHIVE, NOBODY, KEPT),
    "records.LegalHold": E((STAFF, CHILD_ID), ARCHIVE, ADMIN, KEPT),
    "records.ArchiveDelivery": E((STAFF, CHILD_ID), ARCHIVE, NOBODY, KEPT),
    "records.AccessibilityFeedback": E((CONTACT,), A11Y, NOBODY, "accessibility_feedback"),
}

# Models without personal data, and why.
NOT_PERSONAL: dict[str, str] = {
    "auth.Permission": "permission names",
    "auth.Group": "group names",
    "contenttypes.ContentType": "model names",
    "organisations.Municipality": "organisations, not people",
    "organisations.District": "organisations, not people",
    "organisations.Organisation": "organisations, not people",
    "organisations.Unit": "organisations, not people",
    "organisations.Activity": "activities (verksamheter) of organisations, not people",
    "consent.ActivitySharingRule": "a board's rules between its activities, not people",
    "roles.LifePhaseConfig": "configuration",
    "forums.BurdenSettings": "configuration",
    "integrations.ImportRun": "counts and line numbers of an import, no rows",
    "evaluation.IndicatorValue": "aggregated counts per district, small cells suppressed",
    "operations.AccessLogSeal": "digests and counts over the access log",
    "accounts.ConsumedAssertion": "random SAML assertion ids and their expiry, kept against replay",
    "operations.RestoreDrillRun": "times and results of restore drills",
    "organisations.LegalReference": "references to statutes, not people",
    "audit.DroppedPartition": "name, period, count and digest of a dropped log partition",
    "records.RetentionRule": "the rule itself",
    "records.PurgeRun": "when the purge ran and its totals",
    "records.PurgeRecord": "rule, record type, counts and period: never content",
}


def missing_entries() -> list[str]:
    """Models with neither an entry nor a reason (the test's failure list)."""
    known = set(ENTRIES) | set(NOT_PERSONAL)
    return sorted(m._meta.label for m in apps.get_models() if m._meta.label not in known)


def stale_entries() -> list[str]:
    """Entries for models that no longer exist."""
    labels = {m._meta.label for m in apps.get_models()}
    return sorted(label for label in set(ENTRIES) | set(NOT_PERSONAL) if label not in labels)


def rows(municipality_id):
    """One row per entry: (label, record name, categories, basis, recipients, retention, storage)."""
    from backa.records.models import RetentionRule
    from backa.records.registry import BY_KEY, OTHER_TYPES

    rules: dict[str, list] = {}
    for rule in RetentionRule.objects.filter(municipality_id=municipality_id).order_by("verksamhet"):
        rules.setdefault(rule.record_type, []).append(rule)
    found = []
    for label, entry in sorted(ENTRIES.items()):
        model = apps.get_model(label)
        retention = entry.retention
        if isinstance(retention, str) and (retention in BY_KEY or retention in OTHER_TYPES):
            retention = "; ".join(
                f"{r.get_verksamhet_display()}: {r.period_months} {_('months')}, {r.get_start_event_display()}"
                for r in rules.get(retention, [])
            ) or str(_("No rule: kept until a rule is set"))
        found.append(
            {
                "label": label,
                "name": str(model._meta.verbose_name_plural).capitalize(),
                "categories": [str(c) for c in entry.categories],
                "basis": str(entry.basis),
                "recipients": str(entry.recipients),
                "retention": str(retention),
                "storage": str(STORAGE),
            }
        )
    return found
