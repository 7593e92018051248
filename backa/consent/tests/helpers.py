"""Small builders for consent tests, on top of backa.testing's world."""

from datetime import timedelta

from django.utils import timezone

from backa.children.models import Custody
from backa.consent.services import do_record_consent, do_request_consent

# A marker put into every free-text field in these tests; the log scan looks for it.
NOTE_MARKER = "HEMLIG-ANTECKNING-7f3a"


def orgs(world):
    return {
        "school": world.units["school"].organisation,
        "ifo": world.units["ifo"].organisation,
        "bvc": world.units["bvc"].organisation,
        "police": world.units["lpo"].organisation,
    }


def given_consent(world, *, child=None, disclosing, recipients, categories, days=180, acting="sara", start_days=0):
    """A consent for Sigrid given by her guardian with custody."""
    child = child or world.sigrid
    today = timezone.localdate()
    consent = do_request_consent(
        acting_user=world.users[acting],
        child=child,
        disclosing_organisation=disclosing,
        recipients=recipients,
        categories=categories,
        purpose=f"Samordning {NOTE_MARKER}",
        valid_from=today + timedelta(days=start_days),
        valid_to=today + timedelta(days=days),
    )
    guardians = [c.guardian for c in Custody.objects.filter(child=child, has_custody=True).select_related("guardian")]
    return do_record_consent(
        acting_user=world.users[acting],
        consent=consent,
        guardians=guardians,
        form="written",
        form_note=f"Underskrivet {NOTE_MARKER}",
    )
