"""The default retention rules (each citing its source, each to be confirmed by the archivist) and their edits.

A municipality's rules are seeded from DEFAULTS the first time they are needed
(`ensure_default_rules`, idempotent) and from then on are the municipality's own: the archive
administrator changes them (`do_change_rule`), and every change is a new version. Nothing is
ever purged without a rule: a record type or kind of organisation with no rule is kept.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from backa.audit.context import as_acting
from backa.audit.log import Action, log_access
from backa.audit.vocabulary import ObjectType
from backa.records.models import Disposal, RetentionRule, RetentionRuleVersion, StartEvent, Verksamhet
from backa.records.registry import ACCESS_LOG, CHILD, file_parts


@dataclass(frozen=True)
class Default:
    record_type: str
    verksamhet: str
    start_event: str
    period_months: int
    source: str
    research_exemption: bool = False
    disposal: str = Disposal.GALLRAS


SOL = (
    "Socialtjänstlagen (2001:453) 12 kap. 1 § (in force until 2025; the new SoL 2025:400 numbering is "
    "unconfirmed): personal files are deleted five years after the last entry. Socialtjänstförordningen "
    "(2001:937) 7 kap. 2 §: files on people born on the 5th, 15th and 25th are kept for research. "
    "https://lagar.nj.se/ovriga/SFS2005-0452 ; https://soctanter.malmo.se/fraga/7140 . Prop. 2025/26:12 "
    "proposes keeping some child-file documents until 30 years after birth (pending). Placement, "
    "paternity and adoption files are never deleted; the platform holds none of them."
)
PDL = (
    "Patientdatalagen (2008:355) 3 kap. 17 §: patient records at least ten years after the last entry; the "
    "medical and psychological parts of pupil health follow it. Public pupil health also falls under "
    "arkivlagen (1990:782), and the Riksarkivet/SKR guidance suggests keeping the records: "
    "https://kunskapsguiden.se/omraden-och-teman/barn-och-unga/vagledning-for-elevhalsa/"
    "dokumentation-journalforing-och-sekretess/fora-patientjournal/hantera-patientjournaler/"
)
HEALTH = "Patientdatalagen (2008:355) 3 kap. 17 §: at least ten years after the last entry."
PLATFORM = (
    "The platform's own default, aligned with social services' five years (no statute names the "
    "cooperation platform's own records). To be set by the municipality's dokumenthanteringsplan."
)
LOG = (
    "HSLF-FS 2016:40 4 kap. 9 §: access logs are kept at least five years; applied to the whole system "
    "(domain reference §3.5). https://compliantkubernetes.io/ciso-guide/pdl-audit-logs/"
)
CHILD_SOURCE = (
    "The platform serves children until they turn 18 or leave the municipality; the child's identity "
    "row goes a year later, and only once every other part of the file has passed its own rule."
)
FEEDBACK = "Lag (2018:1937) 12 §: feedback is answered; two years covers follow-up and supervision by DIGG."
NOTIFICATION = "Notifications are reminders with no content of their own; one year covers their use."
EMERGENCY = "Emergency accesses are part of the log trail: kept like the access log, five years (HSLF-FS 2016:40)."

NO_ORGANISATION = {"notification", "chronology", "forum_meeting"}
PLAN_TYPES = {"plan", "follow_up"}


def _defaults() -> list[Default]:
    found = []
    for kind in file_parts():
        key = kind.key
        if key == "notification":
            found.append(Default(key, Verksamhet.ANY, StartEvent.ENTRY, 12, NOTIFICATION))
            continue
        if key == "emergency_access":
            found.append(Default(key, Verksamhet.ANY, StartEvent.ENTRY, 60, EMERGENCY))
            continue
        event = StartEvent.PLAN_CLOSED if key in PLAN_TYPES else StartEvent.LAST_ENTRY
        found.append(Default(key, Verksamhet.ANY, event, 60, PLATFORM))
        if key in NO_ORGANISATION:
            continue
        found.append(Default(key, Verksamhet.SOCIAL_SERVICES, event, 60, SOL, research_exemption=True))
        found.append(Default(key, Verksamhet.SCHOOL_HEALTH, event, 120, PDL))
        found.append(Default(key, Verksamhet.HEALTH_CARE, event, 120, HEALTH))
    found.append(Default(CHILD, Verksamhet.ANY, StartEvent.TURNED_18, 12, CHILD_SOURCE))
    found.append(Default(CHILD, Verksamhet.ANY, StartEvent.MOVED_OUT, 12, CHILD_SOURCE))
    found.append(Default(ACCESS_LOG, Verksamhet.PLATFORM, StartEvent.ENTRY, 60, LOG))
    found.append(Default("accessibility_feedback", Verksamhet.PLATFORM, StartEvent.ENTRY, 24, FEEDBACK))
    return found


DEFAULTS = _defaults()
SEEDED = "Seeded default; to be confirmed by the municipality's archivist."


def _snapshot(rule: RetentionRule, *, reason: str, user) -> RetentionRuleVersion:
    return RetentionRuleVersion.objects.create(
        rule=rule,
        number=rule.version,
        start_event=rule.start_event,
        period_months=rule.period_months,
        disposal=rule.disposal,
        research_exemption=rule.research_exemption,
        source=rule.source,
        confirmed_by_archivist=rule.confirmed_by_archivist,
        reason=reason,
        changed_by=user,
    )


@transaction.atomic
def ensure_default_rules(municipality) -> int:
    """Seed the defaults the municipality has no rule for (never changes an existing rule). Returns how many."""
    have = set(
        RetentionRule.objects.filter(municipality=municipality).values_list("record_type", "verksamhet", "start_event")
    )
    created = 0
    for d in DEFAULTS:
        if (d.record_type, d.verksamhet, d.start_event) in have:
            continue
        rule, made = RetentionRule.objects.get_or_create(
            municipality=municipality,
            record_type=d.record_type,
            verksamhet=d.verksamhet,
            start_event=d.start_event,
            defaults={
                "period_months": d.period_months,
                "disposal": d.disposal,
                "research_exemption": d.research_exemption,
                "source": d.source,
            },
        )
        if made:
            _snapshot(rule, reason=SEEDED, user=None)
            created += 1
    return created


class StaleRule(Exception):
    """Someone else saved the rule since the form was opened."""


@transaction.atomic
def do_change_rule(
    *,
    acting_user,
    rule: RetentionRule,
    version: int,
    period_months: int,
    start_event: str,
    disposal: str,
    research_exemption: bool,
    source: str,
    confirmed_by_archivist: bool,
    reason: str,
) -> RetentionRule:
    """A new version of the rule, logged. `version` is the one the editor saw (StaleRule otherwise)."""
    acting = as_acting(acting_user)
    rule = RetentionRule.objects.select_for_update().get(pk=rule.pk)
    if rule.version != version:
        raise StaleRule(rule.pk)
    rule.period_months = period_months
    rule.start_event = start_event
    rule.disposal = disposal
    rule.research_exemption = research_exemption
    rule.source = source
    rule.confirmed_by_archivist = confirmed_by_archivist
    rule.version += 1
    rule.updated_at = timezone.now()
    rule.save()
    _snapshot(rule, reason=reason, user=acting.user)
    log_access(
        acting=acting,
        action=Action.UPDATE,
        municipality_id=rule.municipality_id,
        object_type=ObjectType.RETENTION_RULE,
        object_id=rule.pk,
    )
    return rule
