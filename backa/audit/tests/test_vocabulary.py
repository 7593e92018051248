"""The access log's object types and purposes are one vocabulary, translated, and enforced."""

import gettext
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import translation

from backa.audit.log import Action, log_access, log_access_many
from backa.audit.models import AccessLog
from backa.audit.vocabulary import ObjectType, Purpose

MO = Path(__file__).resolve().parents[1] / "locale" / "sv" / "LC_MESSAGES" / "django.mo"


@pytest.mark.parametrize("member", list(ObjectType) + list(Purpose), ids=lambda m: f"{type(m).__name__}.{m.name}")
def test_every_object_type_and_purpose_has_a_swedish_label(member):
    with translation.override(None):
        msgid = str(member.label)
    catalog = gettext.GNUTranslations(MO.open("rb"))
    assert catalog._catalog.get(msgid, "").strip(), f"no Swedish for {msgid!r} in {MO}"
    with translation.override("sv"):
        assert str(member.label).strip()


def test_the_purposes_passed_through_from_other_apps_choices_are_all_in_the_vocabulary():
    from backa.access.gate import EMERGENCY
    from backa.audit.models import LogReviewItem
    from backa.casefile.models import ConcernStatus, PlanStatus
    from backa.consent.models import DisclosureBasis, LegalBasisKind, ReviewOutcome
    from backa.forums.models import ForumKind
    from backa.roles.models import FILE_ACCESS_ROLES, HandoverTrigger

    passed_through = [
        *FILE_ACCESS_ROLES,
        EMERGENCY,
        *LegalBasisKind.values,
        *ReviewOutcome.values,
        *LogReviewItem.Outcome.values,
        *HandoverTrigger.values,
        *ForumKind.values,
        *ConcernStatus.values,
        PlanStatus.CLOSED,
        PlanStatus.HANDED_OVER,
        *(basis for basis in DisclosureBasis.values if basis != DisclosureBasis.NONE),
    ]
    assert [value for value in passed_through if value not in Purpose.values] == []


@pytest.mark.django_db
def test_stored_values_are_the_plain_strings(world):
    with transaction.atomic():
        row = log_access(
            user=world.rasmus, action=Action.VIEW, child=world.sigrid, object_type=ObjectType.PLAN, purpose=Purpose.EDIT
        )
    stored = AccessLog.objects.values("object_type", "purpose").get(id=row.id)
    assert stored == {"object_type": "plan", "purpose": "edit"}
    assert type(row.object_type) is str and type(row.purpose) is str


@pytest.mark.django_db
@pytest.mark.parametrize(
    "kwargs",
    [
        {"object_type": "plna"},
        {"purpose": "barnkontakt,team_membr"},
        {"purpose": "serach"},
        {"purpose": "resarch:X-1"},
    ],
)
def test_log_access_refuses_an_unknown_object_type_or_purpose(world, kwargs):
    with transaction.atomic():
        with pytest.raises(ValueError, match="Unknown access-log"):
            log_access(user=world.rasmus, action=Action.VIEW, child=world.sigrid, **kwargs)
        with pytest.raises(ValueError, match="Unknown access-log"):
            log_access_many(user=world.rasmus, action=Action.LIST, children=[world.sigrid], **kwargs)
    assert not AccessLog.objects.exists()


@pytest.mark.django_db
def test_composed_purposes_are_checked_part_by_part(world):
    with transaction.atomic():
        log_access(user=world.rasmus, action=Action.VIEW, child=world.sigrid, purpose="barnkontakt,team_member")
        log_access(
            user=world.rasmus,
            action=Action.EXPORT,
            child=world.sigrid,
            object_type=ObjectType.RESEARCH_EXTRACT,
            purpose=f"{Purpose.RESEARCH.value}:EPN-2026-1",
        )
    assert sorted(AccessLog.objects.values_list("purpose", flat=True)) == [
        "barnkontakt,team_member",
        "research:EPN-2026-1",
    ]
