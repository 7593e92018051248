"""Who may read, edit and decide a child impact assessment. Assessments are about
decisions, not individual children, so they are opened by position, not by the child gate."""

from django.db.models import Q

from backa.access.objects import is_district_admin, reachable_object
from backa.accounts.positions import administered_district_ids, current_position
from backa.audit.vocabulary import ObjectType
from backa.impact.models import ImpactAssessment


def _municipality_id(request):
    position = current_position(request)
    return position.unit.organisation.municipality_id if position else None


def visible_assessments(request):
    """District administrators see the municipality's assessments; a decision-maker sees those sent to them."""
    municipality_id = _municipality_id(request)
    if municipality_id is None:
        return ImpactAssessment.objects.none()
    queryset = ImpactAssessment.objects.filter(municipality_id=municipality_id)
    if is_district_admin(request):
        return queryset
    return queryset.filter(Q(decision_maker=request.user))


def get_assessment(request, assessment_id) -> ImpactAssessment:
    return reachable_object(
        visible_assessments(request).select_related("district", "decision_maker", "created_by"),
        assessment_id,
        ObjectType.IMPACT_ASSESSMENT,
    )


def can_edit(request, assessment) -> bool:
    """Administrators of the assessment's district; for a city-wide decision, any district administrator."""
    administered = administered_district_ids(request)
    if assessment.district_id is None:
        return bool(administered) and assessment.municipality_id == _municipality_id(request)
    return assessment.district_id in administered


def can_decide(request, assessment) -> bool:
    return assessment.decision_maker_id == request.user.pk
