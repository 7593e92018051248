"""Demo data for records management: the archive administrator, the default rules, one legal hold."""

from datetime import date, timedelta

from django.utils import timezone

from backa.accounts.models import Position, PositionKind, User
from backa.organisations.models import UnitType
from backa.records.holds import do_place_hold
from backa.records.models import HoldReason
from backa.records.rules import ensure_default_rules

ARCHIVE_LOGIN = ("arkiv", "Arkivansvarig (gallringsregler, gallringsstopp, registerförteckning)")


def add_demo_records(generator) -> None:
    """Login `arkiv` (arkivansvarig) at the first district's administration, its rules seeded, and
    a hold on reports to social services during a JO review. Uses no random numbers."""
    unit = generator.districts[0].units.get(UnitType.ADMINISTRATION, [None])[0]
    if unit is None or User.objects.filter(username="arkiv").exists():
        return
    user = User.objects.create(
        username="arkiv",
        first_name="Alva",
        last_name="Arkivarie",
        password=generator.password_hash,
        is_synthetic=True,
    )
    Position.objects.create(
        user=user, unit=unit, kind=PositionKind.ARCHIVE_ADMIN, role_title="Arkivansvarig", valid_from=date(2020, 1, 1)
    )
    ensure_default_rules(generator.municipality)
    do_place_hold(
        acting_user=user,
        municipality=generator.municipality,
        record_type="concern_report",
        reason=HoldReason.JO,
        reference="JO 4711-2026",
        owner=user,
        # The hold starts on the real day (do_place_hold), whatever day the dataset is pinned to.
        ends_on=timezone.localdate() + timedelta(days=365),
    )
    generator.personas.logins.append(ARCHIVE_LOGIN)
