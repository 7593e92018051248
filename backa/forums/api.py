"""JSON API for the forum inventory and the district's burden indicators (counts only, suppressed)."""

import uuid

from django.utils import timezone
from ninja import Router, Schema

from backa.forums import burden
from backa.forums.access import get_district_for_admin, get_district_for_reading
from backa.forums.models import Forum

router = Router(tags=["forums"])


class ForumOut(Schema):
    id: uuid.UUID
    name: str
    kind: str
    purpose: str
    purposes: list[str]
    legal_basis: str
    target_group: str
    sectors: list[str]
    participants: str
    frequency: str
    convener: str
    children_take_part: str
    guardians_take_part: str
    discusses_individual_children: bool
    is_active: bool


class IndicatorsOut(Schema):
    term: str
    meetings: int | None
    children_with_meetings: int | None
    meetings_per_child: float | None
    children_in_several_forums_same_month: int | None
    families_over_limit: int | None


@router.get("/districts/{district_id}/forums", response=list[ForumOut], summary="The district's forum inventory")
def district_forums(request, district_id: uuid.UUID):
    district = get_district_for_reading(request, district_id)
    return list(Forum.objects.filter(district=district).order_by("name"))


@router.get(
    "/districts/{district_id}/burden",
    response=IndicatorsOut,
    summary="Meeting-burden indicators for a term (district administrators; cells under 5 are null)",
)
def district_burden(request, district_id: uuid.UUID, term: str = ""):
    district = get_district_for_admin(request, district_id)
    return burden.evaluation_indicators(district, burden.Term.parse(term, burden.Term.of(timezone.localdate())))
