"""Importing a pre-pilot baseline: per-line errors, nothing changed on a bad file."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import translation

from backa.evaluation.models import IndicatorValue
from backa.evaluation.services import do_import_baseline

GOOD = "district,month,indicator,numerator,denominator\nJARVA,2025-01,consent_given,30,40\nFARSTA,2025-01,days_to_plan,12,9\n"


@pytest.mark.django_db
def test_good_file_is_imported_and_reimport_replaces(world):
    assert do_import_baseline(acting_user=world.ada, text=GOOD, municipality=world.municipality) == 2
    assert do_import_baseline(acting_user=world.ada, text=GOOD, municipality=world.municipality) == 2
    rows = IndicatorValue.objects.filter(source="baseline")
    assert rows.count() == 2
    assert rows.get(indicator="consent_given").value == 75.0  # 30 of 40
    assert rows.get(indicator="days_to_plan").value == 12  # a median is given as the numerator


@pytest.mark.django_db
def test_bad_file_reports_every_line_and_changes_nothing(world):
    bad = GOOD + "NOWHERE,2025-13,nope,x,1\nJARVA,2025-02,consent_given,50,40\nJARVA,2025-01,consent_given,1,2\n"
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        do_import_baseline(acting_user=world.ada, text=bad, municipality=world.municipality)
    messages = exc.value.messages
    assert any(m.startswith("Line 4:") and "NOWHERE" in m for m in messages)
    assert any(m.startswith("Line 5:") for m in messages)  # numerator above denominator
    assert any(m.startswith("Line 6:") for m in messages)  # the same cell twice
    assert not IndicatorValue.objects.exists()


@pytest.mark.django_db
def test_command(world, tmp_path):
    path = tmp_path / "baseline.csv"
    path.write_text("wrong,header\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("evaluation_import_baseline", str(path), "--user", "ada")
    path.write_text(GOOD, encoding="utf-8")
    call_command("evaluation_import_baseline", str(path), "--user", "ada")
    assert IndicatorValue.objects.count() == 2


@pytest.mark.django_db
def test_rollup_command(capsys):
    call_command("evaluation_rollup", "--start", "2026-01-01", "--stop", "2026-03-01", "--indicator", "consent_given")
    out = capsys.readouterr().out
    assert "consent_given:" in out and "total:" in out
    with pytest.raises(CommandError):
        call_command("evaluation_rollup", "--indicator", "nope")
    with pytest.raises(CommandError):
        call_command("evaluation_rollup", "--start", "2026-01-01")


@pytest.mark.django_db
def test_the_2023_audit_figures_go_in_through_the_baseline_import(world):
    """The audit of förhandsbedömningar 2023 (children 0–12): a fifth closed without investigation
    although they should have been investigated; one child in four heard."""
    text = (
        "district,month,indicator,numerator,denominator\n"
        "JARVA,2023-12,young_closed_unheard,20,100\n"
        "JARVA,2023-12,pre_assessment_child_heard_0_12,25,100\n"
    )
    assert do_import_baseline(acting_user=world.ada, text=text, municipality=world.municipality) == 2
    rows = IndicatorValue.objects.filter(source="baseline")
    assert rows.get(indicator="young_closed_unheard").value == 20.0
    assert rows.get(indicator="pre_assessment_child_heard_0_12").value == 25.0
