"""Who may see and edit a district's forum inventory and its burden numbers.

District-level pages show forums and counts, never children, so they are opened by the
user's active position rather than the child access gate: a district administrator
(position kind district_admin at the district's administration unit) edits the
inventory and sees the district's signals. Every professional with an active position
in the municipality may read the inventory itself (it lists forums, not people), which
is what a rektor needs to pick the forum a child was discussed in.
"""

from backa.access.objects import NotFound, reachable_object
from backa.accounts.positions import administered_district_ids, current_position
from backa.audit.vocabulary import ObjectType
from backa.organisations.models import District


def is_district_admin(request, district) -> bool:
    return district.pk in administered_district_ids(request)


def get_district_for_reading(request, district_id) -> District:
    """A district of the active position's municipality, or 404."""
    position = current_position(request)
    districts = (
        District.objects.filter(municipality_id=position.unit.organisation.municipality_id)
        if position is not None
        else District.objects.none()
    )
    return reachable_object(districts, district_id, ObjectType.DISTRICT)


def get_district_for_admin(request, district_id) -> District:
    """A district the active position administers, or 404 (same answer as an unknown id)."""
    district = get_district_for_reading(request, district_id)
    if not is_district_admin(request, district):
        raise NotFound(object_type=ObjectType.DISTRICT, object_id=str(district.pk))
    return district
