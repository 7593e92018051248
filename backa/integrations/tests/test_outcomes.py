"""Outcomes from social services' journal system: validate first, per-line errors, an invalid
file changes nothing, a re-run changes nothing."""

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from backa.casefile.models import ConcernReport, IntakeItem, ReportStatus
from backa.casefile.reports import do_report_to_social_services
from backa.integrations.outcomes import HEADER, import_outcomes

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate().isoformat()


def csv_of(*lines):
    return "\n".join([",".join(HEADER), *lines]) + "\n"


def reports(world):
    by_ref = do_report_to_social_services(acting_user=world.rasmus, child=world.sigrid, information="a")
    by_number = do_report_to_social_services(acting_user=world.britta, child=world.ivar, information="b")
    return by_ref, by_number


def snapshot():
    return sorted(ConcernReport.objects.values_list("id", "status", "decision", "child_spoken_with", "received_on"))


def test_a_valid_file_is_imported_and_a_rerun_changes_nothing(world):
    by_ref, by_number = reports(world)
    text = csv_of(
        f"{by_ref.pk},,,{TODAY},no_investigation,{TODAY},nej,,{TODAY}",
        f",{world.ivar.identity_number.formatted},{TODAY},{TODAY},investigation,{TODAY},ja,,",
    )
    result = import_outcomes(acting_user=world.ada, text=text, municipality=world.municipality)
    assert (result.lines, result.changed, result.unchanged) == (2, 2, 0)
    by_ref.refresh_from_db()
    by_number.refresh_from_db()
    # A 0-12 closure unheard from the journal system counts in the indicators; the journal keeps the record.
    assert by_ref.status == ReportStatus.NOT_OPENED and by_ref.outcome_source == "import"
    assert by_ref.child_spoken_with is False and by_ref.feedback_given_on is not None
    assert by_number.status == ReportStatus.INVESTIGATION_OPENED and by_number.child_spoken_with is True
    assert not IntakeItem.objects.filter(closed_at__isnull=True).exists()
    before = snapshot()
    again = import_outcomes(acting_user=world.ada, text=text, municipality=world.municipality)
    assert (again.changed, again.unchanged) == (0, 2) and snapshot() == before


def test_an_invalid_line_refuses_the_whole_file_with_a_message_per_line(world):
    by_ref, _by_number = reports(world)
    unknown = uuid.uuid4()
    text = csv_of(
        f"{by_ref.pk},,,{TODAY},no_investigation,{TODAY},nej,,",
        f"{unknown},,,{TODAY},investigation,{TODAY},ja,,",
        f"{by_ref.pk},,,{TODAY},maybe,,kanske,,",
        ",19000101-0000,2026-01-01,,,,,,",
    )
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        import_outcomes(acting_user=world.ada, text=text, municipality=world.municipality)
    messages = error.value.messages
    assert len(messages) == 3
    assert messages[0].startswith("Rad 3:") or messages[0].startswith("Line 3:")
    assert str(unknown) in messages[0]
    assert "19000101" not in " ".join(messages)  # never an identity number in a message
    assert snapshot() == before


def test_a_wrong_header_is_refused(world):
    with pytest.raises(ValidationError):
        import_outcomes(acting_user=world.ada, text="a,b\n1,2\n", municipality=world.municipality)
