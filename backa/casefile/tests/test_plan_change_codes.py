"""A plan version stores what changed as a code with field names, translated when shown: a
version saved by a Swedish writer reads English to an English reader. Versions from before
the codes (migration 0003) are mapped back to codes where their text is known."""

import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import translation

from backa.casefile.models import PlanChange, PlanStatus, PlanVersion
from backa.casefile.plan import do_add_goal, do_end_plan, do_update_plan
from backa.casefile.tests.helpers import make_plan

migration = importlib.import_module("backa.casefile.migrations.0003_plan_change_codes")


def _swedish_history(world, *, close=True):
    """A plan created, edited, given a goal (and closed), every time by a Swedish writer."""
    with translation.override("sv"):
        plan = make_plan(world)
        plan = do_update_plan(
            acting_user=world.rasmus,
            plan=plan,
            based_on_version=1,
            reason="Lugn i skolan",
            needs={"trygghet": "Feel safe at break", "halsa": "Sover bättre"},
        )
        do_add_goal(acting_user=world.rasmus, plan=plan, description="Trivs på rasten")
        if close:
            do_end_plan(acting_user=world.rasmus, plan=plan, status=PlanStatus.CLOSED, reason="Målen nådda")
    return plan


@pytest.mark.django_db
def test_versions_store_codes_and_field_names_never_sentences(world):
    plan = _swedish_history(world)
    stored = list(
        PlanVersion.objects.filter(plan=plan)
        .order_by("number")
        .values_list("change_code", "change_args", "legacy_change")
    )
    assert stored == [
        ("created", {}, ""),
        ("edited", {"fields": ["reason", "needs"], "areas": ["halsa"]}, ""),
        ("goal_added", {}, ""),
        ("closed", {}, ""),
    ]


@pytest.mark.django_db
def test_a_version_saved_in_swedish_reads_english_to_an_english_reader_and_swedish_to_a_swedish_one(world, client_for):
    plan = _swedish_history(world, close=False)  # the plan page lists the versions of the active plan
    url = reverse("casefile:plan", args=[world.sigrid.id])
    english = client_for("rasmus", language="en").get(url).content.decode()
    for text in ("why the plan exists, needs: Healthy (hälsa)", "goal added", "created"):
        assert f"<td>{text}</td>" in english, text
    assert "mål tillagt" not in english and "varför planen finns" not in english

    swedish = client_for("rasmus", language="sv").get(url).content.decode()
    for text in ("varför planen finns, behov: Hälsa", "mål tillagt", "skapad"):
        assert f"<td>{text}</td>" in swedish, text

    version = reverse("casefile:plan_version", args=[world.sigrid.id, plan.id, 2])
    assert (
        "why the plan exists, needs: Healthy (hälsa)"
        in client_for("rasmus", language="en").get(version).content.decode()
    )


@pytest.mark.django_db
def test_the_chronology_translates_plan_changes_for_its_reader(world, client_for):
    _swedish_history(world)
    url = reverse("casefile:chronology", args=[world.sigrid.id])
    english = client_for("rasmus", language="en").get(url).content.decode()
    assert "why the plan exists, needs: Healthy (hälsa)" in english and "goal added" in english
    assert "mål tillagt" not in english
    assert "mål tillagt" in client_for("rasmus", language="sv").get(url).content.decode()


@pytest.mark.django_db
def test_a_legacy_text_without_a_code_is_shown_as_it_is(world):
    plan = make_plan(world)
    legacy = PlanVersion.objects.create(
        plan=plan, number=2, snapshot={}, legacy_change="något annat", created_by=world.rasmus
    )
    coded = PlanVersion(change_code=PlanChange.FOLLOWED_UP, legacy_change="följd upp")
    with translation.override("en"):
        assert legacy.change_text == "något annat"
        assert coded.change_text == "followed up"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("created", ("created", {})),
        ("mål tillagt", ("goal_added", {})),
        ("goal added", ("goal_added", {})),
        ("insats tillagd", ("action_added", {})),
        ("action status changed", ("action_status", {})),
        ("insatsens status ändrad", ("action_status", {})),
        ("stödsamordnare utsedd", ("coordinator_appointed", {})),
        ("stödsamordnare left", ("coordinator_left", {})),
        ("stödsamordnaren slutade", ("coordinator_left", {})),
        ("följd upp", ("followed_up", {})),
        ("followed up and closed", ("followed_up_closed", {})),
        ("följd upp och avslutad", ("followed_up_closed", {})),
        ("Avslutad", ("closed", {})),
        ("Closed", ("closed", {})),
        ("Överlämnad", ("handed_over", {})),
        ("Handed over", ("handed_over", {})),
        ("barnets syn på planen", ("edited", {"fields": ["child_view"]})),
        (
            "varför planen finns, behov: Hälsa, behov: Trygghet, datum för uppföljning",
            ("edited", {"fields": ["reason", "needs", "review_date"], "areas": ["trygghet", "halsa"]}),
        ),
        (
            "kind of plan, needs: Healthy (hälsa), the guardians' view of the plan, reference",
            ("edited", {"fields": ["kind", "needs", "guardian_view", "external_ref"], "areas": ["halsa"]}),
        ),
        ("needs per compass area", ("edited", {"fields": ["needs"]})),
        ("review date changed", None),
        ("varför planen finns, något annat", None),
        ("behov: Okänt", None),
        ("", None),
    ],
)
def test_the_migration_maps_the_known_swedish_and_english_texts_to_codes(text, expected):
    assert migration.code_for(text) == expected


def test_every_code_but_edited_has_its_english_and_swedish_texts_and_the_codes_match_the_model():
    assert set(migration.CHANGE_TEXTS) | {"edited"} == set(PlanChange.values)
    for code, texts in migration.CHANGE_TEXTS.items():
        with translation.override("en"):
            assert str(PlanChange(code).label) == texts[0]
        if code != "created":  # stored untranslated before 0003
            with translation.override("sv"):
                assert str(PlanChange(code).label) == texts[1]


def test_the_frozen_field_labels_are_those_of_the_plan_form():
    from backa.casefile.compass import CompassArea
    from backa.casefile.plan import EDITABLE_FIELDS, FIELD_LABELS

    assert list(migration.FIELD_TEXTS) == list(EDITABLE_FIELDS)
    for language, index in (("en", 0), ("sv", 1)):
        with translation.override(language):
            for field, texts in migration.FIELD_TEXTS.items():
                assert str(FIELD_LABELS[field]) == texts[index]
            for area, texts in migration.AREA_TEXTS.items():
                assert str(CompassArea(area).label) == texts[index]
            assert translation.gettext("needs") == migration.NEEDS_TEXTS[index]


def test_backwards_the_migration_writes_the_english_text_the_old_code_wrote():
    assert migration.english_text("goal_added", {}) == "goal added"
    assert (
        migration.english_text("edited", {"fields": ["reason", "needs"], "areas": ["halsa"]})
        == "why the plan exists, needs: Healthy (hälsa)"
    )
    for text in ("action added", "Handed over", "review date, reference"):
        assert migration.english_text(*migration.code_for(text)) == text


@pytest.mark.django_db
def test_the_migration_converts_swedish_and_english_rows_and_back(world):
    """Through the historical model state: rows saved before 0003 get codes, unknown texts stay,
    and backwards every version has a text again. Inside the test's transaction (PostgreSQL runs
    DDL in a transaction; the rollback restores the schema), so not on SQLite."""
    if connection.vendor != "postgresql":
        pytest.skip("migrates inside the test transaction, which needs transactional DDL")
    plan = make_plan(world)
    PlanVersion.objects.filter(plan=plan).delete()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending trigger events before ALTER TABLE
    before, after = [("casefile", "0002_rename_tables")], [("casefile", "0003_plan_change_codes")]

    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("casefile", "PlanVersion")
    texts = ["created", "mål tillagt", "action added", "varför planen finns, behov: Hälsa", "review date changed"]
    for number, text in enumerate(texts, start=1):
        old.objects.create(plan_id=plan.id, number=number, snapshot={}, change=text, created_by_id=world.rasmus.id)

    executor = MigrationExecutor(connection)
    executor.migrate(after)
    new = executor.loader.project_state(after).apps.get_model("casefile", "PlanVersion")
    rows = list(
        new.objects.filter(plan_id=plan.id)
        .order_by("number")
        .values_list("change_code", "change_args", "legacy_change")
    )
    assert rows == [
        ("created", {}, "created"),
        ("goal_added", {}, "mål tillagt"),
        ("action_added", {}, "action added"),
        ("edited", {"fields": ["reason", "needs"], "areas": ["halsa"]}, "varför planen finns, behov: Hälsa"),
        ("", {}, "review date changed"),
    ]
    new.objects.create(
        plan_id=plan.id, number=6, snapshot={}, change_code="followed_up", change_args={}, created_by_id=world.rasmus.id
    )

    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("casefile", "PlanVersion")
    assert list(old.objects.filter(plan_id=plan.id).order_by("number").values_list("change", flat=True)) == [
        *texts,
        "followed up",
    ]
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert PlanVersion.objects.get(plan=plan, number=6).change_text == "följd upp"
