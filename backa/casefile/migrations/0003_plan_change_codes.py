"""Plan versions store what changed as a code with arguments, translated when shown.

Before this migration `PlanVersion.change` held a sentence in the writer's language
("mål tillagt", "action added", "varför planen finns, behov: Hälsa"). The column is renamed
`legacy_change` and kept as it was; every text this migration recognises (the English source
strings and their Swedish translations as they stood when codes came, frozen below so later
changes to the catalogues do not change this migration) gets its code, an edit gets the
names of the fields it changed. A text that is not recognised keeps no code and is shown as
it is. Works on PostgreSQL and SQLite (the exact texts with one UPDATE per code, the rest in
Python). Reversible: backwards, a version saved with a code and no legacy text gets the
English text the old code would have written.
"""

from django.db import migrations, models

BATCH = 2000

# The texts the old code stored for each change (English source string, Swedish translation).
CHANGE_TEXTS = {
    "created": ["created"],  # stored untranslated
    "goal_added": ["goal added", "mål tillagt"],
    "action_added": ["action added", "insats tillagd"],
    "action_status": ["action status changed", "insatsens status ändrad"],
    "coordinator_appointed": ["stödsamordnare appointed", "stödsamordnare utsedd"],
    "coordinator_left": ["stödsamordnare left", "stödsamordnaren slutade"],
    "followed_up": ["followed up", "följd upp"],
    "followed_up_closed": ["followed up and closed", "följd upp och avslutad"],
    "closed": ["Closed", "Avslutad"],
    "handed_over": ["Handed over", "Överlämnad"],
}
TEXT_TO_CODE = {text: code for code, texts in CHANGE_TEXTS.items() for text in texts}

# An edit stored the labels of the changed fields joined with ", " (plan.FIELD_LABELS, only
# the fields of the plan form can change in an edit); needs as "needs: <area>" per area.
FIELD_TEXTS = {
    "kind": ["kind of plan", "typ av plan"],
    "organisation_id": ["responsible organisation", "ansvarig organisation"],
    "reason": ["why the plan exists", "varför planen finns"],
    "needs": ["needs per compass area", "behov per område"],
    "child_view": ["the child's view of the plan", "barnets syn på planen"],
    "guardian_view": ["the guardians' view of the plan", "vårdnadshavarnas syn på planen"],
    "review_date": ["review date", "datum för uppföljning"],
    "external_kind": ["external plan or case", "extern plan eller ärende"],
    "external_ref": ["reference", "referens"],
}
FIELD_ORDER = list(FIELD_TEXTS)
NEEDS_TEXTS = ["needs", "behov"]
AREA_TEXTS = {
    "trygghet": ["Safe (trygghet)", "Trygghet"],
    "halsa": ["Healthy (hälsa)", "Hälsa"],
    "utveckling": ["Achieving (utveckling)", "Utveckling"],
    "omsorg": ["Nurtured (omsorg)", "Omsorg"],
    "fritid": ["Active (fritid)", "Fritid"],
    "respekt": ["Respected (respekt)", "Respekt"],
    "ansvar": ["Responsible (ansvar)", "Ansvar"],
    "tillhorighet": ["Included (tillhörighet)", "Tillhörighet"],
}
AREA_ORDER = list(AREA_TEXTS)

# One piece of an edit's text → (field name, compass area code or None).
PIECES = {text: (field, None) for field, texts in FIELD_TEXTS.items() for text in texts}
PIECES.update(
    {
        f"{needs}: {area_text}": ("needs", area)
        for needs in NEEDS_TEXTS
        for area, texts in AREA_TEXTS.items()
        for area_text in texts
    }
)
PIECES_LONGEST_FIRST = sorted(PIECES, key=len, reverse=True)


def _pieces(text: str):
    """`text` split into known pieces joined by ", " (labels may hold commas), or None."""
    if text == "":
        return []
    for piece in PIECES_LONGEST_FIRST:
        if text == piece:
            return [piece]
        if text.startswith(piece + ", "):
            rest = _pieces(text[len(piece) + 2 :])
            if rest is not None:
                return [piece, *rest]
    return None


def code_for(text: str):
    """(change_code, change_args) for a text stored before 0003, or None if it is not known."""
    text = (text or "").strip()
    if text in TEXT_TO_CODE:
        return TEXT_TO_CODE[text], {}
    pieces = _pieces(text) if text else None
    if not pieces:
        return None
    fields, areas = [], []
    for piece in pieces:
        field, area = PIECES[piece]
        if field not in fields:
            fields.append(field)
        if area and area not in areas:
            areas.append(area)
    args = {"fields": sorted(fields, key=FIELD_ORDER.index)}
    if areas:
        args["areas"] = sorted(areas, key=AREA_ORDER.index)
    return "edited", args


def english_text(code: str, args: dict) -> str:
    """The text the old code would have stored (in English) for a code: used backwards."""
    if code == "edited":
        pieces = []
        for field in (args or {}).get("fields", []):
            if field == "needs" and args.get("areas"):
                pieces += [f"needs: {AREA_TEXTS[a][0]}" for a in args["areas"] if a in AREA_TEXTS]
            elif field in FIELD_TEXTS:
                pieces.append(FIELD_TEXTS[field][0])
        return ", ".join(pieces)[:200] or "edited"
    return CHANGE_TEXTS[code][0] if code in CHANGE_TEXTS else code


def forwards(apps, schema_editor):
    PlanVersion = apps.get_model("casefile", "PlanVersion")
    versions = PlanVersion.objects.using(schema_editor.connection.alias)
    for code, texts in CHANGE_TEXTS.items():
        versions.filter(change_code="", legacy_change__in=texts).update(change_code=code, change_args={})
    batch = []
    for version in versions.filter(change_code="").only("id", "legacy_change").iterator(chunk_size=BATCH):
        found = code_for(version.legacy_change)
        if found is None:
            continue  # kept as a legacy text, shown as it is
        version.change_code, version.change_args = found
        batch.append(version)
        if len(batch) >= BATCH:
            versions.bulk_update(batch, ["change_code", "change_args"])
            batch = []
    if batch:
        versions.bulk_update(batch, ["change_code", "change_args"])


def backwards(apps, schema_editor):
    PlanVersion = apps.get_model("casefile", "PlanVersion")
    versions = PlanVersion.objects.using(schema_editor.connection.alias)
    batch = []
    for version in (
        versions.filter(legacy_change="").exclude(change_code="").only("id", "change_code", "change_args").iterator()
    ):
        version.legacy_change = english_text(version.change_code, version.change_args)
        batch.append(version)
        if len(batch) >= BATCH:
            versions.bulk_update(batch, ["legacy_change"])
            batch = []
    if batch:
        versions.bulk_update(batch, ["legacy_change"])


class Migration(migrations.Migration):
    dependencies = [
        ("casefile", "0002_rename_tables"),
    ]

    operations = [
        migrations.RenameField(model_name="planversion", old_name="change", new_name="legacy_change"),
        migrations.AlterField(
            model_name="planversion",
            name="legacy_change",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name="planversion",
            name="change_code",
            field=models.CharField(
                blank=True,
                choices=[
                    ("created", "created"),
                    ("edited", "edited"),
                    ("goal_added", "goal added"),
                    ("action_added", "action added"),
                    ("action_status", "action status changed"),
                    ("coordinator_appointed", "stödsamordnare appointed"),
                    ("coordinator_left", "stödsamordnare left"),
                    ("followed_up", "followed up"),
                    ("followed_up_closed", "followed up and closed"),
                    ("closed", "Closed"),
                    ("handed_over", "Handed over"),
                ],
                default="",
                max_length=24,
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="planversion",
            name="change_args",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(forwards, backwards),
    ]
