"""A child's file with one row (at least) of every kind the retention rules speak of."""

from datetime import timedelta

from django.apps import apps
from django.utils import timezone

from backa.casefile.assessments import do_record_assessment
from backa.casefile.chronology import do_add_chronology_entry
from backa.casefile.concerns import do_register_concern
from backa.casefile.conversations import do_record_conversation
from backa.casefile.meetings import do_schedule_meeting
from backa.casefile.models import PlanStatus
from backa.casefile.plan import do_add_action, do_add_goal, do_end_plan
from backa.casefile.reports import do_report_to_social_services
from backa.casefile.tests.helpers import make_plan
from backa.consent.models import Category, LegalBasisKind
from backa.consent.services import do_grant_emergency_access, do_record_disclosure, do_record_legal_basis
from backa.consent.tests.helpers import given_consent, orgs
from backa.forums.models import ForumMeeting
from backa.forums.tests.helpers import make_forum
from backa.records.registry import RECORD_TYPES
from backa.roles.models import HandoverTrigger, RoleAssignment
from backa.roles.services import do_close_handover, do_end_role, do_start_handover

_OWN = {t.model for t in RECORD_TYPES} | {p for t in RECORD_TYPES for p in t.parts}
# With the automatic many-to-many tables (a consent's recipients), which go with their rows too.
LABELS = sorted(
    _OWN
    | {
        f.remote_field.through._meta.label
        for label in _OWN
        for f in apps.get_model(label)._meta.many_to_many
        if f.remote_field.through._meta.auto_created
    }
)


def row_counts(child_ids=None) -> dict[str, int]:
    """Rows per model label (of these children, when named)."""
    found = {}
    for label in LABELS:
        model = apps.get_model(label)
        qs = model.objects.all()
        if child_ids is not None:
            if label == "children.Child":
                qs = qs.filter(pk__in=child_ids)
            elif any(f.name == "child" for f in model._meta.get_fields()):
                qs = qs.filter(child_id__in=child_ids)
            else:
                continue
        found[label] = qs.count()
    return found


def full_file(world, child=None, *, close=True, forum=None):
    """Concern, assessment, report, conversation, plan (goal, action), meeting, chronology, consent from
    health care (BVC: ten years), disclosure and legal basis from social services, emergency access,
    forum meeting, a closed handover. With close=True the plan is closed and every role ended."""
    child = child or world.sigrid
    today = timezone.localdate()
    rasmus, sara = world.rasmus, world.users["sara"]
    o = orgs(world)
    concern = do_register_concern(
        acting_user=rasmus, child=child, observed_on=today, description="Orolig på rasterna", areas=["trygghet"]
    )
    do_record_assessment(
        acting_user=rasmus, child=child, assessed_on=today, concern=concern, areas={"trygghet": {"rating": 2}}
    )
    do_report_to_social_services(acting_user=rasmus, child=child, information="Barnet berättar om bråk hemma")
    do_record_conversation(acting_user=rasmus, child=child, held_on=today, concern=concern, child_words="Det är bråk")
    plan = make_plan(world, child=child, user=rasmus)
    do_add_goal(acting_user=rasmus, plan=plan, description="Känna sig trygg", area="trygghet")
    do_add_action(acting_user=rasmus, plan=plan, description="Rastvärd", owner=rasmus, owner_organisation=o["school"])
    do_schedule_meeting(
        acting_user=rasmus, child=child, starts_at=timezone.now() + timedelta(days=3), plan=plan, professionals=[rasmus]
    )
    do_add_chronology_entry(acting_user=rasmus, child=child, occurred_on=today, title="Bytte klass")
    consent = given_consent(
        world, child=child, disclosing=o["bvc"], recipients=[o["school"]], categories=[Category.NOTES], acting="britta"
    )
    do_record_disclosure(
        acting_user=sara,
        child=child,
        from_organisation=o["ifo"],
        to_organisation=o["school"],
        shared=False,
        basis="",
        categories=[Category.NOTES],
        what="Anteckningar",
        justification="Inget stöd för att lämna ut",
    )
    do_record_legal_basis(
        acting_user=sara,
        child=child,
        disclosing_organisation=o["ifo"],
        recipient=o["school"],
        kind=LegalBasisKind.OSL_10_28,
        provision="OSL 10 kap. 28 §",
        reason="Uppgiftsskyldighet",
        categories=[Category.NOTES],
        valid_from=today,
        valid_to=today + timedelta(days=30),
    )
    do_grant_emergency_access(
        acting_user=world.users["britta"], child=child, reason="Akut fara för barnet, polisen ringde"
    )
    forum = forum or make_forum(world, "SSPF Järva")
    ForumMeeting.objects.create(
        child=child,
        municipality=child.municipality,
        forum=forum,
        held_on=today,
        sectors=["school", "social_services"],
        professionals=3,
        duration_minutes=60,
        recorded_by=rasmus,
    )
    if close:
        do_end_plan(acting_user=rasmus, plan=plan, status=PlanStatus.CLOSED, reason="Målen nådda")
        handover = do_start_handover(acting_user=rasmus, child=child, trigger=HandoverTrigger.MOVE_MUNICIPALITY)
        do_close_handover(acting_user=rasmus, handover=handover, family_informed_how="Telefonsamtal")
        for assignment in RoleAssignment.objects.filter(child=child, ended_at__isnull=True):
            do_end_role(acting_user=rasmus, assignment=assignment)
    return {"consent": consent, "plan": plan, "concern": concern}
