"""Backfill the activity (verksamhet) of units, pupil-health posts and every existing entry.

Units get their organisation's activity for the unit type (created where missing); school
nurses, physicians, psychologists and counsellors at school units get pupil health's. An
entry gets the activity of its writer's position in the entry's organisation (the reporter's
position where recorded); where the writer held none there, the organisation's activity if
it has exactly one; otherwise it stays NULL and is shown to no one (default deny)."""

from django.db import migrations

UNIT_TYPE_ACTIVITY = {
    "bmm": "maternity_care",
    "bvc": "bvc",
    "forskola": "preschool",
    "grundskola": "school",
    "gymnasium": "school",
    "elevhalsa": "pupil_health_medical",
    "socialtjanst": "social_services_ifo",
    "bup": "bup",
    "habilitering": "habilitation",
    "lpo": "police",
    "fritidsgard": "leisure",
    "administration": "district_administration",
}
POSITION_KIND_ACTIVITY = {
    "school_nurse": "pupil_health_medical",
    "physician": "pupil_health_medical",
    "psychologist": "pupil_health_medical",
    "counsellor": "pupil_health_psychosocial",
}
SCHOOL_UNIT_TYPES = {"forskola", "grundskola", "gymnasium", "elevhalsa"}
NAMES = {
    "maternity_care": "Mödrahälsovård (BMM)",
    "bvc": "Barnhälsovård (BVC)",
    "preschool": "Förskola",
    "school": "Skola",
    "pupil_health_medical": "Elevhälsans medicinska och psykologiska insats",
    "pupil_health_psychosocial": "Elevhälsans psykosociala insats",
    "social_services_ifo": "Individ- och familjeomsorg",
    "district_administration": "Stadsdelsförvaltning",
    "bup": "BUP",
    "habilitation": "Habilitering",
    "police": "Polis",
    "leisure": "Fritidsgård",
    "other": "Övrig verksamhet",
}


def backfill(apps, schema_editor):
    Activity = apps.get_model("organisations", "Activity")
    Unit = apps.get_model("organisations", "Unit")
    Position = apps.get_model("accounts", "Position")
    cache = {}

    def activity(org, kind):
        key = (org.pk, kind)
        if key not in cache:
            cache[key], _ = Activity.objects.get_or_create(
                organisation=org, kind=kind, defaults={"name": f"{org.name}: {NAMES[kind]}"}
            )
        return cache[key].pk

    for unit in Unit.objects.filter(activity__isnull=True).select_related("organisation"):
        unit.activity_id = activity(unit.organisation, UNIT_TYPE_ACTIVITY.get(unit.unit_type, "other"))
        unit.save(update_fields=["activity"])
    for position in Position.objects.filter(
        activity__isnull=True, kind__in=list(POSITION_KIND_ACTIVITY), unit__unit_type__in=SCHOOL_UNIT_TYPES
    ).select_related("unit__organisation"):
        position.activity_id = activity(position.unit.organisation, POSITION_KIND_ACTIVITY[position.kind])
        position.save(update_fields=["activity"])

    positions = {}  # user id -> [(organisation id, activity id)]
    for user_id, org_id, own, unit_activity in Position.objects.order_by("valid_from", "id").values_list(
        "user_id", "unit__organisation_id", "activity_id", "unit__activity_id"
    ):
        positions.setdefault(user_id, []).append((org_id, own or unit_activity))
    single = {}
    for org_id, activity_id in Activity.objects.values_list("organisation_id", "id"):
        single[org_id] = None if org_id in single else activity_id

    def writer(user_id, org_id=None):
        for org, act in positions.get(user_id, []):
            if org_id is None or org == org_id:
                return act
        return single.get(org_id) if org_id is not None else None

    def position_activity(position_id):
        if position_id is None:
            return None
        row = Position.objects.filter(pk=position_id).values_list("activity_id", "unit__activity_id").first()
        return (row[0] or row[1]) if row else None

    def fill(model_name, compute):
        model = apps.get_model("casefile", model_name)
        for row in model.objects.filter(activity__isnull=True).iterator():
            value = compute(row)
            if value is not None:
                model.objects.filter(pk=row.pk).update(activity_id=value)

    fill("Concern", lambda r: position_activity(r.reporter_position_id) or writer(r.reported_by_id))
    fill("ConcernReport", lambda r: position_activity(r.reporter_position_id) or writer(r.reported_by_id))
    ConcernReport = apps.get_model("casefile", "ConcernReport")
    for report in ConcernReport.objects.filter(outcome_activity__isnull=True, outcome_recorded_by__isnull=False):
        ConcernReport.objects.filter(pk=report.pk).update(outcome_activity_id=writer(report.outcome_recorded_by_id))
    fill("Conversation", lambda r: writer(r.held_by_id, r.organisation_id) if r.organisation_id else None)
    fill("Assessment", lambda r: writer(r.assessed_by_id, r.organisation_id) if r.organisation_id else None)
    fill("Meeting", lambda r: writer(r.created_by_id, r.organisation_id) if r.organisation_id else None)
    fill("Plan", lambda r: writer(r.created_by_id, r.organisation_id))
    Plan = apps.get_model("casefile", "Plan")
    plan_activity = dict(Plan.objects.values_list("id", "activity_id"))
    plan_org = dict(Plan.objects.values_list("id", "organisation_id"))
    fill("Goal", lambda r: plan_activity.get(r.plan_id))
    fill("Action", lambda r: writer(r.owner_id, r.owner_organisation_id))
    fill("FollowUp", lambda r: writer(r.created_by_id, plan_org.get(r.plan_id)) or plan_activity.get(r.plan_id))
    fill("ChronologyEntry", lambda r: writer(r.created_by_id))


class Migration(migrations.Migration):
    dependencies = [
        ("casefile", "0011_entry_activity"),
        ("accounts", "0006_position_activity"),
        ("consent", "0006_activity_sharing_rule"),
        ("organisations", "0005_activities"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
